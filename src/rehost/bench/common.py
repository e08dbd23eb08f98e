"""What the speech and realtime benches share: binding a family client to each host, the rotated visiting
order, how a failure is written down, the table cells of a ``Summary``, and the ``ok`` / ``errors`` /
``answered`` / ``result`` views of per-host samples. One place, so the two benches time, label and count the
same way (a host given as ``(host, model)``, a p50 / p95 cell in ms) and cannot drift apart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from .stats import Summary

__all__ = ["HostReport", "HostSamples", "bind", "box_plots", "error_text", "ms_cell", "ratio_cell", "read_clips",
           "rotated"]


class _Sample(Protocol):
    @property
    def error(self) -> str | None: ...


class _Result(Protocol):
    @property
    def host(self) -> str: ...

    @property
    def ok(self) -> Sequence[Any]: ...


S = TypeVar("S", bound=_Sample)
R = TypeVar("R", bound=_Result)


def bind(client: Any, hosts: Sequence[Any]) -> list[Any]:
    """The client on each host; a host given as (host, model) gets that model of the family."""
    out = []
    for item in hosts:
        host, model = item if isinstance(item, tuple) else (item, None)
        out.append(client.bind(host, model))
    return out


def rotated(items: Sequence[Any], run: int) -> list[Any]:
    """``items`` started at ``run`` (mod their number): each run visits the hosts in another order, so none
    always goes first (cold caches) or last (a warm machine)."""
    k = run % len(items)
    return list(items[k:]) + list(items[:k])


def error_text(exc: BaseException) -> str:
    """A failure as a sample records it: the error's type and message."""
    return f"{type(exc).__name__}: {exc}"


def ms_cell(s: Summary) -> str:
    """A table cell: p50 / p95 in milliseconds, ``-`` when nothing was measured."""
    if not s.n or math.isnan(s.p50):
        return "-"
    return f"{s.p50 * 1000:.0f} / {s.p95 * 1000:.0f}"


def ratio_cell(s: Summary) -> str:
    """A table cell: the p50 of a ratio (a real-time factor), ``-`` when nothing was measured."""
    return "-" if not s.n or math.isnan(s.p50) else f"{s.p50:.3f}"


class HostSamples(Generic[S]):
    """One host's samples, split into those that answered and the errors of those that did not."""

    samples: list[S]

    @property
    def ok(self) -> list[S]:
        return [s for s in self.samples if s.error is None]

    @property
    def errors(self) -> list[str]:
        return [s.error for s in self.samples if s.error is not None]


class HostReport(Generic[R]):
    """The results of every host: whether any answered, and one host's by name."""

    results: list[R]

    @property
    def answered(self) -> bool:
        return any(r.ok for r in self.results)

    def result(self, host: str) -> R:
        return next(r for r in self.results if r.host == host)


def read_clips(path: str, *, text: bool) -> list[tuple[Any, str | None]]:
    """The clips of a ``--clips`` file: one JSON line each, ``{"audio": path}`` relative to the file, and with
    ``text`` its reference ``{"text": ...}`` too; (Audio, text or None) per line, a clear error naming the line."""
    import json
    from pathlib import Path

    from ..shared.audio.types import Audio
    from ..shared.errors import ConfigurationError

    want = '{"audio": path, "text": reference}' if text else '{"audio": path}'
    out: list[tuple[Any, str | None]] = []
    base = Path(path).parent
    for n, line in enumerate(Path(path).read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append((Audio.from_file(base / row["audio"]), str(row["text"]) if text else None))
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise ConfigurationError(f"--clips {path} line {n}: want {want} ({exc})") from None
    if not out:
        raise ConfigurationError(f"--clips {path} holds no clips")
    return out


def box_plots(title: str, results: Sequence[Any], panels: Sequence[tuple[str, Any]], path: Any) -> Any:
    """One box plot per panel (``(title, pick)``: ``pick(sample)`` is the value, or None), a box per host with
    its samples as points, written to ``path`` (.png, .svg, .pdf); the path back."""
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
    names = [r.host for r in results]
    for ax, (label, pick) in zip(axes[0], panels, strict=True):
        data = [[v for v in (pick(s) for s in r.ok) if v is not None] or [math.nan] for r in results]
        ax.boxplot(data, tick_labels=names, showfliers=False)
        for i, values in enumerate(data, 1):
            ax.plot([i] * len(values), values, ".", alpha=0.5)
        ax.set_title(label)
    fig.suptitle(title)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
