"""Azure's two realtime surfaces (HOSTS-MEDIA §1.3), both in OpenAI's vocabulary.

* ``AzureRealtime``: Azure OpenAI's GA realtime, ``wss://<resource>.openai.azure.com/openai/v1/realtime?model=
  <deployment>``, the GA vocabulary unchanged; the model in the URL is the *deployment* name, and input
  transcription needs a transcription deployment (else ``...input_audio_transcription.failed`` with
  ``DeploymentNotFound`` arrives mid-turn, a non-fatal error: the response still completes). It serves any host
  object that has ``name``, ``base_url`` (the resource, with or without ``/openai/v1``), ``auth_headers()``
  (``api-key`` or an Entra bearer token) and ``_headers``: the Azure chat host names it with
  ``realtime_endpoint = ".azure_realtime:AzureRealtime"``.
* ``AzureVoiceLive``: Azure AI Voice Live, a host of its own, ``wss://<resource>.services.ai.azure.com/voice-live/
  realtime?api-version=...&model=...`` with an ``api-key`` header, speaking the *beta* vocabulary plus its own
  session fields (``input_audio_sampling_rate``, ``voice`` as ``{"name", "type"}``) and accepting 16 kHz input.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

from ..shared.errors import ConfigurationError
from ..shared.realtime.config import SessionConfig
from .base.headers import clean_key
from .base.host import Host
from .openai_realtime import OpenAIBetaRealtimeCodec, OpenAIRealtime, OpenAIRealtimeCodec, websocket_base

__all__ = ["AzureRealtime", "AzureVoiceLive", "VoiceLiveCodec", "VoiceLiveRealtime"]

#: the Voice Live API version pydantic-ai dials (HOSTS-MEDIA §1.3, [PAI-RT providers/azure.py])
VOICE_LIVE_API_VERSION = "2026-04-10"


class AzureRealtime(OpenAIRealtime):
    """Azure OpenAI's GA realtime surface (see the module docstring)."""

    def vocabulary(self, config: SessionConfig) -> type[OpenAIRealtimeCodec]:
        return OpenAIRealtimeCodec  # /openai/v1 speaks GA; the legacy preview URL is not served here

    def url(self, config: SessionConfig, *, resume: str | None = None) -> str:
        base = self.base_url.rstrip("/")
        root = base if urlsplit(base).path.rstrip("/").endswith("/openai/v1") else base + "/openai/v1"
        return f"{websocket_base(root)}/realtime?{urlencode({'model': config.model})}"


class VoiceLiveCodec(OpenAIBetaRealtimeCodec):
    """Voice Live's beta dialect: no ``OpenAI-Beta`` header, ``input_audio_sampling_rate`` beside
    ``input_audio_format`` (16 or 24 kHz input), a voice as ``{"name": ..., "type": "openai" | "azure-standard"}``,
    and seeded assistant text typed ``output_text`` (as the recorded sessions send it)."""

    handshake_headers: ClassVar[Mapping[str, str]] = {}
    assistant_text: ClassVar[str] = "output_text"
    pcm_rates: ClassVar[Mapping[str, frozenset[int]]] = {"input": frozenset({16000, 24000}),
                                                         "output": frozenset({24000})}

    def voice(self, voice: str) -> Any:
        # Azure's own neural voices are named like "en-US-Ava:DragonHDLatestNeural"; OpenAI's are one word
        kind = "azure-standard" if ":" in voice or voice.count("-") >= 2 else "openai"
        return {"name": voice, "type": kind}

    def session(self, config: SessionConfig, *, clear: bool = False) -> dict[str, Any]:
        session = super().session(config, clear=clear)
        if config.input_format.encoding == "pcm16":
            session.setdefault("input_audio_sampling_rate", config.input_format.sample_rate)
        return session


class VoiceLiveRealtime(OpenAIRealtime):
    """``<resource>/voice-live/realtime?api-version=...&model=...`` in the Voice Live dialect."""

    def vocabulary(self, config: SessionConfig) -> type[OpenAIRealtimeCodec]:
        return VoiceLiveCodec

    def url(self, config: SessionConfig, *, resume: str | None = None) -> str:
        base = self.base_url.rstrip("/")
        if "<resource>" in base:
            raise ConfigurationError("azure-voice-live needs its resource: AzureVoiceLive(resource='name') or "
                                     "endpoint='https://name.services.ai.azure.com' (or set "
                                     "AZURE_VOICE_LIVE_ENDPOINT)", host=self.name)
        version = getattr(self.host, "api_version", VOICE_LIVE_API_VERSION)
        query = urlencode({"api-version": version, "model": config.model})
        return f"{websocket_base(base)}/voice-live/realtime?{query}"

    def check(self, config: SessionConfig) -> None:
        self.url(config)
        super().check(config)


class AzureVoiceLive(Host):
    """Azure AI Voice Live: realtime voice only. ``AzureVoiceLive(resource="name")`` (or ``endpoint=`` the
    resource's https URL, or ``$AZURE_VOICE_LIVE_ENDPOINT``), key from ``$AZURE_VOICE_LIVE_API_KEY`` sent as
    ``api-key``; ``token=`` an Entra bearer token instead of a key."""

    name: ClassVar[str] = "azure-voice-live"
    default_base_url: ClassVar[str] = "https://<resource>.services.ai.azure.com"
    api_key_env: ClassVar[tuple[str, ...]] = ("AZURE_VOICE_LIVE_API_KEY",)
    auth_header_names: ClassVar[tuple[str, ...]] = ("api-key", "authorization")
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "apim-request-id")
    realtime_endpoint = "VoiceLiveRealtime"

    def __init__(self, api_key: str | None = None, *, resource: str | None = None, endpoint: str | None = None,
                 api_version: str = VOICE_LIVE_API_VERSION, token: str | None = None, **kwargs: Any) -> None:
        if resource is not None and endpoint is not None:
            raise ConfigurationError("give azure-voice-live a resource= or an endpoint=, not both", host=self.name)
        if resource is not None:
            if not resource.replace("-", "").isalnum():
                raise ConfigurationError(f"resource must be an Azure resource name, not {resource!r}",
                                         host=self.name)
            endpoint = f"https://{resource}.services.ai.azure.com"
        endpoint = endpoint or kwargs.pop("base_url", None) or os.environ.get("AZURE_VOICE_LIVE_ENDPOINT") or None
        super().__init__(api_key, base_url=endpoint, **kwargs)
        if not isinstance(api_version, str) or not api_version.strip():
            raise ConfigurationError("api_version must be a Voice Live API version such as "
                                     f"{VOICE_LIVE_API_VERSION!r}", host=self.name)
        self.api_version = api_version
        self._token = clean_key(token, host=self.name, source="token=")

    @property
    def has_key(self) -> bool:
        return self._token is not None or super().has_key

    def _known_key(self) -> str | None:
        return self._token or super()._known_key()

    def auth_headers(self) -> dict[str, str]:
        if self._token is not None:
            return {"Authorization": f"Bearer {self._token}"}
        return {"api-key": self._key()}
