"""Text-to-speech families: OpenAI's voices (``tts-1``, ``tts-1-hd``, ``gpt-4o-mini-tts``), ElevenLabs' models and
Piper's local voices, each a ``Speaker`` with what its models take.

Model knowledge: the voices each model has (OpenAI's named voices; ElevenLabs voices are account ids, so any id is
taken; a Piper model is one voice), the formats and sample rates it makes, the longest text a call takes, whether
it reads ``instructions`` (only gpt-4o-mini-tts) and its speed range.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .speech import Speaker, SpeakModel

__all__ = ["ELEVEN_PCM_RATES", "ElevenLabsSpeaker", "OPENAI_VOICES", "OpenAISpeaker", "PiperSpeaker", "PlayAISpeaker"]

OPENAI_VOICES = frozenset({"alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer",
                           "verse", "marin", "cedar"})
_OPENAI_FORMATS = frozenset({"mp3", "opus", "aac", "flac", "wav", "pcm16"})
_OPENAI_RATES = {"pcm16": frozenset({24000})}
_TTS1 = SpeakModel(voices=OPENAI_VOICES - {"ballad", "verse", "marin", "cedar"}, formats=_OPENAI_FORMATS,
                   sample_rates=_OPENAI_RATES, max_chars=4096)


class OpenAISpeaker(Speaker):
    family: ClassVar[str] = "openai-tts"
    default_model: ClassVar[str] = "gpt-4o-mini-tts"
    default_voice: ClassVar[str] = "alloy"
    models: ClassVar[Mapping[str, SpeakModel]] = {
        "tts-1": _TTS1,
        "tts-1-hd": _TTS1,
        "gpt-4o-mini-tts": SpeakModel(voices=OPENAI_VOICES, formats=_OPENAI_FORMATS, sample_rates=_OPENAI_RATES,
                                      max_chars=4096, instructions=True),
    }


ELEVEN_PCM_RATES = frozenset({8000, 16000, 22050, 24000, 32000, 44100, 48000})
_ELEVEN_RATES = {"pcm16": ELEVEN_PCM_RATES, "mp3": frozenset({22050, 24000, 44100}), "ulaw": frozenset({8000}),
                 "alaw": frozenset({8000}), "opus": frozenset({48000})}
_ELEVEN_FORMATS = frozenset({"mp3", "pcm16", "ulaw", "alaw", "opus"})


def _eleven(max_chars: int) -> SpeakModel:
    return SpeakModel(voices=None, formats=_ELEVEN_FORMATS, sample_rates=_ELEVEN_RATES, max_chars=max_chars,
                      speed=(0.7, 1.2))


class ElevenLabsSpeaker(Speaker):
    """ElevenLabs TTS. ``voice=`` is a voice id from your ElevenLabs library (default: "Rachel",
    ``21m00Tcm4TlvDq8ikWAM``, a premade voice every account has)."""

    family: ClassVar[str] = "elevenlabs"
    default_model: ClassVar[str] = "eleven_flash_v2_5"
    default_voice: ClassVar[str] = "21m00Tcm4TlvDq8ikWAM"
    models: ClassVar[Mapping[str, SpeakModel]] = {
        "eleven_flash_v2_5": _eleven(40000), "eleven_flash_v2": _eleven(30000),
        "eleven_turbo_v2_5": _eleven(40000), "eleven_turbo_v2": _eleven(30000),
        "eleven_multilingual_v2": _eleven(10000), "eleven_v3": _eleven(5000),
    }


class PiperSpeaker(Speaker):
    """A local Piper voice (``PiperSpeaker(PiperLocal())``): raw PCM16 or WAV at the voice's rate."""

    family: ClassVar[str] = "piper"
    default_model: ClassVar[str] = "piper"
    default_voice: ClassVar[str] = "en_US-joe-medium"
    default_format: ClassVar[str] = "wav"
    models: ClassVar[Mapping[str, SpeakModel]] = {
        "piper": SpeakModel(voices=None, formats=frozenset({"wav", "pcm16"}), speed=(0.25, 4.0)),
    }


class PlayAISpeaker(Speaker):
    """PlayAI's TTS models (served by Groq): English and Arabic voices named ``<Name>-PlayAI``."""

    family: ClassVar[str] = "playai"
    default_model: ClassVar[str] = "playai-tts"
    default_voice: ClassVar[str] = "Fritz-PlayAI"
    default_format: ClassVar[str] = "wav"
    models: ClassVar[Mapping[str, SpeakModel]] = {
        "playai-tts": SpeakModel(formats=frozenset({"flac", "mp3", "ulaw", "ogg", "wav"}), speed=(0.5, 5.0)),
        "playai-tts-arabic": SpeakModel(formats=frozenset({"flac", "mp3", "ulaw", "ogg", "wav"}), speed=(0.5, 5.0)),
    }
