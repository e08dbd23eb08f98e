"""GeminiClient: Gemini 2.0, 2.5 and 3.x.

Model knowledge (HOSTS.md §4.2, §12.2):
* 2.5 thinks within a token budget: Pro 128..32768 and cannot stop thinking; Flash 0..24576 (0 = off);
  Flash-Lite 512..24576 (0 = off). Efforts map to the budgets Google documents for its OpenAI surface:
  low 1024, medium 8192, high 24576; ``max`` is the model's largest budget.
* 3.x thinks at a level (minimal|low|medium|high, per model), never with a budget; Pro models cannot stop
  thinking, and no 3.x model can turn it fully off. Google advises keeping temperature at 1.0 on Gemini 3.
* 2.0 Flash does not think.
Thought summaries come back when asked (``include``), with signatures that must go back unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import ClassVar

from ..shared.chat.request import ThinkingPlan
from ..shared.chat.types import Thinking
from ..shared.errors import UnsupportedFeature
from .base import ModelClient, SamplingOptions, Variant, plan_for_style

__all__ = ["GeminiClient"]

_EFFORT_BUDGETS = {"low": 1024, "medium": 8192, "high": 24576}
_ALL_LEVELS = ("minimal", "low", "medium", "high")
_LMH = ("low", "medium", "high")


def _v(model: str, name: str, **kw: object) -> Variant:
    return Variant(model=model, name=name, aliases=(model, model.removeprefix("gemini-")), **kw)  # type: ignore[arg-type]


class GeminiClient(ModelClient):
    family: ClassVar[str] = "gemini"
    # No package ships Gemini's tokenizer, so offline counts are estimates; ``count_tokens(exact=True)`` asks
    # the host (countTokens). Measured on the 7 recorded text-only Gemini exchanges (AI Studio, Vertex,
    # OpenRouter): host promptTokenCount 8, 14, 13, 9, 5, 13, 8 = 70 against 70 cl100k_base tokens of the text,
    # with no per-message template tokens: ratio 1.0, overhead 0. With function declarations Gemini counts
    # fewer tokens than this (0.5 to 0.8 of the estimate in the recorded tool exchanges), so the estimate errs
    # high, the safe side for the context check.
    token_ratio: ClassVar[float] = 1.0
    token_overhead: ClassVar[int] = 0
    token_ratio_note: ClassVar[str] = "measured on 7 recorded Gemini exchanges"
    variants: ClassVar[Mapping[str, Variant]] = {
        "2.0-flash": _v("gemini-2.0-flash", "Gemini 2.0 Flash"),
        "2.5-pro": _v("gemini-2.5-pro", "Gemini 2.5 Pro", thinking="budget", budget_range=(128, 32768),
                      can_disable=False),
        "2.5-flash": _v("gemini-2.5-flash", "Gemini 2.5 Flash", thinking="budget", budget_range=(1, 24576)),
        "2.5-flash-lite": _v("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", thinking="budget",
                             budget_range=(512, 24576)),
        "3-pro-preview": _v("gemini-3-pro-preview", "Gemini 3 Pro (preview)", thinking="level",
                            efforts=("low", "high"), can_disable=False),
        "3-flash-preview": _v("gemini-3-flash-preview", "Gemini 3 Flash (preview)", thinking="level",
                              efforts=_ALL_LEVELS, can_disable=False),
        "3.1-pro-preview": _v("gemini-3.1-pro-preview", "Gemini 3.1 Pro (preview)", thinking="level",
                              efforts=_LMH, can_disable=False),
        "3.1-flash-lite": _v("gemini-3.1-flash-lite", "Gemini 3.1 Flash-Lite", thinking="level",
                             efforts=_ALL_LEVELS, can_disable=False),
        "3.5-flash": _v("gemini-3.5-flash", "Gemini 3.5 Flash", thinking="level", efforts=_ALL_LEVELS,
                        can_disable=False),
        "3.5-flash-lite": _v("gemini-3.5-flash-lite", "Gemini 3.5 Flash-Lite", thinking="level",
                             efforts=_ALL_LEVELS, can_disable=False),
        "3.6-flash": _v("gemini-3.6-flash", "Gemini 3.6 Flash", thinking="level", efforts=_ALL_LEVELS,
                        can_disable=False),
        "3.7-flash": _v("gemini-3.7-flash", "Gemini 3.7 Flash", thinking="level", efforts=_LMH,
                        can_disable=False),
    }

    @property
    def is_gemini3(self) -> bool:
        return self.variant.thinking == "level"

    def plan_thinking(self, thinking: Thinking | None) -> ThinkingPlan | None:
        v = self.variant
        if thinking is None:
            return None
        if v.thinking == "budget":
            if not thinking.enabled:
                if not v.can_disable:
                    raise UnsupportedFeature(f"{v.model} cannot turn thinking off (its smallest budget is "
                                             f"{v.budget_range[0] if v.budget_range else '?'})")
                return ThinkingPlan(enabled=False, include_reasoning=False)
            if thinking.effort is not None:
                assert v.budget_range is not None
                if thinking.effort == "max":
                    budget = v.budget_range[1]
                elif thinking.effort in _EFFORT_BUDGETS:
                    budget = min(_EFFORT_BUDGETS[thinking.effort], v.budget_range[1])
                else:
                    raise UnsupportedFeature(
                        f"{v.model} thinks within a budget; efforts low|medium|high|max map to 1024|8192|24576|"
                        f"{v.budget_range[1]} tokens, {thinking.effort!r} has no budget: give one")
                return ThinkingPlan(enabled=True, budget=budget, include_reasoning=thinking.include)
        if v.thinking == "level" and not thinking.enabled:
            lowest = v.efforts[0]
            raise UnsupportedFeature(f"{v.model} cannot turn thinking off; its lowest level is {lowest!r}")
        if v.thinking == "level" and thinking.budget is not None:
            raise UnsupportedFeature(f"{v.model} thinks at a level ({'|'.join(v.efforts)}), not a token budget")
        return plan_for_style(v, thinking, family="GeminiClient")

    def check_sampling(self, sampling: SamplingOptions, thinking: ThinkingPlan | None = None) -> None:
        if self.is_gemini3 and sampling.temperature is not None and sampling.temperature < 1.0:
            warnings.warn(f"Google advises keeping temperature at 1.0 on Gemini 3 ({self.model}); lower values "
                          "can cause looping or worse reasoning", UserWarning, stacklevel=4)
