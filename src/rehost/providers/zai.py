"""Z.ai (``api.z.ai/api/paas/v4``): OpenAI chat completions for Zhipu's GLM models.
Facts: ../shared/HOSTS-MORE.md §16 (pydantic-ai's Z.ai recordings, 2026-06/08; any-llm).

Thinking is a ``thinking`` object: ``{"type": "enabled"}`` (observed for glm-4.7, glm-4.6v, glm-5.2, glm-5.3);
``{"type": "disabled"}`` turns it off (the observed field's other value; no stored recording has it, so it is
a hint, UNCONFIRMED). The GLM-5 models also take ``reasoning_effort``: ``high`` (observed, glm-5.2) and ``max``
(observed, glm-5.3), the only values a source confirms, so others are refused before the network, as is an
effort for GLM-4 models and any budget. ``thinking.clear_thinking: false`` keeps earlier turns' reasoning
("preserved thinking"); ``preserve_thinking=True`` on the host sends it with every call.

Reasoning comes back in ``message.reasoning_content`` / ``delta.reasoning_content`` (GLM-4.7 returns it even
without a thinking field); ``stream_options.include_usage`` is honoured; the answer body carries a
``request_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import Request, ThinkingPlan
from ..shared.transport import HttpCall
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["ZAI", "ZAIChat"]

#: reasoning_effort values observed accepted on the GLM-5 models
_EFFORTS = ("high", "max")


class ZAIChat(OpenAIChat):
    """Z.ai's chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    #: ``message.reasoning_content`` / ``delta.reasoning_content`` (observed)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        call = super().build_call(request, model_id)
        host = self.host
        if isinstance(host, ZAI) and host.preserve_thinking is not None and isinstance(call.body, dict):
            call.body.setdefault("thinking", {})["clear_thinking"] = not host.preserve_thinking
        return call

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("zai has no thinking budget; ask for an effort (high|max) on a GLM-5 model",
                                     host=self.name)
        if not plan.enabled:
            body["thinking"] = {"type": "disabled"}
            return
        body["thinking"] = {"type": "enabled"}
        if plan.effort is None:
            return
        if not model_id.startswith("glm-5"):
            raise UnsupportedFeature(f"zai takes reasoning_effort on the GLM-5 models, not {model_id}; ask for "
                                     "Thinking() or leave thinking unset", host=self.name)
        if plan.effort not in _EFFORTS:
            raise UnsupportedFeature(f"zai's {model_id} takes reasoning_effort high|max (the values seen accepted), "
                                     f"not {plan.effort!r}", host=self.name)
        body["reasoning_effort"] = plan.effort

    def request_id_from_body(self, body: Mapping[str, Any]) -> str | None:
        rid = body.get("request_id")
        return rid if isinstance(rid, str) else None


class ZAI(OpenAICompatible):
    name: ClassVar[str] = "zai"
    default_base_url: ClassVar[str] = "https://api.z.ai/api/paas/v4"
    api_key_env: ClassVar[tuple[str, ...]] = ("ZAI_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = ZAIChat

    def __init__(self, api_key: str | None = None, *, preserve_thinking: bool | None = None, **kwargs: Any) -> None:
        #: True sends ``thinking.clear_thinking: false`` (keep earlier reasoning), False ``true``, None nothing
        self.preserve_thinking = preserve_thinking
        super().__init__(api_key, **kwargs)
