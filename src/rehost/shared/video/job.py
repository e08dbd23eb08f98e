"""Job: a submitted video, alive across processes.

``client.generate(...)`` returns one at once; ``job.wait()`` (or ``await job.wait_async()``) polls by the one
polling plan (``shared/io/polling.py``) until the host says it is over, reporting ``Progress`` on the way,
and returns the ``Video`` or raises the job's error: ``ContentBlocked`` with the host's reason for a filtered
result, ``JobFailed`` for a failed one, ``JobLost`` when the host no longer knows it, ``JobTimeout`` (a
``RequestTimeout`` that keeps the job) when the wait's deadline passes first.

``job.to_dict()`` is everything needed to pick the job up again (host, base URL, model, job id, submit time,
the request's shape for pricing, the host's own handles); ``Job.from_dict(data)`` in another process rebuilds
the host from the registry (the key from its environment variable), or binds to the host given.

The lifecycle itself is every job's (``shared/jobs/job.py``, shared with batches); this module adds what a
video job is: its result type and how a persisted one finds its video endpoint again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..io.clock import Clock
from ..jobs.job import FORMAT, BaseJob, registry_host

if TYPE_CHECKING:
    from .sender import VideoSender
    from .video import Video  # noqa: F401  (named in the base class, as a string)

__all__ = ["FORMAT", "Job"]


class Job(BaseJob["Video"]):
    """One video job on one host. Made by a video endpoint's ``submit``, or by ``from_dict``."""

    kind: ClassVar[str] = "video"
    sender: VideoSender

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, host: Any = None, clock: Clock | None = None) -> Job:
        """The job ``to_dict`` wrote. ``host`` is the host (or video endpoint) to collect it through; without
        one, the registry's class for ``data["host"]`` is built with ``data["base_url"]`` and the key from its
        environment variable (hosts that need more to be built, such as Vertex, must be given)."""
        cls._checked(data)
        job: Job = cls._rebuilt(data, _sender_for(data, host), clock)
        return job


def _sender_for(data: dict[str, Any], host: Any) -> VideoSender:
    if host is None:
        host = registry_host(data, "Job")
    from .sender import video_sender

    return video_sender(host)
