"""ClaudeClient: Anthropic's Claude models (Opus, Sonnet, Haiku).

Model knowledge (docs.anthropic.com extended / adaptive thinking; AWS Bedrock "adaptive thinking" page):
* Claude does not think unless asked. Extended thinking takes a token budget of at least 1024 that must stay
  below the answer's ``max_tokens`` (thinking counts toward it). Efforts on budget models map to budgets
  chosen here: low 1024, medium 4096, high 16384, max = the model's largest (its output limit minus 1024);
  ``Thinking()`` means medium. When no ``max_tokens`` is given, the budget plus 4096 is asked for.
* Claude 4.6 models and later think adaptively (``thinking: {"type": "adaptive"}``) at an effort level
  (low|medium|high; ``max`` on Opus only); ``Thinking()`` lets the model decide. Budgets still work on 4.6
  (deprecated there) and are refused from Opus 4.7 on, which thinks adaptively only.
* Temperature is 0..1 (Anthropic's documented range; other families use 0..2), refused above that.
* With thinking on, temperature and top_k cannot be changed and top_p must stay within 0.95..1; a forced tool
  is refused (the provider then uses another way to get structured output).
* Thinking blocks are signed: every one goes back unchanged (the API needs them on tool-use turns and
  ignores older ones), so all reasoning history is kept.
* Every Claude model here reads images and PDFs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..shared.chat.request import Request, ThinkingPlan
from ..shared.chat.types import MessageLike, Thinking
from ..shared.errors import UnsupportedFeature
from .base import ModelClient, SamplingOptions, Variant

__all__ = ["ClaudeClient"]

MIN_BUDGET = 1024
_EFFORT_BUDGETS = {"low": 1024, "medium": 4096, "high": 16384}
_ADAPTIVE = ("low", "medium", "high")
_HEADROOM = 4096


def _v(model: str, name: str, max_out: int, **kw: Any) -> Variant:
    kw.setdefault("thinking", "budget")
    if kw["thinking"] == "budget":
        kw.setdefault("budget_range", (MIN_BUDGET, max_out - 1))
        kw.setdefault("efforts", ("low", "medium", "high", "max"))
    return Variant(model=model, name=name, max_output_tokens=max_out, **kw)


class ClaudeClient(ModelClient):
    family: ClassVar[str] = "claude"
    variants: ClassVar[Mapping[str, Variant]] = {
        "opus-4.7": _v("claude-opus-4-7", "Claude Opus 4.7", 128000, thinking="effort",
                       efforts=(*_ADAPTIVE, "max"), aliases=("opus",)),
        "opus-4.6": _v("claude-opus-4-6", "Claude Opus 4.6", 128000, thinking="effort", efforts=(*_ADAPTIVE, "max"),
                       budget_range=(MIN_BUDGET, 127999)),
        "sonnet-4.6": _v("claude-sonnet-4-6", "Claude Sonnet 4.6", 64000, thinking="effort", efforts=_ADAPTIVE,
                         budget_range=(MIN_BUDGET, 63999), aliases=("sonnet",)),
        "opus-4.5": _v("claude-opus-4-5-20251101", "Claude Opus 4.5", 64000, aliases=("claude-opus-4-5",)),
        "sonnet-4.5": _v("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", 64000, aliases=("claude-sonnet-4-5",)),
        "haiku-4.5": _v("claude-haiku-4-5-20251001", "Claude Haiku 4.5", 64000, aliases=("claude-haiku-4-5", "haiku")),
        "opus-4.1": _v("claude-opus-4-1-20250805", "Claude Opus 4.1", 32000, aliases=("claude-opus-4-1",)),
        "sonnet-4": _v("claude-sonnet-4-20250514", "Claude Sonnet 4", 64000, aliases=("claude-sonnet-4-0",)),
        "sonnet-3.7": _v("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", 64000,
                         aliases=("claude-3-7-sonnet-latest",)),
        "haiku-3.5": _v("claude-3-5-haiku-20241022", "Claude Haiku 3.5", 8192, thinking="none",
                        aliases=("claude-3-5-haiku-latest",)),
    }

    @property
    def adaptive(self) -> bool:
        return self.variant.thinking == "effort"

    def plan_thinking(self, thinking: Thinking | None) -> ThinkingPlan | None:
        v = self.variant
        if thinking is None:
            return None
        if v.thinking == "none":
            if thinking.enabled:
                raise UnsupportedFeature(f"{v.model} does not think; pick a Claude 3.7 / 4.x variant")
            return None
        if not thinking.enabled:
            return ThinkingPlan(enabled=False, include_reasoning=False)
        if thinking.budget is not None:
            if v.budget_range is None:
                raise UnsupportedFeature(f"{v.model} thinks adaptively only: ask for an effort "
                                         f"({'|'.join(v.efforts)}), not a budget")
            low, high = v.budget_range
            if not low <= thinking.budget <= high:
                raise UnsupportedFeature(f"{v.model} takes a thinking budget of {low}..{high}, not {thinking.budget}")
            return ThinkingPlan(enabled=True, budget=thinking.budget, include_reasoning=thinking.include)
        if thinking.effort is not None and thinking.effort not in v.efforts:
            raise UnsupportedFeature(f"{v.model} takes thinking effort {'|'.join(v.efforts)}, not {thinking.effort!r}")
        if self.adaptive:
            return ThinkingPlan(enabled=True, effort=thinking.effort, include_reasoning=thinking.include)
        assert v.budget_range is not None
        effort = thinking.effort or "medium"
        budget = v.budget_range[1] - _HEADROOM + 1 if effort == "max" else _EFFORT_BUDGETS[effort]
        return ThinkingPlan(enabled=True, budget=budget, include_reasoning=thinking.include)

    def check_sampling(self, sampling: SamplingOptions, thinking: ThinkingPlan | None = None) -> None:
        """Anthropic documents temperature as 0..1 (other families' 0..2 scale is not Claude's); a higher one is
        refused here, on every host, rather than by the host or silently clamped on the way."""
        if sampling.temperature is not None and sampling.temperature > 1.0:
            raise UnsupportedFeature(f"{self.model} takes temperature 0..1 (Anthropic's range), not "
                                     f"{sampling.temperature}")

    def prepare(self, messages: MessageLike | Sequence[MessageLike], **options: Any) -> Request:
        request = super().prepare(messages, **options)
        plan = request.thinking
        if plan is None or not plan.enabled:
            return request
        sampling = request.sampling
        if sampling.temperature is not None or sampling.top_k is not None:
            raise UnsupportedFeature(f"{self.model} takes no temperature or top_k while thinking")
        if sampling.top_p is not None and not 0.95 <= sampling.top_p <= 1.0:
            raise UnsupportedFeature(f"{self.model} takes top_p 0.95..1 only while thinking")
        if plan.budget is not None:
            if sampling.max_tokens is None:
                limit = self.variant.max_output_tokens or plan.budget + _HEADROOM
                sampling = dataclasses.replace(sampling, max_tokens=min(plan.budget + _HEADROOM, limit))
                request = dataclasses.replace(request, sampling=sampling)
            elif sampling.max_tokens <= plan.budget:
                raise UnsupportedFeature(f"{self.model}: the thinking budget ({plan.budget}) must be below "
                                         f"max_tokens ({sampling.max_tokens})")
        return request
