"""SambaNova Cloud (``api.sambanova.ai/v1``): OpenAI chat completions on SambaNova's RDU inference.
Facts: ../shared/HOSTS-MORE.md §8 (any-llm, litellm, pydantic-ai's OpenAI-compatible list; model ids seen live
2026-08 by a third party).

No stored source confirms a thinking control or the field SambaNova returns reasoning in (DeepSeek reasoning is
reported inline, third party), so the endpoint reads no reasoning field and, like the generic endpoint, refuses
an effort or a budget before any network call: only the model's default is possible.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["SambaNova", "SambaNovaChat"]


class SambaNovaChat(OpenAIChat):
    """SambaNova's chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: no stored source names the reasoning field (HOSTS-MORE §8: UNCONFIRMED)
    reasoning_fields: ClassVar[tuple[str, ...]] = ()


class SambaNova(OpenAICompatible):
    name: ClassVar[str] = "sambanova"
    default_base_url: ClassVar[str] = "https://api.sambanova.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("SAMBANOVA_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = SambaNovaChat
