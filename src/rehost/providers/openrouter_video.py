"""OpenRouter's video jobs: ``POST /api/v1/videos`` (202) and ``GET /api/v1/videos/{id}``.

Facts: ``../shared/HOSTS-MEDIA.md`` §4.5 (and OpenRouter's ``FrameImage`` schema: ``{"type": "image_url",
"image_url": {"url"}, "frame_type": "first_frame" | "last_frame"}``). The answer to a submit carries the job
``id`` and a ``polling_url``; a poll's ``status`` is ``pending`` | ``in_progress`` | ``completed`` |
``failed`` | ``cancelled`` | ``expired``, with ``unsigned_urls[]`` and ``usage.cost`` when completed (the
content is also at ``/api/v1/videos/{id}/content``, with the key); ``error`` is a string.

The OpenRouter host class serves video with one line, ``video_endpoint = OpenRouterVideo``, once it is
converted to the new base (another part of issue 13). UNCONFIRMED: a cancel call (none documented:
``cancel`` raises UnsupportedFeature); a ``progress`` figure on a poll (0-100, read when present).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urljoin

from ..shared.errors import JobFailed, JobLost, UnsupportedFeature
from ..shared.pricing import cost_from_host
from ..shared.transport import HttpCall
from ..shared.video.job import Job
from ..shared.video.media import Media
from ..shared.video.request import VideoRequest
from ..shared.video.status import JobState, JobStatus, VideoFile
from .base.video import VideoEndpoint

__all__ = ["OpenRouterVideo"]

_STATUS: dict[str, JobStatus] = {"pending": "queued", "in_progress": "running", "completed": "succeeded",
                                 "failed": "failed", "cancelled": "cancelled", "expired": "failed"}


def _image(media: Media) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": media.url_or_data_uri()}}


class OpenRouterVideo(VideoEndpoint):
    """OpenRouter ``/videos``: any video model it routes, one job shape."""

    download_needs_auth: ClassVar[bool] = True

    def build_submit(self, request: VideoRequest, model_id: str) -> HttpCall:
        if request.output_uri is not None:
            raise UnsupportedFeature(f"{self.name}: output_uri is not an OpenRouter field", host=self.name)
        if request.fps is not None:
            raise UnsupportedFeature(f"{self.name}: /videos takes no frame rate", host=self.name)
        if request.negative_prompt is not None:
            raise UnsupportedFeature(f"{self.name}: /videos takes no negative prompt", host=self.name)
        body: dict[str, Any] = {"model": model_id, "prompt": request.prompt}
        duration = request.duration
        optional = {"duration": int(duration) if isinstance(duration, float) and duration.is_integer() else duration,
                    "resolution": request.resolution, "aspect_ratio": request.aspect_ratio,
                    "generate_audio": request.audio, "seed": request.seed, "callback_url": request.webhook_url}
        body.update({k: v for k, v in optional.items() if v is not None})
        frames = [{**_image(m), "frame_type": which}
                  for which, m in (("first_frame", request.first_frame), ("last_frame", request.last_frame)) if m]
        if frames:
            body["frame_images"] = frames
        if request.reference_images:
            body["input_references"] = [_image(m) for m in request.reference_images]
        return HttpCall("POST", f"{self.base_url}/videos", body=body)

    def decode_submit(self, body: Any, request: VideoRequest, call: HttpCall) -> tuple[str, dict[str, Any]]:
        job_id = str(body["id"])
        extra = {"polling_url": body["polling_url"]} if body.get("polling_url") else {}
        return job_id, extra

    def _poll_url(self, job: Job) -> str:
        given = job.extra.get("polling_url")
        if isinstance(given, str) and given:
            return urljoin(self.base_url + "/", given)  # "/api/v1/videos/{id}": relative to the host's origin
        return f"{self.base_url}/videos/{job.job_id}"

    def build_poll(self, job: Job) -> HttpCall:
        return HttpCall("GET", self._poll_url(job))

    def decode_poll(self, body: Any, job: Job, headers: Mapping[str, str]) -> JobState:
        word = str(body["status"])
        status = _STATUS.get(word, "running")
        progress = body.get("progress")
        fraction = progress / 100 if isinstance(progress, int | float) else None
        if status == "succeeded":
            urls = [u for u in body.get("unsigned_urls") or () if isinstance(u, str)]
            files = tuple(VideoFile(url=u) for u in urls) or (
                VideoFile(url=f"{self.base_url}/videos/{job.job_id}/content"),)
            cost = (body.get("usage") or {}).get("cost")
            return JobState("succeeded", progress=1.0, videos=files, host_status=word,
                            cost=cost_from_host(cost, self.name) if cost is not None else None,
                            seed=body.get("seed"))
        if word == "expired":
            lost = JobLost(f"{self.name}: job {job.job_id} expired before it was collected", host=self.name,
                           code="expired", job_id=job.job_id)
            return JobState("failed", error=lost, host_status=word)
        if status == "failed":
            message = body.get("error") or f"job {job.job_id} failed"
            return JobState("failed", error=JobFailed(str(message), host=self.name, code="failed"),
                            host_status=word)
        return JobState(status, progress=fraction, host_status=word)
