"""Mistral's Voxtral audio endpoints (HOSTS-MEDIA §2.7, §3.4): ``POST /v1/audio/transcriptions`` (multipart:
``model``, ``file`` or ``file_url``, ``language``, ``temperature``, ``diarize``, ``context_bias[]``,
``timestamp_granularities[]``, ``stream``) answered with segments and speaker ids, streamed as
``transcription.text.delta`` events whose text is under ``text`` (not ``delta``); and ``POST /v1/audio/speech``
(``input``, ``model``, ``voice_id``, ``response_format``, ``stream``), streamed as ``speech.audio.delta`` with
the audio under ``audio_data``. The Mistral host (``providers/mistral.py``) serves them with
``transcribe_endpoint = MistralTranscribe`` and ``speak_endpoint = MistralSpeak``. The realtime websocket
(``/v1/audio/transcriptions/realtime``) is in ``mistral_live.py``.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from ..shared.audio.languages import iso639_1
from ..shared.audio.types import (
    LiveEvent,
    Segment,
    SpeakRequest,
    TranscribeRequest,
    TranscribeUsage,
    Transcript,
    TranscriptDelta,
)
from ..shared.errors import UnsupportedFeature
from .dialects.common import CallInfo
from .openai_audio import OpenAISpeak, OpenAITranscribe

__all__ = ["MistralSpeak", "MistralTranscribe"]


class MistralTranscribe(OpenAITranscribe):
    takes_url: ClassVar[bool] = True
    url_field: ClassVar[str | None] = "file_url"
    formats: ClassVar[frozenset[str]] = OpenAITranscribe.formats | {"pcm16", "ulaw", "alaw"}  # raw: realtime only
    live: ClassVar[bool] = True

    def check(self, request: TranscribeRequest) -> None:
        audio = request.audio
        if audio is not None and audio.format in ("pcm16", "ulaw", "alaw"):
            raise UnsupportedFeature(f"{self.name} takes raw {audio.format} only live (atranscribe_live); upload a "
                                     "WAV or a compressed file", host=self.name)
        super().check(request)

    def atranscribe_live(self, request: TranscribeRequest, chunks: Any, **options: Any) -> AsyncIterator[LiveEvent]:
        """Voxtral realtime over a websocket (``mistral_live.py``)."""
        from .mistral_live import live_events

        return live_events(self, request, chunks, **options)

    def form_fields(self, request: TranscribeRequest, model_id: str) -> list[tuple[str, str]]:
        if request.prompt:
            raise UnsupportedFeature(f"{self.name} (Voxtral) takes context_bias terms, not a prompt",
                                     host=self.name)
        fields = [("model", model_id)]
        if request.language:
            fields.append(("language", request.language))
        if request.temperature is not None:
            fields.append(("temperature", repr(float(request.temperature))))
        if request.diarize:
            fields.append(("diarize", "true"))
        for term in request.options.get("context_bias") or ():
            fields.append(("context_bias[]", str(term)))
        if request.timestamps is not None:
            fields.append(("timestamp_granularities[]", request.timestamps))
        if request.stream:
            fields.append(("stream", "true"))
        return fields

    def usage(self, body: Any) -> TranscribeUsage:
        usage = body.get("usage") or {}
        seconds = usage.get("prompt_audio_seconds")
        return TranscribeUsage(audio_seconds=float(seconds) if seconds is not None else None,
                               input_tokens=usage.get("prompt_tokens"), output_tokens=usage.get("completion_tokens"))

    def decode(self, body: Any, request: TranscribeRequest, info: CallInfo) -> Transcript:
        segments = tuple(
            Segment(str(s["text"]).strip(), float(s["start"]), float(s["end"]), s.get("score"),
                    str(s["speaker_id"]) if s.get("speaker_id") is not None else None)
            for s in body.get("segments") or ())
        return Transcript(text=str(body["text"]).strip(), segments=segments,
                          language=iso639_1(body.get("language")) or request.language, usage=self.usage(body),
                          duration=segments[-1].end if segments else None)

    def stream_event(self, data: dict[str, Any], state: dict[str, Any]) -> list[LiveEvent]:
        kind = data.get("type")
        if kind == "transcription.text.delta":
            text = str(data.get("text") or "")
            state.setdefault("parts", []).append(text)
            return [TranscriptDelta(text)]
        if kind == "transcription.language":
            state["language"] = data.get("audio_language") or data.get("language")
        if kind == "transcription.done":
            state["done"] = data
        return []

    def finish_stream(self, state: dict[str, Any], request: TranscribeRequest, info: CallInfo) -> Transcript:
        done = state.get("done")
        if done is None:
            from ..shared.errors import ProtocolError

            raise ProtocolError(f"{self.name}: the transcript stream ended before transcription.done",
                                host=self.name, request_id=info.request_id)
        if "text" not in done:
            done = {**done, "text": "".join(state.get("parts", []))}
        if done.get("language") is None and state.get("language"):
            done = {**done, "language": state["language"]}
        return self.decode(done, request, info)


class MistralSpeak(OpenAISpeak):
    formats: ClassVar[frozenset[str]] = frozenset({"pcm16", "wav", "mp3", "flac", "opus"})
    max_chars: ClassVar[int | None] = None

    def body(self, request: SpeakRequest, model_id: str) -> dict[str, Any]:
        if request.instructions is not None or request.speed is not None:
            raise UnsupportedFeature(f"{self.name} speech takes no instructions or speed", host=self.name)
        body: dict[str, Any] = {"model": model_id, "input": request.text, "voice_id": request.voice,
                                "response_format": self.wire_formats.get(request.format, request.format)}
        if request.options.get("stream"):
            body["stream"] = True
        return body

    def sse_audio(self, data: dict[str, Any]) -> bytes | None:
        if data.get("type") != "speech.audio.delta":
            return None
        audio = data.get("audio_data")
        return base64.b64decode(audio) if isinstance(audio, str) else None
