"""Groq's Whisper endpoint, ``POST /openai/v1/audio/transcriptions`` (``whisper-large-v3``, ``-turbo``): OpenAI's
shape with Groq's differences (HOSTS-MEDIA §2.6): ``response_format`` only ``json``, ``text`` or
``verbose_json`` (no srt, vtt or diarized_json), audio by ``file`` **or** by ``url`` (Groq fetches it), and no
streaming. The Groq host (``providers/groq.py``) serves it with ``transcribe_endpoint = GroqTranscribe``.
"""

from __future__ import annotations

from typing import ClassVar

from .openai_audio import OpenAITranscribe

__all__ = ["GroqTranscribe"]


class GroqTranscribe(OpenAITranscribe):
    response_formats: ClassVar[frozenset[str]] = frozenset({"json", "text", "verbose_json"})
    takes_url: ClassVar[bool] = True
    url_field: ClassVar[str | None] = "url"
    streams: ClassVar[bool] = False
