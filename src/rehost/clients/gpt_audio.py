"""OpenAI's GPT-4o transcription models (``gpt-4o-transcribe``, ``gpt-4o-mini-transcribe``).

Model knowledge: they answer ``json`` only, so they give text without word or segment timings (``timestamps=``
is refused: use Whisper for timings); they stream the text as it is made (``transcribe_stream``); they take a
prompt. ``gpt-4o-transcribe-diarize`` tells speakers apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .speech import TranscribeModel, Transcriber
from .whisper import WHISPER_LANGUAGES

__all__ = ["GPTTranscriber"]

_GPT = TranscribeModel(languages=WHISPER_LANGUAGES, word_timestamps=False, segment_timestamps=False, streams=True)


class GPTTranscriber(Transcriber):
    family: ClassVar[str] = "gpt-transcribe"
    default_model: ClassVar[str] = "gpt-4o-mini-transcribe"
    models: ClassVar[Mapping[str, TranscribeModel]] = {
        "gpt-4o-transcribe": _GPT,
        "gpt-4o-mini-transcribe": _GPT,
        "gpt-4o-transcribe-diarize": TranscribeModel(languages=WHISPER_LANGUAGES, word_timestamps=False,
                                                     diarize=True, prompt=False),
    }
