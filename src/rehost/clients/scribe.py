"""ElevenLabs Scribe as a transcriber: word timings with log-probabilities, speaker labels (``diarize=True``),
audio events, language detection. No free-text prompt (Scribe v1 takes none)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .speech import TranscribeModel, Transcriber

__all__ = ["ScribeTranscriber"]

_SCRIBE = TranscribeModel(diarize=True, prompt=False)


class ScribeTranscriber(Transcriber):
    family: ClassVar[str] = "scribe"
    default_model: ClassVar[str] = "scribe_v1"
    models: ClassVar[Mapping[str, TranscribeModel]] = {"scribe_v1": _SCRIBE, "scribe_v2": _SCRIBE}
