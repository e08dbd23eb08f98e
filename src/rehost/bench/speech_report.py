"""The speech bench's table and plot (see ``speech.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import ms_cell, ratio_cell

if TYPE_CHECKING:
    from .speech import SpeechReport

__all__ = ["plot", "render", "rows"]


def rows(report: SpeechReport) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The header and one row per host."""
    speak = report.kind == "speak"
    unit = "$ / 1M chars" if speak else "$ / hour audio"
    header = ("host", "n", "latency ms p50/p95", *(("first byte ms p50/p95",) if speak else ()), "RTF p50", "WER",
              "errors", unit)
    out: list[tuple[str, ...]] = []
    for r in report.results:
        wer = r.wer()
        cost = r.unit_cost()
        label = r.host if r.model in ("", report.model) else f"{r.host} ({r.model})"
        out.append((label, str(len(r.ok)), ms_cell(r.latency()), *((ms_cell(r.ttfb()),) if speak else ()),
                    ratio_cell(r.rtf()),
                    "-" if wer is None else f"{wer * 100:.1f}%", str(len(r.errors)),
                    "?" if cost is None else f"{cost:.4f}"))
    return header, out


def render(report: SpeechReport) -> str:
    header, body = rows(report)
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    lines = [f"rehost bench {report.kind}: {report.model}", line, "-" * len(line)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    lines.append("RTF: seconds of compute per second of audio (under 1: faster than real time); WER: word error rate "
                 + ("of the speech written back by the judge" if report.kind == "speak" else "against the reference"))
    for r in report.results:
        for err in sorted(set(r.errors)):
            lines.append(f"{r.host}: {err[:110]}")
    return "\n".join(lines)


def plot(report: SpeechReport, path: Path) -> Path:
    """Box plots of latency, real-time factor and (speak) time to first byte per host (.png, .svg, .pdf)."""
    if not report.answered:
        raise ValueError("no host answered a timed call: nothing to plot (the table says why)")
    panels: list[tuple[str, Any]] = [("latency (ms)", lambda s: s.seconds * 1000 if s.seconds else None),
                                     ("real-time factor", lambda s: s.rtf)]
    if report.kind == "speak":
        panels.append(("first audio byte (ms)",
                       lambda s: s.time_to_first_byte * 1000 if s.time_to_first_byte else None))
    from .common import box_plots

    out: Path = box_plots(f"rehost bench {report.kind}: {report.model}", report.results, panels, path)
    return out
