"""Veo on Vertex AI: ``:predictLongRunning`` and ``:fetchPredictOperation``.

Facts: ``../shared/HOSTS-MEDIA.md`` §4.3. Submit ``POST .../publishers/google/models/{model}:predictLongRunning``
with ``{"instances": [{"prompt", "image", "lastFrame"}], "parameters": {"storageUri", "sampleCount", ...}}`` ->
an operation ``projects/.../models/{model}/operations/{id}``; poll with ``POST .../models/{model}:
fetchPredictOperation`` ``{"operationName": name}`` until ``done``, with ``response.videos[]``: ``gcsUri``
when the job was given a ``storageUri`` (``output_uri=``), else the bytes (``bytesBase64Encoded``), which the
``Video`` then holds. Filtering is reported as on the Gemini API (``raiMediaFilteredCount`` / ``...Reasons``).

The Vertex host class builds model URLs (``model_url(model_id, method)``), and serves video with one line,
``video_endpoint = VertexVeo``, once it is converted to the new base (another part of issue 13).
UNCONFIRMED: cancel (``POST {root}/{operation}:cancel``, google.longrunning's; not documented for Veo).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ..shared.errors import UnsupportedFeature
from ..shared.transport import HttpCall
from ..shared.video.job import Job
from ..shared.video.media import Media
from ..shared.video.request import VideoRequest
from ..shared.video.status import JobState, VideoFile
from .base.video import VideoEndpoint
from .google_video import operation_state, veo_parameters

__all__ = ["VertexVeo"]


class VertexVeo(VideoEndpoint):
    """Veo through Vertex AI (the host gives ``model_url`` and a Bearer token)."""

    def _url(self, model_id: str, method: str) -> str:
        url: str = self.host.model_url(model_id, method)  # type: ignore[attr-defined]
        return url

    def _image(self, media: Media) -> dict[str, Any]:
        if media.is_inline:
            return {"bytesBase64Encoded": media.base64(), "mimeType": media.mime or "image/png"}
        if media.url and media.url.startswith("gs://"):
            return {"gcsUri": media.url, "mimeType": media.mime or "image/png"}
        raise UnsupportedFeature(f"{self.name}: Veo on Vertex takes an image as bytes or a gs:// URI, not "
                                 f"{media.url!r:.60}", host=self.name)

    def build_submit(self, request: VideoRequest, model_id: str) -> HttpCall:
        if request.webhook_url is not None:
            raise UnsupportedFeature(f"{self.name} has no webhook for video jobs: poll (job.wait())", host=self.name)
        if request.fps is not None:
            raise UnsupportedFeature(f"{self.name}: Veo takes no frame rate", host=self.name)
        instance: dict[str, Any] = {"prompt": request.prompt}
        if request.first_frame is not None:
            instance["image"] = self._image(request.first_frame)
        if request.last_frame is not None:
            instance["lastFrame"] = self._image(request.last_frame)
        if request.reference_images:
            instance["referenceImages"] = [{"image": self._image(m), "referenceType": "asset"}
                                           for m in request.reference_images]
        params = veo_parameters(request)
        if request.output_uri is not None:
            params["storageUri"] = request.output_uri
        return HttpCall("POST", self._url(model_id, "predictLongRunning"),
                        body={"instances": [instance], "parameters": params})

    def decode_submit(self, body: Any, request: VideoRequest, call: HttpCall) -> tuple[str, dict[str, Any]]:
        return str(body["name"]), {}

    def build_poll(self, job: Job) -> HttpCall:
        return HttpCall("POST", self._url(job.host_model_id, "fetchPredictOperation"),
                        body={"operationName": job.job_id})

    def build_cancel(self, job: Job) -> HttpCall:
        root = self._url(job.host_model_id, "x").split("/projects/", 1)[0]
        return HttpCall("POST", f"{root}/{job.job_id}:cancel", body={})

    def decode_poll(self, body: Any, job: Job, headers: Mapping[str, str]) -> JobState:
        return operation_state(body, self.name, job.job_id, answer=lambda b: b.get("response") or {},
                               videos=_vertex_videos)


def _vertex_videos(answer: dict[str, Any]) -> list[VideoFile]:
    """Vertex's ``videos``: a Cloud Storage URI, or the bytes inline (no ``storageUri`` given)."""
    out = []
    for item in answer.get("videos") or ():
        mime = item.get("mimeType", "video/mp4")
        if item.get("gcsUri"):
            out.append(VideoFile(url=item["gcsUri"], mime=mime))
        elif item.get("bytesBase64Encoded"):
            out.append(VideoFile(data=base64.b64decode(item["bytesBase64Encoded"]), mime=mime))
    return out
