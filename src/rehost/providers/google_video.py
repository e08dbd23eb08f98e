"""Veo on the Gemini API (AI Studio): ``:predictLongRunning`` and operation polling.

Facts: ``../shared/HOSTS-MEDIA.md`` §4.3. Submit ``POST {base}/models/{model}:predictLongRunning`` with
``{"instances": [{"prompt", "image", "lastFrame", "referenceImages"}], "parameters": {"aspectRatio",
"durationSeconds", "resolution", "negativePrompt", "sampleCount", ...}}`` -> ``{"name":
"models/{model}/operations/{id}"}``; poll ``GET {base}/{name}`` until ``"done": true`` with
``response.generateVideoResponse.generatedSamples[].video.uri`` (downloaded with the key, which goes only to
the API's own origin), or ``error``. A result withheld by the safety filters says so in
``raiMediaFilteredCount`` / ``raiMediaFilteredReasons``: that is ``ContentBlocked`` with the reasons.

The Google host class is converted to the new base by another part of issue 13; it serves video with one
line, ``video_endpoint = GeminiVeo``. UNCONFIRMED: ``POST {base}/{name}:cancel`` (the google.longrunning
operations' cancel; not documented for Veo); which ``parameters`` the Gemini API refuses (``seed`` and
``generateAudio`` are sent only when asked for).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from ..shared.errors import ContentBlocked, HostError, JobFailed, UnsupportedFeature
from ..shared.transport import HttpCall
from ..shared.video.job import Job
from ..shared.video.media import Media
from ..shared.video.request import VideoRequest
from ..shared.video.status import JobState, VideoFile
from .base.status import error_class_for_status
from .base.video import VideoEndpoint

__all__ = ["GeminiVeo", "operation_error", "operation_state", "veo_parameters"]

#: google.rpc status names -> the HTTP status they stand for (what picks the error class)
_RPC_HTTP = {"INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400, "UNAUTHENTICATED": 401,
             "PERMISSION_DENIED": 403, "NOT_FOUND": 404, "RESOURCE_EXHAUSTED": 429, "INTERNAL": 500,
             "UNAVAILABLE": 503, "DEADLINE_EXCEEDED": 504}


def operation_error(error: Mapping[str, Any], host: str, job_id: str) -> HostError:
    """A finished operation's ``error`` (``{"code", "message", "status"}``) as a typed error."""
    status = str(error.get("status") or "")
    message = str(error.get("message") or f"job {job_id} failed")
    http = _RPC_HTTP.get(status)
    cls: type[HostError] = error_class_for_status(http) if http else JobFailed
    if "safety" in message.lower() or "responsible ai" in message.lower():
        cls = ContentBlocked  # Veo words a refused prompt this way (UNCONFIRMED code: none documented)
    return cls(message, host=host, code=status or str(error.get("code") or "") or None)


def veo_parameters(request: VideoRequest) -> dict[str, Any]:
    """The ``parameters`` object both Veo surfaces share."""
    params: dict[str, Any] = {"sampleCount": 1}
    optional = {"aspectRatio": request.aspect_ratio, "durationSeconds": request.duration,
                "resolution": request.resolution, "negativePrompt": request.negative_prompt, "seed": request.seed,
                "generateAudio": request.audio}
    params.update({k: v for k, v in optional.items() if v is not None})
    if isinstance(params.get("durationSeconds"), float) and params["durationSeconds"].is_integer():
        params["durationSeconds"] = int(params["durationSeconds"])
    return params


def operation_state(body: Any, host: str, job_id: str, *, answer: Callable[[dict[str, Any]], dict[str, Any]],
                    videos: Callable[[dict[str, Any]], Sequence[VideoFile]]) -> JobState:
    """A Veo long-running operation's state, on the Gemini API and on Vertex alike: running until ``done``, an
    ``error`` (CANCELLED: cancelled), else the videos (``answer`` finds the response, ``videos`` the files in
    it; where they differ per host), or the safety filter's report when there are none."""
    if not body.get("done"):
        return JobState("running", host_status="running")
    if body.get("error"):
        err = operation_error(body["error"], host, job_id)
        if err.code == "CANCELLED":
            return JobState("cancelled", host_status="CANCELLED")
        return JobState("failed", error=err, host_status=err.code)
    found = answer(body)
    files = tuple(videos(found))
    if not files:
        blocked = veo_filtered(found, host)
        if blocked is not None:
            return JobState("failed", error=blocked, host_status="filtered")
        raise ValueError("a finished operation with neither videos, a filter report nor an error")
    return JobState("succeeded", progress=1.0, videos=files, host_status="done")


def _gemini_answer(body: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = body.get("response", {}).get("generateVideoResponse", {})
    return answer


def _gemini_videos(answer: dict[str, Any]) -> list[VideoFile]:
    """The Gemini API's ``generatedSamples``: a download URI each."""
    return [VideoFile(url=s["video"]["uri"], mime=s["video"].get("mimeType", "video/mp4"))
            for s in answer.get("generatedSamples") or () if s.get("video", {}).get("uri")]


def veo_filtered(answer: Mapping[str, Any], host: str) -> ContentBlocked | None:
    """``ContentBlocked`` when the safety filters withheld every sample (None when any came back)."""
    count = answer.get("raiMediaFilteredCount") or 0
    reasons = [str(r) for r in answer.get("raiMediaFilteredReasons") or ()]
    if not count and not reasons:
        return None
    reason = "; ".join(reasons) or f"{count} video(s) filtered"
    return ContentBlocked(f"{host} withheld the video: {reason}", host=host, code=reason)


class GeminiVeo(VideoEndpoint):
    """Veo through ``generativelanguage.googleapis.com``."""

    download_needs_auth: ClassVar[bool] = True

    def _image(self, media: Media, what: str) -> dict[str, Any]:
        if not media.is_inline:
            raise UnsupportedFeature(f"{self.name}: the Gemini API takes the {what} as bytes (a URL is not fetched): "
                                     "pass bytes, a Path, or a data: URI", host=self.name)
        return {"bytesBase64Encoded": media.base64(), "mimeType": media.mime or "image/png"}

    def build_submit(self, request: VideoRequest, model_id: str) -> HttpCall:
        if request.output_uri is not None:
            raise UnsupportedFeature(f"{self.name}: output_uri (storageUri) is Vertex's; the Gemini API keeps the "
                                     "video for download", host=self.name)
        if request.webhook_url is not None:
            raise UnsupportedFeature(f"{self.name} has no webhook for video jobs: poll (job.wait())", host=self.name)
        if request.fps is not None:
            raise UnsupportedFeature(f"{self.name}: Veo takes no frame rate", host=self.name)
        instance: dict[str, Any] = {"prompt": request.prompt}
        if request.first_frame is not None:
            instance["image"] = self._image(request.first_frame, "first frame")
        if request.last_frame is not None:
            instance["lastFrame"] = self._image(request.last_frame, "last frame")
        if request.reference_images:
            instance["referenceImages"] = [{"image": self._image(m, "reference image"), "referenceType": "asset"}
                                           for m in request.reference_images]
        body = {"instances": [instance], "parameters": veo_parameters(request)}
        return HttpCall("POST", f"{self.base_url}/models/{model_id}:predictLongRunning", body=body)

    def decode_submit(self, body: Any, request: VideoRequest, call: HttpCall) -> tuple[str, dict[str, Any]]:
        return str(body["name"]), {}

    def build_poll(self, job: Job) -> HttpCall:
        return HttpCall("GET", f"{self.base_url}/{job.job_id}")

    def build_cancel(self, job: Job) -> HttpCall:
        return HttpCall("POST", f"{self.base_url}/{job.job_id}:cancel", body={})

    def decode_poll(self, body: Any, job: Job, headers: Mapping[str, str]) -> JobState:
        return operation_state(body, self.name, job.job_id, answer=_gemini_answer, videos=_gemini_videos)
