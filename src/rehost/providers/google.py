"""Google AI Studio, the Gemini API (``generativelanguage.googleapis.com/v1beta``), keyed by an API key; Gemini
Live (realtime voice) and its ephemeral tokens in ``gemini_live.py``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import HostError
from .base import Host
from .gemini_api import GeminiChat, google_error
from .google_video import GeminiVeo

__all__ = ["Google", "GoogleChat"]


class GoogleChat(GeminiChat):
    def count_tokens_body(self, body: dict[str, Any], model_id: str) -> dict[str, Any]:
        """AI Studio counts a whole request (system instruction and tools too) given as generateContentRequest."""
        return {"generateContentRequest": {"model": f"models/{model_id}", **body}}


class Google(Host):
    name: ClassVar[str] = "google"
    default_base_url: ClassVar[str] = "https://generativelanguage.googleapis.com/v1beta"
    api_key_env: ClassVar[tuple[str, ...]] = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-goog-request-id", "x-request-id")
    auth_header_names: ClassVar[tuple[str, ...]] = ("x-goog-api-key",)
    chat_endpoint: ClassVar[type[Any] | None] = GoogleChat
    embed_endpoint = "GoogleEmbed"  # (defined at the end of this file)
    video_endpoint: ClassVar[type[Any] | None] = GeminiVeo  # (google_video.py)
    #: Gemini Live over a websocket (gemini_live.py, imported when first asked for)
    realtime_endpoint: ClassVar[str] = ".gemini_live:GoogleLive"
    batch_endpoint = ".google_batch:GoogleBatch"  # (google_batch.py: batchGenerateContent, inline requests)

    def model_url(self, model_id: str, method: str) -> str:
        return f"{self.base_url}/models/{model_id}:{method}"

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self._key()}

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return google_error(self.name, status, body)


# --- embeddings
from ..shared.embed.types import EmbedRequest, EmbedUsage, Vectors  # noqa: E402
from ..shared.transport import HttpCall  # noqa: E402
from .base.embed import EmbedEndpoint  # noqa: E402
from .dialects import gemini_embed  # noqa: E402
from .dialects.common import CallInfo  # noqa: E402


class GoogleEmbed(EmbedEndpoint):
    """``POST /v1beta/models/{id}:batchEmbedContents`` (what python-genai always uses on the Developer API):
    ``taskType``, ``title``, ``outputDimensionality`` per entry; at most 100 entries a call [HOSTS-MEDIA §5.2]."""

    max_inputs = 100

    def build_call(self, request: EmbedRequest, model_id: str) -> HttpCall:
        name = model_id.removeprefix("models/")
        return HttpCall("POST", f"{self.base_url}/models/{name}:batchEmbedContents",
                        body=gemini_embed.encode_batch(request, model_id, host=self.name))

    def decode(self, body: Any, request: EmbedRequest, info: CallInfo) -> tuple[Vectors, EmbedUsage]:
        return gemini_embed.decode_batch(body, host=self.name, expected=len(request.inputs))
