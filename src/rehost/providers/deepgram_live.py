"""Deepgram live transcription, ``wss://api.deepgram.com/v1/listen`` (HOSTS-MEDIA §2.3), on the shared websocket
shell (``shared/io/websocket.py``).

The client sends audio as binary frames and control as text frames: ``{"type": "KeepAlive"}`` whenever no audio
went out for ``keepalive`` seconds (Deepgram closes a silent socket after 10 s with ``NET-0001``),
``{"type": "Finalize"}`` to flush what was sent so far, ``{"type": "CloseStream"}`` at the end (Deepgram sends the
last results and ``Metadata``, then closes). The host answers ``Results`` (``is_final`` false: an interim
hypothesis; true: settled; ``speech_final``: the speaker paused), ``UtteranceEnd`` (``last_word_end``),
``SpeechStarted`` and ``Metadata``; those become rehost's live events (``PartialTranscript``,
``FinalTranscript``, ``UtteranceEnd``) and, once the socket closes, a ``TranscriptDone`` built from the finals.
A socket closed by the host with any other code is ``SessionClosed`` with Deepgram's reason (``NET-0001``,
``DATA-0000`` ...); a refused handshake is the HTTP error of its status (401, 429 ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from ..shared.audio.languages import iso639_1
from ..shared.audio.types import (
    FinalTranscript,
    LiveEvent,
    PartialTranscript,
    TranscribeRequest,
    TranscribeUsage,
    Transcript,
    TranscriptDone,
    UtteranceEnd,
    Word,
)
from ..shared.errors import ConfigurationError
from .base.transcribe import with_query
from .dialects.common import CallInfo

if TYPE_CHECKING:
    from .deepgram import DeepgramTranscribe

__all__ = ["flux_events", "live_events", "live_url"]

#: Flux (``/v2/listen``) takes these options as query parameters (HOSTS-MEDIA §2.4)
FLUX_OPTIONS = frozenset({"eot_threshold", "eager_eot_threshold", "eot_timeout_ms", "keyterm", "language_hint",
                          "profanity_filter", "numerals", "mip_opt_out", "tag"})

#: Deepgram's live encodings for rehost's raw formats
ENCODINGS = {"pcm16": "linear16", "ulaw": "mulaw", "alaw": "alaw"}


def live_url(endpoint: DeepgramTranscribe, request: TranscribeRequest, model_id: str, *, format: str,
             sample_rate: int | None, interim: bool) -> str:
    """The websocket URL: the REST base with ``ws(s)://``, and the query of a prerecorded call plus the live ones."""
    base = endpoint.base_url
    base = "wss://" + base[len("https://"):] if base.startswith("https://") else "ws://" + base.removeprefix("http://")
    params = endpoint.query(request, model_id)
    if format in ENCODINGS:
        if not sample_rate:
            raise ConfigurationError(f"live {format} audio needs its sample_rate", host=endpoint.name)
        params += [("encoding", ENCODINGS[format]), ("sample_rate", sample_rate), ("channels", 1)]
    params.append(("interim_results", interim))
    return with_query(f"{base}/listen", params)


def _words(alt: dict[str, Any]) -> tuple[Word, ...]:
    return tuple(Word(str(w.get("punctuated_word") or w["word"]), float(w["start"]), float(w["end"]),
                      w.get("confidence"), str(w["speaker"]) if w.get("speaker") is not None else None)
                 for w in alt.get("words") or ())


async def _chunks(source: AsyncIterable[bytes] | Iterable[bytes]) -> AsyncIterator[bytes]:
    """Audio chunks from an async or a plain iterable (a plain one is read in a worker thread: a microphone's
    blocking read must not stall the loop that keeps the socket alive)."""
    if isinstance(source, AsyncIterable):
        async for chunk in source:
            yield chunk
        return
    iterator = iter(source)

    def pull() -> bytes | None:
        return next(iterator, None)

    while True:
        piece: bytes | None = await asyncio.to_thread(pull)
        if piece is None:
            return
        yield piece


async def live_events(endpoint: DeepgramTranscribe, request: TranscribeRequest,
                      chunks: AsyncIterable[bytes] | Iterable[bytes], *, format: str = "pcm16",
                      sample_rate: int | None = 16000, interim: bool = True,
                      keepalive: float | None = 5.0, finalize: bool = False) -> AsyncIterator[LiveEvent]:
    """Stream ``chunks`` of audio to Deepgram and yield live events as they come, then ``TranscriptDone``.
    ``keepalive``: seconds of no audio after which a KeepAlive is sent (None: never; Deepgram needs one within
    10 s). ``finalize``: send Finalize before CloseStream (flush without waiting for endpointing)."""
    from ..shared.io.websocket import Session

    host = endpoint.host
    model_id = host.model_id(request.model, request.host_model_id)
    if model_id.startswith("flux-"):
        async for event in flux_events(endpoint, request, model_id, chunks, format=format, sample_rate=sample_rate):
            yield event
        return
    url = live_url(endpoint, request, model_id, format=format, sample_rate=sample_rate, interim=interim)
    headers = {**host._headers, **host.auth_headers()}
    info = CallInfo(host=endpoint.name, model=request.model, host_model_id=model_id)  # its t0: now
    finals: list[FinalTranscript] = []
    meta: dict[str, Any] = {}
    language: str | None = None
    async with await Session.connect(url, host=endpoint.name, headers=headers, idle_timeout=None) as session:
        last_sent = [time.monotonic()]

        async def send_audio() -> None:
            async for chunk in _chunks(chunks):
                if chunk:
                    await session.send(bytes(chunk))
                    last_sent[0] = time.monotonic()
            if finalize:
                await session.send(json.dumps({"type": "Finalize"}))
            await session.send(json.dumps({"type": "CloseStream"}))

        async def keep_alive() -> None:
            assert keepalive is not None
            while True:
                await asyncio.sleep(min(keepalive, 1.0) / 2)
                if time.monotonic() - last_sent[0] >= keepalive:
                    await session.send(json.dumps({"type": "KeepAlive"}))
                    last_sent[0] = time.monotonic()

        sender = asyncio.create_task(send_audio())
        pinger = asyncio.create_task(keep_alive()) if keepalive is not None else None
        try:
            async for message in session:
                if isinstance(message, bytes):
                    continue
                data = json.loads(message)
                kind = data.get("type")
                if kind == "Results":
                    alt = data["channel"]["alternatives"][0]
                    start = float(data.get("start") or 0.0)
                    end = start + float(data.get("duration") or 0.0)
                    if alt.get("languages"):
                        language = iso639_1(alt["languages"][0])
                    if data.get("is_final"):
                        final = FinalTranscript(str(alt["transcript"]), start, end, _words(alt),
                                                bool(data.get("speech_final")))
                        if final.text:
                            finals.append(final)
                        yield final
                    else:
                        yield PartialTranscript(str(alt["transcript"]), start, end, _words(alt))
                elif kind == "UtteranceEnd":
                    yield UtteranceEnd(data.get("last_word_end"))
                elif kind == "Metadata":
                    meta = data
                elif kind == "Error" or "err_code" in data:
                    raise host.map_inband_error(data, info, endpoint.error_from_body)
            if sender.done() and sender.exception() is not None:
                raise sender.exception()  # type: ignore[misc]
        finally:
            for task in (sender, pinger):
                if task is not None and not task.done():
                    task.cancel()
                    with contextlib.suppress(BaseException):
                        await task
    duration = meta.get("duration")
    transcript = Transcript(
        text=" ".join(f.text for f in finals).strip(), words=tuple(w for f in finals for w in f.words),
        language=language or request.language, duration=float(duration) if duration is not None else None,
        usage=TranscribeUsage(audio_seconds=float(duration) if duration is not None else None),
        request_id=meta.get("request_id"))
    yield TranscriptDone(endpoint.complete(transcript, request, info))


async def flux_events(endpoint: DeepgramTranscribe, request: TranscribeRequest, model_id: str,
                      chunks: AsyncIterable[bytes] | Iterable[bytes], *, format: str = "pcm16",
                      sample_rate: int | None = 16000) -> AsyncIterator[LiveEvent]:
    """Deepgram Flux, ``/v2/listen``: turn-based. Every ``TurnInfo`` is a partial of the current turn, except
    ``EndOfTurn``, which is its final (with ``speech_final``) and an ``UtteranceEnd``; ``CloseStream`` is the
    only control frame Flux takes (no KeepAlive); a fatal ``Error`` frame is the host's error."""
    from ..shared.io.websocket import Session

    if format not in ENCODINGS or not sample_rate:
        raise ConfigurationError(f"Flux takes raw audio ({', '.join(ENCODINGS)}) with a sample_rate",
                                 host=endpoint.name)
    if request.diarize:
        raise ConfigurationError("Flux does not tell speakers apart", host=endpoint.name)
    params: list[tuple[str, Any]] = [("model", model_id), ("encoding", ENCODINGS[format]),
                                     ("sample_rate", sample_rate)]
    for key, value in request.options.items():
        if key not in FLUX_OPTIONS:
            raise ConfigurationError(f"Flux has no option {key!r}; it takes {', '.join(sorted(FLUX_OPTIONS))}",
                                     host=endpoint.name)
        params += [(key, v) for v in (value if isinstance(value, list | tuple) else [value])]
    if request.language:
        params.append(("language_hint", request.language))
    base = endpoint.base_url.removesuffix("/v1")
    base = "wss://" + base[len("https://"):] if base.startswith("https://") else "ws://" + base.removeprefix("http://")
    url = with_query(f"{base}/v2/listen", params)
    host = endpoint.host
    info = CallInfo(host=endpoint.name, model=request.model, host_model_id=model_id)
    headers = {**host._headers, **host.auth_headers()}
    finals: list[FinalTranscript] = []
    request_id = None
    async with await Session.connect(url, host=endpoint.name, headers=headers, idle_timeout=None) as session:
        async def send_audio() -> None:
            async for chunk in _chunks(chunks):
                if chunk:
                    await session.send(bytes(chunk))
            await session.send(json.dumps({"type": "CloseStream"}))

        sender = asyncio.create_task(send_audio())
        try:
            async for message in session:
                if isinstance(message, bytes):
                    continue
                data = json.loads(message)
                kind = data.get("type")
                if kind == "Connected":
                    request_id = data.get("request_id")
                elif kind == "TurnInfo":
                    start = float(data.get("audio_window_start") or 0.0)
                    end = float(data.get("audio_window_end") or start)
                    words = tuple(Word(str(w.get("word", "")), float(w.get("start", start)), float(w.get("end", end)),
                                       w.get("confidence")) for w in data.get("words") or ())
                    text = str(data.get("transcript") or "")
                    if data.get("event") == "EndOfTurn":
                        final = FinalTranscript(text, start, end, words, speech_final=True)
                        if text:
                            finals.append(final)
                        yield final
                        yield UtteranceEnd(end)
                    else:
                        yield PartialTranscript(text, start, end, words)
                elif kind == "Error":
                    raise host.map_inband_error({"err_code": data.get("code"), "err_msg": data.get("description")},
                                                info, endpoint.error_from_body)
            if sender.done() and sender.exception() is not None:
                raise sender.exception()  # type: ignore[misc]
        finally:
            if not sender.done():
                sender.cancel()
                with contextlib.suppress(BaseException):
                    await sender
    duration = finals[-1].end if finals else None
    transcript = Transcript(text=" ".join(f.text for f in finals).strip(),
                            words=tuple(w for f in finals for w in f.words), language=request.language,
                            duration=duration,
                            usage=TranscribeUsage(audio_seconds=duration), request_id=request_id)
    yield TranscriptDone(endpoint.complete(transcript, request, info))
