"""The protocol a video job talks to: a host's video endpoint (``providers/base/video.py``) implements it,
and so could a router across hosts. Jobs and videos hold one, never a host class."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .job import Job
    from .request import VideoRequest
    from .status import JobState
    from .video import Video

__all__ = ["VideoSender", "video_sender"]


@runtime_checkable
class VideoSender(Protocol):
    @property
    def name(self) -> str: ...

    def submit(self, request: VideoRequest, *, clock: object = None) -> Job: ...

    async def asubmit(self, request: VideoRequest, *, clock: object = None) -> Job: ...

    def poll(self, job: Job) -> JobState: ...

    async def apoll(self, job: Job) -> JobState: ...

    def cancel(self, job: Job) -> None: ...

    async def acancel(self, job: Job) -> None: ...

    def result(self, job: Job, state: JobState) -> Video: ...

    def download(self, video: Video, path: Path, *, chunk_size: int = ...) -> Path: ...

    async def adownload(self, video: Video, path: Path, *, chunk_size: int = ...) -> Path: ...


def video_sender(provider: Any) -> VideoSender:
    """``provider``'s video endpoint: a host's ``endpoint("video")`` (UnsupportedFeature when it serves no
    video), or a video sender itself. A provider of the old base (no endpoints yet) serves no video either."""
    get = getattr(provider, "endpoint", None)
    if callable(get):
        sender: VideoSender = get("video")
        return sender
    if isinstance(provider, VideoSender):
        return provider
    name = getattr(provider, "name", type(provider).__name__)
    from ..errors import UnsupportedFeature

    raise UnsupportedFeature(f"{name} serves no video jobs (its provider has no video endpoint); the video hosts: "
                             f"{', '.join(_video_hosts()) or 'none registered'}", host=name)


def _video_hosts() -> list[str]:
    from ... import _registry

    return sorted(h.name for h in _registry.HOSTS.values() if "video" in h.kinds)
