"""OpenAI's own API (``api.openai.com/v1``): chat completions, embeddings, speech, realtime voice.

Reasoning models (o-series, gpt-5) take ``reasoning_effort`` and ``max_completion_tokens`` (``max_tokens`` is
refused by reasoning models, so it is never sent); their reasoning text is not returned on this endpoint, only
counted (``completion_tokens_details.reasoning_tokens``). ``developer_role=True`` sends system messages as
``developer`` messages (OpenAI's name for them on reasoning models; ``system`` is still accepted). PDFs travel
as ``file`` parts with a data URL. A 429 with code ``insufficient_quota`` means the account is out of credit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..shared.errors import ConfigurationError, HostError, PaymentRequired, UnsupportedFeature
from ..shared.request import Request, ThinkingPlan
from ..shared.transport import HttpCall
from ..shared.types import FinishReason
from .dialects import openai_chat
from .openai_compatible import OpenAIChat, OpenAICompatible

if TYPE_CHECKING:
    from ..shared.realtime.config import SessionConfig
    from ..shared.realtime.secrets import ClientSecret

__all__ = ["OpenAI", "OpenAIOwnChat"]

#: every effort word OpenAI documents across its models; which model takes which is the GPT client's business
_EFFORTS = frozenset({"minimal", "low", "medium", "high", "xhigh"})
#: the neutral cache retention words as OpenAI spells them (openai-python: ``Literal["in-memory", "24h"]``)
_RETENTION = {"in_memory": "in-memory", "24h": "24h"}


class OpenAIOwnChat(OpenAIChat):
    """OpenAI's own chat completions (``OpenAIChat`` is the dialect every compatible host shares)."""

    #: chat completions return no reasoning text, only its token count
    reasoning_fields: ClassVar[tuple[str, ...]] = ()
    finish_reasons: ClassVar[Mapping[str, FinishReason]] = openai_chat.OPENAI_FINISH_REASONS
    sampling_fields: ClassVar[Mapping[str, str | None]] = {
        **openai_chat.DEFAULT_SAMPLING_FIELDS,
        "max_tokens": "max_completion_tokens",
    }
    accepts: frozenset[str] = frozenset({"text", "image", "document"})
    #: caching is automatic on prompts of 1024 tokens or more; ``prompt_cache_key`` routes calls sharing a
    #: prefix to the same cache, ``prompt_cache_retention`` (``in_memory`` | ``24h``) keeps it longer
    prompt_cache_controls: ClassVar[frozenset[str]] = frozenset({"key", "retention"})

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        call = super().build_call(request, model_id)
        cache = request.prompt_cache
        if cache is not None:
            if cache.key is not None:
                call.body["prompt_cache_key"] = cache.key
            if cache.retention is not None:
                call.body["prompt_cache_retention"] = _RETENTION[cache.retention]
        if getattr(self.host, "developer_role", False):
            for wire in call.body["messages"]:
                if wire["role"] == "system":
                    wire["role"] = "developer"
        return call

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("openai has no thinking budget; ask for an effort", host=self.name)
        if not plan.enabled:
            body["reasoning_effort"] = "none"  # gpt-5.1 and later; the GPT client refuses it for older models
        elif plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"openai does not take reasoning_effort {plan.effort!r}", host=self.name)
            body["reasoning_effort"] = plan.effort
        # include=False needs nothing: chat completions never return the reasoning text



class OpenAI(OpenAICompatible):
    name: ClassVar[str] = "openai"
    default_base_url: ClassVar[str] = "https://api.openai.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("OPENAI_API_KEY",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id",)
    chat_endpoint: ClassVar[type[Any] | None] = OpenAIOwnChat
    embed_endpoint = "OpenAIEmbeddings"  # (defined at the end of this file)
    transcribe_endpoint = ".openai_audio:OpenAITranscribe"  # (openai_audio.py, imported when first asked for)
    speak_endpoint = ".openai_audio:OpenAISpeak"
    realtime_endpoint = ".openai_realtime:OpenAIRealtime"  # (openai_realtime.py: GA and beta vocabularies)
    batch_endpoint = ".openai_batch:OpenAIBatch"  # (openai_batch.py: /v1/files + /v1/batches)

    def __init__(self, api_key: str | None = None, *, developer_role: bool = False, organization: str | None = None,
                 realtime_beta: bool | Collection[str] | None = None, **kwargs: Any) -> None:
        """``realtime_beta``: speak the older beta realtime vocabulary (``OpenAI-Beta: realtime=v1``) in every
        session (True), in sessions of these model ids (a set), or where the model's catalogue row says so
        (None)."""
        headers = dict(kwargs.pop("headers", None) or {})
        if organization:
            headers.setdefault("OpenAI-Organization", organization)
        super().__init__(api_key, headers=headers, **kwargs)
        #: send system messages as ``developer`` messages (read by the chat endpoint)
        self.developer_role = developer_role
        if realtime_beta is not None and not isinstance(realtime_beta, bool):
            if isinstance(realtime_beta, str) or not isinstance(realtime_beta, Collection) or not all(
                    isinstance(m, str) for m in realtime_beta):
                raise ConfigurationError("realtime_beta is True, False, None or a set of model ids", host=self.name)
            realtime_beta = frozenset(realtime_beta)
        self.realtime_beta = realtime_beta

    def client_secret(self, session: SessionConfig | Mapping[str, Any] | None = None, *,
                      expires_in: int = 600) -> ClientSecret:
        """Mint an ephemeral key (``POST /v1/realtime/client_secrets``) for a browser to open a realtime session
        with, bound to ``session`` (a ``client.config(...)`` or the host's session mapping), valid for
        ``expires_in`` seconds (10 to 7200)."""
        from .openai_realtime import client_secret_call, read_client_secret

        call = client_secret_call(self, session, expires_in)
        self.authorize(call)
        return read_client_secret(self, self._transport.request(call, self.map_http_error).content)

    async def aclient_secret(self, session: SessionConfig | Mapping[str, Any] | None = None, *,
                             expires_in: int = 600) -> ClientSecret:
        from .openai_realtime import client_secret_call, read_client_secret

        call = client_secret_call(self, session, expires_in)
        await self.aauthorize(call)
        return read_client_secret(self, (await self._transport.arequest(call, self.map_http_error)).content)

    def classify_error(self, status: int, message: str, etype: str | None, code: str | None) -> type[HostError]:
        if code == "insufficient_quota" or etype == "insufficient_quota":
            return PaymentRequired
        return super().classify_error(status, message, etype, code)


# --- embeddings
from .dialects.openai_embed import OPENAI_FIELDS  # noqa: E402
from .openai_embed import OpenAIEmbed  # noqa: E402


class OpenAIEmbeddings(OpenAIEmbed):
    """``POST /v1/embeddings``: ``dimensions`` (text-embedding-3 only, the model's embedder checks), vectors asked
    for as base64 (packed little-endian float32: what the official SDK asks for, a quarter of the bytes), at most
    2048 inputs a call [HOSTS-MEDIA §5.1]."""

    fields = OPENAI_FIELDS
    max_inputs = 2048
