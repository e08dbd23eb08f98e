"""Alibaba Cloud Model Studio / DashScope, OpenAI-compatible mode (``dashscope-intl.aliyuncs.com/compatible-mode/v1``,
international; ``region="cn"`` for ``dashscope.aliyuncs.com``): chat completions for the Qwen models.
Facts: ../shared/HOSTS-MORE.md §17 (Alibaba's DashScope docs, vercel/ai's Alibaba provider and fixtures,
pydantic-ai's ``alibaba.py``, any-llm).

Thinking: hybrid models take ``enable_thinking: true|false`` and ``thinking_budget: <tokens>`` as top-level body
fields. There is no effort field (vercel's effort is its own mapping onto a budget), so an effort is refused
before the network with a pointer to a budget. Thinking-only models (``...-thinking...`` ids) always reason:
turning them off is refused. Reasoning comes back in ``message.reasoning_content`` / ``delta.reasoning_content``
(the first chunk has ``reasoning_content: ""`` and ``content: null``, observed for qwen3-max). Errors are
``{"error": {"message", "code", "type"}}``. The 2026 workspace hosts are UNCONFIRMED: pass one as ``base_url=``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from ..shared.errors import ConfigurationError, UnsupportedFeature
from ..shared.request import ThinkingPlan
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["DashScope", "DashScopeChat"]

_BASES = {"intl": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
          "cn": "https://dashscope.aliyuncs.com/compatible-mode/v1"}


class DashScopeChat(OpenAIChat):
    """DashScope's OpenAI-compatible chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    #: ``message.reasoning_content`` / ``delta.reasoning_content`` (DS-ALI; vercel fixture qwen3-max)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        always = plan.always_on or "thinking" in model_id
        if plan.effort is not None:
            raise UnsupportedFeature("dashscope has no reasoning effort; give a thinking budget in tokens",
                                     host=self.name)
        if not plan.enabled:
            if always:
                raise UnsupportedFeature(f"dashscope's {model_id} always reasons; it cannot be turned off",
                                         host=self.name)
            body["enable_thinking"] = False
            return
        if not always:
            body["enable_thinking"] = True
        if plan.budget is not None:
            if plan.budget < 1:
                raise UnsupportedFeature(f"a thinking budget must be a positive number of tokens, not {plan.budget}",
                                         host=self.name)
            body["thinking_budget"] = plan.budget


class DashScope(OpenAICompatible):
    name: ClassVar[str] = "dashscope"
    default_base_url: ClassVar[str] = _BASES["intl"]
    #: Alibaba's and any-llm's name first, then vercel's and pydantic-ai's
    api_key_env: ClassVar[tuple[str, ...]] = ("DASHSCOPE_API_KEY", "ALIBABA_API_KEY")
    chat_endpoint: ClassVar[type[Any] | None] = DashScopeChat

    def __init__(self, api_key: str | None = None, *, region: Literal["intl", "cn"] = "intl", **kwargs: Any) -> None:
        if region not in _BASES:
            raise ConfigurationError(f"dashscope's region is intl or cn, not {region!r}", host="dashscope")
        if not kwargs.get("base_url"):
            kwargs["base_url"] = _BASES[region]
        super().__init__(api_key, **kwargs)
