"""Deepgram: speech-to-text on the Nova models, ``POST https://api.deepgram.com/v1/listen`` (prerecorded).

Facts: ../shared/HOSTS-MEDIA.md §2.1-§2.3. "Deepgram v3" in roadmaps is the v3 Python SDK; the API is v1
(``/v1/listen``; ``/v2/listen`` is Flux, websocket only). The body is the audio bytes themselves (with their
``audio/*`` type) or JSON ``{"url": ...}`` (Deepgram fetches it); every option is a query parameter
(``model``, ``language`` or ``detect_language``, ``diarize``, ``smart_format`` ...). Auth is
``Authorization: Token <key>``. Errors come in two shapes, ``{"err_code", "err_msg", "request_id"}`` and
``{"category", "message", "details", "request_id"}``; both are read.

Raw PCM16 / mu-law / A-law need ``encoding`` and ``sample_rate`` on the query (containers carry their own). Live
transcription over ``wss://api.deepgram.com/v1/listen`` (interim results, ``KeepAlive``, ``Finalize``,
``CloseStream``) is in ``deepgram_live.py``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from ..shared.audio.languages import iso639_1
from ..shared.audio.types import LiveEvent, Segment, TranscribeRequest, TranscribeUsage, Transcript, Word
from ..shared.errors import HostError, UnsupportedFeature
from ..shared.transport import HttpCall
from .base.host import Host
from .base.status import error_class_for_status
from .base.transcribe import BytesCall, TranscribeEndpoint, with_query
from .dialects.common import CallInfo

__all__ = ["Deepgram", "DeepgramTranscribe"]

#: the neutral options a caller may pass through (as query parameters), from the SDK's parameter list
QUERY_OPTIONS = frozenset({
    "smart_format", "punctuate", "numerals", "paragraphs", "utterances", "utt_split", "diarize_model",
    "multichannel", "keyterm", "keywords", "search", "replace", "redact", "profanity_filter", "filler_words",
    "dictation", "measurements", "detect_entities", "sentiment", "summarize", "topics", "intents", "tag", "extra",
    "version", "mip_opt_out", "callback", "callback_method", "detect_language",
})
_ENCODINGS = {"pcm16": "linear16", "ulaw": "mulaw", "alaw": "alaw"}


class DeepgramTranscribe(TranscribeEndpoint):
    """Prerecorded ``/v1/listen``: audio bytes or a URL in, one JSON result out; and live, over a websocket
    (``atranscribe_live``, in ``deepgram_live.py``)."""

    live: ClassVar[bool] = True

    formats: ClassVar[frozenset[str]] = frozenset({"wav", "mp3", "flac", "ogg", "opus", "webm", "m4a", "mp4", "aac",
                                                   "pcm16", "ulaw", "alaw"})
    takes_url: ClassVar[bool] = True
    max_upload_bytes: ClassVar[int | None] = 2 * 1024 ** 3  # 2 GB (UNCONFIRMED in the stored sources)

    def query(self, request: TranscribeRequest, model_id: str) -> list[tuple[str, Any]]:
        if request.prompt:
            raise UnsupportedFeature(f"{self.name} takes keyterm= prompting, not a free-text prompt",
                                     host=self.name)
        params: list[tuple[str, Any]] = [("model", model_id)]
        if request.language:
            params.append(("language", request.language))
        if request.diarize:
            params.append(("diarize", True))
        audio = request.audio
        if audio is not None and audio.format in _ENCODINGS:
            params += [("encoding", _ENCODINGS[audio.format]), ("sample_rate", audio.sample_rate),
                       ("channels", audio.channels)]
        for key, value in request.options.items():
            if key not in QUERY_OPTIONS:
                raise UnsupportedFeature(f"{self.name} has no option {key!r}; it takes "
                                         f"{', '.join(sorted(QUERY_OPTIONS))}", host=self.name)
            values = value if isinstance(value, list | tuple) else [value]
            params += [(key, v) for v in values]
        return params

    def atranscribe_live(self, request: TranscribeRequest, chunks: Any, **options: Any) -> AsyncIterator[LiveEvent]:
        """Live events for audio sent as it comes (see ``deepgram_live.live_events`` for the options)."""
        from .deepgram_live import live_events

        return live_events(self, request, chunks, **options)

    def build_call(self, request: TranscribeRequest, model_id: str) -> HttpCall:
        url = with_query(f"{self.base_url}/listen", self.query(request, model_id))
        if request.url is not None:
            return HttpCall("POST", url, body={"url": request.url})
        assert request.audio is not None
        return BytesCall("POST", url, headers={"Content-Type": request.audio.mime_type}, raw=request.audio.data)

    def decode(self, body: Any, request: TranscribeRequest, info: CallInfo) -> Transcript:
        meta = body.get("metadata") or {}
        results = body["results"]
        channel = results["channels"][0]
        best = channel["alternatives"][0]
        words = tuple(Word(str(w.get("punctuated_word") or w["word"]), float(w["start"]), float(w["end"]),
                           w.get("confidence"), str(w["speaker"]) if w.get("speaker") is not None else None)
                      for w in best.get("words") or ())
        segments: tuple[Segment, ...] = ()
        if results.get("utterances"):
            segments = tuple(Segment(str(u["transcript"]), float(u["start"]), float(u["end"]), u.get("confidence"),
                                     str(u["speaker"]) if u.get("speaker") is not None else None)
                             for u in results["utterances"])
        elif (best.get("paragraphs") or {}).get("paragraphs"):
            segments = tuple(
                Segment(str(s["text"]), float(s["start"]), float(s["end"]), None,
                        str(p["speaker"]) if p.get("speaker") is not None else None)
                for p in best["paragraphs"]["paragraphs"] for s in p.get("sentences") or ())
        duration = meta.get("duration")
        extra: dict[str, Any] = {"confidence": best.get("confidence")}
        for key in ("summary", "topics", "intents", "sentiments"):
            if key in results:
                extra[key] = results[key]
        if "language_confidence" in channel:
            extra["language_confidence"] = channel["language_confidence"]
        if meta.get("model_info"):
            extra["model_info"] = meta["model_info"]
        return Transcript(text=str(best["transcript"]), words=words, segments=segments,
                          language=iso639_1(channel.get("detected_language")) or request.language,
                          duration=float(duration) if duration is not None else None,
                          usage=TranscribeUsage(audio_seconds=float(duration) if duration is not None else None),
                          request_id=meta.get("request_id"), extra=extra)


class Deepgram(Host):
    """Deepgram (``DEEPGRAM_API_KEY``): speech-to-text on Nova-3 and its siblings."""

    name: ClassVar[str] = "deepgram"
    default_base_url: ClassVar[str] = "https://api.deepgram.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("DEEPGRAM_API_KEY",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("dg-request-id", "x-request-id", "request-id")
    transcribe_endpoint: ClassVar[type[Any] | None] = DeepgramTranscribe

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self._key()}"}

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        message = code = request_id = None
        if isinstance(body, Mapping):
            message = body.get("err_msg") or body.get("message") or body.get("details")
            code = body.get("err_code") or body.get("category")
            request_id = body.get("request_id")
        raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        return error_class_for_status(status)(str(message) if message else f"{self.name} answered HTTP {status}",
                                              host=self.name, status=status, code=str(code) if code else None,
                                              request_id=request_id, body=raw)
