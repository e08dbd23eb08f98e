"""Batch APIs on the emulator: OpenAI's ``/v1/files`` + ``/v1/batches``, Anthropic's
``/v1/messages/batches`` and the Gemini API's ``batchGenerateContent``, each with a scripted lifecycle, item
failures and faults, beside the chat routes (every chat and video job route still answers).

``BatchEmulator`` is the ``JobEmulator`` plus the batch routes, under the chat styles' own prefixes
(``emu.provider("openai")`` reaches them). A batch's life is counted in polls
(``emu.script_batches("openai", queued_polls=1, running_polls=2)``), then its ``outcome``: ``completed``,
``expired`` (the first ``finished`` items answered, the rest expired) or ``failed`` (the input rejected as a
whole). A cancel ends it at the next poll with the first ``finished`` items answered. Each answered item is a
real native answer of the host (``"answer to <custom_id>"``, 10 tokens in, 5 out); the ids in ``fail_ids``
are answered with the host's own error for that item instead. Results are written in REVERSED input order
(``shuffle=False`` keeps the order), so a client that trusts file order is caught. Faults:
``submit_429`` (the next N submits are rate limited), ``poll_errors`` (the next N polls answer 503).
Every batch request is checked as the real host checks it: an unknown file, a wrong endpoint, a second
model in one OpenAI or Gemini batch, duplicate custom ids, an Anthropic id out of its alphabet: a 400.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ..shared.errors import ConfigurationError
from .emulator.server import _Protocol
from .emulator.wire import _head, _json_response
from .emulator_jobs import JobEmulator

__all__ = ["BATCH_STYLES", "BatchEmulator", "BatchScript"]

#: the batch host styles and their path prefixes (the chat styles' own)
BATCH_STYLES: dict[str, str] = {"openai": "/openai/v1", "anthropic": "/anthropic/v1", "google": "/google/v1beta"}
BatchOutcome = Literal["completed", "expired", "failed"]
_ANTHROPIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class BatchScript:
    """What the batches of one host style do."""

    queued_polls: int = 1
    running_polls: int = 1
    outcome: BatchOutcome = "completed"
    #: items answered before an expiry or a cancel (None: half, rounded up)
    finished: int | None = None
    fail_ids: tuple[str, ...] = ()
    shuffle: bool = True
    #: Gemini: whether inline answers echo the request's metadata key (a forum report says not always)
    echo_keys: bool = True
    submit_429: int = 0
    poll_errors: int = 0


_FIELDS = {f.name for f in fields(BatchScript)}


@dataclass
class _Batch:
    id: str
    style: str
    items: list[tuple[str, dict[str, Any]]]  # (custom id, the request body)
    script: BatchScript
    polls: int = 0
    cancelled: bool = False


@dataclass
class _State:
    scripts: dict[str, BatchScript] = field(default_factory=dict)
    batches: dict[str, _Batch] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    counters: dict[tuple[str, str], int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class BatchEmulator(JobEmulator):
    """The emulator with the batch APIs of OpenAI, Anthropic and the Gemini API."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batches = _State()

    def script_batches(self, style: str | None = None, **changes: Any) -> None:
        """Set what the batches of ``style`` (or of every style) do from now on; faults count down from here."""
        styles = list(BATCH_STYLES) if style is None else [style]
        if any(s not in BATCH_STYLES for s in styles):
            raise ConfigurationError(f"unknown batch style {style!r}; styles: {', '.join(BATCH_STYLES)}")
        unknown = set(changes) - _FIELDS
        if unknown:
            raise ConfigurationError(f"unknown batch script field(s) {sorted(unknown)}; fields: {sorted(_FIELDS)}")
        with self.batches.lock:
            for s in styles:
                script = replace(self.batches.scripts.get(s, BatchScript()), **changes)
                self.batches.scripts[s] = script
                self.batches.counters[(s, "submit_429")] = script.submit_429
                self.batches.counters[(s, "poll_errors")] = script.poll_errors

    def batch_items(self, batch_id: str) -> list[tuple[str, dict[str, Any]]]:
        """The (custom id, request body) pairs a batch was created with (what the line tests read)."""
        return list(self.batches.batches[batch_id.removeprefix("batches/")].items)

    # -- answering ----------------------------------------------------------------------------------------
    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes, conn: _Protocol) -> Any:
        path = target.split("?", 1)[0]
        for style, prefix in BATCH_STYLES.items():
            if path.startswith(prefix + "/"):
                route = _ROUTES[style]
                rest = path[len(prefix):]
                if route.matches(method, rest):
                    self._record(method, target, headers, body, style)
                    if not (headers.get("authorization") or headers.get("x-api-key")
                            or headers.get("x-goog-api-key")):
                        conn.write(_json_response(401, route.error(401, "no API key")))
                        return None
                    conn.write(route.answer(self, method, rest, headers, body))
                    return None
        return super()._handle(method, target, headers, body, conn)

    def _fault(self, style: str, name: str) -> bool:
        """Whether a scripted fault still has a count left for ``style`` (and take one)."""
        with self.batches.lock:
            left = self.batches.counters.get((style, name), 0)
            if left > 0:
                self.batches.counters[(style, name)] = left - 1
                return True
        return False

    def _new(self, style: str, items: list[tuple[str, dict[str, Any]]]) -> _Batch:
        with self.batches.lock:
            batch = _Batch(f"batch_{uuid.uuid4().hex[:12]}", style, items,
                           self.batches.scripts.get(style, BatchScript()))
            self.batches.batches[batch.id] = batch
        return batch

    def _batch_polled(self, batch_id: str) -> _Batch | None:
        with self.batches.lock:
            batch = self.batches.batches.get(batch_id)
            if batch is not None:
                batch.polls += 1
            return batch


def _phase(batch: _Batch) -> str:
    s = batch.script
    if batch.cancelled:
        return "cancelled"
    if batch.polls <= s.queued_polls:
        return "queued"
    if batch.polls <= s.queued_polls + s.running_polls:
        return "running"
    return s.outcome


def _answered(batch: _Batch) -> list[int]:
    """The positions of the items the batch got to (all of them, unless it expired or was cancelled)."""
    n = len(batch.items)
    if _phase(batch) == "completed":
        return list(range(n))
    done = batch.script.finished if batch.script.finished is not None else (n + 1) // 2
    return list(range(min(done, n)))


def _in_order(batch: _Batch, positions: list[int]) -> list[int]:
    return list(reversed(positions)) if batch.script.shuffle else positions


def _prompt(body: dict[str, Any]) -> str:
    return json.dumps(body.get("messages") or body.get("contents"))[:40]


class _Route:
    def matches(self, method: str, rest: str) -> bool:
        raise NotImplementedError

    def error(self, status: int, message: str) -> Any:
        return {"error": {"message": message, "type": "invalid_request_error", "code": None}}

    def answer(self, emu: BatchEmulator, method: str, rest: str, headers: dict[str, str], body: bytes) -> bytes:
        raise NotImplementedError

    def bad(self, message: str) -> bytes:
        return _json_response(400, self.error(400, message))

    def faults(self, emu: BatchEmulator, style: str, what: str) -> bytes | None:
        if what == "submit" and emu._fault(style, "submit_429"):
            return _json_response(429, self.error(429, "emulated rate limit"), {"retry-after": "0"})
        if what == "poll" and emu._fault(style, "poll_errors"):
            return _json_response(503, self.error(503, "emulated poll failure"))
        return None


def _multipart_file(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes | None]:
    """The form fields and the file of a multipart/form-data upload."""
    match = re.search(r"boundary=([^;]+)", headers.get("content-type", ""))
    if match is None:
        return {}, None
    fields_: dict[str, str] = {}
    data = None
    for part in body.split(b"--" + match.group(1).strip('"').encode()):
        head, _, content = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name is None:
            continue
        content = content.removesuffix(b"\r\n")
        if b"filename=" in head:
            data = content
        else:
            fields_[name.group(1).decode()] = content.decode()
    return fields_, data


class _OpenAI(_Route):
    def matches(self, method: str, rest: str) -> bool:
        return (method == "POST" and rest in ("/files", "/batches")) or rest.startswith("/batches/") \
            or (method == "GET" and rest.startswith("/files/") and rest.endswith("/content"))

    def answer(self, emu: BatchEmulator, method: str, rest: str, headers: dict[str, str], body: bytes) -> bytes:
        if rest == "/files":
            form, data = _multipart_file(headers, body)
            if form.get("purpose") != "batch" or data is None:
                return self.bad("a batch input file is a multipart upload with purpose=batch and a file")
            file_id = f"file-{uuid.uuid4().hex[:12]}"
            with emu.batches.lock:
                emu.batches.files[file_id] = data
            return _json_response(200, {"id": file_id, "object": "file", "purpose": "batch", "bytes": len(data)})
        if rest.startswith("/files/"):
            file_id = rest.split("/")[2]
            data = emu.batches.files.get(file_id)
            if data is None:
                return _json_response(404, self.error(404, f"No such File object: {file_id}"))
            return _head(200, "application/octet-stream", length=len(data)) + data
        if rest == "/batches":
            return self.create(emu, json.loads(body or b"{}"))
        parts = rest.split("/")  # ["", "batches", id] or [..., "cancel"]
        if len(parts) == 4 and parts[3] == "cancel" and method == "POST":
            batch = emu.batches.batches.get(parts[2])
            if batch is None:
                return _json_response(404, self.error(404, "batch not found"))
            batch.cancelled = True
            return _json_response(200, {"id": batch.id, "object": "batch", "status": "cancelling"})
        fault = self.faults(emu, "openai", "poll")
        if fault is not None:
            return fault
        polled = emu._batch_polled(parts[2])
        if polled is None:
            return _json_response(404, self.error(404, "batch not found"))
        return _json_response(200, self.status(emu, polled))

    def create(self, emu: BatchEmulator, req: dict[str, Any]) -> bytes:
        fault = self.faults(emu, "openai", "submit")
        if fault is not None:
            return fault
        data = emu.batches.files.get(str(req.get("input_file_id")))
        if data is None:
            return self.bad(f"No such File object: {req.get('input_file_id')}")
        if req.get("endpoint") != "/v1/chat/completions" or req.get("completion_window") != "24h":
            return self.bad("endpoint must be /v1/chat/completions and completion_window 24h")
        lines = [json.loads(x) for x in data.splitlines() if x.strip()]
        ids = [line.get("custom_id") for line in lines]
        if len(set(ids)) != len(ids) or not all(ids):
            return self.bad("each line needs a custom_id, unique in the file")
        if any(line.get("method") != "POST" or line.get("url") != req["endpoint"] for line in lines):
            return self.bad("every line must POST to the batch's endpoint")
        if len({line["body"].get("model") for line in lines}) != 1:
            return self.bad("a batch input file can only include requests to a single model")
        batch = emu._new("openai", [(line["custom_id"], line["body"]) for line in lines])
        return _json_response(200, {"id": batch.id, "object": "batch", "status": "validating",
                                    "endpoint": req["endpoint"], "input_file_id": req["input_file_id"],
                                    "completion_window": "24h", "metadata": req.get("metadata"),
                                    "request_counts": {"total": 0, "completed": 0, "failed": 0}})

    def status(self, emu: BatchEmulator, batch: _Batch) -> dict[str, Any]:
        phase = _phase(batch)
        n = len(batch.items)
        out: dict[str, Any] = {"id": batch.id, "object": "batch", "endpoint": "/v1/chat/completions"}
        if phase in ("queued", "running"):
            word = "validating" if phase == "queued" else "in_progress"
            return {**out, "status": word, "request_counts": {"total": n, "completed": 0, "failed": 0}}
        if phase == "failed":
            return {**out, "status": "failed", "errors": {"object": "list", "data": [
                {"code": "invalid_request", "message": "the emulator was told to reject this batch", "line": 1}]}}
        answered = _answered(batch)
        ok: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for i in _in_order(batch, list(range(n))):
            cid, body = batch.items[i]
            if i not in answered:
                word = "batch_cancelled" if phase == "cancelled" else "batch_expired"
                errors.append({"id": f"req_{i}", "custom_id": cid, "response": None,
                               "error": {"code": word, "message": f"This request could not be executed ({word})."}})
            elif cid in batch.script.fail_ids:
                errors.append({"id": f"req_{i}", "custom_id": cid, "error": None, "response": {
                    "status_code": 400, "request_id": f"rq{i}", "body": self.error(400, f"emulated refusal of {cid}")}})
            else:
                ok.append({"id": f"req_{i}", "custom_id": cid, "error": None, "response": {
                    "status_code": 200, "request_id": f"rq{i}", "body": {
                        "id": f"chatcmpl-{i}", "object": "chat.completion", "created": 1, "model": body.get("model"),
                        "choices": [{"index": 0, "finish_reason": "stop", "message": {
                            "role": "assistant", "content": f"answer to {cid}"}}],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}}})
        word = {"completed": "completed", "expired": "expired", "cancelled": "cancelled"}[phase]
        with emu.batches.lock:
            for name, rows in (("output", ok), ("error", errors)):
                if rows:
                    file_id = f"file-{batch.id}-{name}"
                    emu.batches.files[file_id] = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
                    out[f"{name}_file_id"] = file_id
        failed = len(errors)
        return {**out, "status": word, "request_counts": {"total": n, "completed": len(ok), "failed": failed}}


class _Anthropic(_Route):
    def error(self, status: int, message: str) -> Any:
        etype = {401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error",
                 503: "api_error"}.get(status, "invalid_request_error")
        return {"type": "error", "error": {"type": etype, "message": message}}

    def matches(self, method: str, rest: str) -> bool:
        return rest.startswith("/messages/batches")

    def answer(self, emu: BatchEmulator, method: str, rest: str, headers: dict[str, str], body: bytes) -> bytes:
        parts = rest.split("/")  # ["", "messages", "batches", id?, "cancel" | "results"?]
        if len(parts) == 3 and method == "POST":
            return self.create(emu, json.loads(body or b"{}"))
        batch = emu.batches.batches.get(parts[3]) if len(parts) > 3 else None
        if len(parts) == 5 and parts[4] == "cancel" and batch is not None:
            batch.cancelled = True
            return _json_response(200, {"id": batch.id, "type": "message_batch", "processing_status": "canceling"})
        if len(parts) == 5 and parts[4] == "results" and batch is not None:
            data = self.results(batch)
            return _head(200, "application/binary", length=len(data)) + data
        fault = self.faults(emu, "anthropic", "poll")
        if fault is not None:
            return fault
        polled = emu._batch_polled(parts[3]) if len(parts) == 4 else None
        if polled is None:
            return _json_response(404, self.error(404, "batch not found"))
        phase = _phase(polled)
        n = len(polled.items)
        out: dict[str, Any] = {"id": polled.id, "type": "message_batch", "results_url": None,
                               "cancel_initiated_at": "2026-12-01T00:00:00Z" if polled.cancelled else None}
        if phase in ("queued", "running"):
            return _json_response(200, {**out, "processing_status": "in_progress", "request_counts": {
                "processing": n, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}})
        answered = _answered(polled)
        failed = sum(1 for i in answered if polled.items[i][0] in polled.script.fail_ids)
        rest_word = "canceled" if phase == "cancelled" else "expired"
        counts = {"processing": 0, "succeeded": len(answered) - failed, "errored": failed, "canceled": 0, "expired": 0}
        counts[rest_word] += n - len(answered)
        return _json_response(200, {**out, "processing_status": "ended", "request_counts": counts,
                                    "results_url": f"{emu.url}{BATCH_STYLES['anthropic']}/messages/batches/"
                                                   f"{polled.id}/results"})

    def create(self, emu: BatchEmulator, req: dict[str, Any]) -> bytes:
        fault = self.faults(emu, "anthropic", "submit")
        if fault is not None:
            return fault
        requests = req.get("requests")
        if not isinstance(requests, list) or not requests:
            return self.bad("requests: a non-empty list is required")
        ids = [r.get("custom_id") for r in requests]
        if len(set(ids)) != len(ids) or not all(isinstance(i, str) and _ANTHROPIC_ID.fullmatch(i) for i in ids):
            return self.bad("custom_id: each must be unique and match ^[a-zA-Z0-9_-]{1,64}$")
        if any(not isinstance(r.get("params"), dict) or "model" not in r["params"] or r["params"].get("stream")
               for r in requests):
            return self.bad("params: a Messages body with a model, and no stream, is required")
        batch = emu._new("anthropic", [(r["custom_id"], r["params"]) for r in requests])
        return _json_response(200, {"id": batch.id, "type": "message_batch", "processing_status": "in_progress"})

    def results(self, batch: _Batch) -> bytes:
        answered = _answered(batch)
        lines = []
        for i in _in_order(batch, list(range(len(batch.items)))):
            cid, body = batch.items[i]
            if i not in answered:
                result: dict[str, Any] = {"type": "canceled" if batch.cancelled else "expired"}
            elif cid in batch.script.fail_ids:
                result = {"type": "errored", "error": self.error(400, f"emulated refusal of {cid}")}
            else:
                result = {"type": "succeeded", "message": {
                    "id": f"msg_{i}", "type": "message", "role": "assistant", "model": body.get("model"),
                    "content": [{"type": "text", "text": f"answer to {cid}"}], "stop_reason": "end_turn",
                    "usage": {"input_tokens": 10, "output_tokens": 5}}}
            lines.append(json.dumps({"custom_id": cid, "result": result}).encode() + b"\n")
        return b"".join(lines)


class _Google(_Route):
    def error(self, status: int, message: str) -> Any:
        word = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
                503: "UNAVAILABLE"}.get(status, "INTERNAL")
        return {"error": {"code": status, "message": message, "status": word}}

    def matches(self, method: str, rest: str) -> bool:
        return (method == "POST" and rest.startswith("/models/") and rest.endswith(":batchGenerateContent")) \
            or rest.startswith("/batches/")

    def answer(self, emu: BatchEmulator, method: str, rest: str, headers: dict[str, str], body: bytes) -> bytes:
        if rest.startswith("/models/"):
            return self.create(emu, rest[len("/models/"):-len(":batchGenerateContent")], json.loads(body or b"{}"))
        name = rest[len("/batches/"):]
        if name.endswith(":cancel") and method == "POST":
            batch = emu.batches.batches.get(name.removesuffix(":cancel"))
            if batch is None:
                return _json_response(404, self.error(404, "batch not found"))
            batch.cancelled = True
            return _json_response(200, {})
        fault = self.faults(emu, "google", "poll")
        if fault is not None:
            return fault
        polled = emu._batch_polled(name)
        if polled is None:
            return _json_response(404, self.error(404, "batch not found"))
        phase = _phase(polled)
        state = {"queued": "PENDING", "running": "RUNNING", "completed": "SUCCEEDED", "failed": "FAILED",
                 "cancelled": "CANCELLED", "expired": "EXPIRED"}[phase]
        meta = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
                "name": f"batches/{polled.id}", "state": f"BATCH_STATE_{state}",
                "batchStats": {"requestCount": str(len(polled.items))}}
        op: dict[str, Any] = {"name": f"batches/{polled.id}", "metadata": meta}
        if phase in ("queued", "running"):
            return _json_response(200, op)
        if phase in ("failed", "expired"):
            return _json_response(200, {**op, "done": True, "error": {"code": 13, "message": f"batch {state}"}})
        answered = _answered(polled)
        responses = []
        for i, (cid, req) in enumerate(polled.items):  # the docs: in input order
            meta_key = {"metadata": {"key": cid}} if polled.script.echo_keys else {}
            if i not in answered:
                continue
            if cid in polled.script.fail_ids:
                responses.append({**meta_key, "error": self.error(400, f"emulated refusal of {cid}")["error"]})
            else:
                responses.append({**meta_key, "response": {
                    "candidates": [{"content": {"role": "model", "parts": [{"text": f"answer to {cid}"}]},
                                    "finishReason": "STOP"}],
                    "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
                    "modelVersion": req.get("_model", "")}})
        return _json_response(200, {**op, "done": True, "response": {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
            "inlinedResponses": {"inlinedResponses": responses}}})

    def create(self, emu: BatchEmulator, model: str, req: dict[str, Any]) -> bytes:
        fault = self.faults(emu, "google", "submit")
        if fault is not None:
            return fault
        batch = req.get("batch") or {}
        lines = (((batch.get("inputConfig") or {}).get("requests") or {}).get("requests"))
        if not batch.get("displayName") or not isinstance(lines, list) or not lines:
            return self.bad("batch.displayName and batch.inputConfig.requests.requests are required")
        if any(not isinstance(x.get("request"), dict) or "contents" not in x["request"] for x in lines):
            return self.bad("each inline request needs a GenerateContentRequest with contents")
        items = [(str((x.get("metadata") or {}).get("key") or i), x["request"]) for i, x in enumerate(lines)]
        made = emu._new("google", items)
        return _json_response(200, {"name": f"batches/{made.id}", "metadata": {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "model": f"models/{model}", "state": "BATCH_STATE_PENDING"}})


_ROUTES: dict[str, _Route] = {"openai": _OpenAI(), "anthropic": _Anthropic(), "google": _Google()}
