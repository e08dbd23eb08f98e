"""The neutral configuration of a realtime session: what ``client.connect(...)`` was asked for, checked here
before any socket opens, then encoded by the host's codec (OpenAI's nested ``session.update``, Gemini's
``setup``, xAI's top-level fields). Which voices, formats and turn-detection defaults a model takes is the
model client's (``clients/``); this only says what a valid request looks like at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias

from ..chat.messages import Message
from ..chat.tool_types import Tool
from ..errors import ConfigurationError

__all__ = ["ENCODINGS", "AudioFormat", "Modality", "SessionConfig", "TurnDetection"]

#: the audio encodings realtime hosts take: 16-bit little-endian PCM mono, and G.711 for telephony
ENCODINGS = ("pcm16", "g711_ulaw", "g711_alaw")
Modality: TypeAlias = Literal["audio", "text"]


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """One direction's audio: ``pcm16`` at ``sample_rate`` Hz mono, or G.711 (always 8 kHz)."""

    encoding: str = "pcm16"
    sample_rate: int = 24000

    def __post_init__(self) -> None:
        if self.encoding not in ENCODINGS:
            raise ConfigurationError(f"audio encoding {self.encoding!r} is not one realtime hosts take; "
                                     f"use one of {', '.join(ENCODINGS)}")
        if isinstance(self.sample_rate, bool) or not isinstance(self.sample_rate, int) or not (
                8000 <= self.sample_rate <= 48000):
            raise ConfigurationError(f"sample_rate must be a whole number of Hz from 8000 to 48000, "
                                     f"not {self.sample_rate!r}")
        if self.encoding != "pcm16" and self.sample_rate != 8000:
            raise ConfigurationError(f"{self.encoding} audio is 8000 Hz, not {self.sample_rate}")

    @property
    def bytes_per_second(self) -> int:
        return self.sample_rate * (2 if self.encoding == "pcm16" else 1)

    @classmethod
    def of(cls, value: AudioFormat | str | None, default: AudioFormat) -> AudioFormat:
        """``"pcm16"``, ``"pcm16/16000"``, ``"g711_ulaw"``, an AudioFormat, or None for ``default``."""
        if value is None:
            return default
        if isinstance(value, AudioFormat):
            return value
        if isinstance(value, str):
            encoding, _, rate = value.partition("/")
            if rate and not rate.isdigit():
                raise ConfigurationError(f"audio format {value!r}: the rate after '/' must be a number of Hz")
            sample_rate = int(rate) if rate else (8000 if encoding.startswith("g711") else default.sample_rate)
            return cls(encoding, sample_rate)
        raise ConfigurationError(f"an audio format is an AudioFormat or a string like 'pcm16/24000', not "
                                 f"{type(value).__name__}")


@dataclass(frozen=True, slots=True)
class TurnDetection:
    """How the end of the user's turn is found. ``server_vad`` (the host's voice activity detection, or the
    cascade's energy VAD), ``semantic_vad`` (a model judging whether the user finished; OpenAI), or
    ``manual`` (the caller commits and asks for a response). Fields left None take the host's defaults."""

    mode: Literal["server_vad", "semantic_vad", "manual"] = "server_vad"
    threshold: float | None = None
    prefix_padding_ms: int | None = None
    silence_ms: int | None = None
    eagerness: Literal["low", "medium", "high", "auto"] | None = None
    create_response: bool = True
    interrupt_response: bool = True

    def __post_init__(self) -> None:
        if self.mode not in ("server_vad", "semantic_vad", "manual"):
            raise ConfigurationError(f"turn_detection mode {self.mode!r} is not server_vad, semantic_vad or manual")
        if (self.threshold is not None and not (isinstance(self.threshold, (int, float)) and 0.0 <= self.threshold
                                               <= 1.0)) or isinstance(self.threshold, bool):
            raise ConfigurationError(f"turn_detection threshold must be from 0 to 1, not {self.threshold!r}")
        for name in ("prefix_padding_ms", "silence_ms"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ConfigurationError(f"turn_detection {name} must be a whole number of ms, 0 or more, "
                                         f"not {value!r}")
        if self.eagerness is not None and self.mode != "semantic_vad":
            raise ConfigurationError("turn_detection eagerness applies to semantic_vad only")

    @classmethod
    def of(cls, value: TurnDetection | str | Mapping[str, Any] | None) -> TurnDetection:
        if isinstance(value, TurnDetection):
            return value
        if value is None or value == "none":
            return cls(mode="manual")
        if isinstance(value, str):
            return cls(mode=value)  # type: ignore[arg-type]  # checked in __post_init__
        if isinstance(value, Mapping):
            try:
                return cls(**value)
            except TypeError as exc:
                raise ConfigurationError(f"turn_detection: {exc}") from exc
        raise ConfigurationError(f"turn_detection is a TurnDetection, 'server_vad', 'semantic_vad', 'manual' "
                                 f"or None, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """Everything one realtime session was asked for, in neutral terms.

    ``model`` is the host's model id (the client resolved it); ``input_transcription`` names the model that
    transcribes the user's audio (None: no input transcript); ``history`` seeds the conversation with earlier
    turns; ``resumable`` asks the host to keep the session resumable on a new socket (Gemini's
    ``sessionResumption``, xAI's ``resumption``: the host then offers ``ResumeHandle`` events); ``extra`` is passed
    to the host's session config as is (a field rehost does not know yet)."""

    model: str
    voice: str | None = None
    instructions: str | None = None
    tools: tuple[Tool, ...] = ()
    input_format: AudioFormat = field(default_factory=AudioFormat)
    output_format: AudioFormat = field(default_factory=AudioFormat)
    turn_detection: TurnDetection = field(default_factory=TurnDetection)
    input_transcription: str | None = None
    output_modalities: tuple[Modality, ...] = ("audio",)
    temperature: float | None = None
    max_output_tokens: int | None = None
    history: tuple[Message, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    resumable: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model:
            raise ConfigurationError("a realtime session needs a model id")
        if self.voice is not None and (not isinstance(self.voice, str) or not self.voice):
            raise ConfigurationError(f"voice must be a voice name, not {self.voice!r}")
        if not self.output_modalities or any(m not in ("audio", "text") for m in self.output_modalities):
            raise ConfigurationError(f"output_modalities must be 'audio' and/or 'text', not "
                                     f"{self.output_modalities!r}")
        for tool in self.tools:
            if not isinstance(tool, Tool):
                raise ConfigurationError(f"tools must be Tool declarations (tool_from_function), not "
                                         f"{type(tool).__name__}")
        for message in self.history:
            if not isinstance(message, Message):
                raise ConfigurationError(f"history must be Messages, not {type(message).__name__}")
        if self.temperature is not None and (isinstance(self.temperature, bool) or not isinstance(
                self.temperature, (int, float)) or not 0.0 <= self.temperature <= 2.0):
            raise ConfigurationError(f"temperature must be from 0 to 2, not {self.temperature!r}")
        if self.max_output_tokens is not None and (isinstance(self.max_output_tokens, bool) or not isinstance(
                self.max_output_tokens, int) or self.max_output_tokens < 1):
            raise ConfigurationError(f"max_output_tokens must be a whole number above 0, not "
                                     f"{self.max_output_tokens!r}")

    @property
    def audio_out(self) -> bool:
        return "audio" in self.output_modalities

    def updated(self, **changes: Any) -> SessionConfig:
        """This config with ``changes`` applied (unknown names refused)."""
        unknown = sorted(set(changes) - set(self.__dataclass_fields__))
        if unknown:
            raise ConfigurationError(f"a realtime session has no setting {', '.join(unknown)}")
        return replace(self, **changes)


def as_tools(items: Sequence[Any]) -> tuple[Tool, ...]:
    """Tool declarations from Tools or plain functions (as chat's ``tools=`` takes them)."""
    from ..chat.tools import tool_from_function

    return tuple(item if isinstance(item, Tool) else tool_from_function(item)[0] for item in items)
