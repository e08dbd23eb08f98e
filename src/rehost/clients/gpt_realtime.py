"""OpenAI's realtime voice models (``gpt-realtime``, ``gpt-realtime-mini``, ``gpt-realtime-1.5``, ``2.1-mini``
and the retired 4o realtime previews), on any host that serves them: OpenAI (GA or beta vocabulary), Azure
OpenAI (as a deployment), Azure AI Voice Live.

Model knowledge only: the voices each model has (``marin`` and ``cedar`` came with gpt-realtime), the audio it
takes and speaks (pcm16 at 24 kHz, or G.711 u-law / a-law at 8 kHz for telephony), server VAD by default with
semantic VAD available, and the model that transcribes the user's audio unless told otherwise
(``gpt-realtime-whisper``, the natively streaming transcriber; the previews predate it and use ``whisper-1``)
[HOSTS-MEDIA §1.1]. A host may take less (Voice Live also takes 16 kHz input; the host's endpoint says).

    client = GptRealtimeClient(OpenAI(), "gpt-realtime")
    async with client.connect(voice="marin", instructions="Be brief.", tools=[get_weather]) as session:
        await session.send_text("What is the weather in London?", respond=True)
        async for event in session:
            if isinstance(event, ToolCallRequest):
                await event.run([get_weather])  # once, here: ResponseDone.tool_calls repeats them for the record

``client_secret(...)`` mints a browser's ephemeral key for a session configured the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.realtime.config import AudioFormat
from .realtime import RealtimeClient, RealtimeModel

__all__ = ["GptRealtimeClient"]

_PREVIEW_VOICES = frozenset({"alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse"})
_VOICES = _PREVIEW_VOICES | {"marin", "cedar"}
_FORMATS = frozenset({AudioFormat("pcm16", 24000), AudioFormat("pcm16", 16000), AudioFormat("g711_ulaw", 8000),
                      AudioFormat("g711_alaw", 8000)})
_OUT = frozenset({AudioFormat("pcm16", 24000), AudioFormat("g711_ulaw", 8000), AudioFormat("g711_alaw", 8000)})

_GA = RealtimeModel(voices=_VOICES, default_voice=None, input_formats=_FORMATS, output_formats=_OUT,
                    input_transcription="gpt-realtime-whisper", semantic_vad=True)
_PREVIEW = RealtimeModel(voices=_PREVIEW_VOICES, input_formats=_FORMATS, output_formats=_OUT,
                         input_transcription="whisper-1", semantic_vad=True)


class GptRealtimeClient(RealtimeClient):
    """The GPT realtime family (see the module docstring)."""

    family: ClassVar[str] = "gpt-realtime"
    default_model: ClassVar[str] = "gpt-realtime"
    models: ClassVar[Mapping[str, RealtimeModel]] = {
        "gpt-realtime": _GA,
        "gpt-realtime-1.5": _GA,
        "gpt-realtime-mini": _GA,
        "gpt-realtime-2.1-mini": _GA,
        "gpt-4o-realtime-preview": _PREVIEW,
        "gpt-4o-mini-realtime-preview": _PREVIEW,
    }

    def client_secret(self, *, expires_in: int = 600, **settings: Any) -> Any:
        """An ephemeral key for a browser, bound to a session of this model configured as ``connect`` would be
        (where the host mints them: OpenAI's ``client_secret``)."""
        mint = getattr(self.provider, "client_secret", None)
        if mint is None:
            from ..shared.errors import UnsupportedFeature

            raise UnsupportedFeature(f"{self.provider.name} mints no realtime client secrets",
                                     host=self.provider.name)
        return mint(self.config(**settings), expires_in=expires_in)
