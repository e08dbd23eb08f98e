"""Gemini Live models as a realtime family: the native-audio models (30 voices, audio out only) and the
half-cascade Live model (8 voices, text output allowed), 16 kHz PCM in and 24 kHz PCM out, server turn
detection, the model's own transcription of both sides. Facts: ../shared/HOSTS-MEDIA.md §1.5 (Live API
reference, livekit's voice list, pydantic-ai's Google profile).

On AI Studio every general-purpose Live model answers a ``TEXT`` request with close code 1007 (verified live
by pydantic-ai, contrary to the docs), so a text-only session is refused here before connecting; the text of
an answer comes as its transcript. ``gemini-live-2.5-flash`` (Vertex's half-cascade model) is documented with
text output and its older eight voices. The user's audio is transcribed by the host's own model, so
``input_transcription`` is a switch (True by default) rather than a model name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, ClassVar

from ..shared.realtime.config import AudioFormat
from .realtime import RealtimeClient, RealtimeModel, _socket_options

__all__ = ["GeminiLive"]

#: what ``input_transcription`` holds when the host transcribes with its own model (there is none to name)
BUILTIN = "builtin"
VOICES = frozenset({
    "Achernar", "Achird", "Algenib", "Algieba", "Alnilam", "Aoede", "Autonoe", "Callirrhoe", "Charon", "Despina",
    "Enceladus", "Erinome", "Fenrir", "Gacrux", "Iapetus", "Kore", "Laomedeia", "Leda", "Orus", "Pulcherrima",
    "Puck", "Rasalgethi", "Sadachbia", "Sadaltager", "Schedar", "Sulafat", "Umbriel", "Vindemiatrix", "Zephyr",
    "Zubenelgenubi",
})
HALF_CASCADE_VOICES = frozenset({"Puck", "Charon", "Kore", "Fenrir", "Aoede", "Leda", "Orus", "Zephyr"})
PCM16K = AudioFormat("pcm16", 16000)
PCM24K = AudioFormat("pcm16", 24000)

_NATIVE = RealtimeModel(voices=VOICES, input_formats=frozenset({PCM16K}), output_formats=frozenset({PCM24K}),
                        default_input_format=PCM16K, default_output_format=PCM24K, input_transcription=BUILTIN,
                        tools=True, text_output=False)
_HALF_CASCADE = RealtimeModel(voices=HALF_CASCADE_VOICES, input_formats=frozenset({PCM16K}),
                              output_formats=frozenset({PCM24K}), default_input_format=PCM16K,
                              default_output_format=PCM24K, input_transcription=BUILTIN, tools=True,
                              text_output=True)


class GeminiLive(RealtimeClient):
    """Gemini Live on AI Studio (``GeminiLive(Google(), ...)``) or Vertex (``GeminiLive(Vertex(...), ...)``)."""

    family: ClassVar[str] = "gemini-live"
    default_model: ClassVar[str] = "gemini-2.5-flash-native-audio-preview-12-2025"
    models: ClassVar[Mapping[str, RealtimeModel]] = {
        "gemini-3.1-flash-live-preview": _NATIVE,
        "gemini-2.5-flash-native-audio-preview-12-2025": _NATIVE,
        "gemini-2.5-flash-native-audio-preview-09-2025": _NATIVE,
        "gemini-2.5-flash-native-audio-latest": _NATIVE,
        "gemini-live-2.5-flash-native-audio": _NATIVE,  # Vertex GA
        "gemini-live-2.5-flash": _HALF_CASCADE,  # Vertex
    }

    @asynccontextmanager
    async def connect(self, *, resume: str | None = None, idle_timeout: float | None = None, token: Any = None,
                      **settings: Any) -> AsyncIterator[Any]:
        """As ``RealtimeClient.connect``; ``token=`` (an AI Studio ``LiveToken``, from
        ``host.endpoint("realtime").create_token(...)``) connects with an ephemeral token instead of the key."""
        if token is None:
            async with super().connect(resume=resume, idle_timeout=idle_timeout, **settings) as session:
                yield session
            return
        session = await self.sender.connect(self.config(**settings), resume=resume, token=token,
                                            **_socket_options(idle_timeout))
        try:
            yield session
        finally:
            await session.close()
