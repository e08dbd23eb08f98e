"""Compare one video model across hosts: time to a finished video and cost per second of video.

Every host gets the same checked request; all jobs are submitted first and waited for together (each poll
loop on its own, concurrently), so a slow host does not delay when a fast one's finished video is seen. A
job's time is from its submit to the poll that saw it done (``Video.timings``: queued, running, total), its
cost the host's billed figure where it reports one, else the catalogue's; cost per second divides by the
requested duration.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..shared.errors import RehostError

__all__ = ["VideoReport", "VideoSample", "acompare_video", "compare_video"]


@dataclass(frozen=True, slots=True)
class VideoSample:
    host: str
    job_id: str | None
    ok: bool
    total: float | None = None
    queued: float | None = None
    running: float | None = None
    cost: Decimal | None = None
    cost_per_second: Decimal | None = None
    error: str | None = None


@dataclass
class VideoReport:
    model: str
    samples: list[VideoSample] = field(default_factory=list)

    def hosts(self) -> list[str]:
        return list(dict.fromkeys(s.host for s in self.samples))

    def rows(self) -> list[dict[str, Any]]:
        """Per host: runs, finished, errors, median time to video (and queued / running), mean cost and cost
        per second of video."""
        out = []
        for host in self.hosts():
            mine = [s for s in self.samples if s.host == host]
            ok = [s for s in mine if s.ok]

            def median(values: list[float | None]) -> float | None:
                known = [v for v in values if v is not None]
                return statistics.median(known) if known else None

            costs = [s.cost for s in ok if s.cost is not None]
            per_second = [s.cost_per_second for s in ok if s.cost_per_second is not None]
            out.append({"host": host, "runs": len(mine), "ok": len(ok), "errors": [s.error for s in mine if s.error],
                        "time_to_video_p50": median([s.total for s in ok]),
                        "queued_p50": median([s.queued for s in ok]), "running_p50": median([s.running for s in ok]),
                        "cost_mean": None if not costs else str(sum(costs) / len(costs)),
                        "cost_per_second": None if not per_second else str(sum(per_second) / len(per_second))})
        return out

    def table(self) -> str:
        head = ("host", "ok/runs", "to video p50 s", "queued p50 s", "running p50 s", "$ per video", "$ per s")
        cells = [head]
        for r in self.rows():
            def f(v: float | None) -> str:
                return "-" if v is None else f"{v:.1f}"
            cells.append((r["host"], f"{r['ok']}/{r['runs']}", f(r["time_to_video_p50"]), f(r["queued_p50"]),
                          f(r["running_p50"]), r["cost_mean"] or "-", r["cost_per_second"] or "-"))
        width = [max(len(c[i]) for c in cells) for i in range(len(head))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, width, strict=True)).rstrip() for row in cells)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "kind": "video", "hosts": self.rows(),
                "samples": [{**{k: getattr(s, k) for k in VideoSample.__slots__},
                             "cost": None if s.cost is None else str(s.cost),
                             "cost_per_second": None if s.cost_per_second is None else str(s.cost_per_second)}
                            for s in self.samples]}


async def _one(client: Any, prompt: str, options: dict[str, Any], wait: dict[str, Any]) -> VideoSample:
    host = getattr(client.provider, "name", "?")
    job = None
    try:
        job = await client.agenerate(prompt, clock=wait.get("clock"), **options)
        video = await job.wait_async(**wait)
    except RehostError as exc:
        return VideoSample(host=host, job_id=None if job is None else job.job_id, ok=False,
                           error=f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
    cost = video.cost.total if video.cost is not None else None
    per = cost / Decimal(str(video.duration)) if cost is not None and video.duration else None
    return VideoSample(host=host, job_id=video.job_id, ok=True, total=video.timings.total,
                       queued=video.timings.queued, running=video.timings.running, cost=cost, cost_per_second=per)


async def acompare_video(clients: list[Any], prompt: str, *, runs: int = 1, timeout: float | None = 1800,
                         policy: Any = None, clock: Any = None, **options: Any) -> VideoReport:
    """Submit ``runs`` jobs per client (one client per host, the same model) and wait for them all."""
    if not clients:
        from ..shared.errors import ConfigurationError

        raise ConfigurationError("compare_video needs at least one client (one per host)")
    for client in clients:  # every request checked before any is sent
        client.request(prompt, **options)
    wait = {"timeout": timeout, "policy": policy, "clock": clock}
    samples = await asyncio.gather(*(_one(c, prompt, options, wait) for _ in range(runs) for c in clients))
    return VideoReport(model=clients[0].model, samples=list(samples))


def compare_video(clients: list[Any], prompt: str, **kwargs: Any) -> VideoReport:
    """The sync face of ``acompare_video`` (runs its own event loop)."""
    return asyncio.run(acompare_video(clients, prompt, **kwargs))
