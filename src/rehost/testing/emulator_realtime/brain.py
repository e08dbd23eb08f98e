"""The model behind the realtime emulator's fronts: any ``RealtimeSession`` (the "brain"), and ``ScriptedBrain``,
one with no model that answers deterministically so tests and benchmarks can predict every event.

A front (``openai.py``, ``xai.py``, ``gemini.py``) speaks a host's protocol on the socket and drives a brain
through the neutral session surface only (``send_audio``, ``commit``, ``send_text``, ``respond``,
``interrupt``, ``send_tool_result``, ``update``, ``close``, ``async for event``). So the cascade (a
transcriber + chat + voice session with the same surface) is served by handing the emulator a factory that
makes one: ``RealtimeEmulator(brain=lambda config: CascadeSession(...))`` (``BrainFactory``); nothing in the
fronts knows which brain it drives.

``ScriptedBrain``: a user text is answered with ``reply`` (default: an echo, ``"You said: <text>"``); a user
text naming one of the session's tools (its name, or the last word of a snake_case name: "weather" for
``get_weather``) is answered with a call to that tool (``tool_arguments``), and the tool's result with
``"The tool said: <output>"``; ``tool_preamble`` is said before the call, in the same response, as some
models do. Audio: with server turn detection the first chunk holding sound starts the user's speech (and,
with ``interrupt_response``, cancels the answer under way: barge-in) and the first quiet chunk after it (no
sample beyond ``quiet``) ends the turn, an energy VAD reduced to its simplest deterministic form;
``commit()`` ends it too. The user's audio turn is transcribed as ``transcript``. A spoken answer is
``audio_deltas`` chunks of ``delta_bytes`` bytes each, ``pace`` seconds apart, interleaved with the reply's
words as transcript deltas; a text answer is the words as text deltas.
Usage is counted from words (input: 10 + the user's words; output: the reply's words + one token per chunk;
a tool call's response: 5), so a test can compute it independently.

Events go through a bounded queue: when the front cannot send (a client not reading) the brain waits rather
than piling up audio in memory.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import inspect
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from ...shared.errors import ConfigurationError
from ...shared.realtime.config import SessionConfig
from ...shared.realtime.events import (
    AudioOut,
    Closed,
    InputCommitted,
    InputTranscript,
    InputTranscriptDelta,
    OutputTranscriptDelta,
    RealtimeEvent,
    RealtimeUsage,
    ResponseDone,
    ResponseStarted,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    TextOut,
    ToolCallRequest,
)
from ...shared.realtime.session import RealtimeSession

__all__ = ["BrainFactory", "ScriptedBrain", "make_brain"]

#: what the emulator is given to make one brain per session: a RealtimeSession (or an awaitable of one) for the
#: session's starting config
BrainFactory = Callable[[SessionConfig], "RealtimeSession | Awaitable[RealtimeSession]"]


async def make_brain(factory: BrainFactory, config: SessionConfig) -> RealtimeSession:
    """One brain from ``factory`` (sync or async), checked to be a session."""
    brain = factory(config)
    if inspect.isawaitable(brain):
        brain = await brain
    if not isinstance(brain, RealtimeSession):
        raise ConfigurationError(f"the realtime emulator's brain factory must make a RealtimeSession, not "
                                 f"{type(brain).__name__}")
    return brain


class ScriptedBrain(RealtimeSession):
    """A realtime session with no model (see the module docstring)."""

    def __init__(self, config: SessionConfig, *, reply: str | None = None, transcript: str = "hello from the audio",
                 audio_deltas: int = 3, delta_bytes: int = 4800, pace: float = 0.0, tool_arguments: str = "{}",
                 tool_preamble: str | None = None, quiet: int = 500, queue_size: int = 64) -> None:
        for name, value in (("audio_deltas", audio_deltas), ("delta_bytes", delta_bytes), ("queue_size", queue_size),
                            ("quiet", quiet)):
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if name == "queue_size" else 0):
                raise ConfigurationError(f"ScriptedBrain({name}=...) must be a whole number, not {value!r}")
        if delta_bytes % 2:
            raise ConfigurationError("ScriptedBrain(delta_bytes=...) must be even (whole pcm16 samples)")
        self.name = "emulator"
        self.config = config
        self.reply = reply
        self.transcript = transcript
        self.audio_deltas = audio_deltas
        self.delta_bytes = delta_bytes
        self.pace = pace
        self.tool_arguments = tool_arguments
        self.tool_preamble = tool_preamble
        self.quiet = quiet
        self._queue: asyncio.Queue[RealtimeEvent] = asyncio.Queue(queue_size)
        self._task: asyncio.Task[None] | None = None
        self._said: list[str] = []  # user texts since the last response
        self._tool_output: str | None = None
        self._speaking = False
        self._audio_bytes = 0
        self._items = 0
        self._responses = 0
        self._closed = False
        #: what the brain was asked, in order (for tests): ("text", t), ("audio", n), ("commit",), ...
        self.seen: list[tuple[Any, ...]] = []

    # ------------------------------------------------------------------------------------------ inputs
    async def send_audio(self, chunk: bytes) -> None:
        self.seen.append(("audio", len(chunk)))
        self._audio_bytes += len(chunk)
        if self.config.turn_detection.mode == "manual":
            return
        sound = self._loud(chunk)
        if sound and not self._speaking:
            self._speaking = True
            if self.config.turn_detection.interrupt_response:  # barge-in: the user talks over the answer
                await self.interrupt()
            await self._put(SpeechStarted(self._item_id(self._items + 1), at_ms=0))
        elif not sound and self._speaking:
            await self._end_audio_turn(detected=True)

    def _loud(self, chunk: bytes) -> bool:
        """Whether a chunk holds sound: a pcm16 sample beyond ``quiet`` (about -36 dBFS by default, so the hiss
        of a recording is silence), a G.711 byte other than its silence codes."""
        if self.config.input_format.encoding != "pcm16":
            return bool(chunk.strip(b"\xff\x7f\xd5\x55"))
        samples = array.array("h", chunk[: len(chunk) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()
        return bool(samples) and max(map(abs, samples)) > self.quiet

    async def commit(self) -> None:
        self.seen.append(("commit",))
        await self._end_audio_turn(detected=False)

    async def _end_audio_turn(self, *, detected: bool) -> None:
        self._items += 1
        item = self._item_id(self._items)
        if detected:
            ms = int(self._audio_bytes / self.config.input_format.bytes_per_second * 1000)
            await self._put(SpeechStopped(item, at_ms=ms))
        self._speaking = False
        self._audio_bytes = 0
        await self._put(InputCommitted(item))
        if self.config.input_transcription:
            words = self.transcript.split()
            for i, word in enumerate(words):
                await self._put(InputTranscriptDelta((" " if i else "") + word, item))
            await self._put(InputTranscript(self.transcript, item))
        self._said.append(self.transcript)
        if detected and self.config.turn_detection.create_response:
            await self.respond()

    async def send_text(self, text: str, *, respond: bool = False) -> None:
        self.seen.append(("text", text))
        self._items += 1
        self._said.append(text)
        if respond:
            await self.respond()

    async def respond(self, *, instructions: str | None = None) -> None:
        self.seen.append(("respond", instructions))
        if self._task is not None and not self._task.done():
            await self.interrupt()
        self._responses += 1
        said, self._said = self._said, []
        output, self._tool_output = self._tool_output, None
        self._task = asyncio.create_task(self._answer(f"resp_emu_{self._responses}", said, output))

    async def interrupt(self, *, played_ms: int | None = None) -> None:
        self.seen.append(("interrupt", played_ms))
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self._put(ResponseDone(f"resp_emu_{self._responses}", status="cancelled"))

    async def send_tool_result(self, call_id: str, output: str, *, name: str | None = None,
                               respond: bool = True) -> None:
        self.seen.append(("tool_result", call_id, output))
        self._tool_output = output
        if respond:
            await self.respond()

    async def update(self, **changes: Any) -> None:
        self.seen.append(("update", tuple(sorted(changes))))
        self.config = self.config.updated(**changes)
        await self._put(SessionUpdated())

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(Closed())

    async def events(self) -> AsyncIterator[RealtimeEvent]:
        while True:
            if self._closed and self._queue.empty():
                return
            event = await self._queue.get()
            if isinstance(event, Closed):
                return
            yield event

    # ------------------------------------------------------------------------------------------ answers
    async def _put(self, event: RealtimeEvent) -> None:
        if not self._closed:
            await self._queue.put(event)

    def _item_id(self, n: int) -> str:
        return f"item_emu_user_{n}"

    def _tool_for(self, said: list[str]) -> str | None:
        text = " ".join(said).lower()
        words = {w.strip("?.,!;:\"'") for w in text.split()}
        for tool in self.config.tools:
            name = tool.name.lower()
            if name in text or name.rsplit("_", 1)[-1] in words:
                return tool.name
        return None

    async def _answer(self, rid: str, said: list[str], tool_output: str | None) -> None:
        """One response: a tool call when the user named a tool, else the reply spoken (or written)."""
        await self._put(ResponseStarted(rid))
        input_tokens = 10 + sum(len(s.split()) for s in said)
        tool = None if tool_output is not None else self._tool_for(said)
        if tool is not None:
            if self.tool_preamble:  # some models say a few words before they call (Grok does)
                await self._speak(rid, self.tool_preamble.split(), max(self.audio_deltas, 1))
            call = ToolCallRequest(f"call_emu_{self._responses}", tool, self.tool_arguments, rid,
                                   f"item_emu_{rid}_call")
            await self._put(call)
            await self._put(ResponseDone(rid, transcript=self.tool_preamble or "", tool_calls=(call,),
                                         usage=RealtimeUsage(input_tokens, 5)))
            return
        if tool_output is not None:
            text = f"The tool said: {tool_output}"
        else:
            text = self.reply if self.reply is not None else "You said: " + " ".join(said)
        words = text.split()
        item = f"item_emu_{rid}"
        if not self.config.audio_out:
            for i, word in enumerate(words):
                await self._put(TextOut((" " if i else "") + word, rid, item))
            await self._put(ResponseDone(rid, text=text, usage=RealtimeUsage(
                input_tokens, len(words), output_text_tokens=len(words), output_audio_tokens=0)))
            return
        n = max(self.audio_deltas, 1) if words else self.audio_deltas
        await self._speak(rid, words, n)
        await self._put(ResponseDone(rid, transcript=text, usage=RealtimeUsage(
            input_tokens, len(words) + n, output_text_tokens=len(words), output_audio_tokens=n)))

    async def _speak(self, rid: str, words: list[str], n: int) -> None:
        """``words`` as transcript deltas interleaved with ``n`` audio chunks."""
        fmt = self.config.output_format
        item = f"item_emu_{rid}"
        chunk = b"\x01\x00" * (self.delta_bytes // 2)
        for i in range(max(n, len(words))):
            if i < len(words):
                await self._put(OutputTranscriptDelta((" " if i else "") + words[i], rid, item))
            if i < n:
                await self._put(AudioOut(chunk, rid, item, fmt.sample_rate, fmt.encoding))
                if self.pace:
                    await asyncio.sleep(self.pace)
