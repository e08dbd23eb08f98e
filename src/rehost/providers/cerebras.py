"""Cerebras (``api.cerebras.ai/v1``): OpenAI chat completions on Cerebras' wafer-scale inference.
Facts: ../shared/HOSTS-MORE.md §7 (Cerebras SDK ``completion_create_params.py``, pydantic-ai's recordings).

Thinking: ``reasoning_effort`` ``low|medium|high``; ``none`` turns a hybrid model's reasoning off (observed
accepted for ``zai-glm-4.7``; ``disable_reasoning``, the SDK's other switch, is refused with 400 by gpt-oss, so
it is not used); ``reasoning_format: hidden`` keeps the reasoning out of the answer. There is no budget.
Reasoning comes back in ``message.reasoning`` / ``delta.reasoning`` and goes back as ``reasoning`` on an
assistant turn (observed for gpt-oss over two turns). Answers carry Cerebras' own timing (``time_info``:
queue, prompt, completion, total seconds) and the request id in the ``inference-id`` header. The limiter
reserves ``max_completion_tokens`` up front, so a large value means early 429s.

This file is the whole host: its chat endpoint and the host. What else makes it known (one registry row in
``rehost._registry``, catalogue rows) is data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from ..shared.types import ReasoningPart
from .dialects import openai_chat
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Cerebras", "CerebrasChat"]

_EFFORTS = frozenset({"low", "medium", "high"})
_TIMING_KEYS = ("queue_time", "prompt_time", "completion_time", "total_time")


class CerebrasChat(OpenAIChat):
    """Cerebras' chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    sampling_fields: ClassVar[Mapping[str, str | None]] = {
        **openai_chat.DEFAULT_SAMPLING_FIELDS,
        "max_tokens": "max_completion_tokens",  # the SDK's name, the one its rate limiter reserves
    }
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: ``message.reasoning`` / ``delta.reasoning`` (HOSTS-MORE §7, observed for gpt-oss-120b and zai-glm-4.7)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning",)

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("cerebras has no thinking budget; ask for an effort (low|medium|high)",
                                     host=self.name)
        if not plan.enabled:
            body["reasoning_effort"] = "none"
            return
        if plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"cerebras takes reasoning_effort low|medium|high, not {plan.effort!r}",
                                         host=self.name)
            body["reasoning_effort"] = plan.effort
        if not plan.include_reasoning:
            body["reasoning_format"] = "hidden"

    def encode_reasoning(self, parts: list[ReasoningPart], wire: dict[str, Any]) -> None:
        text = "".join(p.text for p in parts if p.text)
        if text:
            wire["reasoning"] = text

    def host_timing(self, body: Mapping[str, Any]) -> dict[str, float] | None:
        info = body.get("time_info")
        if not isinstance(info, Mapping):
            return None
        timing = {k: float(info[k]) for k in _TIMING_KEYS if isinstance(info.get(k), int | float)}
        return timing or None


class Cerebras(OpenAICompatible):
    name: ClassVar[str] = "cerebras"
    default_base_url: ClassVar[str] = "https://api.cerebras.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("CEREBRAS_API_KEY",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("inference-id", "x-request-id")
    chat_endpoint: ClassVar[type[Any] | None] = CerebrasChat
