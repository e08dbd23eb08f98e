"""Video: a finished job's result, and ``save(path)`` that streams it to disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..pricing import Cost
    from .sender import VideoSender

__all__ = ["Video", "VideoTimings"]

#: the download is written in pieces of this size: a video never has to fit in memory
CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class VideoTimings:
    """Seconds from the submit: waiting in the host's queue, generating, and in all (to the poll that saw the
    job finished). ``queued``/``running`` are None when no poll saw the job between the two states."""

    total: float
    queued: float | None = None
    running: float | None = None


@dataclass(slots=True, eq=False)
class Video:
    """One generated video: a URL to fetch (``save`` streams it, with the host's auth where its URLs need
    it) and/or the bytes (hosts that answer inline), with what is known of its shape, seed and cost."""

    host: str
    model: str
    host_model_id: str
    job_id: str
    url: str | None = None
    data: bytes | None = None
    mime: str = "video/mp4"
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: int | None = None
    seed: int | None = None
    cost: Cost | None = None
    timings: VideoTimings = field(default_factory=lambda: VideoTimings(total=0.0))
    #: the host's id for the file (Runware ``videoUUID``)
    host_id: str | None = None
    _sender: VideoSender | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        where = f"url={self.url!r}" if self.url else f"{len(self.data or b'')} bytes"
        return f"Video({self.host}/{self.model}, {where}, cost={self.cost})"

    @property
    def size(self) -> str | None:
        return f"{self.width}x{self.height}" if self.width and self.height else None

    def save(self, path: str | Path, *, chunk_size: int = CHUNK) -> Path:
        """Write the video to ``path``, streamed from the host in ``chunk_size`` pieces (bytes already held are
        written as they are). The file appears complete or not at all: it is written next to ``path`` and
        renamed into place."""
        target = Path(path)
        if self.data is not None:
            _write_whole(target, self.data)
            return target
        if self._sender is None:
            from ..errors import ConfigurationError

            raise ConfigurationError("this Video is not bound to a host (made by hand?): nothing to download from")
        return self._sender.download(self, target, chunk_size=chunk_size)

    async def asave(self, path: str | Path, *, chunk_size: int = CHUNK) -> Path:
        target = Path(path)
        if self.data is not None:
            _write_whole(target, self.data)
            return target
        if self._sender is None:
            from ..errors import ConfigurationError

            raise ConfigurationError("this Video is not bound to a host (made by hand?): nothing to download from")
        return await self._sender.adownload(self, target, chunk_size=chunk_size)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (without inline bytes)."""
        return {"host": self.host, "model": self.model, "host_model_id": self.host_model_id, "job_id": self.job_id,
                "url": self.url, "mime": self.mime, "duration": self.duration, "width": self.width,
                "height": self.height, "fps": self.fps, "seed": self.seed, "host_id": self.host_id,
                "cost": None if self.cost is None else str(self.cost.total),
                "cost_source": None if self.cost is None else self.cost.source,
                "timings": {"total": self.timings.total, "queued": self.timings.queued,
                            "running": self.timings.running}}


def _write_whole(target: Path, data: bytes) -> None:
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    part.replace(target)
