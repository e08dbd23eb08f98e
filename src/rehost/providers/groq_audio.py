"""Groq's audio endpoints. ``POST /openai/v1/audio/transcriptions`` (``whisper-large-v3``, ``-turbo``): OpenAI's
shape with Groq's differences (HOSTS-MEDIA §2.6): ``response_format`` only ``json``, ``text`` or
``verbose_json`` (no srt, vtt or diarized_json), audio by ``file`` **or** by ``url`` (Groq fetches it), and no
streaming. ``POST /openai/v1/audio/speech`` (§3.4, PlayAI models): OpenAI's shape with ``response_format``
``flac|mp3|mulaw|ogg|wav`` and a ``sample_rate`` (8000-48000) field. The Groq host (``providers/groq.py``) serves
them with ``transcribe_endpoint = GroqTranscribe`` and ``speak_endpoint = GroqSpeak``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.audio.types import SpeakRequest
from ..shared.errors import ConfigurationError, UnsupportedFeature
from .openai_audio import OpenAISpeak, OpenAITranscribe

__all__ = ["GroqSpeak", "GroqTranscribe"]


class GroqTranscribe(OpenAITranscribe):
    response_formats: ClassVar[frozenset[str]] = frozenset({"json", "text", "verbose_json"})
    takes_url: ClassVar[bool] = True
    url_field: ClassVar[str | None] = "url"
    streams: ClassVar[bool] = False


class GroqSpeak(OpenAISpeak):
    formats: ClassVar[frozenset[str]] = frozenset({"flac", "mp3", "ulaw", "ogg", "wav"})
    wire_formats: ClassVar[Mapping[str, str]] = {"ulaw": "mulaw"}
    max_chars: ClassVar[int | None] = 10000  # UNCONFIRMED in the stored sources

    def body(self, request: SpeakRequest, model_id: str) -> dict[str, Any]:
        if request.instructions is not None:
            raise UnsupportedFeature(f"{self.name} speech takes no instructions", host=self.name)
        body = super().body(request, model_id)
        if request.sample_rate is not None:
            if not 8000 <= request.sample_rate <= 48000:
                raise ConfigurationError(f"{self.name} makes speech at 8000 to 48000 Hz, not {request.sample_rate}",
                                         host=self.name)
            body["sample_rate"] = request.sample_rate
        return body
