"""``Thinking``: what the caller wants from the model's thinking, in one setting (on, off, an effort, a budget),
with its shorthands. What it means for a model family is its client's; the resulting plan is
``rehost.shared.chat.request.ThinkingPlan``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from typing import Self

from ._input import _FROZEN, Effort, _Input

__all__ = ["Thinking"]

# ---------------------------------------------------------------------------------------------------- thinking


_EFFORTS: tuple[str, ...] = Effort.__args__  # type: ignore[attr-defined]
_THINKING_HELP = (f"give True or 'on', False or 'off', an effort ({'|'.join(_EFFORTS)}), a token budget (an "
                  "int >= 0), or Thinking(...)")


class Thinking(_Input):
    """What the caller wants from the model's thinking, in one setting.

    ``Thinking()`` or ``Thinking.on()``: think, at the model's default depth. ``Thinking.off()``: do not.
    ``Thinking(effort="high")``: an effort level. ``Thinking(budget=2048)``: a token budget.
    ``include=False`` asks for the reasoning text not to be returned (the model may still think).
    What each of these means for a model family is decided by its client, and how it is spelled on the wire
    by the provider; a setting the model or host cannot honour raises before any request.
    """

    model_config = _FROZEN
    enabled: bool = True
    effort: Effort | None = None
    budget: int | None = Field(default=None, ge=0)
    include: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.effort is not None and self.budget is not None:
            raise ValueError("give either an effort or a budget, not both")
        if not self.enabled and (self.effort is not None or self.budget is not None):
            raise ValueError("thinking is off: an effort or budget makes no sense")
        return self

    @classmethod
    def on(cls, *, include: bool = True) -> Thinking:
        return cls(enabled=True, include=include)

    @classmethod
    def off(cls) -> Thinking:
        return cls(enabled=False)

    @classmethod
    def coerce(cls, value: Thinking | bool | str | int | None) -> Thinking | None:
        """Accept the shorthands wherever a Thinking is taken: ``True`` / ``"on"``, ``False`` / ``"off"`` /
        ``"none"``, an effort name (``"high"``; words in any case), a token budget (``1024``)."""
        if value is None or isinstance(value, Thinking):
            return value
        if isinstance(value, bool):
            return cls(enabled=value)
        if isinstance(value, int):
            if value < 0:
                raise ConfigurationError(f"a thinking budget is a number of tokens, not {value}: {_THINKING_HELP}")
            return cls(budget=value)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("none", "off"):
                return cls.off()
            if word == "on":
                return cls.on()
            if word in _EFFORTS:
                return cls(effort=word)
        raise ConfigurationError(f"thinking={value!r:.60} is not a thinking setting: {_THINKING_HELP}")
