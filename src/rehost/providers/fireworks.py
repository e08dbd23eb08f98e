"""Fireworks AI (``api.fireworks.ai/inference/v1``): OpenAI dialect, model ids ``accounts/fireworks/models/...``.

Thinking (HOSTS.md §8.2, docs.fireworks.ai/guides/reasoning): ``reasoning_effort`` low|medium|high, or an
Anthropic-style ``thinking: {"type": "enabled", "budget_tokens": N}`` (N >= 1024) and ``{"type": "disabled"}``
to turn a hybrid model off. Reasoning comes back as ``reasoning_content`` (some models still inline
``<think>``, which the model's client tags handle). Structured output: ``response_format`` ``json_schema``
(docs.fireworks.ai/structured-responses; no strict flag documented, so none is sent) or ``json_object``.
Error bodies and rate-limit headers: UNCONFIRMED (assumed OpenAI-style).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from .dialects import openai_chat
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Fireworks", "FireworksChat"]


class FireworksChat(OpenAIChat):
    #: ``reasoning_content`` (HOSTS.md 11.2, docs.fireworks.ai/guides/reasoning); some models inline ``<think>``
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)
    sampling_fields: ClassVar[Mapping[str, str | None]] = {**openai_chat.DEFAULT_SAMPLING_FIELDS, "top_k": "top_k"}
    default_strict: ClassVar[bool | None] = None
    accepts: frozenset[str] = frozenset({"text", "image"})

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.always_on and plan.effort is None and plan.budget is None:
            return
        if not plan.enabled:
            body["thinking"] = {"type": "disabled"}
        elif plan.budget is not None:
            if plan.budget < 1024:
                raise UnsupportedFeature(f"fireworks takes a thinking budget of 1024 or more, not {plan.budget}",
                                         host=self.name)
            body["thinking"] = {"type": "enabled", "budget_tokens": plan.budget}
        elif plan.effort is not None:
            if plan.effort not in ("low", "medium", "high"):
                raise UnsupportedFeature(f"fireworks takes reasoning_effort low|medium|high, not {plan.effort!r}",
                                         host=self.name)
            body["reasoning_effort"] = plan.effort
        elif plan.template_switch is not None:
            body["thinking"] = {"type": "enabled"}  # a hybrid model asked to think at its default depth


class Fireworks(OpenAICompatible):
    name: ClassVar[str] = "fireworks"
    default_base_url: ClassVar[str] = "https://api.fireworks.ai/inference/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("FIREWORKS_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = FireworksChat
