"""Mistral's own API (``api.mistral.ai``, or the EU region ``api.eu.mistral.ai``).

Thinking: ``reasoning_effort`` ``high`` or ``none`` (Mistral Small / Medium 3.5); reasoning comes back as
typed ``thinking`` chunks inside ``content``, and Mistral asks for the whole assistant message, thinking
chunks included, to be sent back on later turns. Seeds are spelled ``random_seed``. Error bodies come in
three shapes (OpenAI-like, ``{"message", "request_id"}``, FastAPI ``{"detail": [...]}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from ..shared.types import DocumentPart, FinishReason, ImagePart, ReasoningPart
from .dialects import openai_chat
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Mistral", "MistralChat"]

Region = Literal["global", "eu", "us"]

#: regional inference endpoints (docs.mistral.ai/studio-api/regional-inference; "us" is announced, not live)
REGIONS: dict[str, str] = {
    "global": "https://api.mistral.ai/v1",
    "eu": "https://api.eu.mistral.ai/v1",
    "us": "https://api.us.mistral.ai/v1",
}


class MistralChat(OpenAIChat):
    """Mistral's chat completions (also what Mistral models on Vertex speak, with Vertex's URL)."""

    completion_path: ClassVar[str | None] = None  # no plain text-completion endpoint
    stream_usage: ClassVar[bool] = False  # usage arrives in the last chunk unasked; the schema has no stream_options
    sampling_fields: ClassVar[Mapping[str, str | None]] = {
        **openai_chat.DEFAULT_SAMPLING_FIELDS,
        "seed": "random_seed",
    }
    accepts: frozenset[str] = frozenset({"text", "image", "document"})
    #: reasoning comes only as typed ``thinking`` chunks in ``content`` (HOSTS.md 11.2), no reasoning field
    reasoning_fields: ClassVar[tuple[str, ...]] = ()
    thinking_chunk: ClassVar[str | None] = "thinking"
    #: Mistral's finish_reason enum: stop, length, model_length, error, tool_calls (docs.mistral.ai API spec)
    finish_reasons: ClassVar[Mapping[str, FinishReason]] = {
        **openai_chat.OPENAI_FINISH_REASONS, "model_length": "length", "error": "error",
    }

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("mistral has no thinking budget; reasoning_effort is high or none",
                                     host=self.name)
        if not plan.enabled:
            body["reasoning_effort"] = "none"
            return
        if plan.always_on and plan.effort is None:
            return  # Magistral reasons without being asked
        if plan.effort not in (None, "high"):
            raise UnsupportedFeature(f"mistral takes reasoning_effort high or none, not {plan.effort!r}",
                                     host=self.name)
        body["reasoning_effort"] = "high"

    def encode_part(self, part: ImagePart | DocumentPart) -> dict[str, Any]:
        """Mistral spells images as ``image_url`` strings and reads PDFs from a URL (``document_url``)."""
        if isinstance(part, ImagePart):
            return {"type": "image_url", "image_url": part.data_url}
        if part.url is None:
            raise UnsupportedFeature("mistral reads PDFs by URL (document_url); give the document a url=",
                                     host=self.name)
        return {"type": "document_url", "document_url": part.url}

    def encode_reasoning(self, parts: list[ReasoningPart], wire: dict[str, Any]) -> None:
        """Thinking goes back as it came: typed chunks ahead of the text, in ``content``."""
        chunks: list[dict[str, Any]] = [
            {"type": "thinking", "thinking": [{"type": "text", "text": p.text}]} for p in parts if p.text
        ]
        if not chunks:
            return
        text = wire.get("content")
        if text:
            chunks.append({"type": "text", "text": text})
        wire["content"] = chunks


class Mistral(OpenAICompatible):
    name: ClassVar[str] = "mistral"
    default_base_url: ClassVar[str] = REGIONS["global"]
    api_key_env: ClassVar[tuple[str, ...]] = ("MISTRAL_API_KEY",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("mistral-correlation-id", "x-request-id")
    chat_endpoint: ClassVar[type[Any] | None] = MistralChat
    embed_endpoint = "MistralEmbed"  # (defined at the end of this file)
    transcribe_endpoint = ".mistral_audio:MistralTranscribe"  # (mistral_audio.py, imported when first asked for)
    speak_endpoint = ".mistral_audio:MistralSpeak"

    def __init__(self, api_key: str | None = None, *, region: Region = "global", **kwargs: Any) -> None:
        if region not in REGIONS:
            raise ValueError(f"region must be one of {', '.join(REGIONS)}, not {region!r}")
        if "base_url" not in kwargs or kwargs["base_url"] is None:
            kwargs["base_url"] = REGIONS[region]
        super().__init__(api_key, **kwargs)
        self.region = region


# --- embeddings
from .dialects.openai_embed import EmbedFields  # noqa: E402
from .openai_embed import OpenAIEmbed  # noqa: E402


class MistralEmbed(OpenAIEmbed):
    """``POST /v1/embeddings``: Mistral names the dimension ``output_dimension`` (codestral-embed; its embedder
    checks which models take one) and has ``output_dtype``, left at float, the only type decoded here
    [HOSTS-MEDIA §5.4]."""

    fields = EmbedFields(dimensions="output_dimension", encoding_format=None)
