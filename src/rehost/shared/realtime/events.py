"""The neutral events of a realtime voice session: what ``async for event in session`` yields, whatever the
host's vocabulary (OpenAI GA or beta, xAI, Gemini Live) or a cascade of transcriber + chat + voice.

Each host's codec (``providers/``) turns its frames into these; nothing here names a host. Events are frozen
dataclasses with slots (a session can yield thousands of audio chunks a minute, so they stay cheap) and a
``type`` string each, for users who match on it rather than on the class.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from .session import RealtimeSession

__all__ = [
    "AudioOut",
    "Closed",
    "InputCommitted",
    "InputTranscript",
    "InputTranscriptDelta",
    "OutputTranscriptDelta",
    "RealtimeError",
    "RealtimeEvent",
    "RealtimeUsage",
    "ResponseDone",
    "ResponseStarted",
    "ResumeHandle",
    "SessionStarted",
    "SessionUpdated",
    "SpeechStarted",
    "SpeechStopped",
    "TextOut",
    "ToolCallRequest",
]


@dataclass(frozen=True, slots=True)
class RealtimeUsage:
    """Tokens of one response, split by modality where the host says (None: the host did not say)."""

    input_tokens: int = 0
    output_tokens: int = 0
    input_text_tokens: int | None = None
    input_audio_tokens: int | None = None
    output_text_tokens: int | None = None
    output_audio_tokens: int | None = None
    cached_tokens: int | None = None
    #: the audio share of ``cached_tokens`` where the host splits it (cached audio bills at its own rate)
    cached_audio_tokens: int | None = None

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """The host accepted the session (OpenAI ``session.created``, Gemini ``setupComplete``)."""

    type: ClassVar[str] = "session_started"
    session_id: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class SessionUpdated:
    """The host applied a configuration change (``session.updated``)."""

    type: ClassVar[str] = "session_updated"


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """Turn detection heard the user start speaking (barge-in point: stop playing what is queued)."""

    type: ClassVar[str] = "speech_started"
    item_id: str | None = None
    at_ms: int | None = None


@dataclass(frozen=True, slots=True)
class SpeechStopped:
    """Turn detection heard the user stop speaking: the end of the user's turn."""

    type: ClassVar[str] = "speech_stopped"
    item_id: str | None = None
    at_ms: int | None = None


@dataclass(frozen=True, slots=True)
class InputCommitted:
    """The audio sent so far became one user item (by ``commit()`` or by server turn detection)."""

    type: ClassVar[str] = "input_committed"
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class InputTranscriptDelta:
    """A piece of the transcript of what the user said (``text`` is the new piece, never the whole)."""

    type: ClassVar[str] = "input_transcript_delta"
    text: str
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class InputTranscript:
    """The final transcript of one user item."""

    type: ClassVar[str] = "input_transcript"
    text: str
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class ResponseStarted:
    """The model began a response (``response.created``; a cascade when its chat call starts)."""

    type: ClassVar[str] = "response_started"
    response_id: str | None = None


@dataclass(frozen=True, slots=True, repr=False)
class AudioOut:
    """A chunk of the model's spoken answer, decoded bytes in the session's output format."""

    type: ClassVar[str] = "audio"
    data: bytes
    response_id: str | None = None
    item_id: str | None = None
    sample_rate: int = 24000
    encoding: str = "pcm16"

    @property
    def duration_ms(self) -> float:
        """How long this chunk plays (pcm16 mono: 2 bytes a sample; G.711: 1 byte)."""
        width = 2 if self.encoding == "pcm16" else 1
        return len(self.data) / width / self.sample_rate * 1000.0

    def __repr__(self) -> str:
        return f"AudioOut({len(self.data)} bytes, {self.sample_rate} Hz {self.encoding}, item={self.item_id!r})"


@dataclass(frozen=True, slots=True)
class OutputTranscriptDelta:
    """A piece of the transcript of what the model is saying."""

    type: ClassVar[str] = "output_transcript_delta"
    text: str
    response_id: str | None = None
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class TextOut:
    """A piece of a text answer (a session whose output modality is text)."""

    type: ClassVar[str] = "text_delta"
    text: str
    response_id: str | None = None
    item_id: str | None = None


ToolRunner: TypeAlias = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class ToolCallRequest:
    """The model asks for a tool: ``arguments`` is the JSON text the host sent, ``args`` it parsed.

    ``await call.run(tools)`` runs the matching function (sync or async; ``tools`` a list of functions or a
    name -> function mapping) and sends its result back on the session it came from, as chat's tool loop does;
    ``respond=True`` then asks for the next response (hosts that answer by themselves after a tool result,
    Gemini, ignore it)."""

    type: ClassVar[str] = "tool_call"
    call_id: str
    name: str
    arguments: str = "{}"
    response_id: str | None = None
    item_id: str | None = None
    session: RealtimeSession | None = field(default=None, compare=False, repr=False)

    @property
    def args(self) -> dict[str, Any]:
        try:
            value = json.loads(self.arguments or "{}")
        except ValueError as exc:
            raise ConfigurationError(f"tool call {self.name!r} came with arguments that are not JSON: "
                                     f"{self.arguments[:200]!r}") from exc
        if not isinstance(value, dict):
            raise ConfigurationError(f"tool call {self.name!r} came with arguments that are not a JSON object")
        return value

    async def run(self, tools: Mapping[str, ToolRunner] | list[ToolRunner] | tuple[ToolRunner, ...], *,
                  respond: bool = True) -> str:
        """Run the tool this call names and send its result; returns the text sent."""
        if self.session is None:
            raise ConfigurationError("this tool call is not bound to a session: send its result with "
                                     "session.send_tool_result(call.call_id, output)")
        runners = dict(tools) if isinstance(tools, Mapping) else {getattr(fn, "__name__", ""): fn for fn in tools}
        fn = runners.get(self.name)
        if fn is None:
            output = json.dumps({"error": f"no tool named {self.name!r}"})
        else:
            try:
                result = fn(**self.args)
                if inspect.isawaitable(result):
                    result = await result
                output = result if isinstance(result, str) else json.dumps(result, default=str)
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception as exc:  # the model is told the tool failed, as chat's tool loop does
                output = json.dumps({"error": f"{type(exc).__name__}: {exc}"})
        await self.session.send_tool_result(self.call_id, output, name=self.name, respond=respond)
        return output


@dataclass(frozen=True, slots=True)
class ResponseDone:
    """A response ended: ``status`` completed / cancelled (interrupted) / incomplete / failed, what it said
    (text or the transcript of its audio), the tool calls it made, its usage and cost (None: no price)."""

    type: ClassVar[str] = "response_done"
    response_id: str | None = None
    status: Literal["completed", "cancelled", "incomplete", "failed"] = "completed"
    text: str = ""
    transcript: str = ""
    tool_calls: tuple[ToolCallRequest, ...] = ()
    usage: RealtimeUsage | None = None
    cost: float | None = None


@dataclass(frozen=True, slots=True)
class ResumeHandle:
    """The host offers to resume this session on a new socket with ``handle`` (Gemini, xAI)."""

    type: ClassVar[str] = "resume_handle"
    handle: str
    resumable: bool = True


@dataclass(frozen=True, slots=True)
class RealtimeError:
    """An error event the host sent inside a session; ``fatal`` False when the session goes on (an input
    transcription that failed, a rejected event)."""

    type: ClassVar[str] = "error"
    message: str
    code: str | None = None
    fatal: bool = False
    event: str | None = None


@dataclass(frozen=True, slots=True)
class Closed:
    """The session ended cleanly (close code 1000 or the user's ``close()``); the last event."""

    type: ClassVar[str] = "closed"
    code: int = 1000
    reason: str = ""


RealtimeEvent: TypeAlias = (SessionStarted | SessionUpdated | SpeechStarted | SpeechStopped | InputCommitted
                            | InputTranscriptDelta | InputTranscript | ResponseStarted | AudioOut
                            | OutputTranscriptDelta | TextOut | ToolCallRequest | ResponseDone | ResumeHandle
                            | RealtimeError | Closed)
