"""Mistral's realtime transcription, ``wss://api.mistral.ai/v1/audio/transcriptions/realtime?model=...``
(HOSTS-MEDIA §2.7), on the shared websocket shell.

The host speaks first (``session.created``, with the audio format it expects); the client sets the format
(``session.update``), sends audio as base64 in ``input_audio.append`` frames and ends with ``input_audio.end``
(``input_audio.flush`` asks for what is pending). The host answers ``transcription.text.delta`` (text under
``text``), ``transcription.language``, ``transcription.segment`` and, last, ``transcription.done`` with the whole
text, segments and usage; an ``error`` frame (``{"error": {"code", "message"}}``) is the host's error. Encodings:
``pcm_s16le`` (rehost's pcm16), ``pcm_mulaw``, ``pcm_alaw``; the docs use 16 kHz. Realtime takes no ``diarize``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from ..shared.audio.types import LiveEvent, TranscribeRequest, TranscriptDelta, TranscriptDone
from ..shared.errors import ConfigurationError, ProtocolError, UnsupportedFeature
from .base.transcribe import with_query
from .deepgram_live import _chunks
from .dialects.common import CallInfo

if TYPE_CHECKING:
    from .mistral_audio import MistralTranscribe

__all__ = ["live_events"]

ENCODINGS = {"pcm16": "pcm_s16le", "ulaw": "pcm_mulaw", "alaw": "pcm_alaw"}


async def live_events(endpoint: MistralTranscribe, request: TranscribeRequest,
                      chunks: AsyncIterable[bytes] | Iterable[bytes], *, format: str = "pcm16",
                      sample_rate: int | None = 16000, **_unused: Any) -> AsyncIterator[LiveEvent]:
    """Stream raw audio ``chunks`` to Voxtral realtime; yield text deltas, then ``TranscriptDone``."""
    from ..shared.io.websocket import Session

    if request.diarize:
        raise UnsupportedFeature(f"{endpoint.name} realtime transcription takes no diarize", host=endpoint.name)
    if format not in ENCODINGS or not sample_rate:
        raise ConfigurationError(f"{endpoint.name} realtime takes raw pcm16, ulaw or alaw with a sample_rate",
                                 host=endpoint.name)
    host = endpoint.host
    model_id = host.model_id(request.model, request.host_model_id)
    base = endpoint.base_url
    base = "wss://" + base[len("https://"):] if base.startswith("https://") else "ws://" + base.removeprefix("http://")
    url = with_query(f"{base}/audio/transcriptions/realtime", [("model", model_id)])
    info = CallInfo(host=endpoint.name, model=request.model, host_model_id=model_id)
    headers = {**host._headers, **host.auth_headers()}
    done: dict[str, Any] | None = None
    parts: list[str] = []
    async with await Session.connect(url, host=endpoint.name, headers=headers, idle_timeout=60.0) as session:
        first = json.loads(await session.receive())
        if first.get("type") == "error":
            raise host.map_inband_error(first, info, endpoint.error_from_body)
        if first.get("type") != "session.created":
            raise ProtocolError(f"{endpoint.name} realtime began with {first.get('type')!r}, not session.created",
                                host=endpoint.name)
        update: dict[str, Any] = {"audio_format": {"encoding": ENCODINGS[format], "sample_rate": sample_rate}}
        if "target_streaming_delay_ms" in request.options:
            update["target_streaming_delay_ms"] = request.options["target_streaming_delay_ms"]
        await session.send(json.dumps({"type": "session.update", "session": update}))

        async def send_audio() -> None:
            async for chunk in _chunks(chunks):
                if chunk:
                    await session.send(json.dumps({"type": "input_audio.append",
                                                   "audio": base64.b64encode(chunk).decode()}))
            await session.send(json.dumps({"type": "input_audio.end"}))

        sender = asyncio.create_task(send_audio())
        try:
            async for message in session:
                data = json.loads(message)
                kind = data.get("type")
                if kind == "transcription.text.delta":
                    text = str(data.get("text") or "")
                    parts.append(text)
                    yield TranscriptDelta(text)
                elif kind == "transcription.done":
                    done = data
                    break
                elif kind == "error":
                    raise host.map_inband_error(data, info, endpoint.error_from_body)
            if sender.done() and sender.exception() is not None:
                raise sender.exception()  # type: ignore[misc]
        finally:
            if not sender.done():
                sender.cancel()
                with contextlib.suppress(BaseException):
                    await sender
    if done is None:
        raise ProtocolError(f"{endpoint.name} realtime closed before transcription.done", host=endpoint.name)
    if "text" not in done:
        done = {**done, "text": "".join(parts)}
    yield TranscriptDone(endpoint.complete(endpoint.decode(done, request, info), request, info))
