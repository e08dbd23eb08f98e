"""BatchEndpoint: one host's batch API (many chat requests as one job, at the host's batch price): the codec
of its batch surface as hooks, and the I/O of each step over the host's transport, sync and async.

A batch line is the body the host's own chat endpoint would send for that request on its own: every item
goes through ``host.chat.prepare`` (model id from the catalogue, every encoding check, caching controls) and
the host's ``encode_item`` only wraps that body in its batch envelope. Likewise every answer is decoded by the
chat endpoint's ``decode``, so a batch answer and a direct answer are the same ``Completion``.

A host fills in the hooks: ``encode_item`` (one line), ``build_upload`` / ``decode_upload`` (where the
lines go up as a file first: OpenAI), ``build_submit`` / ``decode_submit``, ``build_poll`` /
``decode_poll`` (a neutral ``JobState``; ``extra["has_results"]`` when a batch that did not complete still
has answers), ``build_cancel``, ``result_calls`` (the GETs of its result files) and ``decode_results`` (each
custom id's native answer body, or its typed error). The base puts the results back in input order and
fills the items the host never reported with ``JobFailed`` (code ``expired``, ``cancelled`` or ``missing``).

Retries: as for video jobs, a submit is retried only on a 429 (a 5xx after the host took the batch would
start, and bill, a second one); each poll is one attempt, the polling plan deciding about failures.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ...shared.batch.job import BatchJob
from ...shared.batch.results import BatchOutcome, BatchResults
from ...shared.errors import ConfigurationError, JobFailed, ProtocolError, RateLimited, RehostError
from ...shared.io.clock import SYSTEM_CLOCK, Clock
from ...shared.pricing import Cost
from ...shared.transport import HttpCall, HttpResult, RetryPolicy, header_request_id
from ...shared.types import Completion
from ..dialects.common import CallInfo
from .endpoint import Endpoint
from .headers import merge_headers
from .status import SHAPE_ERRORS

if TYPE_CHECKING:
    from ...shared.batch.request import BatchRequest
    from ...shared.jobs.status import JobState
    from .chat import ChatEndpoint, PreparedCall

__all__ = ["BatchEndpoint", "jsonl", "jsonl_lines"]

_ONCE = RetryPolicy(max_retries=0)


def jsonl(lines: list[Any]) -> bytes:
    """Lines as JSONL bytes (compact, UTF-8, one object a line)."""
    return b"".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for line in lines)


def jsonl_lines(content: bytes, host: str, what: str) -> list[Any]:
    """The JSON objects of a JSONL file; ProtocolError naming the line that is not JSON."""
    out = []
    for n, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise ProtocolError(f"{host}: line {n} of the batch {what} is not JSON: {line[:120]!r}",
                                    host=host) from exc
    return out


class BatchEndpoint(Endpoint):
    """A host's batch surface. Subclasses fill in the hooks."""

    #: whether one batch may ask several models (Anthropic: each line names its own; OpenAI, Gemini: one)
    mixed_models: ClassVar[bool] = False
    #: the custom ids the host takes, and the rule in words for the refusal
    custom_id_pattern: ClassVar[re.Pattern[str] | None] = None
    custom_id_rule: ClassVar[str] = ""
    #: most items one batch takes (None: no documented limit)
    max_items: ClassVar[int | None] = None
    #: what a batched request costs against the same request sent on its own (every host here: half)
    price_factor: ClassVar[Decimal] = Decimal("0.5")

    @property
    def chat(self) -> ChatEndpoint:
        chat: ChatEndpoint = self.host.chat
        return chat

    # ------------------------------------------------------------------------------------------ hooks
    def encode_item(self, custom_id: str, prepared: PreparedCall) -> Any:
        """One line of the batch: the host's envelope around ``prepared.call.body``."""
        raise NotImplementedError

    def build_upload(self, lines: list[Any], batch: BatchRequest) -> HttpCall | None:
        """The upload of the lines as a file, where the host takes them so (None: they travel in the submit)."""
        return None

    def decode_upload(self, body: Any) -> dict[str, Any]:
        """What the upload's answer gives the submit (and the job keeps): the file's id."""
        return {}

    def build_submit(self, lines: list[Any], batch: BatchRequest, model_id: str,
                     uploaded: Mapping[str, Any]) -> HttpCall:
        raise NotImplementedError

    def decode_submit(self, body: Any, batch: BatchRequest) -> tuple[str, dict[str, Any]]:
        """The batch id in the submit's answer, and the host's own handles a later poll needs."""
        raise NotImplementedError

    def build_poll(self, job: BatchJob) -> HttpCall:
        raise NotImplementedError

    def decode_poll(self, body: Any, job: BatchJob, headers: Mapping[str, str]) -> JobState:
        raise NotImplementedError

    def build_cancel(self, job: BatchJob) -> HttpCall:
        raise NotImplementedError

    def result_calls(self, job: BatchJob, state: JobState) -> list[HttpCall]:
        """The GETs of a finished batch's result files (none where the last poll carries the results)."""
        return []

    def decode_results(self, job: BatchJob, state: JobState, files: list[bytes]) -> dict[str, Any]:
        """Each reported item's native answer body (a dict, decoded by the chat endpoint) or typed error, by
        custom id; items missing here are filled in by the base."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------ encoding
    def check(self, batch: BatchRequest) -> None:
        """What this host refuses of a batch as a whole, before anything is encoded."""
        from ...shared.batch.request import BatchRequest

        if not isinstance(batch, BatchRequest):
            raise ConfigurationError(f"{self.name}: submit takes a BatchRequest, not {type(batch).__name__}",
                                     host=self.name)
        if self.max_items is not None and len(batch) > self.max_items:
            raise ConfigurationError(f"{self.name} takes at most {self.max_items} requests in one batch, not "
                                     f"{len(batch)}: split it", host=self.name)
        if not self.mixed_models and len(batch.models) > 1:
            raise ConfigurationError(f"{self.name}: one batch asks one model, not {', '.join(batch.models)}: "
                                     "submit a batch per model", host=self.name)
        for item in batch.items:
            if self.custom_id_pattern is not None and not self.custom_id_pattern.fullmatch(item.custom_id):
                raise ConfigurationError(f"{self.name}: the custom_id {item.custom_id!r:.80} is not one it takes "
                                         f"({self.custom_id_rule})", host=self.name)
            if item.request.extra_headers:
                raise ConfigurationError(f"{self.name}: batch item {item.custom_id!r} has extra_headers, which "
                                         "cannot travel inside a batch line", host=self.name)

    def encode(self, batch: BatchRequest) -> tuple[list[Any], str]:
        """Check the batch and encode every item with the chat endpoint; nothing is sent (what the body tests
        read). The lines, and the (first) model's host id."""
        self.check(batch)
        return self._lines(batch)

    def _lines(self, batch: BatchRequest) -> tuple[list[Any], str]:
        lines: list[Any] = []
        model_id = ""
        for item in batch.items:
            try:
                prepared = self.chat.prepare(item.request)
            except RehostError as err:
                err.add_note(f"in batch item {item.custom_id!r}")
                raise
            model_id = model_id or prepared.info.host_model_id
            lines.append(self.encode_item(item.custom_id, prepared))
        return lines, model_id

    def _finish(self, call: HttpCall) -> HttpCall:
        headers = {"Accept": "application/json"}
        if call.body is not None and "Content-Type" not in call.headers:
            headers["Content-Type"] = "application/json"
        merge_headers(headers, self.host._headers)
        merge_headers(headers, call.headers)
        call.headers = headers
        return call

    # ------------------------------------------------------------------------------------------ decoding
    def _json(self, content: bytes, headers: httpx.Headers, what: str) -> Any:
        if not content.strip():
            return {}
        try:
            return json.loads(content)
        except ValueError as exc:
            raise ProtocolError(f"{self.name} answered a batch {what} with a body that is not JSON: "
                                f"{content[:200]!r}", host=self.name,
                                request_id=header_request_id(headers, self.host.request_id_headers)) from exc

    def _decoded(self, what: str, headers: Mapping[str, str], decode: Any, *args: Any) -> Any:
        try:
            return decode(*args)
        except RehostError:
            raise
        except SHAPE_ERRORS as exc:
            raise ProtocolError(f"{self.name} answered a batch {what} with JSON of an unexpected shape "
                                f"({type(exc).__name__}: {exc})", host=self.name) from exc

    def _job(self, batch: BatchRequest, model_id: str, result: HttpResult, clock: Clock,
             uploaded: Mapping[str, Any]) -> BatchJob:
        body = self._json(result.content, result.headers, "submit")
        job_id, extra = self._decoded("submit", result.headers, self.decode_submit, body, batch)
        extra = {**uploaded, **extra, "ids": list(batch.ids)}
        if len(batch.models) > 1:
            extra["models"] = [item.request.model for item in batch.items]
        return BatchJob(sender=self, model=batch.items[0].request.model, job_id=job_id, host_model_id=model_id,
                        submitted_at=clock.now(), request={"items": len(batch)}, extra=extra, clock=clock)

    def _state(self, job: BatchJob, result: HttpResult) -> JobState:
        body = self._json(result.content, result.headers, "poll")
        state: JobState = self._decoded("poll", result.headers, self.decode_poll, body, job, result.headers)
        if state.error is not None:
            state.error.redact(self.host._known_key())
        return state

    def _results(self, job: BatchJob, state: JobState, files: list[bytes]) -> BatchResults:
        found = self._decoded("result", {}, self.decode_results, job, state, files)
        models = job.extra.get("models")
        missing = state.extra.get("unfinished", "missing")
        outcomes: list[BatchOutcome] = []
        for i, cid in enumerate(job.ids):
            answer = found.get(cid)
            if answer is None:
                err = JobFailed(f"batch {job.job_id} on {self.name} gave no answer for item {cid!r} "
                                f"({missing})", host=self.name, code=missing, job_id=job.job_id)
                outcomes.append(BatchOutcome(cid, error=err))
            elif isinstance(answer, RehostError):
                answer.redact(self.host._known_key())
                outcomes.append(BatchOutcome(cid, error=answer))
            else:
                model = models[i] if models else job.model
                try:
                    outcomes.append(BatchOutcome(cid, completion=self._completion(answer, job, model)))
                except RehostError as err:  # one answer the host got wrong costs that item, not the batch
                    err.redact(self.host._known_key())
                    outcomes.append(BatchOutcome(cid, error=err))
                except SHAPE_ERRORS as exc:
                    outcomes.append(BatchOutcome(cid, error=ProtocolError(
                        f"{self.name}: batch {job.job_id} answered item {cid!r} with JSON of an unexpected shape "
                        f"({type(exc).__name__}: {exc})", host=self.name)))
        return BatchResults(host=self.name, job_id=job.job_id, outcomes=tuple(outcomes))

    def _completion(self, body: Any, job: BatchJob, model: str) -> Completion:
        """One answer decoded by the chat endpoint, priced at the batch rate (the host's figure, else the
        catalogue's prices times ``price_factor``)."""
        host_model_id = job.host_model_id if model == job.model else self.host.model_id(model)
        info = CallInfo(host=self.name, model=model, host_model_id=host_model_id)
        if isinstance(body, Mapping) and self.chat.is_error_body(body):
            raise self.chat.map_inband_error(body, info)
        completion = self.chat.decode(body, httpx.Headers(), info)
        from ...shared.pricing import cost_of

        if completion.usage is not None and completion.cost is None:
            prices = self.host.catalog.prices(model, self.name)
            if prices is not None:
                cost = cost_of(completion.usage, prices)
                completion = completion.model_copy(update={"cost": _scaled(cost, self.price_factor)})
        return completion

    def _answers(self, job: BatchJob, state: JobState, files: list[bytes]) -> BatchResults:
        try:
            return self._results(job, state, files)
        except RehostError as err:
            err.redact(self.host._known_key())
            raise

    # ------------------------------------------------------------------------------------------ I/O, sync
    def _send_submit(self, call: HttpCall, clock: Clock) -> HttpResult:
        """Send a submit (or upload), retried only on a 429: nothing was accepted then."""
        self.host.authorize(call)
        policy = self.host._transport.retry
        attempt = 0
        while True:
            try:
                return self.host._transport.request(call, self.map_http_error, retry=_ONCE)
            except RateLimited as err:
                if attempt >= policy.max_retries or (err.retry_after or 0) > policy.max_retry_after:
                    raise
                clock.sleep(policy.delay(attempt, err.retry_after))
                attempt += 1

    def submit(self, batch: BatchRequest, *, clock: Any = None) -> BatchJob:
        """Upload (where the host wants a file) and create the batch; its job, at once."""
        clock = clock or SYSTEM_CLOCK
        lines, model_id = self.encode(batch)
        uploaded: dict[str, Any] = {}
        upload = self.build_upload(lines, batch)
        if upload is not None:
            result = self._send_submit(self._finish(upload), clock)
            uploaded = self._decoded("upload", result.headers, self.decode_upload,
                                     self._json(result.content, result.headers, "upload"))
        call = self._finish(self.build_submit(lines, batch, model_id, uploaded))
        return self._job(batch, model_id, self._send_submit(call, clock), clock, uploaded)

    def poll(self, job: BatchJob) -> JobState:
        call = self._finish(self.build_poll(job))
        self.host.authorize(call)
        return self._state(job, self.host._transport.request(call, self.map_http_error, retry=_ONCE))

    def cancel(self, job: BatchJob) -> None:
        call = self._finish(self.build_cancel(job))
        self.host.authorize(call)
        self.host._transport.request(call, self.map_http_error, retry=_ONCE)

    def result(self, job: BatchJob, state: JobState) -> BatchResults:
        """The finished batch's results in input order (its result files fetched first, where it has any)."""
        files = []
        for fetch in self.result_calls(job, state):
            call = self._finish(fetch)
            call.headers["Accept"] = "*/*"
            self.host.authorize(call)
            files.append(self.host._transport.request(call, self.map_http_error).content)
        return self._answers(job, state, files)

    # ------------------------------------------------------------------------------------------ I/O, async
    async def _asend_submit(self, call: HttpCall, clock: Clock) -> HttpResult:
        await self.host.aauthorize(call)
        policy = self.host._transport.retry
        attempt = 0
        while True:
            try:
                return await self.host._transport.arequest(call, self.map_http_error, retry=_ONCE)
            except RateLimited as err:
                if attempt >= policy.max_retries or (err.retry_after or 0) > policy.max_retry_after:
                    raise
                await clock.asleep(policy.delay(attempt, err.retry_after))
                attempt += 1

    async def asubmit(self, batch: BatchRequest, *, clock: Any = None) -> BatchJob:
        clock = clock or SYSTEM_CLOCK
        lines, model_id = self.encode(batch)
        uploaded: dict[str, Any] = {}
        upload = self.build_upload(lines, batch)
        if upload is not None:
            result = await self._asend_submit(self._finish(upload), clock)
            uploaded = self._decoded("upload", result.headers, self.decode_upload,
                                     self._json(result.content, result.headers, "upload"))
        call = self._finish(self.build_submit(lines, batch, model_id, uploaded))
        return self._job(batch, model_id, await self._asend_submit(call, clock), clock, uploaded)

    async def apoll(self, job: BatchJob) -> JobState:
        call = self._finish(self.build_poll(job))
        await self.host.aauthorize(call)
        return self._state(job, await self.host._transport.arequest(call, self.map_http_error, retry=_ONCE))

    async def acancel(self, job: BatchJob) -> None:
        call = self._finish(self.build_cancel(job))
        await self.host.aauthorize(call)
        await self.host._transport.arequest(call, self.map_http_error, retry=_ONCE)

    async def aresult(self, job: BatchJob, state: JobState) -> BatchResults:
        files = []
        for fetch in self.result_calls(job, state):
            call = self._finish(fetch)
            call.headers["Accept"] = "*/*"
            await self.host.aauthorize(call)
            files.append((await self.host._transport.arequest(call, self.map_http_error)).content)
        return self._answers(job, state, files)


def _scaled(cost: Cost, factor: Decimal) -> Cost:
    """A catalogue cost at the batch rate: every part times ``factor``, with a note saying so."""
    def times(value: Decimal | None) -> Decimal | None:
        return None if value is None else value * factor

    return dataclasses.replace(cost, total=cost.total * factor, input=times(cost.input),
                               cached_input=times(cost.cached_input), output=times(cost.output),
                               reasoning=times(cost.reasoning), cache_write=times(cost.cache_write),
                               notes=(*cost.notes, f"batch rate (x{factor} of the catalogue's prices)"))
