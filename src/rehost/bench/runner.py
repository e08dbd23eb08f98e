"""Benchmark one model across hosts: the same client, the same prompts, several hosts, one honest comparison.

Every sample is a streamed call, so time to first token and the gaps between tokens are seen as the caller
sees them. Hosts run interleaved (each run visits the hosts in a rotated order, and with concurrency they
overlap), so drift in the network or on this machine hurts every host alike. A failed call is counted by
error type and does not stop the run; a host whose key is missing is reported as skipped with the reason.
Every call, warm-up or timed, is bounded by the bench's own ``timeout`` (the whole call, however the host
behaves: silent, or trickling tokens forever), so one stalled host cannot hang a benchmark; a call cut off
by it counts as a ``RequestTimeout``. Raw samples are kept in the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..shared.chat.types import ReasoningDelta, TextDelta
from ..shared.errors import ConfigurationError, RehostError
from ..shared.io.call import WIRE_TIMING
from .prompts import load_prompts
from .stats import Summary, summarize

__all__ = ["HostResult", "Report", "Sample", "acompare", "compare"]

Progress = Callable[[int, int], None]

#: the soonest a first token can honestly come (seconds after the request left this machine). Sooner is no host
#: generating a token and sending it across a network, even a local one: it is a stub that answers at once (the
#: emulator's default), or an answer ready before the request arrived (a cache). The table still shows such
#: a host's figures; the "fastest first token" ranking leaves it out and says why.
MIN_TTFT = 0.001

#: seconds one benchmark call may take, start to finish (a long reasoning answer fits; a stalled host ends)
DEFAULT_TIMEOUT = 120.0


@dataclass(slots=True)
class Sample:
    """One timed call."""

    host: str
    prompt: int
    run: int
    started_at: float
    ok: bool
    error: str | None = None
    message: str | None = None
    ttft: float | None = None
    itl: float | None = None
    e2e: float | None = None
    output_tokens: int | None = None
    tokens_per_second: float | None = None
    cost: Decimal | None = None
    cost_source: str | None = None
    host_timing: dict[str, float] | None = None


@dataclass(slots=True)
class HostResult:
    """What one host did, summarised (seconds; tokens per second; USD per 1,000 requests)."""

    host: str
    skipped: str | None = None
    samples: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    #: error type -> what those errors said (the most common message of that type, as the error gave it)
    error_messages: dict[str, str] = field(default_factory=dict)
    ttft: Summary | None = None
    itl: Summary | None = None
    e2e: Summary | None = None
    tokens_per_second: Summary | None = None
    cost_per_1000: Decimal | None = None
    cost_source: str | None = None
    host_timing: dict[str, Summary] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"host": self.host, "skipped": self.skipped, "samples": self.samples,
                               "errors": self.errors, "error_messages": self.error_messages}
        for name in ("ttft", "itl", "e2e", "tokens_per_second"):
            value = getattr(self, name)
            out[name] = value.to_dict() if value is not None else None
        out["cost_per_1000"] = str(self.cost_per_1000) if self.cost_per_1000 is not None else None
        out["cost_source"] = self.cost_source
        out["host_timing"] = {k: v.to_dict() for k, v in self.host_timing.items()}
        return out


@dataclass(slots=True)
class Report:
    model: str
    hosts: list[HostResult]
    samples: list[Sample]
    config: dict[str, Any]

    def result(self, host: str) -> HostResult:
        return next(h for h in self.hosts if h.host == host)

    @property
    def answered(self) -> bool:
        """Whether any host answered at least one timed call (else every host failed or was skipped)."""
        return any(s.ok for s in self.samples)

    def ranking(self, metric: str = "ttft") -> list[str]:
        """Hosts that answered, best first by the median of ``metric`` (highest first for throughput).

        For time to first token, a host whose median is under ``MIN_TTFT`` is left out (``unranked``)."""
        measured = [h for h in self.hosts if h.skipped is None and getattr(h, metric) is not None
                    and getattr(h, metric).n and h.host not in self.unranked(metric)]
        reverse = metric == "tokens_per_second"
        return [h.host for h in sorted(measured, key=lambda h: getattr(h, metric).p50, reverse=reverse)]

    def unranked(self, metric: str = "ttft") -> list[str]:
        """Hosts measured on ``metric`` but not ranked by it: for ``ttft``, those whose median first token came
        sooner than ``MIN_TTFT`` after the request left."""
        if metric != "ttft":
            return []
        return [h.host for h in self.hosts if h.ttft is not None and h.ttft.n and h.ttft.p50 < MIN_TTFT]

    def table(self) -> str:
        from .report import render_table

        return render_table(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "config": self.config,
            "hosts": [h.to_dict() for h in self.hosts],
            "samples": [{**{k: getattr(s, k) for k in s.__slots__}, "cost": str(s.cost) if s.cost is not None
                         else None} for s in self.samples],
        }

    def plot(self, path: str | Path) -> Path:
        from .plot import plot_report

        return plot_report(self, Path(path))


async def _one(client: Any, host: str, prompt: Any, index: int, run: int, *, options: dict[str, Any],
               timeout: float | None) -> Sample:
    """One streamed call, ended after ``timeout`` seconds whatever the host does. Latencies count from the
    moment the request left this machine (httpx's trace of the request being written), so the client's own
    work before sending is not charged to the host."""
    WIRE_TIMING.set(True)  # this task's context only
    started = time.time()
    t0 = time.perf_counter()
    stamps: list[float] = []
    stream = None
    try:
        async with asyncio.timeout(timeout):
            stream = client.astream(prompt, **options)
            async for event in stream:
                if isinstance(event, TextDelta | ReasoningDelta) and event.text:
                    stamps.append(time.perf_counter())
            done = await stream.final()
    except RehostError as exc:
        return Sample(host, index, run, started, False, type(exc).__name__, str(exc)[:300],
                      e2e=time.perf_counter() - t0)
    except TimeoutError:  # the bench's own bound (a RequestTimeout from the transport is caught above)
        if stream is not None:
            await stream.aclose()
        return Sample(host, index, run, started, False, "RequestTimeout",
                      f"no complete answer within the bench's per-call timeout of {timeout:g} s",
                      e2e=time.perf_counter() - t0)
    end = time.perf_counter()
    timing = done.timing
    sent = t0 + (timing.request_sent or 0.0) if timing is not None else t0
    if timing is not None and timing.request_sent is not None and timing.time_to_first_token is not None:
        ttft: float | None = timing.time_to_first_token - timing.request_sent
    else:
        ttft = stamps[0] - sent if stamps else None
    itl = (stamps[-1] - stamps[0]) / (len(stamps) - 1) if len(stamps) > 1 else None
    tokens = done.usage.output_tokens if done.usage is not None else None
    generating = end - stamps[0] if stamps else None
    tps = tokens / generating if tokens and generating else None
    return Sample(host, index, run, started, True, ttft=ttft, itl=itl, e2e=end - sent, output_tokens=tokens,
                  tokens_per_second=tps, cost=done.cost.total if done.cost is not None else None,
                  cost_source=done.cost.source if done.cost is not None else None, host_timing=done.host_timing)


def _summarise(host: str, samples: list[Sample], skipped: str | None) -> HostResult:
    if skipped is not None:
        return HostResult(host, skipped=skipped)
    ok = [s for s in samples if s.ok]
    sources = {s.cost_source for s in ok if s.cost_source}
    errors = dict(Counter(s.error for s in samples if not s.ok and s.error))
    said: dict[str, Counter[str]] = {}
    for s in samples:
        if not s.ok and s.error and s.message:
            said.setdefault(s.error, Counter())[s.message] += 1
    messages = {kind: counts.most_common(1)[0][0] for kind, counts in said.items()}
    costs = [s.cost for s in ok if s.cost is not None]
    timing_keys = sorted({k for s in ok if s.host_timing for k in s.host_timing})
    return HostResult(
        host=host, samples=len(samples), errors=errors, error_messages=messages,
        ttft=summarize([s.ttft for s in ok]), itl=summarize([s.itl for s in ok]), e2e=summarize([s.e2e for s in ok]),
        tokens_per_second=summarize([s.tokens_per_second for s in ok]),
        cost_per_1000=(sum(costs, Decimal(0)) / len(costs) * 1000).quantize(Decimal("0.0001")) if costs else None,
        cost_source=", ".join(sorted(sources)) or None,
        host_timing={k: summarize([s.host_timing.get(k) for s in ok if s.host_timing]) for k in timing_keys},
    )


async def _warm(provider: Any, connections: int) -> None:
    """``provider.awarm``, where the provider has it; a host it cannot reach shows up in the samples instead."""
    awarm = getattr(provider, "awarm", None)
    if awarm is not None:
        with contextlib.suppress(RehostError):
            await awarm(connections)


def _host_name(provider: Any, taken: set[str]) -> str:
    name = str(getattr(provider, "name", type(provider).__name__))
    label, n = name, 2
    while label in taken:
        label, n = f"{name}#{n}", n + 1
    taken.add(label)
    return label


async def acompare(
    client: Any,
    hosts: Sequence[Any],
    *,
    prompts: str | Path | list[Any] = "short",
    runs: int = 5,
    concurrency: int = 1,
    warmup: int = 1,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    **options: Any,
) -> Report:
    """Run ``client`` against every host in ``hosts`` (providers) and compare them.

    ``options`` go to every call (``max_tokens``, ``thinking``, ``temperature``...). Each host answers
    ``runs`` x len(prompts) timed calls after ``warmup`` untimed ones per host. Each call may take at most
    ``timeout`` seconds (None: no bound but the providers' own); one that takes longer is a RequestTimeout.
    """
    if runs < 1 or concurrency < 1 or warmup < 0:
        raise ConfigurationError("runs and concurrency must be at least 1, warmup at least 0")
    if timeout is not None and not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds (or None), not {timeout!r}")
    prompt_list = load_prompts(prompts)
    taken: set[str] = set()
    names = [_host_name(p, taken) for p in hosts]
    skipped: dict[str, str] = {}
    clients: dict[str, Any] = {}
    for name, provider in zip(names, hosts, strict=True):
        reason = getattr(provider, "missing_key_reason", None)
        if reason:
            skipped[name] = reason
            continue
        bound = copy.copy(client)
        bound.provider = provider
        try:
            provider.prepare(bound.prepare(prompt_list[0], stream=True, **options))
        except RehostError as exc:  # the host cannot take this model or request at all
            skipped[name] = f"{type(exc).__name__}: {exc}"
            continue
        clients[name] = bound
    live = [n for n in names if n in clients]
    # connect ahead, so that no host's first sample (warm-up or timed) pays for its pool's first connect
    await asyncio.gather(*(_warm(clients[n].provider, concurrency) for n in live))
    warm: list[tuple[str, int, int]] = [(h, 0, -1) for _ in range(warmup) for h in live]
    plan: list[tuple[str, int, int]] = []
    for run in range(runs):
        order = live[run % len(live):] + live[:run % len(live)] if live else []
        plan += [(h, i, run) for i in range(len(prompt_list)) for h in order]
    total = len(warm) + len(plan)
    done_count = 0
    gate = asyncio.Semaphore(concurrency)
    samples: list[Sample] = []

    async def worker(host: str, index: int, run: int) -> None:
        nonlocal done_count
        async with gate:
            sample = await _one(clients[host], host, prompt_list[index], index, run, options=options,
                                timeout=timeout)
        if run >= 0:
            samples.append(sample)
        done_count += 1
        if progress is not None:
            progress(done_count, total)

    # every warm-up call ends before the first timed one starts: with concurrency they would otherwise share
    # the gate, and a timed call could run beside a host's first (cold) call
    await asyncio.gather(*(worker(*item) for item in warm))
    await asyncio.gather(*(worker(*item) for item in plan))
    results = [_summarise(name, [s for s in samples if s.host == name], skipped.get(name)) for name in names]
    model = getattr(client, "model", "?")
    config = {"prompts": prompts if isinstance(prompts, str) else f"{len(prompt_list)} prompts", "runs": runs,
              "concurrency": concurrency, "warmup": warmup, "timeout": timeout,
              "options": {k: str(v) for k, v in options.items()}}
    return Report(model=str(model), hosts=results, samples=sorted(samples, key=lambda s: s.started_at),
                  config=config)


def compare(client: Any, hosts: Sequence[Any], **kwargs: Any) -> Report:
    """The sync form of ``acompare`` (runs its own event loop; inside async code, await ``acompare``)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(acompare(client, hosts, **kwargs))
    raise RuntimeError("compare() was called inside a running event loop: await acompare(...) instead")
