"""Novita AI (``api.novita.ai/v3/openai``): OpenAI chat completions for open-weight models.
Facts: ../shared/HOSTS-MORE.md §8 (litellm; the Hugging Face hub client routes to ``/v3/openai/chat/completions``).

No stored source confirms a reasoning field or a thinking control, so the endpoint reads no reasoning field and
refuses an effort or a budget before any network call.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Novita", "NovitaChat"]


class NovitaChat(OpenAIChat):
    """Novita's chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: no stored source names the reasoning field (HOSTS-MORE §8: UNCONFIRMED)
    reasoning_fields: ClassVar[tuple[str, ...]] = ()


class Novita(OpenAICompatible):
    name: ClassVar[str] = "novita"
    default_base_url: ClassVar[str] = "https://api.novita.ai/v3/openai"
    api_key_env: ClassVar[tuple[str, ...]] = ("NOVITA_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = NovitaChat
