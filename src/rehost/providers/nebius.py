"""Nebius Token Factory (``api.tokenfactory.nebius.com/v1``): OpenAI chat completions for open-weight models
under Hugging Face style ids (``deepseek-ai/DeepSeek-R1-0528``, ``openai/gpt-oss-120b``; ``-fast`` variants).
Facts: ../shared/HOSTS-MORE.md §8 (Nebius docs; pydantic-ai; the HF router's recordings).

The current base is Token Factory's; the older ``api.studio.nebius.com/v1`` (pydantic-ai) is only a
``base_url=`` away. Reasoning comes back in vLLM's ``message.reasoning_content`` (observed through the Hugging Face
router: null for a non-reasoning model). No stored source documents a thinking control, so an effort or a budget
is refused before any network call.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Nebius", "NebiusChat"]


class NebiusChat(OpenAIChat):
    """Nebius' chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: ``message.reasoning_content`` (observed via the HF router, HOSTS-MORE §8 / §9)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)


class Nebius(OpenAICompatible):
    name: ClassVar[str] = "nebius"
    default_base_url: ClassVar[str] = "https://api.tokenfactory.nebius.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("NEBIUS_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = NebiusChat
