"""Google AI Studio, the Gemini API (``generativelanguage.googleapis.com/v1beta``), keyed by an API key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import HostError
from .base import Host
from .gemini_api import GeminiChat, google_error

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

    def model_url(self, model_id: str, method: str) -> str:
        return f"{self.base_url}/models/{model_id}:{method}"

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self._key()}

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return google_error(self.name, status, body)
