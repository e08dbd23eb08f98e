"""The emulator's speech endpoints: each host's transcription and speech answers, with the same faults as chat.

Plugged into ``Emulator._handle`` by one call (``route``) made before the body is read as JSON, since speech
requests are multipart uploads (OpenAI, Groq, Mistral, ElevenLabs Scribe) or raw audio (Deepgram). What is
answered:

* ``/audio/transcriptions`` (styles openai, groq, mistral): OpenAI's ``json`` / ``verbose_json`` / ``text``
  (Groq refuses srt / vtt as the real host does), Mistral's segments; ``stream=true`` as OpenAI's
  ``transcript.text.delta`` / ``.done`` or Mistral's ``transcription.text.delta`` / ``.done`` SSE.
* ``/audio/speech``: audio bytes streamed in chunks (``stream_format: "sse"`` as ``speech.audio.delta``; Mistral's
  ``audio_data``).
* deepgram ``/v1/listen``: Nova's JSON (metadata, channels, alternatives, words), for bytes or ``{"url"}``.
* elevenlabs ``/v1/text-to-speech/{voice}/stream`` (audio chunks) and ``/v1/speech-to-text`` (Scribe JSON).

The transcript is the script's ``text`` (default "hello from the emulator"), one word every 0.3 s; speech is a
440 Hz tone in the asked format. Each host answers errors in its own body shape (Deepgram ``err_code`` /
``err_msg``, ElevenLabs ``detail.status``), 429s with ``retry-after``.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .emulator import Script
from .emulator.responder import _Responder
from .emulator.wire import _json_response, _sse_event

__all__ = ["route"]

_DEFAULT_TEXT = "hello from the emulator"
_WORD_SECONDS = 0.3


def parse_form(content_type: str, body: bytes) -> dict[str, list[Any]]:
    """The fields of a multipart/form-data body: text values as str, files as (filename, bytes)."""
    msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: dict[str, list[Any]] = {}
    if not msg.is_multipart():
        return fields
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        value: Any = (filename, payload) if filename else payload.decode("utf-8", errors="replace")
        fields.setdefault(str(name), []).append(value)
    return fields


def _wav_seconds(data: bytes) -> float | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    import io
    import wave

    try:
        with wave.open(io.BytesIO(data)) as w:
            return float(w.getnframes()) / float(w.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return None


def tone(seconds: float, rate: int) -> bytes:
    """PCM16 of a 440 Hz tone."""
    n = int(seconds * rate)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n))


def route(style: str, target: str, headers: dict[str, str], body: bytes, script: Script) -> _Responder | None:
    """The speech responder for a request, or None when it is not a speech endpoint (then chat routing runs)."""
    parts = urlsplit(target)
    path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
    ctype = headers.get("content-type", "")
    answer: _Responder | None = None
    if style == "deepgram":
        answer = _Deepgram(style, script, query, body, ctype) if path.endswith("/listen") else None
    elif style == "elevenlabs":
        if "/text-to-speech/" in path:
            answer = _Speech(style, script, _json(body), query)
        elif path.endswith("/speech-to-text"):
            answer = _Scribe(style, script, parse_form(ctype, body))
    elif path.endswith("/audio/transcriptions"):
        answer = _Transcription(style, script, parse_form(ctype, body))
    elif path.endswith("/audio/speech"):
        answer = _Speech(style, script, _json(body), query)
    if answer is not None:
        answer.auth = headers.get("authorization") or headers.get("xi-api-key") or ""
    return answer


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class _Audio(_Responder):
    """What the speech responders share: the scripted words, timed, and each host's error bodies."""

    dialect = "speech"
    no_form = frozenset({"blocked"})

    def __init__(self, style: str, script: Script, request: dict[str, Any], *, stream: bool) -> None:
        super().__init__(style, script, request, stream=stream)
        self.words = (script.text or _DEFAULT_TEXT).split()
        self.text = " ".join(self.words)

    def timed(self, seconds: float | None = None) -> list[tuple[str, float, float]]:
        step = _WORD_SECONDS if not seconds else seconds / max(1, len(self.words))
        return [(w, round(i * step, 3), round((i + 1) * step, 3)) for i, w in enumerate(self.words)]

    def error_body(self, status: int) -> dict[str, Any]:
        if self.style == "deepgram":
            return {"err_code": "RATE_LIMIT" if status == 429 else "Bad Request",
                    "err_msg": f"emulated {status}", "request_id": "emu-dg-req"}
        if self.style == "elevenlabs":
            word = {401: "invalid_api_key", 429: "too_many_concurrent_requests", 404: "voice_not_found"}
            return {"detail": {"status": word.get(status, "emulated"), "message": f"emulated {status}"}}
        return {"error": {"message": f"emulated {status}", "type": "emulated", "code": str(status)}}

    def error_response(self, status: int) -> bytes:
        extra = {"retry-after": self.script.retry_after or "0"} if status == 429 else None
        return _json_response(status, self.error_body(status), extra)

    def inband_frame(self) -> bytes:
        return _sse_event(None, {"type": "error", "error": {"message": "emulated in-band error",
                                                            "code": "server_error"}})

    def inband_whole(self) -> bytes:
        return _json_response(200, {"error": {"message": "emulated in-band error", "code": 500}})

    def malformed_body(self) -> bytes:
        return b'{"text": '


class _Transcription(_Audio):
    """OpenAI-style ``/audio/transcriptions`` (openai, groq, mistral styles)."""

    def __init__(self, style: str, script: Script, form: dict[str, list[Any]]) -> None:
        self.form = form
        stream = (form.get("stream") or ["false"])[-1] == "true"
        super().__init__(style, script, {"model": (form.get("model") or [""])[-1]}, stream=stream)
        upload = (form.get("file") or [("", b"")])[-1]
        self.seconds = _wav_seconds(upload[1]) if isinstance(upload, tuple) else None
        self.format = (form.get("response_format") or ["json"])[-1]

    def whole(self) -> bytes:
        if not self.form.get("model"):
            return _json_response(400, {"error": {"message": "emulator: no model field", "type": "invalid"}})
        if not self.form.get("file") and not self.form.get("url") and not self.form.get("file_url"):
            return _json_response(400, {"error": {"message": "emulator: no file", "type": "invalid"}})
        if self.style == "groq" and self.format in ("srt", "vtt", "diarized_json"):
            return _json_response(400, {"error": {"message": f"response_format {self.format} is not supported",
                                                  "type": "invalid_request_error"}})
        if self.format in ("text", "srt", "vtt"):
            data = (" " + self.text).encode()
            from .emulator.wire import _head

            return _head(200, "text/plain; charset=UTF-8", length=len(data)) + data
        duration = self.seconds or len(self.words) * _WORD_SECONDS
        if self.style == "mistral":
            body: dict[str, Any] = {"model": self.model, "text": self.text, "language": None, "segments": [
                {"type": "transcription_segment", "text": self.text, "start": 0.0, "end": round(duration, 3)}],
                "usage": {"prompt_audio_seconds": math.ceil(duration), "prompt_tokens": 4,
                          "completion_tokens": len(self.words), "total_tokens": 4 + len(self.words)}}
            return _json_response(200, body)
        body = {"text": self.text, "usage": {"type": "duration", "seconds": math.ceil(duration)}}
        if self.format == "verbose_json":
            body.update(task="transcribe", language="english", duration=duration,
                        words=[{"word": w, "start": s, "end": e} for w, s, e in self.timed(duration)],
                        segments=[{"id": 0, "start": 0.0, "end": duration, "text": " " + self.text,
                                   "avg_logprob": -0.1}])
        return _json_response(200, body)

    def events(self) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        for i, word in enumerate(self.words):
            piece = word if i == 0 else " " + word
            if self.style == "mistral":
                frame = {"type": "transcription.text.delta", "text": piece}
            else:
                frame = {"type": "transcript.text.delta", "delta": piece}
            out.append(("first" if i == 0 else "token", _sse_event(None, frame)))
        if self.style == "mistral":
            done: dict[str, Any] = {"type": "transcription.done", "model": self.model, "text": self.text,
                                    "language": "en", "segments": [], "usage": {"prompt_audio_seconds": 1}}
        else:
            done = {"type": "transcript.text.done", "text": self.text,
                    "usage": {"type": "tokens", "input_tokens": 14, "output_tokens": len(self.words),
                              "total_tokens": 14 + len(self.words)}}
        out.append(("meta", _sse_event(None, done)))
        return out


class _Deepgram(_Audio):
    """Deepgram prerecorded ``/v1/listen``: raw audio or ``{"url"}`` in, Nova JSON out."""

    def __init__(self, style: str, script: Script, query: dict[str, str], body: bytes, ctype: str) -> None:
        super().__init__(style, script, {"model": query.get("model", "")}, stream=False)
        self.query = query
        self.is_url = "json" in ctype
        self.seconds = None if self.is_url else _wav_seconds(body)
        self.empty = not body

    def whole(self) -> bytes:
        if self.empty:
            return _json_response(400, {"err_code": "Bad Request", "err_msg": "failed to process audio: corrupt or "
                                        "unsupported data", "request_id": "emu-dg-req"})
        duration = self.seconds or len(self.words) * _WORD_SECONDS
        diarize = self.query.get("diarize") == "true"
        words = [{"word": w.lower().strip(".,"), "start": s, "end": e, "confidence": 0.99,
                  **({"punctuated_word": w} if self.query.get("smart_format") == "true" else {}),
                  **({"speaker": 0, "speaker_confidence": 0.9} if diarize else {})}
                 for w, s, e in self.timed(duration)]
        channel: dict[str, Any] = {"alternatives": [{"transcript": self.text, "confidence": 0.99, "words": words}]}
        if self.query.get("detect_language") == "true":
            channel.update(detected_language="en", language_confidence=0.97)
        body = {"metadata": {"transaction_key": "deprecated", "request_id": "emu-dg-req", "sha256": "0" * 64,
                             "created": "2026-12-01T00:00:00.000Z", "duration": duration, "channels": 1,
                             "models": ["emu"], "model_info": {"emu": {"name": f"general-{self.model}",
                                                                        "version": "emu", "arch": self.model}}},
                "results": {"channels": [channel]}}
        return _json_response(200, body, {"dg-request-id": "emu-dg-req"})


class _Scribe(_Audio):
    """ElevenLabs Scribe ``/v1/speech-to-text``."""

    def __init__(self, style: str, script: Script, form: dict[str, list[Any]]) -> None:
        super().__init__(style, script, {"model": (form.get("model_id") or [""])[-1]}, stream=False)
        self.form = form

    def whole(self) -> bytes:
        if not self.form.get("model_id"):
            return _json_response(422, {"detail": [{"loc": ["body", "model_id"], "msg": "field required",
                                                    "type": "value_error.missing"}]})
        words: list[dict[str, Any]] = []
        for i, (w, s, e) in enumerate(self.timed()):
            if i:
                words.append({"text": " ", "start": s, "end": s, "type": "spacing", "logprob": 0})
            words.append({"text": w, "start": s, "end": e, "type": "word", "logprob": -0.01,
                          "speaker_id": "speaker_0"})
        return _json_response(200, {"language_code": "eng", "language_probability": 0.98, "text": self.text,
                                    "words": words, "transcription_id": "emu-scribe"})


class _Speech(_Audio):
    """``/audio/speech`` (OpenAI shape) and ElevenLabs ``/text-to-speech/{voice}/stream``: audio in chunks."""

    no_form = frozenset({"blocked"})

    def __init__(self, style: str, script: Script, request: dict[str, Any], query: dict[str, str]) -> None:
        super().__init__(style, script, request, stream=True)
        self.query = query
        fmt = str(request.get("response_format") or query.get("output_format") or "mp3")
        self.sse = request.get("stream_format") == "sse" or (style == "mistral" and bool(request.get("stream")))
        codec, _, rest = fmt.partition("_")
        self.codec = {"pcm": "pcm", "wav": "wav", "ulaw": "pcm", "alaw": "pcm"}.get(codec, codec)
        self.rate = int(rest.split("_")[0]) if rest else 24000
        self.stream_type = "text/event-stream" if self.sse else {
            "mp3": "audio/mpeg", "wav": "audio/wav", "opus": "audio/ogg"}.get(self.codec, "application/octet-stream")
        if not self.sse:
            self.no_form = frozenset({"blocked", "inband_error", "malformed_chunk", "keepalive"})

    def audio(self) -> bytes:
        pcm = tone(0.05 * max(1, len(self.words)), min(self.rate, 24000))
        if self.codec == "mp3":
            return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * (len(pcm) // 64)
        if self.codec == "wav":
            from ..shared.audio.formats import pcm16_to_wav

            return pcm16_to_wav(pcm, min(self.rate, 24000))
        return pcm

    def whole(self) -> bytes:  # only reached without a fault: streamed as chunks below
        raise AssertionError("speech is always streamed")

    def events(self) -> list[tuple[str, bytes]]:
        data = self.audio()
        size = max(1, len(data) // max(2, len(self.words)))
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        if not self.sse:
            return [("first" if i == 0 else "token", c) for i, c in enumerate(chunks)]
        key = "audio_data" if self.style == "mistral" else "audio"
        out = [("first" if i == 0 else "token",
                _sse_event(None, {"type": "speech.audio.delta", key: base64.b64encode(c).decode()}))
               for i, c in enumerate(chunks)]
        out.append(("meta", _sse_event(None, {"type": "speech.audio.done", "usage": {"input_tokens": 5,
                                                                                 "output_tokens": 10}})))
        return out

