"""The emulator's HTTP/1.1 bytes (heads, chunks, JSON and SSE/NDJSON frames, its own refusals) and its exact
pacing (``_paced`` / ``_sleep_until``), shared by every responder."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

# ---------------------------------------------------------------------------------------------- HTTP bits

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
            529: "Overloaded"}


def _head(status: int, ctype: str, *, length: int | None = None, extra: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"content-type: {ctype}"]
    lines.append(f"content-length: {length}" if length is not None else "transfer-encoding: chunked")
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


_END = b"0\r\n\r\n"

def _no_route(method: str, target: str) -> bytes:
    return _json_response(404, {"error": {"message": f"emulator: no route {method} {target}"}})


def _emulator_error(message: str) -> bytes:
    """The emulator itself refusing (HTTP 501): what was asked of it has no form on this host."""
    return _json_response(501, {"error": {"message": f"emulator: {message}", "type": "emulator_error"}})


def _json_response(status: int, body: Any, extra: dict[str, str] | None = None) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    return _head(status, "application/json", length=len(data), extra=extra) + data


def _sse_event(name: str | None, body: Any) -> bytes:
    head = f"event: {name}\n".encode() if name else b""
    return head + b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\n\n"


def _ndjson(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


#: the last stretch of every wait is spun, not slept: waking a sleeping thread on a virtual machine can take
#: a millisecond or more, and the emulator's delays must be exact for benchmarks to measure hosts, not it
_SPIN = 0.004


async def _paced(items: list[tuple[str, bytes]], start: float, ttft: float,
                 inter_token: float) -> AsyncIterator[tuple[int, bytes]]:
    """Each (kind, data) item with its index, when the script says it is due: the "first" one at ``ttft``
    after ``start``, every "token" one ``inter_token`` after the previous token; others at once."""
    sent_tokens = 0
    for i, (kind, data) in enumerate(items):
        if kind == "first":
            await _sleep_until(start + ttft)
        elif kind == "token":
            sent_tokens += 1
            await _sleep_until(start + ttft + inter_token * sent_tokens)
        yield i, data


async def _sleep_until(deadline: float) -> None:
    """Sleep to an absolute time (no drift across many tokens; the last few milliseconds are spun)."""
    remaining = deadline - time.monotonic()
    if remaining > _SPIN:
        await asyncio.sleep(remaining - _SPIN)
    while time.monotonic() < deadline:
        await asyncio.sleep(0)
