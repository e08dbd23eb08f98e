"""Deepgram's Nova models as a transcriber (Nova-3 on ``/v1/listen``; "Deepgram v3" in some roadmaps is the v3
Python SDK, not an API: the API is v1).

Model knowledge: Nova-3 times every word with a confidence, tells speakers apart (``diarize=True``), takes
``keyterm`` prompting rather than free text (a ``prompt=`` is refused: pass ``keyterm=[...]``), and the
formatting options the family has (``smart_format``, ``punctuate``, ``paragraphs``, ``utterances``,
``summarize``), passed as keyword options. Flux (``flux-general-en``) is Deepgram's turn-based streaming model
on ``/v2/listen``: live only, with end-of-turn detection (``eot_threshold`` ... as options).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .speech import TranscribeModel, Transcriber

__all__ = ["NovaTranscriber"]

_NOVA3 = TranscribeModel(diarize=True, prompt=False, streams=False)
_NOVA2 = TranscribeModel(diarize=True, prompt=False)


class NovaTranscriber(Transcriber):
    family: ClassVar[str] = "nova"
    default_model: ClassVar[str] = "nova-3"
    models: ClassVar[Mapping[str, TranscribeModel]] = {
        "nova-3": _NOVA3, "nova-3-general": _NOVA3, "nova-3-medical": _NOVA3, "nova-2": _NOVA2,
        # Flux: live only (``/v2/listen``), turn detection built in, no diarisation
        "flux-general-en": TranscribeModel(prompt=False, diarize=False),
    }
