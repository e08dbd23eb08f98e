"""Turns found by a live transcriber: where the cascade's transcriber streams (Deepgram's live socket), the
user's audio goes to it as it comes and the host's own endpointing ends each turn (a final with
``speech_final``, or ``UtteranceEnd``), instead of the energy VAD and a transcription per utterance.

``LiveTurns`` owns the audio queue and the one task reading the transcriber's live events; the session gives it
three callbacks: speech began (the first words of a turn: the barge-in point), a settled piece of the
transcript, and the end of the turn with its whole text. ``close()`` ends the audio stream and awaits the task.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from ..shared.audio.types import FinalTranscript, PartialTranscript, TranscriptDone, UtteranceEnd

__all__ = ["LiveTurns"]


class LiveTurns:
    """One session's live transcription (see the module docstring)."""

    def __init__(self, transcriber: Any, sample_rate: int, options: Mapping[str, Any], *,
                 began: Callable[[], Awaitable[None]], piece: Callable[[str], None],
                 ended: Callable[[str], None], failed: Callable[[BaseException], None]) -> None:
        self._transcriber = transcriber
        self._rate = sample_rate
        self._options = dict(options)
        self._began, self._piece, self._ended, self._failed = began, piece, ended, failed
        self._audio: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._text: list[str] = []
        self._speaking = False
        self.cost: Any = None
        self._task = asyncio.get_running_loop().create_task(self._listen(), name="rehost-cascade-listen")

    @property
    def speaking(self) -> bool:
        return self._speaking

    def send(self, chunk: bytes) -> None:
        self._audio.put_nowait(chunk)

    async def _chunks(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await self._audio.get()
            if chunk is None:
                return
            yield chunk

    async def _listen(self) -> None:
        events = self._transcriber.atranscribe_live(self._chunks(), format="pcm16", sample_rate=self._rate,
                                                    **self._options)
        try:
            async with contextlib.aclosing(events):
                async for event in events:
                    if isinstance(event, PartialTranscript | FinalTranscript) and event.text.strip():
                        await self._start()
                    if isinstance(event, FinalTranscript):
                        if event.text.strip():
                            piece = event.text.strip() if not self._text else f" {event.text.strip()}"
                            self._text.append(piece)
                            self._piece(piece)
                        if event.speech_final:
                            self.end()
                    elif isinstance(event, UtteranceEnd):
                        self.end()
                    elif isinstance(event, TranscriptDone):
                        self.cost = event.transcript.cost
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the live socket failed: no more turns can be heard
            self._failed(exc)

    async def _start(self) -> None:
        if not self._speaking:
            self._speaking = True
            await self._began()

    def end(self) -> bool:
        """End the turn under way (True when it had any text)."""
        text, self._text = "".join(self._text), []
        self._speaking = False
        if not text:
            return False
        self._ended(text)
        return True

    async def close(self) -> None:
        """End the audio stream (the transcriber flushes and closes its socket), then stop the listener."""
        self._audio.put_nowait(None)
        try:
            await asyncio.wait({self._task}, timeout=5.0)
        finally:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
