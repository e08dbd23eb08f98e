"""Upstage (Korea; ``api.upstage.ai/v1``): OpenAI chat completions for the Solar models.
Facts: ../shared/HOSTS-MORE.md §18 (console.upstage.ai "Chat" and the reasoning API page; Solar Pro 4 from a
third-party model list).

Thinking: ``reasoning_effort`` (the docs' example is ``"high"``; ``low`` and ``medium``, the other words of
the OpenAI field it mirrors, are UNCONFIRMED but accepted). Reasoning comes back in ``message.reasoning``
(``delta.reasoning`` when streamed), counted in ``usage.completion_tokens_details.reasoning_tokens``. There is
no budget and no documented off switch: Solar Pro 4 keeps reasoning off by default, so "off" sends nothing for
it and is refused for the others; ``solar-mini`` does not reason, so any thinking setting for it is refused.
A request to keep the reasoning out of the answer has no field either and is refused. The legacy base
``.../v1/solar`` is reachable as ``base_url=``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Upstage", "UpstageChat"]

_EFFORTS = ("low", "medium", "high")
#: reasoning is off unless asked for (HOSTS-MORE §18)
_OFF_BY_DEFAULT = ("solar-pro4",)
_NO_REASONING = ("solar-mini",)


class UpstageChat(OpenAIChat):
    """Upstage's chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: ``choices[0].message.reasoning`` (UPSTAGE)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning",)

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if model_id.startswith(_NO_REASONING):
            if plan.enabled and not plan.default_depth:
                raise UnsupportedFeature(f"upstage's {model_id} does not reason; use a Solar Pro model",
                                         host=self.name)
            return
        if not plan.enabled:
            if model_id.startswith(_OFF_BY_DEFAULT):
                return  # already off: nothing to send
            raise UnsupportedFeature(f"upstage documents no switch to turn {model_id}'s reasoning off",
                                     host=self.name)
        if plan.budget is not None:
            raise UnsupportedFeature("upstage has no thinking budget; ask for an effort (low|medium|high)",
                                     host=self.name)
        if not plan.include_reasoning:
            raise UnsupportedFeature("upstage has no field to keep reasoning out of the answer", host=self.name)
        effort = plan.effort
        if effort is None:
            if model_id.startswith(_OFF_BY_DEFAULT):
                effort = "high"  # on by asking: the one value the docs show
            else:
                return
        if effort not in _EFFORTS:
            raise UnsupportedFeature(f"upstage takes reasoning_effort low|medium|high, not {effort!r}",
                                     host=self.name)
        body["reasoning_effort"] = effort


class Upstage(OpenAICompatible):
    name: ClassVar[str] = "upstage"
    default_base_url: ClassVar[str] = "https://api.upstage.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("UPSTAGE_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = UpstageChat
