"""A model of a family as its client knows it (``Variant``), and the common meaning of a thinking setting per
thinking style (``plan_for_style``) and the system-prompt fold, which families refine. Model knowledge only:
nothing here knows a host."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from ...shared.chat.request import ReasoningTags, ThinkingPlan
from ...shared.errors import UnsupportedFeature

if TYPE_CHECKING:  # the messages and the thinking setting (pydantic models) load with a client's first call
    from ...shared.chat.types import Message, Thinking

__all__ = ["ALL_INPUTS", "ReasoningHistory", "ThinkingLike", "ThinkingStyle", "Variant", "fold_system",
           "plan_for_style"]

ThinkingStyle: TypeAlias = Literal["none", "always", "toggle", "effort", "budget", "level"]
ThinkingLike: TypeAlias = "Thinking | bool | str | int | None"  # (a string: naming it loads no pydantic model)
ReasoningHistory: TypeAlias = Literal["drop", "tool_turns", "all"]

ALL_INPUTS = frozenset({"text", "image", "document"})


@dataclass(frozen=True, slots=True)
class Variant:
    """One model of a family, as its client knows it.

    ``thinking`` says how the model thinks: ``none`` (it does not), ``always`` (it always does, no control),
    ``toggle`` (on/off), ``effort`` (on/off plus the efforts in ``efforts``), ``budget`` (token budgets in
    ``budget_range``), ``level`` (Gemini 3 levels in ``efforts``). ``can_disable`` says whether thinking can be
    turned off at all. ``inputs`` are the kinds of content the model reads. ``reasoning_history`` says which
    earlier reasoning goes back to the model: ``drop`` (none: R1-era models were trained without it),
    ``tool_turns`` (the reasoning of turns that called tools, as DeepSeek's thinking mode requires), ``all``.
    ``tokenizer`` names the exact tokenizer of the model (``rehost.shared.tokens.TOKENIZERS``), or None when
    no installable package ships it (counts are then the family's estimate).
    ``max_output_tokens`` is the most the model can write in one answer, where the family needs it (Claude
    thinking budgets must stay below the answer's limit).
    """

    model: str
    name: str = ""
    thinking: ThinkingStyle = "none"
    efforts: tuple[str, ...] = ()
    budget_range: tuple[int, int] | None = None
    can_disable: bool = True
    system_prompt: bool = True
    temperature: float | None = None
    top_p: float | None = None
    tags: ReasoningTags | None = None
    inputs: frozenset[str] = ALL_INPUTS
    reasoning_history: ReasoningHistory = "all"
    deprecated: str | None = None
    aliases: tuple[str, ...] = ()
    tokenizer: str | None = None
    notes: tuple[str, ...] = field(default=())
    max_output_tokens: int | None = None
    #: a base (pretrained, not instruction-tuned) model: it continues text, so it gets a plain prompt through
    #: the host's text-completion endpoint, never a chat
    base: bool = False


def fold_system(messages: tuple[Message, ...]) -> tuple[Message, ...]:
    """Move system text into the first user turn (for models trained without a system role).

    The system text goes in front of the turn's first text part (or before its parts, when it starts with an
    image); every other part of the turn, its images and documents included, stays as it was."""
    from ...shared.chat.messages import Message, TextPart

    system = "\n\n".join(m.text for m in messages if m.role == "system")
    rest = [m for m in messages if m.role != "system"]
    for i, m in enumerate(rest):
        if m.role == "user":
            first = m.parts[0]
            if isinstance(first, TextPart):
                parts: tuple[Any, ...] = (TextPart(text=f"{system}\n\n{first.text}"), *m.parts[1:])
            else:
                parts = (TextPart(text=system), *m.parts)
            rest[i] = Message(role="user", parts=parts)
            break
    else:
        rest.insert(0, Message.user(system))
    return tuple(rest)


def plan_for_style(variant: Variant, thinking: Thinking | None, *, family: str) -> ThinkingPlan | None:
    """The common meaning of a thinking setting for each thinking style; families refine it."""
    model = variant.model
    style = variant.thinking
    if style == "none":
        if thinking is not None and thinking.enabled:
            raise UnsupportedFeature(f"{model} does not think; pick a reasoning variant of {family}")
        return None
    if style == "always":
        if thinking is None:
            return ThinkingPlan(enabled=True, always_on=True)
        if not thinking.enabled:
            raise UnsupportedFeature(f"{model} always thinks; it cannot be turned off")
        if thinking.effort is not None or thinking.budget is not None:
            raise UnsupportedFeature(f"{model} always thinks and takes no effort or budget; use Thinking() "
                                     "or leave thinking unset")
        return ThinkingPlan(enabled=True, include_reasoning=thinking.include, always_on=True)
    if thinking is None:
        return None
    if not thinking.enabled:
        if not variant.can_disable:
            raise UnsupportedFeature(f"{model} cannot turn thinking off")
        return ThinkingPlan(enabled=False, include_reasoning=False)
    if thinking.budget is not None and style != "budget":
        raise UnsupportedFeature(f"{model} takes no thinking budget" +
                                 (f"; efforts: {'|'.join(variant.efforts)}" if variant.efforts else ""))
    if thinking.effort is not None:
        if style == "toggle" or thinking.effort not in variant.efforts:
            allowed = "|".join(variant.efforts) if variant.efforts else "none (it only turns on or off)"
            raise UnsupportedFeature(f"{model} takes thinking effort {allowed}, not {thinking.effort!r}")
        return ThinkingPlan(enabled=True, effort=thinking.effort, include_reasoning=thinking.include)
    if thinking.budget is not None and variant.budget_range is not None:
        low, high = variant.budget_range
        if not low <= thinking.budget <= high:
            raise UnsupportedFeature(f"{model} takes a thinking budget of {low}..{high}, not {thinking.budget}")
        return ThinkingPlan(enabled=True, budget=thinking.budget, include_reasoning=thinking.include)
    return ThinkingPlan(enabled=True, include_reasoning=thinking.include)
