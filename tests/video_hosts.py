"""Test-local hosts for the video endpoints whose host classes are being converted to the new base by other
parts of issue 13 (Google, Vertex, OpenRouter): each binds the endpoint class through ``video_endpoint``,
exactly the one line the converted host class will carry. Runware is a real host class already."""

from __future__ import annotations

from typing import Any, ClassVar

from rehost.providers.base.host import Host
from rehost.providers.google_video import GeminiVeo
from rehost.providers.openrouter_video import OpenRouterVideo
from rehost.providers.runware import Runware
from rehost.providers.vertex_video import VertexVeo
from rehost.shared.io.polling import PollPolicy
from rehost.shared.transport import RetryPolicy
from rehost.testing.emulator_jobs import JobEmulator

STYLES = ("runware", "google", "vertex", "openrouter")
#: a model each style serves, by the family client that knows it
MODELS = {"runware": "kling-video-3-standard", "google": "veo-3.1", "vertex": "veo-3.1", "openrouter": "veo-3.1"}
#: no jitter: the waits a test asserts are exact
POLICY = PollPolicy(first_interval=2.0, multiplier=1.5, max_interval=10.0, jitter=0.0)
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.0, jitter=False)


class GoogleVideoHost(Host):
    name: ClassVar[str] = "google"
    default_base_url: ClassVar[str] = "https://generativelanguage.googleapis.com/v1beta"
    api_key_env: ClassVar[tuple[str, ...]] = ("GEMINI_API_KEY",)
    auth_header_names: ClassVar[tuple[str, ...]] = ("x-goog-api-key",)
    video_endpoint: ClassVar[type[Any] | None] = GeminiVeo

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self._key()}


class VertexVideoHost(Host):
    name: ClassVar[str] = "vertex"
    default_base_url: ClassVar[str] = "https://aiplatform.googleapis.com"
    video_endpoint: ClassVar[type[Any] | None] = VertexVeo
    project = "emu-project"
    location = "us-central1"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key()}"}

    def model_url(self, model_id: str, method: str, *, publisher: str = "google") -> str:
        return (f"{self.base_url}/v1/projects/{self.project}/locations/{self.location}/publishers/{publisher}/"
                f"models/{model_id}:{method}")


class OpenRouterVideoHost(Host):
    name: ClassVar[str] = "openrouter"
    default_base_url: ClassVar[str] = "https://openrouter.ai/api/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("OPENROUTER_API_KEY",)
    video_endpoint: ClassVar[type[Any] | None] = OpenRouterVideo


def host_for(emu: JobEmulator, style: str, **kwargs: Any) -> Host:
    kwargs.setdefault("retry", FAST_RETRY)
    if style == "runware":
        return Runware("emulator-key", base_url=emu.jobs_base_url("runware"), **kwargs)
    if style == "google":
        return GoogleVideoHost("emulator-key", base_url=emu.jobs_base_url("google"), **kwargs)
    if style == "vertex":
        return VertexVideoHost("emulator-token", base_url=f"{emu.url}/vertex", **kwargs)
    return OpenRouterVideoHost("emulator-key", base_url=emu.jobs_base_url("openrouter"), **kwargs)

