"""ElevenLabs: text-to-speech (``POST /v1/text-to-speech/{voice_id}/stream``) and Scribe speech-to-text
(``POST /v1/speech-to-text``). Facts: ../shared/HOSTS-MEDIA.md §3.1 (TTS); the Scribe form fields (``model_id``,
``file`` or ``cloud_storage_url``, ``language_code``, ``diarize``, ``timestamps_granularity``) are from the
ElevenLabs SDK / vercel's provider (INDEX-MORE audio/elevenlabs), not from a stored spec.

Auth is the ``xi-api-key`` header. Speech is asked for as ``output_format=<codec>_<rate>[_<bitrate>]``
(``mp3_44100_128``, ``pcm_16000``, ``ulaw_8000``, ``opus_48000_64``); ``pcm_*`` is raw PCM16 mono.
``optimize_streaming_latency`` (0 none ... 3 max, 4 max with the text normaliser off) is sent only when a
caller asks for a tier (``latency=``): ElevenLabs' OpenAPI marks it **deprecated**, the SDK still sends it.
Errors: ``{"detail": {"status": "voice_not_found", "message": ...}}`` (shape UNCONFIRMED, seen in mocks) and
422 ``{"detail": [{"loc", "msg", "type"}]}``; the ``status`` word picks the error class. The ``stream-input``
websocket (text in pieces, audio and character alignment out) is in ``elevenlabs_live.py``.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from ..shared.audio.languages import iso639_1
from ..shared.audio.types import AudioChunk, SpeakRequest, SpeechDone, TranscribeRequest, Transcript, Word
from ..shared.errors import (
    AuthenticationError,
    HostError,
    InvalidRequest,
    ModelNotFound,
    NotFound,
    Overloaded,
    PaymentRequired,
    PermissionDenied,
    RateLimited,
    UnsupportedFeature,
)
from ..shared.transport import HttpCall
from .base.host import Host
from .base.speak import SpeakEndpoint
from .base.status import error_class_for_status
from .base.transcribe import BytesCall, TranscribeEndpoint, multipart, with_query
from .dialects.common import CallInfo

__all__ = ["ElevenLabs", "ElevenLabsSpeak", "ElevenLabsTranscribe"]

_STATUS_WORDS: dict[str, type[HostError]] = {
    "invalid_api_key": AuthenticationError, "quota_exceeded": PaymentRequired, "voice_not_found": NotFound,
    "model_not_found": ModelNotFound, "max_character_limit_exceeded": InvalidRequest,
    "only_for_creator+": PermissionDenied, "too_many_concurrent_requests": RateLimited, "system_busy": Overloaded,
}
#: the bitrate ElevenLabs gets when a caller names none
_DEFAULT_BITRATE = {"mp3": 128, "opus": 64}
_DEFAULT_RATE = {"mp3": 44100, "pcm16": 24000, "ulaw": 8000, "alaw": 8000, "opus": 48000}
_CODEC = {"mp3": "mp3", "pcm16": "pcm", "ulaw": "ulaw", "alaw": "alaw", "opus": "opus"}


class ElevenLabsSpeak(SpeakEndpoint):
    formats: ClassVar[frozenset[str]] = frozenset(_CODEC)
    max_chars: ClassVar[int | None] = 40000
    #: text in pieces over one websocket (``aspeak_live``, in ``elevenlabs_live.py``)
    live: ClassVar[bool] = True

    def aspeak_live(self, request: SpeakRequest, text: Any) -> AsyncIterator[AudioChunk | SpeechDone]:
        """Speak text as it is written (pieces from an async or plain iterable) on one socket."""
        from .elevenlabs_live import speak_live

        return speak_live(self, request, text)

    def output_format(self, request: SpeakRequest) -> str:
        rate = request.sample_rate or _DEFAULT_RATE[request.format]
        name = f"{_CODEC[request.format]}_{rate}"
        if request.format in _DEFAULT_BITRATE:
            name += f"_{request.options.get('bitrate') or _DEFAULT_BITRATE[request.format]}"
        return name

    def build_call(self, request: SpeakRequest, model_id: str, *, stream: bool) -> HttpCall:
        if request.instructions is not None:
            raise UnsupportedFeature(f"{self.name} takes no instructions (use voice_settings)", host=self.name)
        params: list[tuple[str, Any]] = [("output_format", self.output_format(request))]
        if request.latency is not None:  # deprecated upstream: only when asked
            params.append(("optimize_streaming_latency", request.latency))
        body: dict[str, Any] = {"text": request.text, "model_id": model_id}
        if request.language:
            body["language_code"] = request.language
        settings = dict(request.options.get("voice_settings") or {})
        if request.speed is not None:
            settings["speed"] = request.speed
        if settings:
            body["voice_settings"] = settings
        for key in ("seed", "previous_text", "next_text", "previous_request_ids", "apply_text_normalization"):
            if key in request.options:
                body[key] = request.options[key]
        url = with_query(f"{self.base_url}/text-to-speech/{quote(request.voice, safe='')}/stream", params)
        return HttpCall("POST", url, body=body)

    def audio_format(self, request: SpeakRequest, headers: httpx.Headers | None) -> tuple[str, int | None]:
        return request.format, request.sample_rate or _DEFAULT_RATE[request.format]


class ElevenLabsTranscribe(TranscribeEndpoint):
    """Scribe: a multipart upload (or ``cloud_storage_url``), word timings with log-probabilities."""

    formats: ClassVar[frozenset[str]] = frozenset({"wav", "mp3", "flac", "ogg", "opus", "webm", "m4a", "mp4", "aac"})
    takes_url: ClassVar[bool] = True
    max_upload_bytes: ClassVar[int | None] = 1024 ** 3  # "less than 1GB" (SDK docstring)

    def build_call(self, request: TranscribeRequest, model_id: str) -> HttpCall:
        if request.prompt:
            raise UnsupportedFeature(f"{self.name} Scribe takes no prompt (keyterms= biases it)", host=self.name)
        fields = [("model_id", model_id),
                  ("timestamps_granularity", "word" if request.timestamps != "segment" else "none")]
        if request.language:
            fields.append(("language_code", request.language))
        if request.diarize:
            fields.append(("diarize", "true"))
        if request.temperature is not None:
            fields.append(("temperature", repr(float(request.temperature))))
        for key in ("num_speakers", "tag_audio_events"):
            if key in request.options:
                value = request.options[key]
                fields.append((key, ("true" if value else "false") if isinstance(value, bool) else str(value)))
        for term in request.options.get("keyterms") or ():
            fields.append(("keyterms", str(term)))
        files: dict[str, tuple[str, bytes, str]] = {}
        if request.url is not None:
            fields.append(("cloud_storage_url", request.url))
        elif request.audio is not None:
            files["file"] = (request.audio.filename, request.audio.data, request.audio.mime_type)
        body, ctype = multipart(fields, files)
        return BytesCall("POST", f"{self.base_url}/speech-to-text", headers={"Content-Type": ctype}, raw=body)

    def decode(self, body: Any, request: TranscribeRequest, info: CallInfo) -> Transcript:
        words = tuple(Word(str(w["text"]), float(w["start"]), float(w["end"]),
                           math.exp(float(w["logprob"])) if w.get("logprob") is not None else None,
                           str(w["speaker_id"]) if w.get("speaker_id") is not None else None)
                      for w in body.get("words") or () if w.get("type", "word") == "word")
        extra = {k: body[k] for k in ("language_probability", "transcription_id") if k in body}
        return Transcript(text=str(body["text"]).strip(), words=words,
                          language=iso639_1(body.get("language_code")) or request.language,
                          duration=words[-1].end if words else None, extra=extra)


class ElevenLabs(Host):
    """ElevenLabs (``ELEVENLABS_API_KEY``): text-to-speech and Scribe speech-to-text."""

    name: ClassVar[str] = "elevenlabs"
    default_base_url: ClassVar[str] = "https://api.elevenlabs.io/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("ELEVENLABS_API_KEY", "ELEVEN_API_KEY")
    auth_header_names: ClassVar[tuple[str, ...]] = ("xi-api-key",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("request-id", "x-request-id")
    speak_endpoint: ClassVar[type[Any] | None] = ElevenLabsSpeak
    transcribe_endpoint: ClassVar[type[Any] | None] = ElevenLabsTranscribe

    def auth_headers(self) -> dict[str, str]:
        return {"xi-api-key": self._key()}

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        detail = body.get("detail") if isinstance(body, Mapping) else None
        message = word = None
        if isinstance(detail, Mapping):
            message, word = detail.get("message"), detail.get("status")
        elif isinstance(detail, list) and detail and isinstance(detail[0], Mapping):
            message = "; ".join(f"{'.'.join(map(str, d.get('loc') or ()))}: {d.get('msg')}" for d in detail)
            word = "validation_error"
        elif isinstance(detail, str):
            message = detail
        cls = _STATUS_WORDS.get(str(word)) or error_class_for_status(status)
        raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        return cls(str(message) if message else f"{self.name} answered HTTP {status}", host=self.name,
                   status=status, code=str(word) if word else None, body=raw)
