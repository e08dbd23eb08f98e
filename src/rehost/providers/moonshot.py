"""Moonshot AI (``api.moonshot.ai/v1``): OpenAI chat completions for the Kimi models.
Facts: ../shared/HOSTS-MORE.md §15 (vercel/ai's Moonshot provider and fixtures 2026-08, any-llm, pydantic-ai).

Thinking (vercel 2026-08): a ``thinking`` object ``{"type": "enabled"|"disabled", "budget_tokens": >= 1024}``
and ``reasoning_effort`` ``low|high|max``; ``thinking.keep: "all"`` preserves earlier turns' reasoning on
``kimi-k2.6``, ``kimi-k3`` and ``kimi-k2.7-code*`` only (``preserve_thinking=True`` on the host; refused
before the network for other models). The ``moonshot-v1-*`` models do not reason, so any thinking setting for
them is refused; ``kimi-k2-thinking`` always reasons, so it cannot be turned off. Reasoning comes back in
``message.reasoning_content`` / ``delta.reasoning_content``; Moonshot has no field to send it back.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Moonshot", "MoonshotChat"]

_EFFORTS = ("low", "high", "max")
_MIN_BUDGET = 1024
_KEEPS = ("kimi-k2.6", "kimi-k3", "kimi-k2.7-code")


class MoonshotChat(OpenAIChat):
    """Moonshot's chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    #: ``message.reasoning_content`` / ``delta.reasoning_content`` (vercel fixture, kimi-k2.6)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if model_id.startswith("moonshot-v1"):
            if plan.enabled and not plan.default_depth:
                raise UnsupportedFeature(f"moonshot's {model_id} does not reason; use a Kimi model for thinking",
                                         host=self.name)
            return
        if not plan.enabled:
            if "thinking" in model_id:
                raise UnsupportedFeature(f"moonshot's {model_id} always reasons; it cannot be turned off",
                                         host=self.name)
            body["thinking"] = {"type": "disabled"}
            return
        thinking: dict[str, Any] = {"type": "enabled"}
        if plan.budget is not None:
            if plan.budget < _MIN_BUDGET:
                raise UnsupportedFeature(f"moonshot takes a thinking budget of at least {_MIN_BUDGET} tokens, "
                                         f"not {plan.budget}", host=self.name)
            thinking["budget_tokens"] = plan.budget
        if plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"moonshot takes reasoning_effort low|high|max, not {plan.effort!r}",
                                         host=self.name)
            body["reasoning_effort"] = plan.effort
        host = self.host
        if isinstance(host, Moonshot) and host.preserve_thinking:
            if not model_id.startswith(_KEEPS):
                raise UnsupportedFeature(f"moonshot preserves thinking (keep: all) on {', '.join(_KEEPS)} only, "
                                         f"not {model_id}", host=self.name)
            thinking["keep"] = "all"
        body["thinking"] = thinking


class Moonshot(OpenAICompatible):
    name: ClassVar[str] = "moonshot"
    default_base_url: ClassVar[str] = "https://api.moonshot.ai/v1"
    #: vercel's and any-llm's name first, then pydantic-ai's
    api_key_env: ClassVar[tuple[str, ...]] = ("MOONSHOT_API_KEY", "MOONSHOTAI_API_KEY")
    chat_endpoint: ClassVar[type[Any] | None] = MoonshotChat

    def __init__(self, api_key: str | None = None, *, preserve_thinking: bool = False, **kwargs: Any) -> None:
        #: send ``thinking.keep: "all"`` (the models that take it keep earlier turns' reasoning)
        self.preserve_thinking = preserve_thinking
        super().__init__(api_key, **kwargs)
