"""Video job APIs on the emulator: Runware's task array, Veo on the Gemini API and on Vertex, OpenRouter's
``/videos``, Replicate's predictions, each with a scripted lifecycle and faults.

``JobEmulator`` is the ``Emulator`` (every chat route still answers) plus the job routes, served by its own
small subclass rather than by a hook inside the chat emulator: the job routes need GETs, per-job state and
a clock, none of which the chat responders have, and ``emulator.py`` stays untouched.

A job's life is scripted per host style (``emu.script_jobs("runware", queued=2, running=5)``): queued for
``queued`` seconds (or ``queued_polls`` polls), running for ``running`` seconds (or ``running_polls``
polls, with progress where the host reports it), then its ``outcome``: ``succeeded`` (a real, tiny H.264
MP4 shipped in ``testing/data/tiny.mp4``, 64x36, 1 s at 24 fps), ``failed`` or ``filtered`` with
``reason``, or ``lost`` (every poll is a 404). Faults: ``submit_429`` (the next N submits are rate
limited, ``Retry-After: 0``), ``submit_5xx`` (the next N answer 502), ``poll_errors`` (the next N polls
answer ``poll_error_status``, 503 by default), ``download_delay`` (seconds between the download's
chunks). Time is read from ``clock`` (a ``ManualClock`` shared with the client under test: nobody sleeps
for real polling intervals).

    with JobEmulator(clock=clock) as emu:
        emu.script_jobs("runware", queued=2, running=4, outcome="succeeded")
        host = Runware("emulator-key", base_url=emu.jobs_base_url("runware"))
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from typing import Any, ClassVar, Literal

from ..shared.errors import ConfigurationError
from ..shared.io.clock import SYSTEM_CLOCK, Clock
from .emulator import Emulator, Seen
from .emulator.server import _Protocol
from .emulator.wire import _END, _chunk, _head, _json_response

__all__ = ["JOB_STYLES", "JobEmulator", "JobScript", "tiny_mp4"]

#: the job host styles and their path prefixes on the emulator
JOB_STYLES: dict[str, str] = {"runware": "/runware/v1", "google": "/google/v1beta", "vertex": "/vertex/v1",
                              "openrouter": "/openrouter/api/v1", "replicate": "/replicate/v1"}
Outcome = Literal["succeeded", "failed", "filtered", "lost"]
_OUTCOMES = ("succeeded", "failed", "filtered", "lost")


def tiny_mp4() -> bytes:
    """The shipped test video: a real H.264 MP4 of 2 KB (64x36, 24 frames at 24 fps)."""
    return resources.files("rehost.testing").joinpath("data/tiny.mp4").read_bytes()


@dataclass(frozen=True, slots=True)
class JobScript:
    """What the jobs of one host style do."""

    queued: float = 1.0
    running: float = 2.0
    queued_polls: int = 0
    running_polls: int = 0
    outcome: Outcome = "succeeded"
    reason: str = "the emulator was told to fail this job"
    cost: float | None = 0.42
    seed: int = 42
    #: faults: the next N submits / polls, and a slow download
    submit_429: int = 0
    submit_5xx: int = 0
    poll_errors: int = 0
    poll_error_status: int = 503
    download_delay: float = 0.0


_SCRIPT_FIELDS = {f.name for f in fields(JobScript)}


@dataclass
class _Job:
    id: str
    style: str
    model: str
    created: float
    script: JobScript
    request: Any
    polls: int = 0
    cancelled: bool = False


@dataclass
class _JobState:
    scripts: dict[str, JobScript] = field(default_factory=dict)
    jobs: dict[str, _Job] = field(default_factory=dict)
    submit_429: dict[str, int] = field(default_factory=dict)
    submit_5xx: dict[str, int] = field(default_factory=dict)
    poll_errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class JobEmulator(Emulator):
    """The emulator with the video job APIs of Runware, Veo (Gemini API, Vertex), OpenRouter and Replicate."""

    def __init__(self, *, clock: Clock | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.jobs = _JobState()
        self.video = tiny_mp4()

    # -- scripting ----------------------------------------------------------------------------------------
    def script_jobs(self, style: str | None = None, **changes: Any) -> None:
        """Set what the jobs of ``style`` (or of every style) do from now on; faults count down from here."""
        styles = list(JOB_STYLES) if style is None else [style]
        for s in styles:
            if s not in JOB_STYLES:
                raise ConfigurationError(f"unknown job host style {s!r}; styles: {', '.join(JOB_STYLES)}")
        unknown = set(changes) - _SCRIPT_FIELDS
        if unknown:
            raise ConfigurationError(f"unknown job script field(s) {sorted(unknown)}; fields: "
                                     f"{', '.join(sorted(_SCRIPT_FIELDS))}")
        if "outcome" in changes and changes["outcome"] not in _OUTCOMES:
            raise ConfigurationError(f"outcome must be one of {', '.join(_OUTCOMES)}, not {changes['outcome']!r}")
        with self.jobs.lock:
            for s in styles:
                script = replace(self.jobs.scripts.get(s, JobScript()), **changes)
                self.jobs.scripts[s] = script
                self.jobs.submit_429[s] = script.submit_429
                self.jobs.submit_5xx[s] = script.submit_5xx
                self.jobs.poll_errors[s] = script.poll_errors

    def jobs_base_url(self, style: str) -> str:
        """The base URL a host of this job style should use (Vertex: the ``.../projects/p/locations/l``
        root is built by the host from it)."""
        if style not in JOB_STYLES:
            raise ConfigurationError(f"unknown job host style {style!r}; styles: {', '.join(JOB_STYLES)}")
        return f"{self.url}{JOB_STYLES[style]}"

    def submits(self, style: str) -> list[Seen]:
        """The submits this emulator received for ``style`` (what the body tests read)."""
        return [s for s in self.requests if s.host == style and _is_submit(style, s)]

    # -- the lifecycle ------------------------------------------------------------------------------------
    def _phase(self, job: _Job) -> str:
        s = job.script
        if job.cancelled:
            return "cancelled"
        if s.outcome == "lost":
            return "lost"
        elapsed = self.clock.now() - job.created
        if elapsed < s.queued or job.polls <= s.queued_polls:
            return "queued"
        if elapsed < s.queued + s.running or job.polls <= s.queued_polls + s.running_polls:
            return "running"
        return s.outcome

    def _progress(self, job: _Job) -> int:
        s = job.script
        if s.running <= 0:
            return 50
        done = (self.clock.now() - job.created - s.queued) / s.running
        return max(1, min(99, int(done * 100)))

    def _new_job(self, style: str, model: str, request: Any, job_id: str | None = None) -> _Job:
        with self.jobs.lock:
            script = self.jobs.scripts.get(style, JobScript())
            job = _Job(job_id or uuid.uuid4().hex[:16], style, model, self.clock.now(), script, request)
            self.jobs.jobs[job.id] = job
        return job

    def _take(self, counter: dict[str, int], style: str) -> bool:
        with self.jobs.lock:
            left = counter.get(style, 0)
            if left > 0:
                counter[style] = left - 1
                return True
        return False

    def _polled(self, job_id: str) -> _Job | None:
        with self.jobs.lock:
            job = self.jobs.jobs.get(job_id)
            if job is not None:
                job.polls += 1
            return job

    # -- answering ----------------------------------------------------------------------------------------
    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes, conn: _Protocol) -> Any:
        path = target.split("?", 1)[0]
        if path.startswith("/_jobs/files/"):
            self._record(method, target, headers, body, "files")
            return self._file(conn, path.rsplit("/", 1)[-1].split(".")[0])
        style = next((s for s, prefix in JOB_STYLES.items() if path.startswith(prefix + "/") or path == prefix), None)
        route = _ROUTES.get(style or "")
        if style is None or route is None or not route.matches(method, path):
            return super()._handle(method, target, headers, body, conn)
        self._record(method, target, headers, body, style)
        auth = headers.get("authorization") or headers.get("x-goog-api-key") or ""
        if not auth:
            conn.write(_json_response(401, route.error(401, "no API key")))
            return None
        try:
            request = json.loads(body) if body else None
        except ValueError:
            conn.write(_json_response(400, route.error(400, "body is not JSON")))
            return None
        answer = (route.answer_with_headers(self, method, path, request, headers) if route.takes_headers
                  else route.answer(self, method, path, request))
        if isinstance(answer, bytes):
            conn.write(answer)
            return None
        return answer(conn)

    def _record(self, method: str, target: str, headers: dict[str, str], body: bytes, style: str) -> None:
        if self.state.record:
            with self.state.lock:
                self.state.seen.append(Seen(method, target, headers, body, style, time.monotonic()))

    def _file(self, conn: _Protocol, job_id: str) -> Any:
        """The video of a job (a host's own download route has checked the key already)."""
        with self.jobs.lock:
            job = self.jobs.jobs.get(job_id)
        if job is None:
            conn.write(_json_response(404, {"error": {"message": f"no video {job_id}"}}))
            return None
        delay = job.script.download_delay
        data = self.video
        if delay <= 0:
            conn.write(_head(200, "video/mp4", length=len(data)) + data)
            return None

        async def slowly(c: _Protocol) -> None:
            c.write(_head(200, "video/mp4"))
            for i in range(0, len(data), 512):
                await asyncio.sleep(delay)
                c.write(_chunk(data[i:i + 512]))
            c.write(_END)
        return slowly(conn)

    def file_url(self, job: _Job) -> str:
        return f"{self.url}/_jobs/files/{job.id}.mp4"


def _is_submit(style: str, seen: Seen) -> bool:
    path = seen.path.split("?", 1)[0]
    if style == "runware":
        try:
            return any(t.get("taskType") == "videoInference" for t in seen.json() or ())
        except (ValueError, AttributeError):
            return False
    if style in ("google", "vertex"):
        return path.endswith(":predictLongRunning")
    if style == "replicate":
        return seen.method == "POST" and path.endswith("/predictions")
    return seen.method == "POST" and path.endswith("/videos")


# ---------------------------------------------------------------------------------------------- per host


class _Route:
    """One host style's job API: which requests are its, and its answers."""

    #: the route reads the request's headers (``answer_with_headers``): Replicate's ``Prefer: wait``
    takes_headers: bool = False

    def answer_with_headers(self, emu: JobEmulator, method: str, path: str, request: Any,
                            headers: dict[str, str]) -> Any:
        return self.answer(emu, method, path, request)

    def matches(self, method: str, path: str) -> bool:
        raise NotImplementedError

    def error(self, status: int, message: str) -> Any:
        return {"error": {"code": status, "message": message}}

    def answer(self, emu: JobEmulator, method: str, path: str, request: Any) -> Any:
        raise NotImplementedError

    def rate_limited(self, emu: JobEmulator, style: str) -> bytes | None:
        """The submit faults: a 429 (nothing accepted), or a 502 (accepted or not: the caller cannot tell)."""
        if emu._take(emu.jobs.submit_429, style):
            return _json_response(429, self.error(429, "emulated rate limit"), {"retry-after": "0"})
        if emu._take(emu.jobs.submit_5xx, style):
            return _json_response(502, self.error(502, "emulated gateway failure"))
        return None

    def poll_fault(self, emu: JobEmulator, style: str) -> bytes | None:
        if emu._take(emu.jobs.poll_errors, style):
            status = emu.jobs.scripts.get(style, JobScript()).poll_error_status
            return _json_response(status, self.error(status, "emulated poll failure"))
        return None


class _Runware(_Route):
    def matches(self, method: str, path: str) -> bool:
        return method == "POST" and path == JOB_STYLES["runware"]

    def error(self, status: int, message: str) -> Any:
        code = {401: "missingApiKey", 429: "rateLimitExceeded", 404: "taskNotFound"}.get(status, "emulatorError")
        return {"errors": [{"code": code, "message": message}]}

    def answer(self, emu: JobEmulator, method: str, path: str, request: Any) -> Any:
        if not isinstance(request, list) or not request or not isinstance(request[0], dict):
            return _json_response(400, {"errors": [{"code": "invalidPayload", "message": "the body must be an "
                                                    "array of tasks"}]})
        task = request[0]
        uid = task.get("taskUUID")
        if task.get("taskType") == "videoInference":
            for name, want in (("deliveryMethod", "async"),):
                if task.get(name) != want:
                    return _json_response(400, {"errors": [{"code": "invalidParameter", "parameter": name,
                                                            "message": f"{name} must be {want!r} for video"}]})
            if not isinstance(uid, str) or not re.fullmatch(r"[0-9a-f-]{36}", uid):
                return _json_response(400, {"errors": [{"code": "invalidTaskUUID", "parameter": "taskUUID",
                                                        "message": "taskUUID must be a UUID v4"}]})
            limited = self.rate_limited(emu, "runware")
            if limited is not None:
                return limited
            if uid in emu.jobs.jobs:
                return _json_response(400, {"errors": [{"code": "conflictTaskUUID", "message": "taskUUID reused",
                                                        "taskUUID": uid}]})
            emu._new_job("runware", str(task.get("model")), task, uid)
            return _json_response(200, {"data": [{"taskType": "videoInference", "taskUUID": uid}]})
        if task.get("taskType") == "getResponse":
            fault = self.poll_fault(emu, "runware")
            if fault is not None:
                return fault
            job = emu._polled(str(uid))
            if job is None or emu._phase(job) == "lost":
                return _json_response(404, {"errors": [{"code": "taskNotFound", "message": "no such task",
                                                        "taskUUID": uid}]})
            phase = emu._phase(job)
            item: dict[str, Any] = {"taskType": "videoInference", "taskUUID": uid}
            if phase == "queued":
                return _json_response(200, {"data": [{**item, "status": "pending"}]})  # the older docs' word
            if phase == "running":
                return _json_response(200, {"data": [{**item, "status": "processing"}]})
            if phase == "succeeded":
                done = {**item, "status": "success", "videoUUID": job.id, "videoURL": emu.file_url(job),
                        "seed": job.script.seed}
                if job.script.cost is not None and job.request.get("includeCost"):
                    done["cost"] = job.script.cost
                return _json_response(200, {"data": [done]})
            code = "contentModerated" if phase == "filtered" else "providerError"
            return _json_response(200, {"data": [{**item, "status": "error"}], "errors": [
                {"code": code, "message": job.script.reason, "taskUUID": uid, "taskType": "videoInference"}]})
        return _json_response(400, {"errors": [{"code": "unsupportedTaskType", "message": "emulator: only "
                                                "videoInference and getResponse"}]})


class _Google(_Route):
    """Veo on the Gemini API (``gemini``) and on Vertex (``vertex``): the same operations, two spellings."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.prefix = JOB_STYLES[style]

    def matches(self, method: str, path: str) -> bool:
        if method == "POST" and path.endswith((":predictLongRunning", ":cancel", ":fetchPredictOperation")):
            return True
        return self.style == "google" and method == "GET" and ("/operations/" in path or path.endswith(":download"))

    def error(self, status: int, message: str) -> Any:
        names = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
                 500: "INTERNAL", 503: "UNAVAILABLE"}
        return {"error": {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}}

    def answer(self, emu: JobEmulator, method: str, path: str, request: Any) -> Any:
        rest = path[len(self.prefix):]
        if path.endswith(":predictLongRunning"):
            model = rest.rsplit("/models/", 1)[-1].split(":")[0]
            body = request if isinstance(request, dict) else {}
            if not isinstance(body.get("instances"), list) or not body["instances"] or "prompt" not in \
                    body["instances"][0]:
                return _json_response(400, self.error(400, "instances[0].prompt is required"))
            limited = self.rate_limited(emu, self.style)
            if limited is not None:
                return limited
            job = emu._new_job(self.style, model, body)
            root = rest.rsplit("/publishers/", 1)[0].lstrip("/") + "/publishers/google" if self.style == "vertex" \
                else ""
            name = f"{root}/models/{model}/operations/{job.id}".lstrip("/")
            job.request = {**body, "_name": name}
            return _json_response(200, {"name": name})
        if path.endswith(":download"):
            job_id = rest.split("/files/", 1)[-1].split(":")[0]
            return lambda conn: emu._file(conn, job_id)
        if path.endswith(":cancel"):
            target = emu.jobs.jobs.get(rest.rsplit("/operations/", 1)[-1].split(":")[0])
            if target is None:
                return _json_response(404, self.error(404, "operation not found"))
            target.cancelled = True
            return _json_response(200, {})
        name = str(request.get("operationName") if self.style == "vertex" and isinstance(request, dict) else
                   rest.lstrip("/"))
        fault = self.poll_fault(emu, self.style)
        if fault is not None:
            return fault
        polled = emu._polled(name.rsplit("/", 1)[-1])
        if polled is None or emu._phase(polled) == "lost":
            return _json_response(404, self.error(404, f"operation {name} not found"))
        job = polled
        phase = emu._phase(job)
        op: dict[str, Any] = {"name": job.request.get("_name", name)}
        if phase in ("queued", "running"):
            return _json_response(200, {**op, "done": False})
        if phase == "cancelled":
            return _json_response(200, {**op, "done": True, "error": {"code": 1, "message": "cancelled",
                                                                      "status": "CANCELLED"}})
        if phase == "failed":
            return _json_response(200, {**op, "done": True, "error": {"code": 3, "message": job.script.reason,
                                                                      "status": "INVALID_ARGUMENT"}})
        filtered = phase == "filtered"
        if self.style == "google":
            answer: dict[str, Any] = {"raiMediaFilteredCount": 1 if filtered else 0}
            if filtered:
                answer["raiMediaFilteredReasons"] = [job.script.reason]
            else:
                answer["generatedSamples"] = [{"video": {"uri": f"{emu.url}{self.prefix}/files/{job.id}:download"
                                                                 "?alt=media"}}]
            return _json_response(200, {**op, "done": True, "response": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                "generateVideoResponse": answer}})
        vx: dict[str, Any] = {"@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                              "raiMediaFilteredCount": 1 if filtered else 0}
        if filtered:
            vx["raiMediaFilteredReasons"] = [job.script.reason]
        else:
            storage = (job.request.get("parameters") or {}).get("storageUri")
            vx["videos"] = [{"gcsUri": f"{storage.rstrip('/')}/sample_0.mp4", "mimeType": "video/mp4"} if storage
                            else {"bytesBase64Encoded": base64.b64encode(emu.video).decode(), "mimeType": "video/mp4"}]
        return _json_response(200, {**op, "done": True, "response": vx})


class _OpenRouter(_Route):
    prefix = JOB_STYLES["openrouter"]

    def matches(self, method: str, path: str) -> bool:
        rest = path[len(self.prefix):]
        return (method == "POST" and rest == "/videos") or (method == "GET" and rest.startswith("/videos/"))

    def answer(self, emu: JobEmulator, method: str, path: str, request: Any) -> Any:
        rest = path[len(self.prefix):]
        if method == "POST":
            body = request if isinstance(request, dict) else {}
            if not body.get("model") or not body.get("prompt"):
                return _json_response(400, self.error(400, "model and prompt are required"))
            limited = self.rate_limited(emu, "openrouter")
            if limited is not None:
                return limited
            job = emu._new_job("openrouter", str(body["model"]), body)
            return _json_response(202, {"id": job.id, "generation_id": f"gen-{job.id}",
                                        "polling_url": f"{self.prefix}/videos/{job.id}", "status": "pending"})
        parts = rest.split("/")  # ["", "videos", id] or ["", "videos", id, "content"]
        if len(parts) == 4 and parts[3] == "content":
            return lambda conn: emu._file(conn, parts[2])
        fault = self.poll_fault(emu, "openrouter")
        if fault is not None:
            return fault
        polled = emu._polled(parts[2])
        if polled is None or emu._phase(polled) == "lost":
            return _json_response(404, self.error(404, "Job not found"))
        job = polled
        phase = emu._phase(job)
        base = {"id": job.id, "generation_id": f"gen-{job.id}"}
        if phase == "queued":
            return _json_response(200, {**base, "status": "pending"})
        if phase == "running":  # progress: UNCONFIRMED on the real host; sent to exercise the decoder's reading
            return _json_response(200, {**base, "status": "in_progress", "progress": emu._progress(job)})
        if phase == "succeeded":
            done: dict[str, Any] = {**base, "status": "completed", "unsigned_urls": [emu.file_url(job)]}
            if job.script.cost is not None:
                done["usage"] = {"cost": job.script.cost}
            return _json_response(200, done)
        if phase == "cancelled":
            return _json_response(200, {**base, "status": "cancelled"})
        return _json_response(200, {**base, "status": "failed", "error": job.script.reason})


class _Replicate(_Route):
    """Replicate's predictions (HOSTS-MORE §10): create by model or by version (``Prefer: wait`` answers 201
    with the state at that moment and ``Preference-Applied``), poll, cancel; errors as RFC 7807 problems."""

    prefix = JOB_STYLES["replicate"]
    takes_headers = True
    _WORDS: ClassVar[dict[str, str]] = {"queued": "starting", "running": "processing", "succeeded": "succeeded",
                                        "failed": "failed", "filtered": "failed", "cancelled": "canceled"}

    def matches(self, method: str, path: str) -> bool:
        rest = path[len(self.prefix):]
        if method == "POST":
            return rest == "/predictions" or bool(re.fullmatch(r"/models/[^/]+/[^/]+/predictions", rest)) or \
                bool(re.fullmatch(r"/predictions/[^/]+/cancel", rest))
        return method == "GET" and bool(re.fullmatch(r"/predictions/[^/]+", rest))

    def error(self, status: int, message: str) -> Any:
        titles = {401: "Unauthenticated", 404: "Not found", 422: "Input validation failed", 429: "Too many requests"}
        return {"title": titles.get(status, "Error"), "detail": message, "status": status}

    def _prediction(self, emu: JobEmulator, job: _Job) -> dict[str, Any]:
        phase = emu._phase(job)
        word = self._WORDS.get(phase, "processing")
        base = f"{emu.url}{self.prefix}/predictions/{job.id}"
        out: dict[str, Any] = {"id": job.id, "model": job.model, "version": job.request.get("version", "hidden"),
                               "input": job.request.get("input"), "status": word, "output": None, "error": None,
                               "logs": "", "created_at": "2026-12-01T00:00:00Z",
                               "urls": {"get": base, "cancel": f"{base}/cancel", "stream": f"{emu.url}/_stream"}}
        if phase == "succeeded":
            out["output"] = emu.file_url(job)
            out["metrics"] = {"predict_time": job.script.running}
        elif phase == "failed":
            out["error"] = job.script.reason
        elif phase == "filtered":
            out["error"] = f"The input or output was flagged as sensitive: {job.script.reason}"
        return out

    def answer_with_headers(self, emu: JobEmulator, method: str, path: str, request: Any,
                            headers: dict[str, str]) -> Any:
        rest = path[len(self.prefix):]
        body = request if isinstance(request, dict) else {}
        if method == "POST" and rest.endswith("/predictions"):
            model_input = body.get("input")
            if not isinstance(model_input, dict) or not model_input.get("prompt"):
                return _json_response(422, self.error(422, "input.prompt is required"))
            if rest == "/predictions" and not body.get("version"):
                return _json_response(422, self.error(422, "version is required"))
            limited = self.rate_limited(emu, "replicate")
            if limited is not None:
                return limited
            model = rest.split("/")[2] + "/" + rest.split("/")[3] if rest.startswith("/models/") else "versioned"
            job = emu._new_job("replicate", model, body)
            wait = headers.get("prefer", "").startswith("wait")
            extra = {"preference-applied": "wait"} if wait else None
            return _json_response(201, self._prediction(emu, job), extra)
        job_id = rest.split("/")[2]
        if rest.endswith("/cancel"):
            with emu.jobs.lock:
                target = emu.jobs.jobs.get(job_id)
            if target is None:
                return _json_response(404, self.error(404, "prediction not found"))
            target.cancelled = True
            return _json_response(200, self._prediction(emu, target))
        fault = self.poll_fault(emu, "replicate")
        if fault is not None:
            return fault
        polled = emu._polled(job_id)
        if polled is None or emu._phase(polled) == "lost":
            return _json_response(404, self.error(404, "The requested resource could not be found."))
        return _json_response(200, self._prediction(emu, polled))

    def answer(self, emu: JobEmulator, method: str, path: str, request: Any) -> Any:
        return self.answer_with_headers(emu, method, path, request, {})


_ROUTES: dict[str, _Route] = {"runware": _Runware(), "google": _Google("google"), "vertex": _Google("vertex"),
                              "openrouter": _OpenRouter(), "replicate": _Replicate()}
