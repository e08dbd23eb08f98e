"""Job statuses and the neutral answer to one poll (``JobState``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    from ..errors import RehostError
    from ..pricing import Cost

__all__ = ["FINISHED", "JobState", "JobStatus", "VideoFile"]

#: where a job is: every host's own words map onto these (its endpoint knows which)
JobStatus: TypeAlias = Literal["queued", "running", "succeeded", "failed", "cancelled"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


@dataclass(frozen=True, slots=True)
class VideoFile:
    """One finished video as the host reports it: a URL to fetch (``url``, and the host's id for it), or
    the bytes themselves (Vertex without ``storageUri`` answers base64)."""

    url: str | None = None
    data: bytes | None = None
    mime: str = "video/mp4"
    host_id: str | None = None

    def __repr__(self) -> str:
        if self.data is not None:
            return f"VideoFile({self.mime}, {len(self.data)} bytes)"
        return f"VideoFile(url={self.url!r})"


@dataclass(frozen=True, slots=True)
class JobState:
    """One poll's answer: the status, progress (0..1) where the host reports it, the videos once
    succeeded, the error once failed (``ContentBlocked`` for a filtered result, with the host's reason),
    the cost the host reports, and its suggested wait before the next poll."""

    status: JobStatus
    progress: float | None = None
    videos: tuple[VideoFile, ...] = ()
    error: RehostError | None = None
    cost: Cost | None = None
    seed: int | None = None
    poll_after: float | None = None
    #: the host's own status word, for messages and debugging
    host_status: str | None = None
    #: host-specific facts a later call needs (OpenRouter's content URL ...)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status in FINISHED
