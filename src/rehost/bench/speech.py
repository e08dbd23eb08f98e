"""The speech bench: one speech model (or voice) across hosts, the headline no peer has.

* transcribe: for every clip (audio + its reference text) on every host, the end-to-end latency, the real-time
  factor (seconds of compute per second of audio: under 1 is faster than real time), the word error rate
  against the reference (``shared/audio/wer.py``) and the cost per hour of audio;
* speak: for every text on every host, the time to the first audio byte, the end-to-end latency, the real-time
  factor (seconds to make a second of speech), the cost per million characters and, when a judge transcriber is
  given, the word error rate of the speech written back (intelligibility).

Hosts are interleaved (each run visits them in a rotated order) and called one at a time, so no host competes
with another for this machine (the local engines share its cores). The report is a table, a JSON dict and a
plot, like the chat bench's. With no clips given, the reference clips are spoken by a local Piper voice.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..shared.audio.types import Audio, SpeechDone
from ..shared.audio.wer import word_errors
from ..shared.errors import RehostError
from .common import HostReport, HostSamples, bind, error_text, rotated
from .stats import Summary, summarize

__all__ = ["REFERENCE_TEXTS", "SpeechReport", "SpeechResult", "SpeechSample", "compare_speak",
           "compare_transcribe", "reference_clips"]

#: what the bench speaks (or has spoken) when given nothing: plain sentences with their exact text
REFERENCE_TEXTS = (
    "The weather is lovely today, so we will walk to the park.",
    "Please send the report to the team before noon on Friday.",
    "Music helps me focus when I write code late at night.",
)


@dataclass(slots=True)
class SpeechSample:
    host: str
    run: int
    item: int
    seconds: float | None = None
    audio_seconds: float | None = None
    time_to_first_byte: float | None = None
    edits: int | None = None
    reference_words: int | None = None
    characters: int = 0
    cost: Decimal | None = None
    error: str | None = None

    @property
    def rtf(self) -> float | None:
        """Seconds of compute per second of audio."""
        if self.seconds is None or not self.audio_seconds:
            return None
        return self.seconds / self.audio_seconds

    @property
    def wer(self) -> float | None:
        if self.edits is None or not self.reference_words:
            return None
        return self.edits / self.reference_words


@dataclass
class SpeechResult(HostSamples[SpeechSample]):
    host: str
    kind: str
    samples: list[SpeechSample] = field(default_factory=list)
    #: the model timed on this host (a family's model can differ per host: whisper-1, whisper-large-v3 ...)
    model: str = ""

    def latency(self) -> Summary:
        return summarize([s.seconds for s in self.ok])

    def rtf(self) -> Summary:
        return summarize([s.rtf for s in self.ok])

    def ttfb(self) -> Summary:
        return summarize([s.time_to_first_byte for s in self.ok])

    def wer(self) -> float | None:
        """Word error rate over all clips (edits over reference words, not a mean of ratios)."""
        judged = [s for s in self.ok if s.edits is not None and s.reference_words]
        if not judged:
            return None
        return sum(s.edits or 0 for s in judged) / sum(s.reference_words or 0 for s in judged)

    def unit_cost(self) -> Decimal | None:
        """USD per hour of audio (transcribe) or per million characters (speak); None when any cost is unknown."""
        ok = self.ok
        if not ok or any(s.cost is None for s in ok):
            return None
        total = sum((s.cost or Decimal(0) for s in ok), Decimal(0))
        if self.kind == "transcribe":
            seconds = sum(s.audio_seconds or 0 for s in ok)
            return total * Decimal(3600) / Decimal(str(seconds)) if seconds else None
        chars = sum(s.characters for s in ok)
        return total * Decimal(1_000_000) / chars if chars else None

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "model": self.model, "kind": self.kind, "latency": self.latency().to_dict(),
                "rtf": self.rtf().to_dict(),
                "ttfb": self.ttfb().to_dict(), "wer": self.wer(),
                "unit_cost": None if self.unit_cost() is None else str(self.unit_cost()),
                "errors": self.errors, "samples": [{**asdict(s), "cost": None if s.cost is None else str(s.cost),
                                                    "rtf": s.rtf, "wer": s.wer} for s in self.samples]}


@dataclass
class SpeechReport(HostReport[SpeechResult]):
    model: str
    kind: str
    results: list[SpeechResult]

    def table(self) -> str:
        from .speech_report import render

        return render(self)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "kind": self.kind, "hosts": [r.to_dict() for r in self.results]}

    def plot(self, path: str | Path) -> Path:
        from .speech_report import plot

        return plot(self, Path(path))


def reference_clips(voice: Any = None, texts: Sequence[str] = REFERENCE_TEXTS) -> list[tuple[Audio, str]]:
    """(WAV, its text) for each reference text, spoken by ``voice`` (default: a local Piper voice)."""
    if voice is None:
        from ..clients.voices import PiperSpeaker
        from ..providers.piper_local import PiperLocal

        voice = PiperSpeaker(PiperLocal())
    return [(voice.speak(text, format="wav"), text) for text in texts]


def compare_transcribe(client: Any, hosts: Sequence[Any], clips: Sequence[tuple[Audio, str]], *, runs: int = 3,
                       warmup: int = 1, language: str | None = None, progress: Any = None) -> SpeechReport:
    """Time ``client`` (a Transcriber) on each host over ``clips`` (audio, reference text), ``runs`` times. A host
    may be given as ``(host, model)`` where it serves the family under another model."""
    bound = bind(client, hosts)
    results = {b.provider.name: SpeechResult(b.provider.name, "transcribe", model=b.model) for b in bound}
    for b in bound:  # untimed: loads a local model, opens a connection
        for audio, _text in clips[:warmup]:
            with contextlib.suppress(RehostError):
                b.transcribe(audio, language=language)
    for run in range(runs):
        for b in rotated(bound, run):
            name = b.provider.name
            for i, (audio, text) in enumerate(clips):
                sample = SpeechSample(name, run, i, audio_seconds=audio.duration)
                t0 = time.perf_counter()
                try:
                    got = b.transcribe(audio, language=language)
                except RehostError as exc:
                    sample.error = error_text(exc)
                else:
                    sample.seconds = time.perf_counter() - t0
                    sample.audio_seconds = got.duration or audio.duration
                    sample.edits, sample.reference_words = word_errors(text, got.text)
                    sample.cost = got.cost.total if got.cost is not None else None
                results[name].samples.append(sample)
                if progress is not None:
                    progress()
    return SpeechReport(client.model, "transcribe", list(results.values()))


def compare_speak(client: Any, hosts: Sequence[Any], texts: Sequence[str] = REFERENCE_TEXTS, *, runs: int = 3,
                  warmup: int = 1, judge: Any = None, progress: Any = None, **options: Any) -> SpeechReport:
    """Time ``client`` (a Speaker) on each host over ``texts``; ``judge`` (a Transcriber) writes each speech
    back for a word error rate."""
    bound = bind(client, hosts)
    results = {b.provider.name: SpeechResult(b.provider.name, "speak", model=b.model) for b in bound}
    for b in bound:
        for text in texts[:warmup]:
            with contextlib.suppress(RehostError):
                b.speak(text, **options)
    for run in range(runs):
        for b in rotated(bound, run):
            name = b.provider.name
            for i, text in enumerate(texts):
                sample = SpeechSample(name, run, i, characters=len(text))
                t0 = time.perf_counter()
                try:
                    first = None
                    speech = None
                    for event in b.speak_stream(text, **options):
                        if first is None:
                            first = time.perf_counter() - t0
                        if isinstance(event, SpeechDone):
                            speech = event.speech
                    sample.seconds = time.perf_counter() - t0
                    sample.time_to_first_byte = first
                    assert speech is not None
                    sample.audio_seconds = speech.duration
                    sample.cost = speech.cost.total if speech.cost is not None else None
                    if judge is not None:
                        heard = judge.transcribe(speech if speech.format in ("wav", "pcm16") else speech.to_wav())
                        sample.edits, sample.reference_words = word_errors(text, heard.text)
                except RehostError as exc:
                    sample.error = error_text(exc)
                results[name].samples.append(sample)
                if progress is not None:
                    progress()
    return SpeechReport(client.model, "speak", list(results.values()))
