"""The Gemini API's batch mode (``models/{model}:batchGenerateContent``) with inline requests: each line is
``{"request": <the generateContent body GoogleChat builds for it on its own>, "metadata": {"key": id}}``;
the answer is a long-running operation (``batches/{id}``) polled at ``GET /batches/{id}``, cancelled with
``POST /batches/{id}:cancel``.

One batch asks one model (it is in the URL). ``state`` (in the operation's ``metadata``, or at the top of a
batch resource) is ``BATCH_STATE_PENDING`` / ``RUNNING`` / ``SUCCEEDED`` / ``FAILED`` / ``CANCELLED`` /
``EXPIRED`` (python-genai spells them ``JOB_STATE_*``: both are read). The answers are inline,
``inlinedResponses.inlinedResponses`` under the operation's ``response`` (or ``metadata.output``), each a
``response`` (a GenerateContentResponse) or an ``error`` (a google.rpc.Status). The docs say they are in
input order; the metadata key, where the host echoes it, is used first (a forum thread reports it is not
always returned, so position is the fallback). Half the synchronous price.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..shared.errors import JobFailed
from ..shared.jobs.status import JobState, JobStatus
from ..shared.transport import HttpCall
from .base.batch import BatchEndpoint
from .gemini_api import google_error

if TYPE_CHECKING:
    from ..shared.batch.job import BatchJob
    from ..shared.batch.request import BatchRequest
    from .base.chat import PreparedCall

__all__ = ["GoogleBatch"]

_STATES: dict[str, JobStatus] = {"PENDING": "queued", "RUNNING": "running", "SUCCEEDED": "succeeded",
                                 "FAILED": "failed", "CANCELLED": "cancelled", "EXPIRED": "failed",
                                 "PAUSED": "running", "QUEUED": "queued"}


def _dig(body: Any, *path: str) -> Any:
    for key in path:
        body = body.get(key) if isinstance(body, Mapping) else None
    return body


class GoogleBatch(BatchEndpoint):
    """``POST /models/{id}:batchGenerateContent``, ``GET /batches/{id}``, ``POST /batches/{id}:cancel``."""

    mixed_models: ClassVar[bool] = False

    def encode_item(self, custom_id: str, prepared: PreparedCall) -> Any:
        return {"request": prepared.call.body, "metadata": {"key": custom_id}}

    def build_submit(self, lines: list[Any], batch: BatchRequest, model_id: str,
                     uploaded: Mapping[str, Any]) -> HttpCall:
        name = (batch.metadata or {}).get("display_name") or f"rehost batch of {len(lines)}"
        body = {"batch": {"displayName": name, "inputConfig": {"requests": {"requests": lines}}}}
        url = f"{self.base_url}/models/{model_id.removeprefix('models/')}:batchGenerateContent"
        return HttpCall("POST", url, body=body)

    def decode_submit(self, body: Any, batch: BatchRequest) -> tuple[str, dict[str, Any]]:
        return str(body["name"]), {}

    def build_poll(self, job: BatchJob) -> HttpCall:
        return HttpCall("GET", f"{self.base_url}/{job.job_id}")

    def build_cancel(self, job: BatchJob) -> HttpCall:
        return HttpCall("POST", f"{self.base_url}/{job.job_id}:cancel")

    def decode_poll(self, body: Any, job: BatchJob, headers: Mapping[str, str]) -> JobState:
        word = str(_dig(body, "metadata", "state") or body.get("state") or "")
        short = word.removeprefix("BATCH_STATE_").removeprefix("JOB_STATE_")
        status = _STATES.get(short, "running")
        answers = (_dig(body, "response", "inlinedResponses", "inlinedResponses")
                   or _dig(body, "metadata", "output", "inlinedResponses", "inlinedResponses")
                   or _dig(body, "output", "inlinedResponses", "inlinedResponses"))
        extra: dict[str, Any] = {}
        if isinstance(answers, list):
            extra["answers"] = answers
            extra["has_results"] = True
        stats = _dig(body, "metadata", "batchStats") or body.get("batchStats") or {}
        total = int(stats.get("requestCount") or 0)
        done = int(stats.get("successfulRequestCount") or 0) + int(stats.get("failedRequestCount") or 0)
        error = None
        if status == "failed" and "answers" not in extra:
            reason = _dig(body, "error", "message") or f"the batch ended {word}"
            error = JobFailed(f"google batch {job.job_id}: {reason}", host=self.name,
                              code="expired" if short == "EXPIRED" else word, job_id=job.job_id)
        if short in ("CANCELLED", "EXPIRED"):
            extra["unfinished"] = short.lower()
        return JobState(status=status, progress=done / total if total else None, error=error, host_status=word,
                        extra=extra)

    def decode_results(self, job: BatchJob, state: JobState, files: list[bytes]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        ids = job.ids
        for i, answer in enumerate(state.extra.get("answers") or ()):
            key = _dig(answer, "metadata", "key")
            cid = key if isinstance(key, str) and key in ids else (ids[i] if i < len(ids) else None)
            if cid is None:
                continue
            if isinstance(answer.get("error"), Mapping):
                err = answer["error"]
                found[cid] = google_error(self.name, int(err.get("code") or 500), {"error": err})
            else:
                found[cid] = answer.get("response")
        return found
