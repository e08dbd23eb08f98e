"""Replicate (``api.replicate.com/v1``): video models run as *predictions*, which are jobs.

Facts: ../shared/HOSTS-MORE.md §10 (replicate-python ``client``, ``prediction``, ``model``, ``run``,
``exceptions`` and its recorded cassettes) and the stored input/output schemas of the Google models on
Replicate (replicate.com/google/veo-3.1, /veo-3-fast, /veo-2, "API" tab, read 2026-12-01).

A prediction is created with ``POST /v1/models/{owner}/{name}/predictions`` (an official model, by its
``owner/name`` id) or ``POST /v1/predictions`` with ``{"version": ...}`` (an ``owner/name:version`` id), body
``{"input": {...}}``; it is polled with ``GET /v1/predictions/{id}`` (the answer's ``urls.get``) until its
``status`` (``starting`` | ``processing`` | ``succeeded`` | ``failed`` | ``canceled``) is final, and cancelled
with ``POST /v1/predictions/{id}/cancel``. That is exactly the video job plan (``shared/video``: submit, one
polling plan, cancel, download), so Replicate is a host of the ``video`` kind: ``job.wait()`` polls it like any
other video host, and a job saved with ``to_dict`` is picked up again in another process.

``Prefer: wait`` (``Replicate(wait=N)``, 1-60 s) asks the submit to hold the answer until the prediction
finishes or the wait runs out (``201`` with ``Preference-Applied: wait``); a video usually outlasts it, so it
is off by default; the job's first poll then finds the result at once.

Input: a Replicate model's input is the model's own schema. The Google video models' stored schemas name
``prompt``, ``duration``, ``aspect_ratio``, ``resolution``, ``negative_prompt``, ``image`` (first frame),
``last_frame``, ``reference_images``, ``generate_audio`` and ``seed``, and their output is one URI (a string):
those are the fields sent here. A model with other names takes them through ``extra_body={"input": {...}}``;
a frame rate, a size in pixels and ``output_uri`` have no field and are refused before the network. The
webhook is ``webhook`` with ``webhook_events_filter: ["completed"]``.

Errors are RFC 7807 problem details (``{"title", "detail", "status"}``, ``application/problem+json``);
a failed prediction carries ``error`` (a string). UNCONFIRMED here: which failure words mean a filtered
result (``flagged``, ``sensitive``, ``safety``, ``NSFW`` ... are read as ``ContentBlocked``), and a progress
figure (none is documented; progress is unknown until done). The prediction's ``output`` for a language
model is a list of text tokens: why chat is not served through predictions is written in
docs/replicate.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import ConfigurationError, ContentBlocked, HostError, JobFailed, UnsupportedFeature
from ..shared.transport import HttpCall
from ..shared.video.job import Job
from ..shared.video.media import Media
from ..shared.video.request import VideoRequest
from ..shared.video.status import JobState, JobStatus, VideoFile
from .base.host import Host
from .base.status import error_class_for_status
from .base.video import VideoEndpoint

__all__ = ["Replicate", "ReplicateVideo"]

_STATUS: dict[str, JobStatus] = {"starting": "queued", "processing": "running", "succeeded": "succeeded",
                                 "failed": "failed", "canceled": "cancelled"}
_BLOCKED = re.compile(r"nsfw|flagged|sensitive|safety|moderat|content.?(filter|policy)", re.IGNORECASE)
#: ``owner/name`` or ``owner/name:version`` (a 64-hex version id)
_MODEL = re.compile(r"(?P<owner>[\w.-]+)/(?P<name>[\w.-]+)(?::(?P<version>[0-9a-f]{64}))?")
_MAX_WAIT = 60


def _image(media: Media) -> str:
    return media.url_or_data_uri()


class ReplicateVideo(VideoEndpoint):
    """Predictions of Replicate's video models."""

    def build_submit(self, request: VideoRequest, model_id: str) -> HttpCall:
        for what, value in (("output_uri", request.output_uri), ("fps", request.fps)):
            if value is not None:
                raise UnsupportedFeature(f"replicate: the video models' inputs have no {what} field (pass the "
                                         "model's own input in extra_body={'input': {...}})", host=self.name)
        if request.width is not None and request.resolution is None and request.aspect_ratio is None:
            raise UnsupportedFeature("replicate takes a frame size as aspect_ratio and resolution, not pixels",
                                     host=self.name)
        found = _MODEL.fullmatch(model_id)
        if found is None:
            raise ConfigurationError(f"replicate: {model_id!r} is not a Replicate model id (owner/name, or "
                                     "owner/name:version)", host=self.name)
        duration = request.duration
        given: dict[str, Any] = {
            "prompt": request.prompt,
            "duration": int(duration) if isinstance(duration, float) and duration.is_integer() else duration,
            "aspect_ratio": request.aspect_ratio, "resolution": request.resolution,
            "negative_prompt": request.negative_prompt, "generate_audio": request.audio, "seed": request.seed,
            "image": _image(request.first_frame) if request.first_frame else None,
            "last_frame": _image(request.last_frame) if request.last_frame else None,
        }
        model_input = {k: v for k, v in given.items() if v is not None}
        if request.reference_images:
            model_input["reference_images"] = [_image(m) for m in request.reference_images]
        body: dict[str, Any] = {"input": model_input}
        if request.webhook_url is not None:
            body["webhook"] = request.webhook_url
            body["webhook_events_filter"] = ["completed"]
        headers: dict[str, str] = {}
        host = self.host
        if isinstance(host, Replicate) and host.wait is not None:
            headers["Prefer"] = f"wait={host.wait}"
        if found["version"]:
            body = {"version": found["version"], **body}
            return HttpCall("POST", f"{self.base_url}/predictions", body=body, headers=headers)
        return HttpCall("POST", f"{self.base_url}/models/{found['owner']}/{found['name']}/predictions", body=body,
                        headers=headers)

    def decode_submit(self, body: Any, request: VideoRequest, call: HttpCall) -> tuple[str, dict[str, Any]]:
        urls = body.get("urls") or {}
        extra = {k: urls[k] for k in ("get", "cancel") if isinstance(urls.get(k), str)}
        return str(body["id"]), extra

    def _url(self, job: Job, which: str, default: str) -> str:
        given = job.extra.get(which)
        return given if isinstance(given, str) and self._same_origin(given) else default

    def build_poll(self, job: Job) -> HttpCall:
        return HttpCall("GET", self._url(job, "get", f"{self.base_url}/predictions/{job.job_id}"))

    def build_cancel(self, job: Job) -> HttpCall:
        return HttpCall("POST", self._url(job, "cancel", f"{self.base_url}/predictions/{job.job_id}/cancel"))

    def decode_poll(self, body: Any, job: Job, headers: Mapping[str, str]) -> JobState:
        word = str(body["status"])
        status = _STATUS.get(word, "running")
        if status == "succeeded":
            output = body.get("output")
            given = [output] if isinstance(output, str) else output if isinstance(output, list) else []
            urls = [u for u in given if isinstance(u, str) and u.startswith(("https://", "http://"))]
            if not urls:  # a language model's output is text tokens: not a video
                raise ValueError(f"prediction {job.job_id} succeeded with no video URL in output: {output!r:.200}")
            return JobState("succeeded", progress=1.0, videos=tuple(VideoFile(url=u) for u in urls),
                            host_status=word)
        if status == "failed":
            reason = str(body.get("error") or f"prediction {job.job_id} failed")
            error: HostError = (ContentBlocked(reason, host=self.name, code=word) if _BLOCKED.search(reason) else
                                JobFailed(reason, host=self.name, code=word, job_id=job.job_id))
            return JobState("failed", error=error, host_status=word)
        return JobState(status, host_status=word)


class Replicate(Host):
    """Replicate (``REPLICATE_API_TOKEN``): video models as prediction jobs."""

    name: ClassVar[str] = "replicate"
    default_base_url: ClassVar[str] = "https://api.replicate.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("REPLICATE_API_TOKEN",)
    video_endpoint: ClassVar[type[Any] | None] = ReplicateVideo

    def __init__(self, api_key: str | None = None, *, wait: int | None = None, **kwargs: Any) -> None:
        """``wait``: seconds (1-60) the submit may hold the answer for (``Prefer: wait=N``); None: answer at
        once."""
        if wait is not None and (isinstance(wait, bool) or not isinstance(wait, int) or not 1 <= wait <= _MAX_WAIT):
            raise ConfigurationError(f"replicate: wait is a whole number of seconds from 1 to {_MAX_WAIT} (the "
                                     f"server holds a prediction at most that long), not {wait!r}", host="replicate")
        self.wait = wait
        super().__init__(api_key, **kwargs)

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        """RFC 7807 problem details: ``{"title", "detail", "status"}`` (a 401 is ``Unauthenticated``)."""
        if isinstance(body, Mapping) and ("detail" in body or "title" in body):
            title, detail = body.get("title"), body.get("detail")
            message = ": ".join(str(p) for p in (title, detail) if p) or f"{self.name} answered HTTP {status}"
            return error_class_for_status(status)(message, host=self.name, status=status,
                                                  code=str(title) if title else None,
                                                  body=json.dumps(body, ensure_ascii=False)[:2000])
        return super().error_from_body(status, headers, body)
