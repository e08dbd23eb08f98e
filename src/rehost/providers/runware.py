"""Runware: one task API for many video families (Kling, Veo, Seedance, Hailuo/MiniMax, PixVerse, Vidu ...).

Facts: ``../shared/HOSTS-MEDIA.md`` §4.1. Every call is ``POST https://api.runware.ai/v1`` with a JSON array
of tasks and a Bearer key; answers are ``{"data": [...]}`` and/or ``{"errors": [...]}``. A video is a
``videoInference`` task with a client-made ``taskUUID`` and ``deliveryMethod: "async"``; its result is asked
for with a ``getResponse`` task of the same UUID, whose items carry ``status`` ``processing`` | ``success`` |
``error`` (older copies and the SDK also say ``pending``, ``queued``, ``scheduled``, ``waiting``: any word but
success and error is in flight). Model ids are AIR ids (``klingai:kling-video@3-standard``).

Because the job id is ours, sending the same submit twice cannot start two videos (Runware refuses a reused
UUID with ``conflictTaskUUID``), so a submit is retried on any transient error.

UNCONFIRMED here (no stored source): a cancel call (none documented: ``cancel`` raises UnsupportedFeature);
a field for generating sound (``audio=`` raises UnsupportedFeature: pass the model's own setting in
``extra_body={"providerSettings": ...}``); the error codes of a moderated result (codes naming NSFW, safety,
moderation or content policy are read as ``ContentBlocked``); a progress figure on a poll (read as
``progress``, 0-100, when present).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import (
    AuthenticationError,
    ContentBlocked,
    HostError,
    InvalidRequest,
    JobFailed,
    NotFound,
    UnsupportedFeature,
)
from ..shared.pricing import cost_from_host
from ..shared.transport import HttpCall
from ..shared.video.job import Job
from ..shared.video.request import VideoRequest
from ..shared.video.status import JobState, JobStatus, VideoFile
from .base.host import Host
from .base.status import error_class_for_status
from .base.video import VideoEndpoint

__all__ = ["Runware", "RunwareVideo"]

#: in-flight words that mean "not started yet" (the rest of the in-flight words mean running)
_QUEUED = frozenset({"queued", "pending", "scheduled", "waiting"})
_BLOCKED = re.compile(r"nsfw|safety|moderat|content.?(filter|policy)|blocked", re.IGNORECASE)
_LOST = re.compile(r"not.?found|unknown.?task|expired", re.IGNORECASE)
_AUTH = re.compile(r"api.?key|unauthori[sz]ed|authenticat", re.IGNORECASE)


def _error_of(item: Mapping[str, Any], status: int, host: str) -> HostError:
    """One ``errors[]`` entry as a typed error (its ``code``, the ``parameter`` it names, ``message``)."""
    code = str(item.get("code") or item.get("error") or item.get("errorId") or "") or None
    message = str(item.get("message") or code or f"{host} answered HTTP {status}")
    if item.get("parameter"):
        message = f"{message} (parameter {item['parameter']})"
    words = f"{code or ''} {message}"
    cls: type[HostError]
    if _BLOCKED.search(words):
        cls = ContentBlocked
    elif status in (0, 200) and _LOST.search(code or ""):
        cls = NotFound
    elif status in (0, 200) and _AUTH.search(code or ""):
        cls = AuthenticationError
    elif status in (0, 200):
        cls = InvalidRequest if item.get("parameter") or code == "conflictTaskUUID" else JobFailed
    else:
        cls = error_class_for_status(status)
    return cls(message, host=host, status=status or None, code=code)


class RunwareVideo(VideoEndpoint):
    """Runware's ``videoInference`` tasks, polled with ``getResponse``."""

    idempotent_submit: ClassVar[bool] = True

    def build_submit(self, request: VideoRequest, model_id: str) -> HttpCall:
        if request.audio is not None:
            raise UnsupportedFeature("runware: no documented task field turns a model's sound on or off; pass the "
                                     "model's own setting in extra_body={'providerSettings': {...}}", host=self.name)
        if request.output_uri is not None:
            raise UnsupportedFeature("runware: output_uri is not a Runware field (its uploadEndpoint takes a "
                                     "presigned PUT URL: pass extra_body={'uploadEndpoint': ...})", host=self.name)
        if request.width is None and (request.resolution or request.aspect_ratio):
            raise UnsupportedFeature("runware takes a frame size as width and height: pass size='WIDTHxHEIGHT'",
                                     host=self.name)
        task: dict[str, Any] = {"taskType": "videoInference", "taskUUID": str(uuid.uuid4()), "model": model_id,
                                "positivePrompt": request.prompt, "deliveryMethod": "async", "includeCost": True,
                                "numberResults": 1, "outputFormat": "MP4"}
        optional = {"negativePrompt": request.negative_prompt, "duration": request.duration,
                    "width": request.width, "height": request.height, "fps": request.fps, "seed": request.seed,
                    "webhookURL": request.webhook_url}
        task.update({k: v for k, v in optional.items() if v is not None})
        frames = [{"inputImage": media.url_or_data_uri(), "frame": which}
                  for which, media in (("first", request.first_frame), ("last", request.last_frame)) if media]
        if frames:
            task["frameImages"] = frames
        if request.reference_images:
            task["referenceImages"] = [m.url_or_data_uri() for m in request.reference_images]
        return HttpCall("POST", self.base_url, body=[task])

    def decode_submit(self, body: Any, request: VideoRequest, call: HttpCall) -> tuple[str, dict[str, Any]]:
        sent = str(call.body[0]["taskUUID"])
        errors = [e for e in body.get("errors") or () if isinstance(e, Mapping)]
        if errors:
            raise _error_of(errors[0], 200, self.name)
        for item in body.get("data") or ():
            if item.get("taskUUID") not in (None, sent):
                raise ValueError(f"the ack names task {item.get('taskUUID')!r}, not the {sent!r} sent")
        return sent, {}

    def build_poll(self, job: Job) -> HttpCall:
        return HttpCall("POST", self.base_url, body=[{"taskType": "getResponse", "taskUUID": job.job_id}])

    def decode_poll(self, body: Any, job: Job, headers: Mapping[str, str]) -> JobState:
        mine = [d for d in body.get("data") or () if d.get("taskUUID") in (None, job.job_id)]
        errors = [e for e in body.get("errors") or () if isinstance(e, Mapping)
                  and e.get("taskUUID") in (None, job.job_id)]
        item = mine[-1] if mine else {}
        word = str(item.get("status") or ("error" if errors else "processing"))
        if word == "success":
            url = item.get("videoURL") or item.get("mediaURL")
            uid = item.get("videoUUID") or item.get("mediaUUID")
            cost = item.get("cost")
            return JobState("succeeded", progress=1.0, videos=(VideoFile(url=url, host_id=uid),),
                            cost=cost_from_host(cost, self.name) if cost is not None else None,
                            seed=item.get("seed"), host_status=word)
        if word == "error":
            err = _error_of(errors[0], 200, self.name) if errors else JobFailed(
                f"runware reports task {job.job_id} failed", host=self.name, code="error")
            if isinstance(err, NotFound):
                raise err  # the host does not know the task: a lost job, not a failed one
            return JobState("failed", error=err, host_status=word)
        status: JobStatus = "queued" if word in _QUEUED else "running"
        progress = item.get("progress")
        return JobState(status, progress=progress / 100 if isinstance(progress, int | float) else None,
                        host_status=word)


class Runware(Host):
    """Runware (``RUNWARE_API_KEY``): video jobs over its task API."""

    name: ClassVar[str] = "runware"
    default_base_url: ClassVar[str] = "https://api.runware.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("RUNWARE_API_KEY",)
    video_endpoint: ClassVar[type[Any] | None] = RunwareVideo

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        """Runware's ``{"errors": [{"code", "message", "parameter", ...}]}`` envelope (a 401 is a bad key)."""
        if isinstance(body, Mapping) and isinstance(body.get("errors"), list) and body["errors"]:
            first = body["errors"][0]
            if isinstance(first, Mapping):
                err = _error_of(first, status, self.name)
                err.body = str(body)[:2000]
                return err
        return super().error_from_body(status, headers, body)
