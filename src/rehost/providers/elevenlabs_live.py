"""ElevenLabs text-to-speech over a websocket, ``wss://api.elevenlabs.io/v1/text-to-speech/{voice}/stream-input``
(HOSTS-MEDIA §3.2), on the shared websocket shell: text goes in as it is written (an LLM's stream), audio comes
back as it is made, on one connection for the whole text.

Client frames: first ``{"text": " "}`` (the opening frame must be a single space; it carries ``voice_settings``
when a speed is asked), then each piece as ``{"text": "<piece> ", "try_trigger_generation": true}`` (pieces end
with a space), then ``{"text": ""}`` (the end). Server frames: ``{"audio": "<b64>", "isFinal": false,
"alignment": {"chars", "charStartTimesMs", "charsDurationsMs"}}`` ... then ``{"isFinal": true}``. Both spellings
of the alignment keys that are in use (``charsDurationsMs`` / ``charDurationsMs``, ``charStartTimesMs`` /
``charsStartTimesMs``) are read. Auth is the ``xi-api-key`` header (the first-frame key is spelled two ways in
the spec, so the header is used). A frame with ``message`` or ``error`` and no audio is the host's error; a socket
the host closes early is ``SessionClosed`` with its code and reason.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..shared.audio.pricing import speak_cost
from ..shared.audio.types import AudioChunk, SpeakRequest, Speech, SpeechDone
from ..shared.errors import ConfigurationError, ProtocolError
from .base.transcribe import with_query
from .dialects.common import CallInfo

if TYPE_CHECKING:
    from .elevenlabs import ElevenLabsSpeak

__all__ = ["alignment_of", "speak_live"]


def alignment_of(frame: dict[str, Any]) -> tuple[tuple[str, float, float], ...]:
    """(character, start s, duration s) of a frame's alignment (normalised first, else raw), either spelling."""
    found = frame.get("normalizedAlignment") or frame.get("alignment")
    if not isinstance(found, dict):
        return ()
    chars = found.get("chars") or ()
    starts = found.get("charStartTimesMs") or found.get("charsStartTimesMs") or ()
    lengths = found.get("charsDurationsMs") or found.get("charDurationsMs") or ()
    return tuple((str(c), float(s) / 1000, float(d) / 1000) for c, s, d in zip(chars, starts, lengths, strict=False))


async def _pieces(text: str | AsyncIterable[str] | Iterable[str]) -> AsyncIterator[str]:
    if isinstance(text, str):
        yield text
    elif isinstance(text, AsyncIterable):
        async for piece in text:
            yield piece
    else:
        for piece in text:
            yield piece


async def speak_live(endpoint: ElevenLabsSpeak, request: SpeakRequest,
                     text: str | AsyncIterable[str] | Iterable[str]) -> AsyncIterator[AudioChunk | SpeechDone]:
    """Speak ``text`` (pieces as they come) on one socket; ``request`` gives voice, model, format and rate (its
    own ``text`` is ignored). Yields audio chunks (with their character alignment), then ``SpeechDone``."""
    from ..shared.io.websocket import Session

    host = endpoint.host
    model_id = host.model_id(request.model, request.host_model_id)
    base = endpoint.base_url
    base = "wss://" + base[len("https://"):] if base.startswith("https://") else "ws://" + base.removeprefix("http://")
    params: list[tuple[str, Any]] = [("model_id", model_id), ("output_format", endpoint.output_format(request))]
    if request.language:
        params.append(("language_code", request.language))
    url = with_query(f"{base}/text-to-speech/{quote(request.voice, safe='')}/stream-input", params)
    fmt, rate = endpoint.audio_format(request, None)
    info = CallInfo(host=endpoint.name, model=request.model, host_model_id=model_id)
    parts: list[bytes] = []
    spoken: list[str] = []
    first: float | None = None
    headers = {**host._headers, **host.auth_headers()}
    async with await Session.connect(url, host=endpoint.name, headers=headers, idle_timeout=60.0) as session:
        opening: dict[str, Any] = {"text": " "}
        if request.speed is not None:
            opening["voice_settings"] = {"speed": request.speed}
        await session.send(json.dumps(opening))

        async def send_text() -> None:
            async for piece in _pieces(text):
                if piece:
                    spoken.append(piece)
                    await session.send(json.dumps({"text": piece if piece.endswith(" ") else piece + " ",
                                                   "try_trigger_generation": True}))
            await session.send(json.dumps({"text": ""}))

        sender = asyncio.create_task(send_text())
        try:
            async for message in session:
                frame = json.loads(message)
                if not isinstance(frame, dict):
                    raise ProtocolError(f"{endpoint.name} sent a frame that is not an object", host=endpoint.name)
                audio = frame.get("audio")
                if audio:
                    data = base64.b64decode(audio)
                    if first is None:
                        first = time.perf_counter() - info.t0
                    parts.append(data)
                    yield AudioChunk(data, fmt, rate, alignment_of(frame))
                elif (frame.get("error") or frame.get("message")) and not frame.get("isFinal"):
                    raise host.map_inband_error({"detail": {"status": frame.get("error"),
                                                            "message": frame.get("message")}}, info,
                                                endpoint.error_from_body)
                if frame.get("isFinal"):
                    break
            if sender.done() and sender.exception() is not None:
                raise sender.exception()  # type: ignore[misc]
        finally:
            if not sender.done():
                sender.cancel()
                with contextlib.suppress(BaseException):
                    await sender
    if not parts:
        raise ProtocolError(f"{endpoint.name} answered no audio", host=endpoint.name)
    whole = "".join(spoken)
    if not whole.strip():
        raise ConfigurationError("speak needs some text (it is empty)", host=endpoint.name)
    data = b"".join(parts)
    duration = len(data) / 2 / rate if fmt == "pcm16" and rate else None
    yield SpeechDone(Speech(data, fmt, rate, 1, duration, model=request.model, host=endpoint.name,
                            voice=request.voice, characters=len(whole),
                            cost=speak_cost(host.catalog, request.model, endpoint.name, len(whole)),
                            seconds=time.perf_counter() - info.t0, time_to_first_byte=first))
