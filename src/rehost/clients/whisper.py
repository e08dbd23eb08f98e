"""Whisper (OpenAI's open speech model) as a transcriber, on any host that serves it: OpenAI ``whisper-1``,
Groq ``whisper-large-v3`` / ``-turbo``, Fireworks, and the local ``whisper-base`` (faster-whisper, in process).

Model knowledge only: the 99 languages Whisper's tokenizer has (ISO 639-1, plus ``haw``, ``yue``), that its
prompt is read only for its last 224 tokens (about 800 characters are kept, the end, nearest the audio), that it
times words and segments, and that it does not tell speakers apart. What each host caps (25 MB uploads) is the
host's, read from its endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .speech import TranscribeModel, Transcriber

__all__ = ["WHISPER_LANGUAGES", "WhisperTranscriber"]

WHISPER_LANGUAGES = frozenset({
    "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it", "id", "hi",
    "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur", "hr", "bg", "lt", "la",
    "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn", "et", "mk", "br", "eu", "is", "hy",
    "ne", "mn", "bs", "kk", "sq", "sw", "gl", "mr", "pa", "si", "km", "sn", "yo", "so", "af", "oc", "ka", "be",
    "tg", "sd", "gu", "am", "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl",
    "mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su", "yue",
})

_WHISPER = TranscribeModel(languages=WHISPER_LANGUAGES, max_prompt_chars=800)


class WhisperTranscriber(Transcriber):
    """Whisper on any host. ``WhisperTranscriber(WhisperLocal())`` runs offline; ``WhisperTranscriber("groq",
    "whisper-large-v3-turbo")`` is the same call on Groq."""

    family: ClassVar[str] = "whisper"
    default_model: ClassVar[str] = "whisper-base"
    models: ClassVar[Mapping[str, TranscribeModel]] = {
        "whisper-1": _WHISPER,
        "whisper-large-v3": _WHISPER,
        "whisper-large-v3-turbo": _WHISPER,
        "whisper-base": _WHISPER,
    }
