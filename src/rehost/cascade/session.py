"""CascadeSession: a realtime voice session made of three ordinary clients, a transcriber (speech to text), a
chat model and a voice (text to speech), yielding the same neutral events as a host's realtime session.

How a turn goes: the user's audio goes through an energy VAD (``shared/audio/vad.py``; or, with manual turn
detection, into a buffer until ``commit()``; or, with ``endpointing="transcriber"``, straight to a live
transcriber whose own endpointing ends the turn, ``listen.py``); when the VAD hears the user stop, the
utterance is transcribed, the transcript joins the conversation, and the chat model's streamed answer is cut
into sentences, each spoken as soon as it is whole (so the first audio comes after the first sentence, not the
whole answer) and converted to the session's output format (Piper's 22050 Hz becomes 24 kHz pcm16).

Barge-in: when the VAD hears the user start speaking during an answer (or on ``interrupt()``), the chat stream
and the speech are cancelled, ``ResponseDone`` says ``cancelled``, and the conversation keeps only what the user
heard: the audio handed out of ``events()`` (or ``played_ms``), cut at a word boundary.

Work runs in one worker task, one job at a time (a turn, a text, a response, a tool result), so the history is
always in order; the worker, its job and (live endpointing only) the listener are the only tasks, and
``close()`` ends and awaits them all (no task outlives the session). Events wait in an unbounded queue:
realtime audio is small and the user reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..shared.audio.formats import pcm16_to_wav, resample_pcm16
from ..shared.audio.types import Audio, AudioChunk, FinalTranscript, SpeechDone, TranscriptDone
from ..shared.audio.vad import EnergyVAD, SpeechBegan, SpeechEnded, VoiceDetector
from ..shared.chat.events import Done, TextDelta
from ..shared.chat.messages import Message, ToolCall
from ..shared.errors import ConfigurationError, SessionClosed
from ..shared.realtime.config import SessionConfig
from ..shared.realtime.events import (
    AudioOut,
    Closed,
    InputCommitted,
    InputTranscript,
    InputTranscriptDelta,
    OutputTranscriptDelta,
    RealtimeError,
    RealtimeEvent,
    RealtimeUsage,
    ResponseDone,
    ResponseStarted,
    SessionStarted,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    TextOut,
    ToolCallRequest,
)
from ..shared.realtime.session import RealtimeSession
from .listen import LiveTurns
from .sentences import SentenceSplitter

if TYPE_CHECKING:
    from .agent import Cascade

__all__ = ["CascadeSession"]

#: how long speech takes a character, until a voice's own pace is known (about 15 characters a second)
_MS_PER_CHAR = 65.0


@dataclasses.dataclass
class _Reply:
    """The response under way: what it said, what was spoken and when (ms into its audio)."""

    response_id: str
    item_id: str
    text: str = ""
    #: [sentence, start ms, ms of audio so far, finished] per sentence spoken (or being spoken)
    spoken: list[list[Any]] = dataclasses.field(default_factory=list)
    audio_ms: float = 0.0
    costs: list[Any] = dataclasses.field(default_factory=list)

    def heard(self, played_ms: float) -> str:
        """The transcript of the first ``played_ms`` of the audio, cut at a word boundary. A sentence still
        being spoken has no known length yet: it is estimated from the pace of the sentences before it."""
        done = [(s, ms) for s, _, ms, finished in self.spoken if finished]
        chars = sum(len(s) for s, _ in done)
        pace = sum(ms for _, ms in done) / chars if chars else _MS_PER_CHAR
        kept: list[str] = []
        for sentence, start, ms, finished in self.spoken:
            total = ms if finished else max(ms, len(sentence) * pace)
            if start + total <= played_ms + 1:
                kept.append(sentence)
                continue
            if start < played_ms and total > 0:
                cut = int(len(sentence) * (played_ms - start) / total)
                if cut < len(sentence) and not sentence[cut].isspace():
                    cut = sentence.rfind(" ", 0, cut + 1)
                if cut > 0:
                    kept.append(sentence[:cut].rstrip())
            break
        return " ".join(kept)


@dataclasses.dataclass(frozen=True)
class _Job:
    kind: str
    run: Callable[[], Coroutine[Any, Any, None]]


class CascadeSession(RealtimeSession):
    """A realtime session over a ``Cascade`` (see the module docstring). Made by ``Cascade.connect(config)``."""

    def __init__(self, cascade: Cascade, config: SessionConfig) -> None:
        self._cascade = cascade
        self.name = cascade.name
        self.config = config
        self.session_id = f"cascade_{secrets.token_hex(8)}"
        self._queue: asyncio.Queue[RealtimeEvent] = asyncio.Queue()
        self._history: list[Message] = list(config.history)
        self._jobs: deque[_Job] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None  # the job running now
        self._worker: asyncio.Task[None] | None = None
        self._live: LiveTurns | None = None
        self._vad: VoiceDetector | None = None if self._listens(config) else self._detector(config)
        self._speech_item: str | None = None
        self._buffer: list[bytes] = []
        self._reply: _Reply | None = None
        self._played_ms = 0.0
        self._cut_ms: int | None = None
        self._turn_costs: list[Any] = []
        self._calls: dict[str, list[Any]] = {}  # call id -> [name, answered]
        self._ids = 0
        self._closed = False
        self._ended = False

    @classmethod
    async def start(cls, cascade: Cascade, config: SessionConfig) -> CascadeSession:
        session = cls(cascade, config)
        session._emit(SessionStarted(session.session_id, config.model))
        if session._listens(config):
            session._live = LiveTurns(cascade.transcriber, config.input_format.sample_rate,
                                      cascade.transcribe_options, began=session._began, piece=session._heard,
                                      ended=session._said, failed=session._deaf)
        session._worker = asyncio.get_running_loop().create_task(session._work(), name=f"rehost-{cascade.name}")
        return session

    # ------------------------------------------------------------------------------------------ plumbing
    def _emit(self, event: RealtimeEvent) -> None:
        self._queue.put_nowait(event)

    def _id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}_{self._ids}"

    def _listens(self, config: SessionConfig) -> bool:
        """Turns found by the transcriber's own endpointing (a live transcriber) rather than the energy VAD."""
        return self._cascade.endpointing == "transcriber" and config.turn_detection.mode != "manual"

    def _detector(self, config: SessionConfig) -> VoiceDetector | None:
        turn = config.turn_detection
        if turn.mode == "manual":
            return None
        changes: dict[str, Any] = {}
        if turn.threshold is not None:
            changes["threshold_db"] = EnergyVAD.threshold_from(turn.threshold)
        if turn.prefix_padding_ms is not None:
            changes["prefix_padding_ms"] = turn.prefix_padding_ms
        if turn.silence_ms is not None:
            changes["silence_ms"] = turn.silence_ms
        settings = dataclasses.replace(self._cascade.vad or EnergyVAD(), **changes)
        return settings.detector(config.input_format.sample_rate)

    def _check_open(self) -> None:
        if self._closed:
            raise SessionClosed(f"the realtime session on {self.name} is closed", host=self.name, close_code=1000)

    def _enqueue(self, kind: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._jobs.append(_Job(kind, run))
        self._wake.set()

    async def _work(self) -> None:
        """Run the jobs one at a time; a job's failure is an error event, and the session goes on."""
        while True:
            while not self._jobs:
                self._wake.clear()
                await self._wake.wait()
            job = self._jobs.popleft()
            task: asyncio.Task[None] = asyncio.get_running_loop().create_task(
                job.run(), name=f"rehost-{self.name}-{job.kind}")
            self._task = task
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise
            finally:
                self._task = None
            if not task.cancelled() and task.exception() is not None:
                self._error(task.exception(), job.kind)

    def _error(self, exc: BaseException | None, what: str) -> None:
        self._emit(RealtimeError(f"the cascade's {what} failed: {exc}", code=type(exc).__name__, fatal=False,
                                 event=what))

    # ------------------------------------------------------------------------------------------ the user's side
    async def events(self) -> AsyncIterator[RealtimeEvent]:
        while not (self._ended and self._queue.empty()):
            event = await self._queue.get()
            reply = self._reply
            if isinstance(event, AudioOut) and reply is not None and event.response_id == reply.response_id:
                self._played_ms += event.duration_ms
            yield event
            if isinstance(event, Closed):
                return

    async def send_audio(self, chunk: bytes) -> None:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise ConfigurationError(f"send_audio takes bytes of audio, not {type(chunk).__name__}", host=self.name)
        self._check_open()
        if not len(chunk):
            return
        if self._live is not None:
            self._live.send(bytes(chunk))
            return
        if self._vad is None:
            self._buffer.append(bytes(chunk))
            return
        for event in self._vad.feed(bytes(chunk)):
            if isinstance(event, SpeechBegan):
                await self._began(event.at_ms)
            else:
                self._ended_speech(event)

    async def _began(self, at_ms: int | None = None) -> None:
        """The user started speaking: a new item, and the barge-in point."""
        self._speech_item = self._id("item")
        self._emit(SpeechStarted(self._speech_item, at_ms))
        if self.config.turn_detection.interrupt_response:
            await self._barge_in(None)

    # the live transcriber's callbacks (listen.LiveTurns)
    def _heard(self, piece: str) -> None:
        self._emit(InputTranscriptDelta(piece, self._speech_item))

    def _said(self, text: str) -> None:
        item = self._speech_item or self._id("item")
        self._speech_item = None
        self._emit(SpeechStopped(item))
        self._emit(InputCommitted(item))
        self._emit(InputTranscript(text, item))
        self._enqueue("transcription", lambda: self._heard_turn(text, self.config.turn_detection.create_response))

    def _deaf(self, exc: BaseException) -> None:
        self._emit(RealtimeError(f"the cascade's live transcription failed: {exc}", code=type(exc).__name__,
                                 fatal=True, event="transcription"))

    def _ended_speech(self, event: SpeechEnded) -> None:
        item = self._speech_item or self._id("item")
        self._speech_item = None
        self._emit(SpeechStopped(item, event.at_ms))
        self._committed(event.audio, item, respond=self.config.turn_detection.create_response)

    def _committed(self, audio: bytes, item: str, *, respond: bool) -> None:
        self._emit(InputCommitted(item))
        self._enqueue("transcription", lambda: self._turn(audio, item, respond))

    async def commit(self) -> None:
        self._check_open()
        if self._live is not None:
            if not self._live.end():
                raise ConfigurationError("commit: nothing was heard since the last turn", host=self.name)
            return
        if self._vad is not None:
            ended = self._vad.flush()
            if ended is None:
                raise ConfigurationError("commit: no speech was heard since the last turn", host=self.name)
            self._ended_speech(ended)
            return
        audio, self._buffer = b"".join(self._buffer), []
        if not audio:
            raise ConfigurationError("commit: no audio was sent since the last commit", host=self.name)
        self._committed(audio, self._id("item"), respond=False)

    async def send_text(self, text: str, *, respond: bool = False) -> None:
        if not isinstance(text, str) or not text.strip():
            raise ConfigurationError("send_text takes a non-empty str", host=self.name)
        self._check_open()

        async def job() -> None:
            self._add_user(text)
            if respond:
                await self._respond(None)

        self._enqueue("text", job)

    async def respond(self, *, instructions: str | None = None) -> None:
        if instructions is not None and not isinstance(instructions, str):
            raise ConfigurationError("respond(instructions=) takes a str", host=self.name)
        self._check_open()
        self._enqueue("response", lambda: self._respond(instructions))

    async def interrupt(self, *, played_ms: int | None = None) -> None:
        self._check_played(played_ms)
        self._check_open()
        await self._barge_in(played_ms)

    async def send_tool_result(self, call_id: str, output: str, *, name: str | None = None,
                               respond: bool = True) -> None:
        self._check_tool_result(call_id, output)
        call = self._calls.get(call_id)
        if call is None:
            raise ConfigurationError(f"no tool call {call_id!r} is waiting for a result in this session",
                                     host=self.name)
        self._check_open()
        call[1] = True

        async def job() -> None:
            self._history.append(Message.tool(call_id, output, name=name or call[0]))
            # several calls in one answer: the model answers once all their results are in
            if respond and all(answered for _, answered in self._calls.values()):
                self._calls.clear()
                await self._respond(None)

        self._enqueue("tool result", job)

    async def update(self, **changes: Any) -> None:
        self._check_open()
        config = self.config.updated(**changes)
        self._cascade.check(config)
        changed = config.turn_detection != self.config.turn_detection or config.input_format != self.config.input_format
        if changed and self._live is None:
            self._vad = self._detector(config)
        self.config = config
        self._emit(SessionUpdated())

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        live, self._live = self._live, None
        if live is not None:
            await live.close()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        self._emit(Closed(1000, "closed by the client"))
        self._ended = True

    # ------------------------------------------------------------------------------------------ the turn
    def _add_user(self, text: str) -> None:
        last = self._history[-1] if self._history else None
        if last is not None and last.role == "user" and last.text:
            self._history[-1] = Message.user(f"{last.text} {text}")  # two utterances, no answer between: one turn
        else:
            self._history.append(Message.user(text))

    async def _turn(self, audio: bytes, item: str, respond: bool) -> None:
        rate = self.config.input_format.sample_rate
        clip = Audio(pcm16_to_wav(audio, rate), "wav", rate, 1, len(audio) / 2 / rate)
        text = (await self._transcribe(clip, item)).strip()
        self._emit(InputTranscript(text, item))
        if text:
            await self._heard_turn(text, respond)

    async def _heard_turn(self, text: str, respond: bool) -> None:
        self._add_user(text)
        speaking = (self._vad is not None and self._vad.speaking) or (self._live is not None and self._live.speaking)
        if respond and not speaking and not any(job.kind == "transcription" for job in self._jobs):
            await self._respond(None)  # else the user goes on: the next turn answers both

    async def _transcribe(self, clip: Audio, item: str) -> str:
        transcriber, options = self._cascade.transcriber, self._cascade.transcribe_options
        sender = getattr(transcriber, "sender", None)
        if not getattr(sender, "streams", False):
            transcript = await transcriber.atranscribe(clip, **options)
            self._turn_costs.append(transcript.cost)
            return str(transcript.text)
        pieces: list[str] = []
        stream = transcriber.atranscribe_stream(clip, **options)
        async with contextlib.aclosing(stream):
            async for event in stream:
                if isinstance(event, FinalTranscript) and event.text.strip():
                    piece = event.text.strip() if not pieces else f" {event.text.strip()}"
                    pieces.append(piece)
                    self._emit(InputTranscriptDelta(piece, item))
                elif isinstance(event, TranscriptDone):
                    self._turn_costs.append(event.transcript.cost)
                    return event.transcript.text or "".join(pieces)
        return "".join(pieces)

    # ------------------------------------------------------------------------------------------ the answer
    def _messages(self, instructions: str | None) -> list[Message]:
        system = "\n\n".join(s for s in (self.config.instructions, instructions) if s)
        return ([Message.system(system)] if system else []) + list(self._history)

    async def _barge_in(self, played_ms: int | None) -> None:
        task = self._task
        if task is None or self._reply is None:
            return
        self._cut_ms = played_ms
        task.cancel()
        await asyncio.wait({task})

    async def _respond(self, instructions: str | None) -> None:
        reply = _Reply(self._id("resp"), self._id("item"))
        self._reply, self._played_ms, self._cut_ms = reply, 0.0, None
        costs, self._turn_costs = self._turn_costs, []
        reply.costs.extend(costs)
        self._emit(ResponseStarted(reply.response_id))
        try:
            done = await self._answer(reply, instructions)
        except asyncio.CancelledError:
            self._cancelled(reply)
            raise
        except Exception as exc:  # a part failed: the session goes on (the next turn may work)
            self._error(exc, "response")
            self._emit(ResponseDone(reply.response_id, "failed"))
            return
        finally:
            self._reply = None
        self._finished(reply, done)

    def _cancelled(self, reply: _Reply) -> None:
        played = self._played_ms if self._cut_ms is None else float(self._cut_ms)
        audio = self.config.audio_out
        kept = reply.heard(played) if audio else reply.text
        if kept.strip():
            self._history.append(Message.assistant(kept.strip()))
        self._emit(ResponseDone(reply.response_id, "cancelled", text="" if audio else kept,
                                transcript=kept if audio else ""))

    async def _answer(self, reply: _Reply, instructions: str | None) -> Any:
        config = self.config
        options: dict[str, Any] = dict(self._cascade.chat_options)
        if config.tools:
            options["tools"] = list(config.tools)
        if config.temperature is not None:
            options["temperature"] = config.temperature
        if config.max_output_tokens is not None:
            options["max_tokens"] = config.max_output_tokens
        splitter = SentenceSplitter()
        completion: Any = None
        stream = self._cascade.chat.astream(self._messages(instructions), **options)
        try:
            async for event in stream:
                if isinstance(event, TextDelta) and event.text:
                    reply.text += event.text
                    if "text" in config.output_modalities:
                        self._emit(TextOut(event.text, reply.response_id, reply.item_id))
                    if config.audio_out:
                        for sentence in splitter.feed(event.text):
                            await self._say(reply, sentence)
                elif isinstance(event, Done):
                    completion = event.completion
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        rest = splitter.flush()
        if rest and config.audio_out:
            await self._say(reply, rest)
        return completion

    async def _say(self, reply: _Reply, sentence: str) -> None:
        """Speak one sentence: its transcript, then its audio in the session's output format."""
        out = self.config.output_format
        voice = self._cascade.voice
        options = dict(self._cascade.voice_options)
        if self.config.voice:
            options["voice"] = self.config.voice
        self._emit(OutputTranscriptDelta(sentence if not reply.spoken else f" {sentence}", reply.response_id,
                                         reply.item_id))
        entry: list[Any] = [sentence, reply.audio_ms, 0.0, False]
        reply.spoken.append(entry)
        stream = voice.aspeak_stream(sentence, format="pcm16", **options)
        async with contextlib.aclosing(stream):
            async for item in stream:
                if isinstance(item, AudioChunk):
                    data = _convert(item, out.sample_rate)
                    if not data:
                        continue
                    event = AudioOut(data, reply.response_id, reply.item_id, out.sample_rate, "pcm16")
                    entry[2] += event.duration_ms
                    reply.audio_ms += event.duration_ms
                    self._emit(event)
                elif isinstance(item, SpeechDone):
                    reply.costs.append(item.speech.cost)
        entry[3] = True

    def _finished(self, reply: _Reply, completion: Any) -> None:
        audio = self.config.audio_out
        calls: list[ToolCall] = []
        requests: list[ToolCallRequest] = []
        for call in getattr(completion, "tool_calls", ()) or ():
            call_id = call.id or self._id("call")
            calls.append(call if call.id else call.model_copy(update={"id": call_id}))
            arguments = call.raw_arguments or json.dumps(call.arguments)
            requests.append(ToolCallRequest(call_id, call.name, arguments, reply.response_id, reply.item_id,
                                            session=self))
            self._calls[call_id] = [call.name, False]
        text = reply.text.strip()
        if text or calls:
            self._history.append(Message.assistant(text, parts=calls))
        for request in requests:
            self._emit(request)
        usage = getattr(completion, "usage", None)
        neutral = None if usage is None else RealtimeUsage(
            input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
            input_text_tokens=usage.input_tokens, output_text_tokens=usage.output_tokens,
            cached_tokens=usage.cached_input_tokens)
        reply.costs.append(getattr(completion, "cost", None))
        transcript = " ".join(entry[0] for entry in reply.spoken)
        self._emit(ResponseDone(reply.response_id, "completed", text="" if audio else text,
                                transcript=transcript if audio else "", tool_calls=tuple(requests), usage=neutral,
                                cost=_total(reply.costs)))


def _convert(chunk: AudioChunk, rate: int) -> bytes:
    """A voice's chunk as pcm16 at ``rate`` (a chunk of another format is refused: the cascade asks for pcm16)."""
    if chunk.format != "pcm16":
        raise ConfigurationError(f"the cascade's voice sent {chunk.format} audio; it asks for pcm16")
    source = chunk.sample_rate or rate
    if source == rate:
        return chunk.data
    from array import array

    samples = array("h", chunk.data[:len(chunk.data) - len(chunk.data) % 2])
    import sys

    if sys.byteorder == "big":
        samples.byteswap()
    out = resample_pcm16(samples, source, rate)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def _total(costs: list[Any]) -> float | None:
    """The cost of a response from its parts' costs (None when any part is unpriced)."""
    if not costs or any(c is None for c in costs):
        return None
    return float(sum((Decimal(c.total) for c in costs), Decimal(0)))
