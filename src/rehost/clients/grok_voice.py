"""xAI's Grok Voice models as a realtime family: the voices, the formats (PCM16 at 8-48 kHz, G.711), server
turn detection, ``grok-transcribe`` for the user's audio, always audio out, and thinking on the think models.
Facts: ../shared/HOSTS-MEDIA.md §1.4 (xAI voice docs, livekit / pydantic-ai xAI profiles).

Voices are case-insensitive on the host; this client lower-cases them and knows the five the docs list and
two more the newer SDKs name (the rest of their ~26 ids is not in the stored sources, so they are refused
rather than guessed). The host's default voice is inconsistent across its docs (Eve or Ara; the recorded
sessions say ``ara``), so none is sent unless asked. ``thinking=False`` sends ``reasoning: {"effort": "none"}``
(``thinking_disabled.yaml``), ``thinking=True`` ``"high"``; only ``grok-voice-latest`` and the
``grok-voice-think-*`` models think.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.realtime.config import AudioFormat, SessionConfig
from .realtime import RealtimeClient, RealtimeModel

__all__ = ["GrokVoice"]

VOICES = frozenset({"ara", "eve", "leo", "rex", "sal", "carina", "zagan"})
_PCM24 = AudioFormat("pcm16", 24000)
_GROK = RealtimeModel(voices=VOICES, default_input_format=_PCM24, default_output_format=_PCM24,
                      input_transcription="grok-transcribe", tools=True, text_output=False)
#: the models that think (and take ``reasoning.effort``)
THINKING = frozenset({"grok-voice-latest", "grok-voice-think-fast-1.0", "grok-voice-think-fast-2.0"})


class GrokVoice(RealtimeClient):
    """Grok Voice on xAI (``GrokVoice(XAI(), "grok-voice-latest")``, then ``async with client.connect(...)``)."""

    family: ClassVar[str] = "grok-voice"
    default_model: ClassVar[str] = "grok-voice-latest"
    models: ClassVar[Mapping[str, RealtimeModel]] = {
        "grok-voice-latest": _GROK, "grok-voice-think-fast-2.0": _GROK, "grok-voice-think-fast-1.0": _GROK,
        "grok-voice-fast-1.0": _GROK,  # legacy
    }

    def config(self, *, voice: str | None = None, thinking: bool | None = None, **settings: Any) -> SessionConfig:
        """As ``RealtimeClient.config``, plus ``thinking`` (None: the model's default)."""
        extra: dict[str, Any] = {}
        if thinking is not None:
            if self.model not in THINKING:
                raise UnsupportedFeature(f"{self.model} does not think: leave thinking unset")
            extra["reasoning"] = {"effort": "high" if thinking else "none"}
        return super().config(voice=voice.lower() if isinstance(voice, str) else voice, **settings, **extra)
