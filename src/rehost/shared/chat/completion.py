"""The result of a chat call: ``Completion`` with its ``Usage``, ``Timing`` and the ``Attempt`` record of each
host tried."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..pricing import Cost
from ._input import FinishReason
from .annotations import Citation, ContentFilter
from .messages import Message, Part, ReasoningPart, TextPart, ToolCall

__all__ = ["Attempt", "Completion", "Timing", "Usage"]

# ---------------------------------------------------------------------------------------------------- results


class Usage(BaseModel):
    """Token counts, normalised across hosts.

    ``output_tokens`` counts everything generated, reasoning included (that is how every host bills it);
    ``reasoning_tokens`` is the part of it spent thinking. ``input_tokens`` includes cached input;
    ``cached_input_tokens`` is the part served from the host's cache. ``None`` means the host did not say.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_write_tokens: int | None = None

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class Timing(BaseModel):
    """Client-side timings of one call, in seconds (``started_at`` is a Unix time)."""

    model_config = ConfigDict(frozen=True, defer_build=True)
    started_at: float
    time_to_first_byte: float | None = None
    time_to_first_token: float | None = None
    total: float = 0.0
    #: when the request was fully written to the socket (recorded under ``wire_timing()``, else None): the
    #: host's own latency is ``time_to_first_token - request_sent``, free of the client's work before sending
    request_sent: float | None = None


class Attempt(BaseModel):
    """One step of a routed call (``rehost.Fallback``): a host tried, or passed over, and what came of it.

    ``outcome`` is ``"ok"``, ``"skipped"`` (nothing was sent: the host cannot serve the request, has no key,
    its circuit is open or it asked to be left alone for a while; ``detail`` says which), or the class name of
    the error the host answered with (``"RateLimited"``, ``"ServerError"``, ...). ``seconds`` is how long
    the attempt took (to the first event, for a stream)."""

    model_config = ConfigDict(frozen=True, defer_build=True)
    host: str
    outcome: str
    seconds: float = 0.0
    detail: str | None = None


class Completion(BaseModel):
    """The final result of a call: what the model said, thought and asked for, and what it cost."""

    model_config = ConfigDict(frozen=True, defer_build=True)
    parts: tuple[Part, ...] = ()
    finish_reason: FinishReason = "stop"
    native_finish_reason: str | None = None
    #: the host's own words on why the answer ended, when it gives them (Gemini ``finishMessage``)
    finish_message: str | None = None
    usage: Usage | None = None
    host: str = ""
    model: str = ""
    host_model_id: str = ""
    served_model: str | None = None
    response_id: str | None = None
    request_id: str | None = None
    timing: Timing | None = None
    host_timing: dict[str, float] | None = None
    host_cost: float | None = None
    cost: Cost | None = None
    output: Any = None
    #: what a routing provider (``Fallback``) tried before this answer, in order, ending with the host that
    #: answered; None when the call went straight to one host
    attempts: tuple[Attempt, ...] | None = None
    #: served from a response cache (``rehost.cache``): no request was sent, nothing was billed for it
    cached: bool = False
    #: the host's content-filter judgements on the prompt and the answer (Azure), empty where it gives none
    content_filters: tuple[ContentFilter, ...] = ()
    #: the sources the answer's text cites (Cohere), empty where the host gives none
    citations: tuple[Citation, ...] = ()
    raw: Any = Field(default=None, repr=False, exclude=True)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def reasoning(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, ReasoningPart))

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        return tuple(p for p in self.parts if isinstance(p, ToolCall))

    @property
    def message(self) -> Message:
        """This answer as an assistant turn, ready to append to the conversation."""
        return Message.model_construct(role="assistant", parts=self.parts)
