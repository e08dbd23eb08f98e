"""Google AI Studio, the Gemini API (``generativelanguage.googleapis.com/v1beta``), keyed by an API key."""

from __future__ import annotations

from typing import Any, ClassVar

from .gemini_api import GeminiAPIProvider

__all__ = ["Google"]


class Google(GeminiAPIProvider):
    name: ClassVar[str] = "google"
    default_base_url: ClassVar[str] = "https://generativelanguage.googleapis.com/v1beta"
    api_key_env: ClassVar[tuple[str, ...]] = ("GEMINI_API_KEY", "GOOGLE_API_KEY")

    def model_url(self, model_id: str, method: str) -> str:
        return f"{self.base_url}/models/{model_id}:{method}"

    def count_tokens_body(self, body: dict[str, Any], model_id: str) -> dict[str, Any]:
        """AI Studio counts a whole request (system instruction and tools too) given as generateContentRequest."""
        return {"generateContentRequest": {"model": f"models/{model_id}", **body}}

    auth_header_names: ClassVar[tuple[str, ...]] = ("x-goog-api-key",)

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self._key()}
