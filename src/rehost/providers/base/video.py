"""VideoEndpoint: one host's video-job surface: the codec of its job API (submit, poll, cancel, download) as
hooks, and the I/O of each step over the host's transport (retries, rate limit, pools), sync and async.

A host's video endpoint fills in the hooks (``build_submit``, ``decode_submit``, ``build_poll``,
``decode_poll``, and ``build_cancel`` / ``download_call`` where they differ); the waiting is not here but in
the one polling plan every job shares (``shared/io/polling.py``, driven from ``Job.wait``), so a new video
host is one provider file of hooks.

Retries: a poll is sent once per poll (the polling plan decides what a failed poll means, so a 5xx in the
middle of a wait is polled again, never resubmitted). A submit goes through the transport's retry plan only
where the host makes resubmitting harmless (``idempotent_submit``: Runware's client-made ``taskUUID``); on
the other hosts only a 429 (nothing was accepted) is retried, so a 5xx after the host took the job cannot
start, and bill, a second video.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import httpx

from ...shared.errors import (
    ConfigurationError,
    InvalidRequest,
    ProtocolError,
    RateLimited,
    RehostError,
    UnsupportedFeature,
)
from ...shared.io.clock import SYSTEM_CLOCK, Clock
from ...shared.transport import HttpCall, HttpResult, RetryPolicy, header_request_id
from ...shared.video.job import Job
from ...shared.video.pricing import video_cost
from ...shared.video.video import CHUNK, Video, VideoTimings
from .endpoint import Endpoint
from .headers import checked_headers, deep_merge, merge_headers
from .status import SHAPE_ERRORS

if TYPE_CHECKING:
    from ...shared.pricing import Cost
    from ...shared.video.request import VideoRequest
    from ...shared.video.status import JobState

__all__ = ["VideoEndpoint"]

#: one attempt per poll: the polling plan owns what a failed poll means
_ONCE = RetryPolicy(max_retries=0)


class VideoEndpoint(Endpoint):
    """A host's video-job surface. Subclasses fill in the hooks."""

    #: whether sending the same submit twice makes one job (a client-made job id): then a submit is retried
    #: on any transient error; else only on a 429
    idempotent_submit: ClassVar[bool] = False
    #: whether the host's own video URLs need its auth (sent only to the host's own origin, never elsewhere)
    download_needs_auth: ClassVar[bool] = False

    # ------------------------------------------------------------------------------------------ hooks
    def build_submit(self, request: VideoRequest, model_id: str) -> HttpCall:
        """The HTTP call (without auth) that starts the job; UnsupportedFeature for what the host lacks."""
        raise NotImplementedError

    def decode_submit(self, body: Any, request: VideoRequest, call: HttpCall) -> tuple[str, dict[str, Any]]:
        """The job id in the submit's answer, and the host's own handles a later poll needs (kept with the job)."""
        raise NotImplementedError

    def build_poll(self, job: Job) -> HttpCall:
        raise NotImplementedError

    def decode_poll(self, body: Any, job: Job, headers: Mapping[str, str]) -> JobState:
        """One poll's answer as a neutral ``JobState`` (a filtered result: ``failed`` with ``ContentBlocked``)."""
        raise NotImplementedError

    def build_cancel(self, job: Job) -> HttpCall:
        raise UnsupportedFeature(f"{self.name} has no way to cancel a video job (none documented): let it finish, "
                                 "or stop waiting", host=self.name)

    def download_call(self, video: Video) -> HttpCall:
        """The GET that fetches a finished video (the host's auth is added only where ``download_needs_auth``
        and only for a URL on the host's own origin)."""
        if not video.url:
            raise ConfigurationError(f"{self.name}: this video has no URL to download", host=self.name)
        scheme = urlsplit(video.url).scheme
        if scheme not in ("http", "https"):
            raise UnsupportedFeature(f"{self.name}: the video is at {video.url!r}, which is not an HTTP URL: fetch "
                                     f"it with the storage's own tools (for gs://, `gcloud storage cp`)",
                                     host=self.name)
        return HttpCall("GET", video.url, headers={"Accept": "*/*"})

    def poll_after(self, headers: Mapping[str, str], body: Any) -> float | None:
        """The host's suggested wait before the next poll, where it gives one."""
        return None

    # ------------------------------------------------------------------------------------------ steps
    def _finish(self, call: HttpCall, extra_body: Mapping[str, Any] | None = None) -> HttpCall:
        if extra_body:
            if not isinstance(call.body, dict) or not call.body:
                target = call.body[0] if isinstance(call.body, list) and call.body else None
                if not isinstance(target, dict):
                    raise InvalidRequest("extra_body needs a JSON object body", host=self.name)
                deep_merge(target, dict(extra_body))  # a task array (Runware): merged into the task
            else:
                deep_merge(call.body, dict(extra_body))
        headers = {"Accept": "application/json"}
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        merge_headers(headers, self.host._headers)
        merge_headers(headers, checked_headers(call.headers, self.name, "headers", InvalidRequest))
        call.headers = headers
        return call

    def prepare_submit(self, request: VideoRequest) -> tuple[HttpCall, str]:
        """Resolve the model and encode the submit; nothing is sent (what the body tests read)."""
        model_id = self.host.model_id(request.model, request.host_model_id)
        return self._finish(self.build_submit(request, model_id), request.extra_body), model_id

    def _json(self, content: bytes, headers: httpx.Headers, what: str) -> Any:
        if not content.strip():
            return {}
        try:
            return json.loads(content)
        except ValueError as exc:
            raise ProtocolError(f"{self.name} answered a {what} with a body that is not JSON: {content[:200]!r}",
                                host=self.name,
                                request_id=header_request_id(headers, self.host.request_id_headers)) from exc

    def _decoded(self, what: str, headers: httpx.Headers, decode: Any, *args: Any) -> Any:
        try:
            return decode(*args)
        except RehostError:
            raise
        except SHAPE_ERRORS as exc:
            raise ProtocolError(f"{self.name} answered a {what} with JSON of an unexpected shape "
                                f"({type(exc).__name__}: {exc})", host=self.name,
                                request_id=header_request_id(headers, self.host.request_id_headers)) from exc

    def _job(self, request: VideoRequest, model_id: str, call: HttpCall, result: HttpResult, clock: Clock) -> Job:
        content, headers = result.content, result.headers
        body = self._json(content, headers, "submit")
        job_id, extra = self._decoded("submit", headers, self.decode_submit, body, request, call)
        return Job(sender=self, model=request.model, job_id=job_id, host_model_id=model_id, submitted_at=clock.now(),
                   request=request.summary(), extra=extra, clock=clock)

    def _state(self, job: Job, content: bytes, headers: httpx.Headers) -> JobState:
        body = self._json(content, headers, "poll")
        state: JobState = self._decoded("poll", headers, self.decode_poll, body, job, headers)
        if state.poll_after is None:
            hint = self.poll_after(headers, body)
            if hint is not None:
                from dataclasses import replace

                state = replace(state, poll_after=hint)
        if state.error is not None:
            state.error.redact(self.host._known_key())
        return state

    def result(self, job: Job, state: JobState) -> Video:
        """The ``Video`` of a succeeded job's last poll, priced (the host's figure, else the catalogue's)."""
        if not state.videos:
            raise ProtocolError(f"{self.name} reports job {job.job_id} succeeded with no video in the answer",
                                host=self.name)
        file = state.videos[0]
        req = job.request
        end = job.finished_at if job.finished_at is not None else job.clock.now()
        running = job.running_since
        timings = VideoTimings(total=max(0.0, end - job.submitted_at),
                               queued=None if running is None else max(0.0, running - job.submitted_at),
                               running=None if running is None else max(0.0, end - running))
        return Video(host=self.name, model=job.model, host_model_id=job.host_model_id, job_id=job.job_id,
                     url=file.url, data=file.data, mime=file.mime, duration=req.get("duration"),
                     width=req.get("width"), height=req.get("height"), fps=req.get("fps"),
                     seed=state.seed if state.seed is not None else req.get("seed"),
                     cost=state.cost or self.catalogue_cost(job), timings=timings, host_id=file.host_id,
                     _sender=self)

    def catalogue_cost(self, job: Job) -> Cost | None:
        """The job's price by the catalogue's row for this host (None when unknown)."""
        try:
            row = self.host.catalog.host_entry(job.model, self.name)
        except ConfigurationError:
            return None
        return video_cost(row.extra, seconds=job.request.get("duration"), audio=job.request.get("audio"))

    def _download_call(self, video: Video) -> HttpCall:
        call = self.download_call(video)
        merge_headers(call.headers, self.host._headers)
        return call

    def _same_origin(self, url: str) -> bool:
        a, b = urlsplit(url), urlsplit(self.base_url)
        return (a.scheme, a.netloc) == (b.scheme, b.netloc)

    # ------------------------------------------------------------------------------------------ I/O, sync
    def submit(self, request: VideoRequest, *, clock: Any = None) -> Job:
        """Start the job and return it at once (``clock``: where the job reads the time; the system's)."""
        call, model_id = self.prepare_submit(request)
        self.host.authorize(call)
        clock = clock or SYSTEM_CLOCK
        if self.idempotent_submit:
            result = self.host._transport.request(call, self.map_http_error, total=request.timeout)
            return self._job(request, model_id, call, result, clock)
        policy = self.host._transport.retry
        attempt = 0
        while True:
            try:
                result = self.host._transport.request(call, self.map_http_error, total=request.timeout, retry=_ONCE)
            except RateLimited as err:
                if attempt >= policy.max_retries or (err.retry_after or 0) > policy.max_retry_after:
                    raise
                clock.sleep(policy.delay(attempt, err.retry_after))
                attempt += 1
                continue
            return self._job(request, model_id, call, result, clock)

    def poll(self, job: Job) -> JobState:
        """Ask once how the job is doing (one attempt: the polling plan decides about failures)."""
        call = self._finish(self.build_poll(job))
        self.host.authorize(call)
        result = self.host._transport.request(call, self.map_http_error, retry=_ONCE)
        return self._state(job, result.content, result.headers)

    def cancel(self, job: Job) -> None:
        call = self._finish(self.build_cancel(job))
        self.host.authorize(call)
        self.host._transport.request(call, self.map_http_error, retry=_ONCE)

    def download(self, video: Video, path: Path, *, chunk_size: int = CHUNK) -> Path:
        """Stream the video to ``path`` in ``chunk_size`` pieces (written beside it, renamed when complete)."""
        call = self._download_call(video)
        if self.download_needs_auth and self._same_origin(call.url):
            self.host.authorize(call)
        part = path.with_name(path.name + ".part")
        try:
            with self.host._transport.stream(call, self.map_http_error) as resp, part.open("wb") as out:
                for chunk in resp.iter_bytes(chunk_size):
                    out.write(chunk)
        except httpx.HTTPError as exc:
            part.unlink(missing_ok=True)
            raise ProtocolError(f"{self.name}: the video download broke off: {type(exc).__name__}: {exc}",
                                host=self.name) from exc
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        part.replace(path)
        return path

    # ------------------------------------------------------------------------------------------ I/O, async
    async def asubmit(self, request: VideoRequest, *, clock: Any = None) -> Job:
        call, model_id = self.prepare_submit(request)
        await self.host.aauthorize(call)
        clock = clock or SYSTEM_CLOCK
        if self.idempotent_submit:
            result = await self.host._transport.arequest(call, self.map_http_error, total=request.timeout)
            return self._job(request, model_id, call, result, clock)
        policy = self.host._transport.retry
        attempt = 0
        while True:
            try:
                result = await self.host._transport.arequest(call, self.map_http_error, total=request.timeout,
                                                             retry=_ONCE)
            except RateLimited as err:
                if attempt >= policy.max_retries or (err.retry_after or 0) > policy.max_retry_after:
                    raise
                await clock.asleep(policy.delay(attempt, err.retry_after))
                attempt += 1
                continue
            return self._job(request, model_id, call, result, clock)

    async def apoll(self, job: Job) -> JobState:
        call = self._finish(self.build_poll(job))
        await self.host.aauthorize(call)
        result = await self.host._transport.arequest(call, self.map_http_error, retry=_ONCE)
        return self._state(job, result.content, result.headers)

    async def acancel(self, job: Job) -> None:
        call = self._finish(self.build_cancel(job))
        await self.host.aauthorize(call)
        await self.host._transport.arequest(call, self.map_http_error, retry=_ONCE)

    async def adownload(self, video: Video, path: Path, *, chunk_size: int = CHUNK) -> Path:
        call = self._download_call(video)
        if self.download_needs_auth and self._same_origin(call.url):
            await self.host.aauthorize(call)
        part = path.with_name(path.name + ".part")
        try:
            async with self.host._transport.astream(call, self.map_http_error) as resp:
                with part.open("wb") as out:
                    async for chunk in resp.aiter_bytes(chunk_size):
                        out.write(chunk)
        except httpx.HTTPError as exc:
            part.unlink(missing_ok=True)
            raise ProtocolError(f"{self.name}: the video download broke off: {type(exc).__name__}: {exc}",
                                host=self.name) from exc
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        part.replace(path)
        return path
