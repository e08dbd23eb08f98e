"""The finished video a poll reports (``VideoFile``), and the job statuses every kind of job shares
(``JobState``, ``JobStatus``, ``FINISHED``: defined in ``shared/jobs/status.py``, re-exported here)."""

from __future__ import annotations

from dataclasses import dataclass

from ..jobs.status import FINISHED, JobState, JobStatus

__all__ = ["FINISHED", "JobState", "JobStatus", "VideoFile"]


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
