"""Progress events: what a long wait reports on each poll (``job.wait(on_progress=...)``, the CLI's bar), for
a job of any kind."""

from __future__ import annotations

from dataclasses import dataclass

from .status import JobStatus

__all__ = ["Progress"]


@dataclass(frozen=True, slots=True)
class Progress:
    """One poll's news. ``fraction`` is the host's progress (0..1) where it reports one, else None (show
    a spinner, not a made-up bar); ``elapsed`` counts from the submit."""

    job_id: str
    host: str
    status: JobStatus
    fraction: float | None
    elapsed: float
    polls: int
