"""Test-local hosts that bind the speech endpoints to OpenAI, Groq and Mistral while their host files are being
converted by another engineer: each is the one line the real host class gets (``transcribe_endpoint = ...``)."""

from __future__ import annotations

import io
import math
import struct
import wave
from typing import Any, ClassVar

from rehost.providers.base import Host
from rehost.providers.groq_audio import GroqTranscribe
from rehost.providers.mistral_audio import MistralSpeak, MistralTranscribe
from rehost.providers.openai_audio import OpenAISpeak, OpenAITranscribe


class OpenAIAudio(Host):
    name: ClassVar[str] = "openai"
    default_base_url: ClassVar[str] = "https://api.openai.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("OPENAI_API_KEY",)
    transcribe_endpoint: ClassVar[type[Any] | None] = OpenAITranscribe
    speak_endpoint: ClassVar[type[Any] | None] = OpenAISpeak


class GroqAudio(Host):
    name: ClassVar[str] = "groq"
    default_base_url: ClassVar[str] = "https://api.groq.com/openai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("GROQ_API_KEY",)
    transcribe_endpoint: ClassVar[type[Any] | None] = GroqTranscribe


class MistralAudio(Host):
    name: ClassVar[str] = "mistral"
    default_base_url: ClassVar[str] = "https://api.mistral.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("MISTRAL_API_KEY",)
    transcribe_endpoint: ClassVar[type[Any] | None] = MistralTranscribe
    speak_endpoint: ClassVar[type[Any] | None] = MistralSpeak


def tone_wav(seconds: float = 1.0, rate: int = 16000) -> bytes:
    """A WAV file of a quiet 440 Hz tone (what the upload tests send)."""
    frames = b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate)))
                      for i in range(int(seconds * rate)))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()
