"""Anthropic's Message Batches API (``/v1/messages/batches``): every request goes inline in one create call
(``{"requests": [{"custom_id", "params"}]}``, ``params`` the Messages body ``AnthropicChat`` builds for it
on its own), the batch is polled, and its results are read as JSONL from ``results_url``.

One batch may mix models (each ``params`` names its own). Custom ids are 1 to 64 letters, digits, ``-`` and
``_``; a batch takes up to 100,000 requests. ``processing_status`` is ``in_progress``, ``canceling`` or
``ended``; an ended batch has a result for every request, ``succeeded`` (the message), ``errored`` (an error
body of the usual shape), ``canceled`` or ``expired`` (not reached within 24 h), in no particular order. A
batch ended by a cancel is ``cancelled`` with the answers it finished. Half the synchronous price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from ..shared.errors import JobFailed
from ..shared.jobs.status import JobState, JobStatus
from ..shared.transport import HttpCall
from .base.batch import BatchEndpoint, jsonl_lines

if TYPE_CHECKING:
    from ..shared.batch.job import BatchJob
    from ..shared.batch.request import BatchRequest
    from .base.chat import PreparedCall

__all__ = ["AnthropicBatch"]

#: the HTTP status each error type stands for (docs.anthropic.com, "Errors"), for an errored item's error
_TYPE_STATUS = {"invalid_request_error": 400, "authentication_error": 401, "billing_error": 402,
                "permission_error": 403, "not_found_error": 404, "request_too_large": 413,
                "rate_limit_error": 429, "api_error": 500, "overloaded_error": 529}


class AnthropicBatch(BatchEndpoint):
    """``POST /messages/batches``, ``GET /messages/batches/{id}``, ``POST .../{id}/cancel``, and the JSONL
    at the batch's ``results_url`` (``GET .../{id}/results``)."""

    mixed_models: ClassVar[bool] = True
    custom_id_pattern: ClassVar[re.Pattern[str] | None] = re.compile(r"[A-Za-z0-9_-]{1,64}")
    custom_id_rule: ClassVar[str] = "1 to 64 letters, digits, '-' or '_'"
    max_items: ClassVar[int | None] = 100_000

    def encode_item(self, custom_id: str, prepared: PreparedCall) -> Any:
        return {"custom_id": custom_id, "params": prepared.call.body}

    def build_submit(self, lines: list[Any], batch: BatchRequest, model_id: str,
                     uploaded: Mapping[str, Any]) -> HttpCall:
        return HttpCall("POST", self.base_url + "/messages/batches", body={"requests": lines})

    def decode_submit(self, body: Any, batch: BatchRequest) -> tuple[str, dict[str, Any]]:
        return str(body["id"]), {}

    def build_poll(self, job: BatchJob) -> HttpCall:
        return HttpCall("GET", f"{self.base_url}/messages/batches/{job.job_id}")

    def build_cancel(self, job: BatchJob) -> HttpCall:
        return HttpCall("POST", f"{self.base_url}/messages/batches/{job.job_id}/cancel")

    def decode_poll(self, body: Any, job: BatchJob, headers: Mapping[str, str]) -> JobState:
        word = str(body.get("processing_status"))
        counts = body.get("request_counts") or {}
        total = sum(int(v or 0) for v in counts.values())
        progress = (total - int(counts.get("processing") or 0)) / total if total else None
        extra: dict[str, Any] = {"counts": dict(counts)}
        if body.get("results_url"):
            extra["results_url"] = body["results_url"]
        status: JobStatus = "running"
        if word == "ended":
            status = "cancelled" if body.get("cancel_initiated_at") else "succeeded"
            extra["has_results"] = True
            if status == "cancelled":
                extra["unfinished"] = "cancelled"
        return JobState(status=status, progress=progress, host_status=word, extra=extra)

    def result_calls(self, job: BatchJob, state: JobState) -> list[HttpCall]:
        url = state.extra.get("results_url")
        own = f"{self.base_url}/messages/batches/{job.job_id}/results"
        if not isinstance(url, str) or (urlsplit(url).scheme, urlsplit(url).netloc) != \
                (urlsplit(own).scheme, urlsplit(own).netloc):
            url = own  # the key goes only to the host's own origin, never to a URL elsewhere
        return [HttpCall("GET", url)]

    def decode_results(self, job: BatchJob, state: JobState, files: list[bytes]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for line in jsonl_lines(files[0] if files else b"", self.name, "results"):
            cid = line.get("custom_id")
            result = line.get("result") or {}
            kind = result.get("type")
            if kind == "succeeded":
                found[cid] = result.get("message")
            elif kind == "errored":
                body = result.get("error") or {}
                etype = str((body.get("error") or {}).get("type") or "")
                found[cid] = self.error_from_body(_TYPE_STATUS.get(etype, 500), {}, body)
            else:
                word = "cancelled" if kind == "canceled" else str(kind or "missing")
                found[cid] = JobFailed(f"anthropic batch {job.job_id}: item {cid!r} was {kind or 'not answered'}",
                                       host=self.name, code=word, job_id=job.job_id)
        return found
