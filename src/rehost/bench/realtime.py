"""The realtime bench: one voice model across hosts (gpt-realtime on OpenAI vs Azure, Gemini Live on AI Studio vs
Vertex, a cascade of transcriber + chat + voice), the same spoken turns on each.

Per turn: the user's speech is sent as microphone-sized chunks at real-time pace or as fast as the socket takes
(``pace``), then committed (manual turn detection) or left to the host's VAD; measured are

* **first audio**: seconds from the end of the user's speech (the last chunk sent) to the first byte of the
  model's audio, what a caller hears as the pause before the answer;
* **response time**: from the end of speech to ``ResponseDone``;
* **RTF**: response time over the seconds of audio the answer holds (under 1: the answer is made faster than
  it plays);
* **cost per minute** of conversation: the turns' cost over the minutes of audio they hold, input and output.

Hosts are interleaved (each run visits them in a rotated order) and one session runs at a time, so no host
competes with another for the machine. The report is a table, a JSON dict and a plot, like the other benches.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..shared.audio.formats import pcm16_samples, resample_pcm16
from ..shared.audio.types import Audio
from ..shared.errors import RehostError
from ..shared.realtime.events import AudioOut, RealtimeError, ResponseDone
from .common import HostReport, HostSamples, bind, error_text, ms_cell, ratio_cell, rotated
from .stats import Summary, summarize

__all__ = ["RealtimeReport", "RealtimeResult", "RealtimeSample", "compare_realtime", "pcm_chunks"]


@dataclass(slots=True)
class RealtimeSample:
    host: str
    run: int
    item: int
    first_audio: float | None = None
    response_seconds: float | None = None
    input_seconds: float = 0.0
    output_seconds: float = 0.0
    cost: float | None = None
    transcript: str = ""
    error: str | None = None

    @property
    def rtf(self) -> float | None:
        if self.response_seconds is None or not self.output_seconds:
            return None
        return self.response_seconds / self.output_seconds


@dataclass
class RealtimeResult(HostSamples[RealtimeSample]):
    host: str
    samples: list[RealtimeSample] = field(default_factory=list)
    model: str = ""

    def first_audio(self) -> Summary:
        return summarize([s.first_audio for s in self.ok])

    def response(self) -> Summary:
        return summarize([s.response_seconds for s in self.ok])

    def rtf(self) -> Summary:
        return summarize([s.rtf for s in self.ok])

    def cost_per_minute(self) -> float | None:
        """USD per minute of conversation audio (input + output); None when any turn's cost is unknown."""
        ok = self.ok
        if not ok or any(s.cost is None for s in ok):
            return None
        minutes = sum(s.input_seconds + s.output_seconds for s in ok) / 60.0
        return sum(s.cost or 0.0 for s in ok) / minutes if minutes else None

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "model": self.model, "first_audio": self.first_audio().to_dict(),
                "response": self.response().to_dict(), "rtf": self.rtf().to_dict(),
                "cost_per_minute": self.cost_per_minute(), "errors": self.errors,
                "samples": [{**asdict(s), "rtf": s.rtf} for s in self.samples]}


@dataclass
class RealtimeReport(HostReport[RealtimeResult]):
    model: str
    results: list[RealtimeResult]

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "kind": "realtime", "hosts": [r.to_dict() for r in self.results]}

    def table(self) -> str:
        header = ("host", "n", "first audio ms p50/p95", "response ms p50/p95", "RTF p50", "errors", "$ / min")
        body = []
        for r in self.results:
            cpm = r.cost_per_minute()
            label = r.host if r.model in ("", self.model) else f"{r.host} ({r.model})"
            body.append((label, str(len(r.ok)), ms_cell(r.first_audio()), ms_cell(r.response()), ratio_cell(r.rtf()),
                         str(len(r.errors)), "?" if cpm is None else f"{cpm:.4f}"))
        widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
        line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
        lines = [f"rehost bench realtime: {self.model}", line, "-" * len(line)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in body]
        lines.append("first audio: end of the user's speech to the first audio byte; RTF: response time per second "
                     "of answer audio; $ / min: per minute of conversation audio (in + out)")
        for r in self.results:
            for err in sorted(set(r.errors)):
                lines.append(f"{r.host}: {err[:110]}")
        return "\n".join(lines)

    def plot(self, path: str | Path) -> Path:
        """Box plots of first audio, response time and RTF per host (.png, .svg, .pdf)."""
        if not self.answered:
            raise ValueError("no host answered a timed turn: nothing to plot (the table says why)")
        panels: list[tuple[str, Any]] = [
            ("first audio (ms)", lambda s: s.first_audio * 1000 if s.first_audio is not None else None),
            ("response (ms)", lambda s: s.response_seconds * 1000 if s.response_seconds is not None else None),
            ("real-time factor", lambda s: s.rtf)]
        from .common import box_plots

        out: Path = box_plots(f"rehost bench realtime: {self.model}", self.results, panels, path)
        return out


def pcm_chunks(audio: Audio, rate: int, chunk_ms: int = 40) -> list[bytes]:
    """``audio`` as pcm16 mono at ``rate``, cut into ``chunk_ms`` pieces (what a microphone sends)."""
    samples, source_rate = pcm16_samples(audio)
    if source_rate != rate:
        samples = resample_pcm16(samples, source_rate, rate)
    data = samples.tobytes()
    step = max(2, rate * 2 * chunk_ms // 1000)
    return [data[i:i + step] for i in range(0, len(data), step)]


async def _turn(client: Any, audio: Audio, sample: RealtimeSample, *, pace: bool, timeout: float,
                settings: dict[str, Any]) -> None:
    async with client.connect(**settings) as session:
        fmt = session.config.input_format
        out_fmt = session.config.output_format
        chunks = pcm_chunks(audio, fmt.sample_rate)
        sample.input_seconds = sum(len(c) for c in chunks) / fmt.bytes_per_second
        for chunk in chunks:
            await session.send_audio(chunk)
            if pace:
                await asyncio.sleep(len(chunk) / fmt.bytes_per_second)
        if session.config.turn_detection.mode == "manual":
            await session.commit()
            await session.respond()
        end_of_speech = time.perf_counter()
        out_bytes = 0

        async def read() -> None:
            nonlocal out_bytes
            async for event in session:
                if isinstance(event, AudioOut) and event.data:
                    if sample.first_audio is None:
                        sample.first_audio = time.perf_counter() - end_of_speech
                    out_bytes += len(event.data)
                elif isinstance(event, RealtimeError) and event.fatal:
                    raise RehostError(f"{event.code or 'error'}: {event.message}")
                elif isinstance(event, ResponseDone):
                    sample.response_seconds = time.perf_counter() - end_of_speech
                    sample.cost = event.cost
                    sample.transcript = event.transcript or event.text
                    if event.status != "completed":
                        raise RehostError(f"the response ended {event.status}")
                    return
            raise RehostError("the session closed before the response was done")

        await asyncio.wait_for(read(), timeout)
        sample.output_seconds = out_bytes / out_fmt.bytes_per_second


def compare_realtime(client: Any, hosts: Sequence[Any], clips: Sequence[Audio], *, runs: int = 3, warmup: int = 1,
                     pace: bool = False, timeout: float = 60.0, progress: Any = None,
                     **settings: Any) -> RealtimeReport:
    """Time ``client`` (a RealtimeClient) on each host over spoken ``clips``, ``runs`` times; ``settings`` go to
    ``connect`` (voice, instructions, turn_detection ...). A host given as ``(host, model)`` uses that model."""
    return asyncio.run(acompare_realtime(client, hosts, clips, runs=runs, warmup=warmup, pace=pace,
                                         timeout=timeout, progress=progress, **settings))


async def acompare_realtime(client: Any, hosts: Sequence[Any], clips: Sequence[Audio], *, runs: int = 3,
                            warmup: int = 1, pace: bool = False, timeout: float = 60.0, progress: Any = None,
                            **settings: Any) -> RealtimeReport:
    bound = bind(client, hosts)
    results = {b.provider.name: RealtimeResult(b.provider.name, model=b.model) for b in bound}
    for b in bound:  # untimed: loads local models, warms DNS / TLS
        for audio in clips[:warmup]:
            with contextlib.suppress(RehostError, TimeoutError):
                await _turn(b, audio, RealtimeSample(b.provider.name, -1, 0), pace=False, timeout=timeout,
                            settings=settings)
    for run in range(runs):
        for b in rotated(bound, run):
            name = b.provider.name
            for i, audio in enumerate(clips):
                sample = RealtimeSample(name, run, i)
                try:
                    await _turn(b, audio, sample, pace=pace, timeout=timeout, settings=settings)
                except TimeoutError:
                    sample.error = f"RequestTimeout: no response within {timeout:g}s"
                except RehostError as exc:
                    sample.error = error_text(exc)
                results[name].samples.append(sample)
                if progress is not None:
                    progress()
    return RealtimeReport(client.model, list(results.values()))
