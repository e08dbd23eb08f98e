"""Job statuses and the neutral answer to one poll (``JobState``), for every kind of job.

(Defined here since batches became jobs too; ``rehost.shared.video.status`` re-exports them.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    from ..errors import RehostError
    from ..pricing import Cost
    from ..video.status import VideoFile

__all__ = ["FINISHED", "JobState", "JobStatus"]

#: where a job is: every host's own words map onto these (its endpoint knows which)
JobStatus: TypeAlias = Literal["queued", "running", "succeeded", "failed", "cancelled"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


@dataclass(frozen=True, slots=True)
class JobState:
    """One poll's answer: the status, progress (0..1) where the host reports it, the videos once a video job
    succeeded, the error once failed (``ContentBlocked`` for a filtered result, with the host's reason), the
    cost the host reports, and its suggested wait before the next poll. A batch's per-item counts and the
    handles of its result files travel in ``extra``."""

    status: JobStatus
    progress: float | None = None
    videos: tuple[VideoFile, ...] = ()
    error: RehostError | None = None
    cost: Cost | None = None
    seed: int | None = None
    poll_after: float | None = None
    #: the host's own status word, for messages and debugging
    host_status: str | None = None
    #: host-specific facts a later call needs (OpenRouter's content URL, a batch's output file ...)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status in FINISHED
