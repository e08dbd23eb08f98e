"""The benchmark report as a text table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .runner import MIN_TTFT

if TYPE_CHECKING:
    from .embed import EmbedReport
    from .runner import Report
    from .stats import Summary

__all__ = ["TableParts", "embed_table_parts", "render_table", "shorten", "table_parts"]

#: the longest error message a table note quotes (the whole message is in the report's JSON)
_MESSAGE_LIMIT = 110


def shorten(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when longer."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _ms(s: Summary | None) -> str:
    if s is None or not s.n or math.isnan(s.p50):
        return "-"
    return f"{s.p50 * 1000:.1f} / {s.p95 * 1000:.1f} / {s.p99 * 1000:.1f}"


@dataclass(frozen=True)
class TableParts:
    """What the bench table says, apart from its layout: the plain text of ``render_table`` and the rich table
    ``rehost bench`` draws on a terminal are both made from these, so they cannot say different things."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    #: the lines under the table: the ranking, then the notes
    footer: list[str]


def table_parts(report: Report | EmbedReport) -> TableParts:
    """One row per host: latencies in ms as p50 / p95 / p99, throughput, errors, cost per 1,000 requests; then
    notes: why a host was skipped, what each kind of error said (shortened), where costs came from. An
    embeddings report has its own columns (``embed_table_parts``)."""
    from .embed import EmbedReport

    if isinstance(report, EmbedReport):
        return embed_table_parts(report)
    header = ("host", "n", "ttft ms p50/p95/p99", "inter-token ms p50/p95/p99", "end-to-end ms p50/p95/p99",
              "tok/s p50", "errors", "$ / 1k req")
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for h in report.hosts:
        if h.skipped is not None:
            rows.append((h.host, "-", "skipped", "", "", "", "", ""))
            notes.append(f"{h.host}: skipped: {h.skipped}")
            continue
        tps = h.tokens_per_second
        errors = ", ".join(f"{k} x{v}" for k, v in sorted(h.errors.items())) or "0"
        rows.append((h.host, str(h.samples), _ms(h.ttft), _ms(h.itl), _ms(h.e2e),
                     f"{tps.p50:.1f}" if tps is not None and tps.n else "-", errors,
                     f"{h.cost_per_1000}" if h.cost_per_1000 is not None else "-"))
        for kind, count in sorted(h.errors.items()):
            said = h.error_messages.get(kind)
            if said:
                notes.append(f"{h.host}: {kind} x{count}: {shorten(said)}")
        if h.cost_source:
            notes.append(f"{h.host}: cost from {h.cost_source}")
        for key, summary in h.host_timing.items():
            notes.append(f"{h.host}: host-reported {key} p50 {summary.p50 * 1000:.1f} ms")
    ranked = report.ranking("ttft")
    unranked = report.unranked("ttft")
    for h in report.hosts:
        if h.host in unranked and h.ttft is not None:
            notes.append(f"{h.host}: not ranked by first token: its p50 of {h.ttft.p50 * 1000:.1f} ms is under "
                         f"{MIN_TTFT * 1000:g} ms after the request left, sooner than any host can generate and "
                         "send a token (a stub answering at once, or a cached answer)")
    title = f"{report.model}: {report.config.get('runs')} runs x {report.config.get('prompts')}, " \
            f"concurrency {report.config.get('concurrency')}"
    footer = [f"fastest first token: {' < '.join(ranked)}"] if ranked else []
    return TableParts(title, header, rows, footer + notes)


def embed_table_parts(report: EmbedReport) -> TableParts:
    """An embeddings bench: latency per batch in ms (p50 / p95 / p99), vectors per second, errors, and USD per
    million input tokens; the same notes as the chat table."""
    header = ("host", "n", "batch ms p50/p95/p99", "vectors/s p50", "errors", "$ / 1M tokens")
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for h in report.hosts:
        if h.skipped is not None:
            rows.append((h.host, "-", "skipped", "", "", ""))
            notes.append(f"{h.host}: skipped: {h.skipped}")
            continue
        vps = h.vectors_per_second
        errors = ", ".join(f"{k} x{v}" for k, v in sorted(h.errors.items())) or "0"
        rows.append((h.host, str(h.samples), _ms(h.latency), f"{vps.p50:.1f}" if vps is not None and vps.n else "-",
                     errors, f"{h.cost_per_million_tokens}" if h.cost_per_million_tokens is not None else "-"))
        for kind, count in sorted(h.errors.items()):
            said = h.error_messages.get(kind)
            if said:
                notes.append(f"{h.host}: {kind} x{count}: {shorten(said)}")
        if h.cost_source:
            notes.append(f"{h.host}: cost from {h.cost_source}")
    ranked = report.ranking("latency")
    title = f"{report.model} (embeddings): {report.config.get('runs')} runs x {report.config.get('prompts')}, " \
            f"concurrency {report.config.get('concurrency')}"
    footer = [f"fastest batch: {' < '.join(ranked)}"] if ranked else []
    return TableParts(title, header, rows, footer + notes)


def render_table(report: Report | EmbedReport) -> str:
    """The bench table as plain text (``table_parts`` says what is in it): what ``rehost bench`` prints when
    its output is not a terminal, and ``Report.table()``."""
    parts = table_parts(report)
    rows = [parts.header, *parts.rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(parts.header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([parts.title, *lines, *parts.footer])
