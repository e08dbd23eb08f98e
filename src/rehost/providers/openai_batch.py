"""OpenAI's Batch API (``/v1/files`` + ``/v1/batches``): the lines go up as a JSONL file (``purpose=batch``),
a batch is created on it with a 24 h completion window, polled, and its output and error files are read.

A line is ``{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}``, its body the one
``OpenAIOwnChat`` builds for the request on its own. One batch asks one model (the docs: "each input file
can only include requests to a single model"). Statuses: ``validating`` (queued), ``in_progress`` and
``finalizing`` (running), ``cancelling`` (running still), ``completed``; ``failed`` is a batch whose input
file failed validation (its ``errors.data`` say why: ``JobFailed``), ``expired`` and ``cancelled`` batches
still give the answers they finished (the rest are in the error file as ``batch_expired`` /
``batch_cancelled``). The output file is written in completion order, not input order: the base puts the
results back in order. Batch requests cost half the synchronous price.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..shared.errors import JobFailed, RehostError
from ..shared.jobs.status import JobState, JobStatus
from ..shared.transport import HttpCall
from .base.batch import BatchEndpoint, jsonl, jsonl_lines
from .base.transcribe import BytesCall, multipart

if TYPE_CHECKING:
    from ..shared.batch.job import BatchJob
    from ..shared.batch.request import BatchRequest
    from .base.chat import PreparedCall

__all__ = ["OpenAIBatch"]

_STATUS: dict[str, JobStatus] = {"validating": "queued", "in_progress": "running", "finalizing": "running",
                                 "cancelling": "running", "completed": "succeeded", "failed": "failed",
                                 "expired": "failed", "cancelled": "cancelled"}
#: the error-file codes of items a batch never reached, as the neutral codes of their JobFailed
_UNREACHED = {"batch_expired": "expired", "batch_cancelled": "cancelled"}


class OpenAIBatch(BatchEndpoint):
    """``POST /files`` (the JSONL), ``POST /batches``, ``GET /batches/{id}``, ``POST /batches/{id}/cancel``,
    ``GET /files/{id}/content`` for the output and error files."""

    mixed_models: ClassVar[bool] = False
    max_items: ClassVar[int | None] = 50_000  # "up to 50,000 requests" per batch (platform.openai.com batch guide)
    completion_window: ClassVar[str] = "24h"

    def encode_item(self, custom_id: str, prepared: PreparedCall) -> Any:
        path = prepared.call.url[len(self.base_url):] if prepared.call.url.startswith(self.base_url) else None
        if path is None:  # never: the chat endpoint builds its URLs on the host's base URL
            raise AssertionError(f"{prepared.call.url} is not under {self.base_url}")
        return {"custom_id": custom_id, "method": "POST", "url": "/v1" + path, "body": prepared.call.body}

    def build_upload(self, lines: list[Any], batch: BatchRequest) -> HttpCall | None:
        raw, content_type = multipart([("purpose", "batch")], {"file": ("batch.jsonl", jsonl(lines),
                                                                        "application/jsonl")})
        return BytesCall("POST", self.base_url + "/files", headers={"Content-Type": content_type}, raw=raw)

    def decode_upload(self, body: Any) -> dict[str, Any]:
        return {"input_file_id": str(body["id"])}

    def build_submit(self, lines: list[Any], batch: BatchRequest, model_id: str,
                     uploaded: Mapping[str, Any]) -> HttpCall:
        body: dict[str, Any] = {"input_file_id": uploaded.get("input_file_id"), "endpoint": lines[0]["url"],
                                "completion_window": self.completion_window}
        if batch.metadata:
            body["metadata"] = dict(batch.metadata)
        return HttpCall("POST", self.base_url + "/batches", body=body)

    def decode_submit(self, body: Any, batch: BatchRequest) -> tuple[str, dict[str, Any]]:
        return str(body["id"]), {}

    def build_poll(self, job: BatchJob) -> HttpCall:
        return HttpCall("GET", f"{self.base_url}/batches/{job.job_id}")

    def build_cancel(self, job: BatchJob) -> HttpCall:
        return HttpCall("POST", f"{self.base_url}/batches/{job.job_id}/cancel")

    def decode_poll(self, body: Any, job: BatchJob, headers: Mapping[str, str]) -> JobState:
        word = str(body.get("status"))
        status = _STATUS.get(word)
        if status is None:
            status = "running"  # a status word OpenAI adds later: keep polling rather than fail the wait
        counts = body.get("request_counts") or {}
        total = int(counts.get("total") or 0)
        progress = (int(counts.get("completed") or 0) + int(counts.get("failed") or 0)) / total if total else None
        files = {k: body[k] for k in ("output_file_id", "error_file_id") if body.get(k)}
        extra: dict[str, Any] = {**files, "counts": dict(counts)}
        error: RehostError | None = None
        if word in ("expired", "cancelled"):
            extra["unfinished"] = word
            extra["has_results"] = bool(files)
        if word == "failed":
            data = (body.get("errors") or {}).get("data") or [{}]
            first = data[0] if isinstance(data[0], Mapping) else {}
            error = JobFailed(f"openai rejected batch {job.job_id}: {first.get('message') or 'no reason given'}"
                              + (f" (line {first['line']})" if first.get("line") else ""),
                              host=self.name, code=first.get("code") or "failed", job_id=job.job_id)
        elif word == "expired" and not files:
            error = JobFailed(f"openai batch {job.job_id} expired before any request was answered",
                              host=self.name, code="expired", job_id=job.job_id)
        return JobState(status=status, progress=progress, error=error, host_status=word, extra=extra)

    def result_calls(self, job: BatchJob, state: JobState) -> list[HttpCall]:
        return [HttpCall("GET", f"{self.base_url}/files/{state.extra[k]}/content")
                for k in ("output_file_id", "error_file_id") if state.extra.get(k)]

    def decode_results(self, job: BatchJob, state: JobState, files: list[bytes]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for content in files:
            for line in jsonl_lines(content, self.name, "result file"):
                cid = line.get("custom_id")
                response = line.get("response") or {}
                error = line.get("error")
                code = response.get("status_code")
                if isinstance(code, int) and 200 <= code < 300 and not error:
                    found[cid] = response.get("body")
                elif isinstance(code, int) and code >= 400:
                    found[cid] = self.error_from_body(code, {}, response.get("body") or {})
                else:
                    err = error if isinstance(error, Mapping) else {}
                    word = str(err.get("code") or "failed")
                    found[cid] = JobFailed(f"openai batch {job.job_id}: item {cid!r}: "
                                           f"{err.get('message') or word}", host=self.name,
                                           code=_UNREACHED.get(word, word), job_id=job.job_id)
        return found
