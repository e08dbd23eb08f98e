"""QwenClient: Qwen3 (hybrid and 2507 thinking / instruct), QwQ and Qwen2.5.

Model knowledge (Qwen3 model cards, "Switching Between Thinking and Non-Thinking Mode"):
* Qwen3 hybrid models think by default. Thinking is switched by the chat-template variable
  ``enable_thinking`` (a hard switch) or by writing ``/think`` or ``/no_think`` in a user turn (a soft switch
  the model obeys turn by turn). Both are facts about the model, so this client puts them in the thinking
  plan; which one a host can carry is the provider's business: a host with its own field uses it (Groq
  ``reasoning_effort: none``, Together / OpenRouter ``reasoning``, Fireworks ``thinking``), a host that passes
  template options sends ``chat_template_kwargs`` (vLLM, llama.cpp: ``OpenAICompatible(template_kwargs=True)``),
  any other appends the soft switch to the last user turn. There is no effort or budget.
* Thinking is written as ``<think>...</think>`` where the host does not parse it out; earlier turns' thinking
  is not sent back (Qwen's template drops it).
* Sampling Qwen recommends: thinking temperature 0.6, top-p 0.95; non-thinking 0.7, 0.8 (applied from the
  client's own thinking setting; a per-call override keeps the client's defaults). top_k 20 is recommended
  too but is left out, since several hosts refuse top_k.
* The 2507 releases split the modes: ``-thinking-2507`` always thinks, ``-instruct-2507`` never does. QwQ-32B
  always thinks. Qwen2.5 does not think. All read text only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.chat.request import ReasoningTags, ThinkingPlan
from ..shared.chat.types import Thinking
from .base import ModelClient, SamplingOptions, Variant

__all__ = ["QwenClient"]

_THINK = ReasoningTags("<think>", "</think>")
_TEXT = frozenset({"text"})
TEMPLATE_SWITCH = "enable_thinking"
PROMPT_SWITCH = ("/think", "/no_think")


def _v(model: str, name: str, **kw: Any) -> Variant:
    kw.setdefault("inputs", _TEXT)
    kw.setdefault("reasoning_history", "drop")
    if kw.get("thinking") in ("toggle", "always"):
        kw.setdefault("tags", _THINK)
    return Variant(model=model, name=name, **kw)


class QwenClient(ModelClient):
    family: ClassVar[str] = "qwen"
    variants: ClassVar[Mapping[str, Variant]] = {
        "3-32b": _v("qwen3-32b", "Qwen3-32B", thinking="toggle", aliases=("qwen3-32b",)),
        "3-14b": _v("qwen3-14b", "Qwen3-14B", thinking="toggle"),
        "3-8b": _v("qwen3-8b", "Qwen3-8B", thinking="toggle"),
        "3-30b-a3b": _v("qwen3-30b-a3b", "Qwen3-30B-A3B", thinking="toggle"),
        "3-235b-a22b": _v("qwen3-235b-a22b", "Qwen3-235B-A22B", thinking="toggle"),
        "3-235b-a22b-thinking": _v("qwen3-235b-a22b-thinking-2507", "Qwen3-235B-A22B-Thinking-2507",
                                   thinking="always"),
        "3-235b-a22b-instruct": _v("qwen3-235b-a22b-instruct-2507", "Qwen3-235B-A22B-Instruct-2507"),
        "qwq-32b": _v("qwq-32b", "QwQ-32B", thinking="always"),
        "2.5-72b": _v("qwen2.5-72b-instruct", "Qwen2.5-72B-Instruct"),
    }

    @property
    def hybrid(self) -> bool:
        return self.variant.thinking == "toggle"

    def plan_thinking(self, thinking: Thinking | None) -> ThinkingPlan | None:
        plan = super().plan_thinking(thinking)
        if plan is not None and self.hybrid:
            plan = dataclasses.replace(plan, template_switch=TEMPLATE_SWITCH, prompt_switch=PROMPT_SWITCH)
        return plan

    def default_sampling(self) -> SamplingOptions:
        v = self.variant
        if v.thinking == "none":
            return SamplingOptions(temperature=0.7, top_p=0.8)
        if v.thinking == "always":
            return SamplingOptions(temperature=0.6, top_p=0.95)
        off = self.thinking is not None and not self.thinking.enabled
        return SamplingOptions(temperature=0.7, top_p=0.8) if off else SamplingOptions(temperature=0.6, top_p=0.95)
