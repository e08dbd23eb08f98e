"""Sarvam AI (India): Sarvam's own models through an OpenAI-compatible ``api.sarvam.ai/v1/chat/completions``.

Auth (docs.sarvam.ai/api-reference/authentication): the ``api-subscription-key`` header, which Sarvam's docs
and SDKs use; ``Authorization: Bearer`` is accepted too. Models (docs.sarvam.ai chat-completion overview,
2026): ``sarvam-105b``, ``sarvam-30b`` (older ``sarvam-m``). Reasoning models return their thinking in
``reasoning_content`` and take ``reasoning_effort`` low|medium|high (the effort values are UNCONFIRMED beyond
Sarvam's cookbook mentioning the parameter); how to turn thinking off is UNCONFIRMED, so it is refused. Key
variable ``SARVAM_API_KEY`` as used by Sarvam's cookbook. Text only; structured output by tool or prompt
(a JSON-schema response format is UNCONFIRMED).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import ThinkingPlan
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Sarvam", "SarvamChat"]


class SarvamChat(OpenAIChat):
    completion_path: ClassVar[str | None] = None  # no plain text-completion endpoint
    accepts: frozenset[str] = frozenset({"text"})
    output_modes: tuple[OutputMode, ...] = ("tool", "prompt")
    #: reasoning models return their thinking in ``reasoning_content`` (docs.sarvam.ai chat completions)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.effort is not None and plan.budget is None and plan.enabled:
            if plan.effort not in ("low", "medium", "high"):
                raise UnsupportedFeature(f"sarvam takes reasoning_effort low|medium|high, not {plan.effort!r}",
                                         host=self.name)
            body["reasoning_effort"] = plan.effort
            return
        super().encode_thinking(plan, body, model_id)


class Sarvam(OpenAICompatible):
    name: ClassVar[str] = "sarvam"
    default_base_url: ClassVar[str] = "https://api.sarvam.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("SARVAM_API_KEY",)
    auth_header_names: ClassVar[tuple[str, ...]] = ("api-subscription-key",)
    chat_endpoint: ClassVar[type[Any] | None] = SarvamChat

    def auth_headers(self) -> dict[str, str]:
        return {"api-subscription-key": self._key()}
