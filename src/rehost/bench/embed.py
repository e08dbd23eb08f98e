"""Benchmark one embedding model across hosts: the same embedder and texts on each host, one batch per call.

What matters for embeddings is how long a batch takes, how many vectors a second that makes and what a
million input tokens cost; there is no first token. Hosts run interleaved as in the chat bench (each run
visits them in a rotated order; with concurrency the calls overlap), failures are counted by error type, a host
without a key or without embeddings is skipped with the reason, and every call is bounded by ``timeout``.
``rehost bench`` picks this mode when the model's catalogue row is of kind ``embed``.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..shared.errors import ConfigurationError, RehostError
from .runner import DEFAULT_TIMEOUT, _host_name, _warm
from .stats import Summary, summarize

__all__ = ["EmbedHostResult", "EmbedReport", "EmbedSample", "acompare_embeddings", "compare_embeddings",
           "sample_texts"]

Progress = Callable[[int, int], None]

_SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Embeddings turn text into vectors so that close meanings are near each other.",
    "A host serves a model; a client knows what to ask it.",
    "Retrieval finds the passages that answer a question.",
    "The weather in Lisbon is mild in winter and warm in summer.",
    "Rust and Python are both used to write fast command-line tools.",
    "A batch of texts is sent in one call and comes back in order.",
    "Latency is the time one call takes; throughput is how much work a second does.",
)


def sample_texts(n: int) -> list[str]:
    """``n`` distinct texts of ordinary length (a host that caches by text still embeds each one)."""
    return [f"{_SENTENCES[i % len(_SENTENCES)]} ({i})" for i in range(n)]


@dataclass(slots=True)
class EmbedSample:
    """One timed call of one batch."""

    host: str
    run: int
    started_at: float
    ok: bool
    error: str | None = None
    message: str | None = None
    latency: float | None = None
    vectors: int | None = None
    vectors_per_second: float | None = None
    input_tokens: int | None = None
    cost: Decimal | None = None
    cost_source: str | None = None


@dataclass(slots=True)
class EmbedHostResult:
    """What one host did: seconds per batch, vectors per second, USD per million input tokens."""

    host: str
    skipped: str | None = None
    samples: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    error_messages: dict[str, str] = field(default_factory=dict)
    latency: Summary | None = None
    vectors_per_second: Summary | None = None
    cost_per_million_tokens: Decimal | None = None
    cost_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "skipped": self.skipped, "samples": self.samples, "errors": self.errors,
                "error_messages": self.error_messages,
                "latency": self.latency.to_dict() if self.latency is not None else None,
                "vectors_per_second": self.vectors_per_second.to_dict() if self.vectors_per_second else None,
                "cost_per_million_tokens": None if self.cost_per_million_tokens is None
                else str(self.cost_per_million_tokens), "cost_source": self.cost_source}


@dataclass(slots=True)
class EmbedReport:
    model: str
    hosts: list[EmbedHostResult]
    samples: list[EmbedSample]
    config: dict[str, Any]
    #: what the plot draws: (metric, label, scale)
    panels: tuple[tuple[str, str, float], ...] = (("latency", "latency per batch (ms)", 1000.0),
                                                  ("vectors_per_second", "vectors / s", 1.0))
    kind: str = "embed"

    def result(self, host: str) -> EmbedHostResult:
        return next(h for h in self.hosts if h.host == host)

    @property
    def answered(self) -> bool:
        return any(s.ok for s in self.samples)

    def ranking(self, metric: str = "latency") -> list[str]:
        """Hosts that answered, best first by the median of ``metric`` (most vectors per second first)."""
        measured = [h for h in self.hosts if getattr(h, metric) is not None and getattr(h, metric).n]
        return [h.host for h in sorted(measured, key=lambda h: getattr(h, metric).p50,
                                       reverse=metric == "vectors_per_second")]

    def table(self) -> str:
        from .report import render_table

        return render_table(self)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "kind": self.kind, "config": self.config,
                "hosts": [h.to_dict() for h in self.hosts],
                "samples": [{**{k: getattr(s, k) for k in s.__slots__},
                             "cost": str(s.cost) if s.cost is not None else None} for s in self.samples]}

    def plot(self, path: str | Path) -> Path:
        from .plot import plot_report

        return plot_report(self, Path(path))


async def _one(embedder: Any, host: str, texts: list[str], run: int, timeout: float | None) -> EmbedSample:
    started = time.time()
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            result = await embedder.aembed(texts)
    except RehostError as exc:
        return EmbedSample(host, run, started, False, type(exc).__name__, str(exc)[:300],
                           latency=time.perf_counter() - t0)
    except TimeoutError:
        return EmbedSample(host, run, started, False, "RequestTimeout",
                           f"no answer within the bench's per-call timeout of {timeout:g} s",
                           latency=time.perf_counter() - t0)
    latency = time.perf_counter() - t0
    return EmbedSample(host, run, started, True, latency=latency, vectors=len(result),
                       vectors_per_second=len(result) / latency if latency > 0 else None,
                       input_tokens=result.usage.input_tokens,
                       cost=result.cost.total if result.cost is not None else None,
                       cost_source=result.cost.source if result.cost is not None else None)


def _summarise(host: str, samples: list[EmbedSample], skipped: str | None) -> EmbedHostResult:
    if skipped is not None:
        return EmbedHostResult(host, skipped=skipped)
    ok = [s for s in samples if s.ok]
    said: dict[str, Counter[str]] = {}
    for s in samples:
        if not s.ok and s.error and s.message:
            said.setdefault(s.error, Counter())[s.message] += 1
    priced = [s for s in ok if s.cost is not None and s.input_tokens]
    tokens = sum(s.input_tokens or 0 for s in priced)
    per_million = (sum((s.cost or Decimal(0) for s in priced), Decimal(0)) / tokens * 1_000_000
                   ).quantize(Decimal("0.0001")) if priced and tokens else None
    return EmbedHostResult(
        host=host, samples=len(samples), errors=dict(Counter(s.error for s in samples if not s.ok and s.error)),
        error_messages={kind: counts.most_common(1)[0][0] for kind, counts in said.items()},
        latency=summarize([s.latency for s in ok]), vectors_per_second=summarize([s.vectors_per_second for s in ok]),
        cost_per_million_tokens=per_million,
        cost_source=", ".join(sorted({s.cost_source for s in priced if s.cost_source})) or None)


async def acompare_embeddings(embedder: Any, hosts: Sequence[Any], *, batch: int = 32, runs: int = 5,
                              concurrency: int = 1, warmup: int = 1, timeout: float | None = DEFAULT_TIMEOUT,
                              texts: Sequence[str] | None = None, progress: Progress | None = None) -> EmbedReport:
    """Time ``embedder`` on every host in ``hosts``: ``runs`` timed calls of one batch each (``batch`` texts,
    or ``texts``) per host, after ``warmup`` untimed ones."""
    if runs < 1 or concurrency < 1 or warmup < 0 or batch < 1:
        raise ConfigurationError("runs, concurrency and batch must be at least 1, warmup at least 0")
    if timeout is not None and not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds (or None), not {timeout!r}")
    batch_texts = list(texts) if texts is not None else sample_texts(batch)
    taken: set[str] = set()
    names = [_host_name(p, taken) for p in hosts]
    skipped: dict[str, str] = {}
    bound: dict[str, Any] = {}
    for name, provider in zip(names, hosts, strict=True):
        reason = getattr(provider, "missing_key_reason", None)
        if reason:
            skipped[name] = reason
            continue
        one = copy.copy(embedder)
        try:
            one.provider = provider
        except RehostError as exc:  # the host serves no embeddings
            skipped[name] = f"{type(exc).__name__}: {exc}"
            continue
        bound[name] = one
    live = [n for n in names if n in bound]
    await asyncio.gather(*(_warm(bound[n].provider, concurrency) for n in live))
    plan = [(h, -1) for _ in range(warmup) for h in live]
    timed: list[tuple[str, int]] = []
    for run in range(runs):
        timed += [(h, run) for h in live[run % len(live):] + live[:run % len(live)]] if live else []
    total, done = len(plan) + len(timed), 0
    gate = asyncio.Semaphore(concurrency)
    samples: list[EmbedSample] = []

    async def worker(host: str, run: int) -> None:
        nonlocal done
        async with gate:
            sample = await _one(bound[host], host, batch_texts, run, timeout)
        if run >= 0:
            samples.append(sample)
        done += 1
        if progress is not None:
            progress(done, total)

    await asyncio.gather(*(worker(*item) for item in plan))
    await asyncio.gather(*(worker(*item) for item in timed))
    results = [_summarise(n, [s for s in samples if s.host == n], skipped.get(n)) for n in names]
    config = {"kind": "embed", "batch": len(batch_texts), "prompts": f"batches of {len(batch_texts)} texts",
              "runs": runs, "concurrency": concurrency, "warmup": warmup, "timeout": timeout}
    return EmbedReport(model=str(getattr(embedder, "model", "?")), hosts=results,
                       samples=sorted(samples, key=lambda s: s.started_at), config=config)


def compare_embeddings(embedder: Any, hosts: Sequence[Any], **kwargs: Any) -> EmbedReport:
    """The sync form of ``acompare_embeddings``."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(acompare_embeddings(embedder, hosts, **kwargs))
    raise RuntimeError("compare_embeddings() was called inside a running event loop: await "
                       "acompare_embeddings(...) instead")
