"""Mistral's Voxtral as a transcriber (``voxtral-mini-latest`` on ``/v1/audio/transcriptions``).

Model knowledge: Voxtral gives segment timings (and word timings when asked), speaker ids with ``diarize``,
and takes ``context_bias`` terms rather than a free-text prompt (``prompt=`` is refused: pass
``context_bias=[...]``). The realtime model (``voxtral-mini-transcribe-realtime-2602``) is websocket-only:
``transcribe_live`` / ``atranscribe_live``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .speech import TranscribeModel, Transcriber

__all__ = ["VoxtralTranscriber"]

_VOXTRAL = TranscribeModel(diarize=True, prompt=False, streams=True)


class VoxtralTranscriber(Transcriber):
    family: ClassVar[str] = "voxtral"
    default_model: ClassVar[str] = "voxtral-mini-latest"
    models: ClassVar[Mapping[str, TranscribeModel]] = {
        "voxtral-mini-latest": _VOXTRAL, "voxtral-mini-2507": _VOXTRAL,
        # realtime only (atranscribe_live): no diarize
        "voxtral-mini-transcribe-realtime-2602": TranscribeModel(prompt=False),
    }
