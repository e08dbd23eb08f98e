"""The distributions of a benchmark, hosts side by side (matplotlib: the ``plot`` extra)."""

from __future__ import annotations

import html
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .embed import EmbedReport
    from .runner import Report

__all__ = ["SUFFIXES", "build_figure", "plot_report"]

#: the kinds of file a plot can be written to
SUFFIXES = (".png", ".svg", ".pdf", ".html")

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")

_PANELS = (("ttft", "time to first token (ms)", 1000.0), ("itl", "between tokens (ms)", 1000.0),
           ("e2e", "end to end (ms)", 1000.0), ("tokens_per_second", "output tokens / s", 1.0))


def plot_report(report: Report | EmbedReport, path: Path) -> Path:
    """Write box plots of each metric per host to ``path`` (.png, .svg, .pdf, or .html with the SVG inside).

    A report in which no host answered a timed call has nothing to draw: that raises ValueError rather than
    writing an empty figure."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"plot files are {', '.join(SUFFIXES)}, not {path.name}")
    if not report.answered:
        raise ValueError("no host answered a timed call: nothing to plot (the table says why)")
    fig = build_figure(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        buf = io.BytesIO()
        fig.savefig(buf, format="svg")
        svg = buf.getvalue().decode()
        model, table = html.escape(report.model), html.escape(report.table())  # neither is ours to trust
        path.write_text(f"<!doctype html><meta charset='utf-8'><title>rehost bench: {model}</title>"
                        f"<body style='font-family:sans-serif'><h1>rehost bench: {model}</h1>{svg}"
                        f"<pre>{table}</pre></body>", "utf-8")
    else:
        fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def build_figure(report: Report | EmbedReport) -> Any:
    """The figure of ``report``: a panel per metric (the report's ``panels`` where it names its own: an
    embeddings bench draws latency per batch and vectors per second); in each, a box per host and a dot per
    sample."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plots need matplotlib: pip install 'rehost[plot]'") from exc
    # a host's colour follows its place in the report, so it is the same in every panel (and when another host
    # has nothing to show in one)
    results: list[Any] = list(report.hosts)
    colours = {h.host: _COLOURS[i % len(_COLOURS)] for i, h in enumerate(results)}
    hosts = [h.host for h in results if h.skipped is None]
    panels = getattr(report, "panels", _PANELS)
    rows = math.ceil(len(panels) / 2)
    fig, axes = plt.subplots(rows, 2, figsize=(11, 3.75 * rows + (1.0 if rows == 1 else 0.0)), squeeze=False)
    for ax, (metric, label, scale) in zip(axes.flat, panels, strict=True):
        data = [[v * scale for s in report.samples if s.host == h and s.ok
                 and (v := getattr(s, metric)) is not None and not math.isnan(v)] for h in hosts]
        shown = [(h, d) for h, d in zip(hosts, data, strict=True) if d]
        if shown:
            boxes = ax.boxplot([d for _, d in shown], showfliers=False, patch_artist=True, widths=0.5)
            for n, (patch, (host, values)) in enumerate(zip(boxes["boxes"], shown, strict=True), 1):
                colour = colours[host]
                patch.set(facecolor=colour, alpha=0.35, edgecolor=colour)
                spread = [n + 0.18 * ((i % 7) - 3) / 3 for i in range(len(values))]  # every sample, spread out
                ax.scatter(spread, values, s=9, color=colour, alpha=0.8, zorder=3)
                # the table's p50 (one percentile function for both), written above the column's highest dot so
                # that it covers none of them
                median = getattr(report.result(host), metric).p50 * scale
                ax.annotate(f"{median:.1f}", (n, max(values)), xytext=(0, 4), textcoords="offset points",
                            fontsize=8, ha="center", va="bottom")
            ax.set_xticks(range(1, len(shown) + 1), [h for h, _ in shown])
            top = max(max(d) for _, d in shown)
            ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)  # room for the labels inside the panel
        ax.set_title(label, fontsize=11)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{report.model} across hosts: {report.config.get('runs')} runs of "
                 f"'{report.config.get('prompts')}' prompts (boxes: quartiles; dots: every call; "
                 "label: median, the table's p50)",
                 fontsize=12)
    fig.tight_layout()
    return fig
