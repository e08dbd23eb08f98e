"""OpenAI's audio endpoints: ``POST /v1/audio/transcriptions`` (multipart; ``whisper-1``, ``gpt-4o-transcribe``,
``gpt-4o-mini-transcribe``; the streamed ``transcript.text.delta`` SSE) and ``POST /v1/audio/speech`` (JSON in,
audio bytes or ``stream_format: "sse"`` events out). Facts: ../shared/HOSTS-MEDIA.md §2.5 and §3.3.

These are endpoint classes only; the OpenAI host (``providers/openai.py``) serves them with two lines::

    transcribe_endpoint = OpenAITranscribe
    speak_endpoint = OpenAISpeak

Other hosts with OpenAI's shape subclass them (``groq_audio.py``, ``mistral_audio.py``) and change what differs
through the class attributes and hooks here, never by branching on the host.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from ..shared.audio.languages import iso639_1
from ..shared.audio.types import (
    LiveEvent,
    Segment,
    SpeakRequest,
    TranscribeRequest,
    TranscribeUsage,
    Transcript,
    TranscriptDelta,
    Word,
)
from ..shared.errors import UnsupportedFeature
from ..shared.transport import HttpCall
from .base.speak import SpeakEndpoint
from .base.transcribe import BytesCall, TranscribeEndpoint, multipart
from .dialects.common import CallInfo

__all__ = ["OpenAISpeak", "OpenAITranscribe"]

_MB = 1024 * 1024


class OpenAITranscribe(TranscribeEndpoint):
    """OpenAI-style transcription: a multipart upload, answered as JSON (or text for ``text`` formats)."""

    formats: ClassVar[frozenset[str]] = frozenset({"flac", "mp3", "mp4", "m4a", "ogg", "opus", "wav", "webm"})
    max_upload_bytes: ClassVar[int | None] = 25 * _MB
    streams: ClassVar[bool] = True
    path: ClassVar[str] = "/audio/transcriptions"
    #: the ``response_format`` values the host takes
    response_formats: ClassVar[frozenset[str]] = frozenset({"json", "text", "srt", "verbose_json", "vtt",
                                                            "diarized_json"})
    #: the form field a URL goes in, where the host fetches audio itself (None: it does not)
    url_field: ClassVar[str | None] = None

    def response_format(self, request: TranscribeRequest) -> str:
        """What to ask for: timings need ``verbose_json``, speakers ``diarized_json``, else plain ``json``; a
        caller's ``response_format=`` option wins."""
        asked = request.options.get("response_format")
        if asked is not None:
            if asked not in self.response_formats:
                raise UnsupportedFeature(f"{self.name} has no response_format {asked!r}; it has "
                                         f"{', '.join(sorted(self.response_formats))}", host=self.name)
            return str(asked)
        if request.diarize:
            if "diarized_json" not in self.response_formats:
                raise UnsupportedFeature(f"{self.name} does not tell speakers apart", host=self.name)
            return "diarized_json"
        return "verbose_json" if request.timestamps else "json"

    def form_fields(self, request: TranscribeRequest, model_id: str) -> list[tuple[str, str]]:
        """The form's text fields (a host with other field names overrides this)."""
        fields = [("model", model_id), ("response_format", self.response_format(request))]
        if request.language:
            fields.append(("language", request.language))
        if request.prompt:
            fields.append(("prompt", request.prompt))
        if request.temperature is not None:
            fields.append(("temperature", repr(float(request.temperature))))
        if request.timestamps == "word":
            fields += [("timestamp_granularities[]", "word"), ("timestamp_granularities[]", "segment")]
        elif request.timestamps == "segment":
            fields.append(("timestamp_granularities[]", "segment"))
        if request.stream:
            fields.append(("stream", "true"))
        if request.diarize:
            fields.append(("chunking_strategy", "auto"))
        return fields

    def build_call(self, request: TranscribeRequest, model_id: str) -> HttpCall:
        fields = self.form_fields(request, model_id)
        files: dict[str, tuple[str, bytes, str]] = {}
        if request.url is not None:
            assert self.url_field is not None  # check() refused a URL for a host without one
            fields.append((self.url_field, request.url))
        elif request.audio is not None:
            files["file"] = (request.audio.filename, request.audio.data, request.audio.mime_type)
        body, ctype = multipart(fields, files)
        return BytesCall("POST", f"{self.base_url}{self.path}", headers={"Content-Type": ctype}, raw=body)

    # ------------------------------------------------------------------------------------------ decoding
    def usage(self, body: Mapping[str, Any]) -> TranscribeUsage:
        usage = body.get("usage") or {}
        if usage.get("type") == "duration":
            return TranscribeUsage(audio_seconds=float(usage["seconds"]))
        if usage:
            return TranscribeUsage(input_tokens=usage.get("input_tokens"), output_tokens=usage.get("output_tokens"))
        return TranscribeUsage()

    def decode(self, body: Any, request: TranscribeRequest, info: CallInfo) -> Transcript:
        if isinstance(body, str):  # response_format text (and srt / vtt, kept as they are)
            return Transcript(text=body.strip(), language=request.language)
        words = tuple(Word(str(w["word"]).strip(), float(w["start"]), float(w["end"]), _prob(w.get("logprob")))
                      for w in body.get("words") or ())
        segments = tuple(
            Segment(str(s["text"]).strip(), float(s["start"]), float(s["end"]), _prob(s.get("avg_logprob")),
                    str(s["speaker"]) if s.get("speaker") is not None else None)
            for s in body.get("segments") or ())
        duration = body.get("duration")
        return Transcript(text=str(body["text"]).strip(), words=words, segments=segments,
                          language=iso639_1(body.get("language")) or request.language,
                          duration=float(duration) if duration is not None else None, usage=self.usage(body),
                          extra={k: body[k] for k in ("task", "logprobs") if k in body})

    def stream_event(self, data: dict[str, Any], state: dict[str, Any]) -> list[LiveEvent]:
        kind = data.get("type")
        if kind == "transcript.text.delta":
            state.setdefault("parts", []).append(data.get("delta") or "")
            return [TranscriptDelta(str(data.get("delta") or ""))]
        if kind == "transcript.text.done":
            state["done"] = data
        return []

    def finish_stream(self, state: dict[str, Any], request: TranscribeRequest, info: CallInfo) -> Transcript:
        done = state.get("done")
        if done is None:
            from ..shared.errors import ProtocolError

            raise ProtocolError(f"{self.name}: the transcript stream ended before transcript.text.done",
                                host=self.name, request_id=info.request_id)
        text = done.get("text")
        return Transcript(text=str(text if text is not None else "".join(state.get("parts", []))).strip(),
                          language=request.language, usage=self.usage(done))


def _prob(logprob: Any) -> float | None:
    return math.exp(float(logprob)) if isinstance(logprob, int | float) else None


class OpenAISpeak(SpeakEndpoint):
    """OpenAI text-to-speech: JSON in; raw audio (``stream_format: "audio"``) or SSE ``speech.audio.delta`` out,
    told apart by the answer's content type."""

    formats: ClassVar[frozenset[str]] = frozenset({"mp3", "opus", "aac", "flac", "wav", "pcm16"})
    max_chars: ClassVar[int | None] = 4096
    path: ClassVar[str] = "/audio/speech"
    #: the host's name for each neutral format
    wire_formats: ClassVar[Mapping[str, str]] = {"pcm16": "pcm"}

    def body(self, request: SpeakRequest, model_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model_id, "input": request.text, "voice": request.voice,
                                "response_format": self.wire_formats.get(request.format, request.format)}
        if request.speed is not None:
            body["speed"] = request.speed
        if request.instructions is not None:
            body["instructions"] = request.instructions
        if request.options.get("stream_format") is not None:
            body["stream_format"] = request.options["stream_format"]
        if request.latency is not None:
            raise UnsupportedFeature(f"{self.name} has no latency tiers (ElevenLabs does)", host=self.name)
        return body

    def build_call(self, request: SpeakRequest, model_id: str, *, stream: bool) -> HttpCall:
        return HttpCall("POST", f"{self.base_url}{self.path}", body=self.body(request, model_id))

    def audio_format(self, request: SpeakRequest, headers: httpx.Headers) -> tuple[str, int | None]:
        return request.format, 24000 if request.format == "pcm16" else None

    def sse_audio(self, data: dict[str, Any]) -> bytes | None:
        if data.get("type") != "speech.audio.delta":
            return None
        audio = data.get("audio")
        return base64.b64decode(audio) if isinstance(audio, str) else None
