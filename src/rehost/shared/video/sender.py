"""The protocol a video job talks to: a host's video endpoint (``providers/base/video.py``) implements it,
and so could a router across hosts. Jobs and videos hold one, never a host class."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .job import Job
    from .request import VideoRequest
    from .status import JobState
    from .video import Video

__all__ = ["VideoSender"]


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
