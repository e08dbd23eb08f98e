"""The realtime client base: ``RealtimeClient`` opens a live voice session with one model family on any host
that serves it (``host.endpoint("realtime")``), or on a cascade (transcriber + chat + voice).

A family file subclasses it and declares its models (``RealtimeModel``): the voices each has, the audio formats
it takes and speaks, its turn-detection default, the model that transcribes the user's audio, whether it does
tools and text output. That knowledge is checked here before any socket opens, so a voice the model does not
have or a format it cannot take fails the same way on every host. The host turns the neutral ``SessionConfig``
into its vocabulary.

``async with client.connect(voice=..., instructions=..., tools=[fn]) as s:`` then ``await s.send_audio(...)``,
``async for event in s``. ``connect_sync`` is the same for sync code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from ..shared.chat.messages import Message
from ..shared.errors import ConfigurationError, UnsupportedFeature
from ..shared.realtime.config import AudioFormat, Modality, SessionConfig, TurnDetection, as_tools
from .speech import _Bound

__all__ = ["RealtimeClient", "RealtimeModel"]

_PCM24 = AudioFormat("pcm16", 24000)
_SERVER_VAD = TurnDetection()


@dataclass(frozen=True, slots=True)
class RealtimeModel:
    """What one realtime model takes. None means "no rule" (whatever the host takes)."""

    voices: frozenset[str] | None = None
    default_voice: str | None = None
    input_formats: frozenset[AudioFormat] | None = None
    output_formats: frozenset[AudioFormat] | None = None
    default_input_format: AudioFormat = _PCM24
    default_output_format: AudioFormat = _PCM24
    turn_detection: TurnDetection = _SERVER_VAD
    #: the model transcribing the user's audio by default (None: no input transcript unless asked)
    input_transcription: str | None = None
    tools: bool = True
    text_output: bool = True
    semantic_vad: bool = False


class RealtimeClient(_Bound):
    """A realtime voice family on any host (see the module docstring)."""

    kind: ClassVar[str] = "realtime"
    #: no model named: a family names its own; a cascade (``rehost.cascade``) runs what it composes, so
    #: ``RealtimeClient(cascade)`` needs none; on a host without one, naming a model is asked for at once
    default_model: ClassVar[str] = ""
    models: ClassVar[Mapping[str, RealtimeModel]] = {}

    def _check_model(self) -> None:
        if not self.model and not getattr(self.provider, "model", None):
            raise ConfigurationError(f"{type(self).__name__} needs a model name: {type(self).__name__}(host, "
                                     "'<realtime model>')")
        if self.models and self.model not in self.models:
            raise ConfigurationError(f"{type(self).__name__} knows no realtime model {self.model!r}; it knows "
                                     f"{', '.join(sorted(self.models))}")

    @property
    def spec(self) -> RealtimeModel:
        return self.models.get(self.model, RealtimeModel())

    def config(self, *, voice: str | None = None, instructions: str | None = None, tools: Sequence[Any] = (),
               input_format: AudioFormat | str | None = None, output_format: AudioFormat | str | None = None,
               turn_detection: TurnDetection | str | Mapping[str, Any] | None = "default",
               input_transcription: str | bool | None = True, output_modalities: Sequence[Modality] | None = None,
               history: Sequence[Message] = (), temperature: float | None = None,
               max_output_tokens: int | None = None, resumable: bool = False, **extra: Any) -> SessionConfig:
        """The neutral config of a session, checked against what this model takes."""
        spec = self.spec
        name = type(self).__name__
        voice = voice or spec.default_voice
        if voice is not None and spec.voices is not None and voice not in spec.voices:
            raise ConfigurationError(f"{self.model} has no voice {voice!r}; its voices are "
                                     f"{', '.join(sorted(spec.voices))}")
        fin = AudioFormat.of(input_format, spec.default_input_format)
        fout = AudioFormat.of(output_format, spec.default_output_format)
        for fmt, allowed, what in ((fin, spec.input_formats, "take"), (fout, spec.output_formats, "speak")):
            if allowed is not None and fmt not in allowed:
                shown = ", ".join(sorted(f"{f.encoding}/{f.sample_rate}" for f in allowed))
                raise ConfigurationError(f"{self.model} does not {what} {fmt.encoding}/{fmt.sample_rate} audio; "
                                         f"it does {shown}")
        turn = spec.turn_detection if isinstance(turn_detection, str) and turn_detection == "default" \
            else TurnDetection.of(turn_detection)
        if turn.mode == "semantic_vad" and not spec.semantic_vad:
            raise UnsupportedFeature(f"{self.model} has no semantic_vad turn detection; use server_vad or manual")
        declared = as_tools(tools)
        if declared and not spec.tools:
            raise UnsupportedFeature(f"{self.model} takes no tools in a realtime session")
        modalities = tuple(output_modalities) if output_modalities is not None else ("audio",)
        if "text" in modalities and "audio" not in modalities and not spec.text_output:
            raise UnsupportedFeature(f"{self.model} always answers in audio in a realtime session")
        transcription = (spec.input_transcription if input_transcription is True
                         else None if input_transcription is False else input_transcription)
        try:
            return SessionConfig(model=self.provider.model_id(self.model, self.host_model_id)
                                 if hasattr(self.provider, "model_id") else self.model,
                                 voice=voice, instructions=instructions, tools=declared, input_format=fin,
                                 output_format=fout, turn_detection=turn, input_transcription=transcription,
                                 output_modalities=modalities,
                                 temperature=temperature, max_output_tokens=max_output_tokens,
                                 history=tuple(history), extra=extra, resumable=bool(resumable))
        except TypeError as exc:
            raise ConfigurationError(f"{name}.connect: {exc}") from exc

    @asynccontextmanager
    async def connect(self, *, resume: str | None = None, idle_timeout: float | None = None,
                      **settings: Any) -> AsyncIterator[Any]:
        """Open a live session (``async with client.connect(...) as session``); ``settings`` as ``config``.
        ``idle_timeout``: seconds the host may send nothing before the session is a RequestTimeout (default: no
        limit, since a user may stay silent; the keep-alive pings still notice a dead connection)."""
        config = self.config(**settings)
        session = await self.sender.connect(config, resume=resume, **_socket_options(idle_timeout))
        try:
            yield session
        finally:
            await session.close()

    def connect_sync(self, *, resume: str | None = None, idle_timeout: float | None = None,
                     **settings: Any) -> Any:
        """The session for sync code (``with client.connect_sync(...) as session``)."""
        return self.sender.connect_sync(self.config(**settings), resume=resume, **_socket_options(idle_timeout))


def _socket_options(idle_timeout: float | None) -> dict[str, Any]:
    """The websocket options a client passes on (none when unset, so any sender takes them)."""
    if idle_timeout is None:
        return {}
    from ..shared.checks import check_number

    check_number(idle_timeout, "connect(idle_timeout=...)", name="idle_timeout",
                 expected="a positive number of seconds, or None for no limit")
    return {"idle_timeout": float(idle_timeout)}
