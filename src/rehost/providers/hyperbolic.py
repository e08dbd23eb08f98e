"""Hyperbolic (``api.hyperbolic.xyz/v1``): OpenAI chat completions for open-weight models.
Facts: ../shared/HOSTS-MORE.md §8 (litellm lists the standard parameters only).

No stored source confirms a reasoning field or a thinking control, so the endpoint reads no reasoning field and
refuses an effort or a budget before any network call.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Hyperbolic", "HyperbolicChat"]


class HyperbolicChat(OpenAIChat):
    """Hyperbolic's chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: no stored source names the reasoning field (HOSTS-MORE §8: UNCONFIRMED)
    reasoning_fields: ClassVar[tuple[str, ...]] = ()


class Hyperbolic(OpenAICompatible):
    name: ClassVar[str] = "hyperbolic"
    default_base_url: ClassVar[str] = "https://api.hyperbolic.xyz/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("HYPERBOLIC_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = HyperbolicChat
