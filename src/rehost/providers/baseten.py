"""Baseten Model APIs (``inference.baseten.co/v1``): OpenAI chat completions for hosted open-weight models under
Hugging Face style ids (``deepseek-ai/DeepSeek-V3.1``, ``moonshotai/Kimi-K2-Thinking``, ``zai-org/GLM-4.7``).
Facts: ../shared/HOSTS-MORE.md §8 (vercel/ai's Baseten provider).

No stored source confirms a reasoning field or a thinking control, so the endpoint reads no reasoning field and
refuses an effort or a budget before any network call. (A dedicated Baseten deployment has its own URL: pass it
as ``base_url=``.)
"""

from __future__ import annotations

from typing import Any, ClassVar

from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Baseten", "BasetenChat"]


class BasetenChat(OpenAIChat):
    """Baseten's chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: no stored source names the reasoning field (HOSTS-MORE §8: UNCONFIRMED)
    reasoning_fields: ClassVar[tuple[str, ...]] = ()


class Baseten(OpenAICompatible):
    name: ClassVar[str] = "baseten"
    default_base_url: ClassVar[str] = "https://inference.baseten.co/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("BASETEN_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = BasetenChat
