"""Together AI (``api.together.xyz/v1``).

Thinking (2026 docs): hybrid models switch with ``reasoning: {"enabled": bool}``, adjustable ones take
``reasoning_effort`` low|medium|high; reasoning comes back in ``reasoning`` (older R1 deployments inlined it
as ``<think>`` in ``content``, which the R1 client's tags handle). A 403 here means the prompt plus
``max_tokens`` does not fit the context window.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import ContextWindowExceeded, HostError, UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import ThinkingPlan
from .dialects import openai_chat
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Together", "TogetherChat"]


class TogetherChat(OpenAIChat):
    #: ``reasoning`` in 2026 (HOSTS.md 11.2); historic R1 deployments inlined ``<think>`` in ``content``
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning",)
    sampling_fields: ClassVar[Mapping[str, str | None]] = {**openai_chat.DEFAULT_SAMPLING_FIELDS, "top_k": "top_k"}
    #: Together's JSON-schema mode is not in the stored docs; function calling is (and is recorded working)
    output_modes: tuple[OutputMode, ...] = ("tool", "prompt")

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("together has no thinking budget; ask for an effort (low|medium|high)",
                                     host=self.name)
        if plan.effort is not None:
            if plan.effort not in ("low", "medium", "high"):
                raise UnsupportedFeature(f"together takes reasoning_effort low|medium|high, not {plan.effort!r}",
                                         host=self.name)
            body["reasoning_effort"] = plan.effort
            return
        if not plan.always_on:
            body["reasoning"] = {"enabled": plan.enabled}



class Together(OpenAICompatible):
    name: ClassVar[str] = "together"
    default_base_url: ClassVar[str] = "https://api.together.xyz/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("TOGETHER_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = TogetherChat

    def classify_error(self, status: int, message: str, etype: str | None, code: str | None) -> type[HostError]:
        if status == 403 and ("context" in message.lower() or "token" in message.lower()):
            return ContextWindowExceeded
        return super().classify_error(status, message, etype, code)
