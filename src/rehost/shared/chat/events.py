"""The events of a streamed chat call: text and reasoning deltas, tool-call deltas, usage, and ``Done`` with the
final Completion. Plain slotted dataclasses, not pydantic models: they are built on the streaming hot path,
one allocation per event and no validation, because the decoder that builds them already knows their shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # annotations only: the pydantic models load with the first call, not with the stream types
    from ._input import FinishReason
    from .completion import Completion, Usage

__all__ = ["Done", "ReasoningDelta", "StreamEvent", "TextDelta", "ToolCallDelta"]

# ---------------------------------------------------------------------------------------------------- events


@dataclass(slots=True, frozen=True)
class TextDelta:
    text: str


@dataclass(slots=True, frozen=True)
class ReasoningDelta:
    text: str


@dataclass(slots=True, frozen=True)
class ToolCallDelta:
    """A piece of a tool call: ``name``/``id`` on its first piece, then argument text fragments."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(slots=True, frozen=True)
class Done:
    """The last event of every stream."""

    completion: Completion

    @property
    def finish_reason(self) -> FinishReason:
        return self.completion.finish_reason


#: a string, so that naming the events does not import the pydantic ``Usage`` model (issue 18: import time)
StreamEvent: TypeAlias = "TextDelta | ReasoningDelta | ToolCallDelta | Usage | Done"
