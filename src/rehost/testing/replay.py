"""Replay recorded HTTP exchanges (VCR cassettes) from a real HTTP server on loopback.

Point any provider's ``base_url`` at ``server.url`` (plus the host's base path) and its requests are answered
with the recorded responses, over real sockets, event streams cut into small chunks the way a network cuts
them. Every request the server receives is kept (``server.received``) so a test can compare what the library
sent with what the real host accepted.

Interactions are served in order per (method, path and query); fragments in recorded URLs (Mistral's
``#stream``) are ignored, as they never reach the wire. A request with no recorded answer left gets HTTP 418
and is listed in ``server.unmatched``.

Needs PyYAML (in the ``dev`` extra) to read cassette files.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Interaction", "Received", "ReplayServer", "load_cassette"]


@dataclass(slots=True)
class Interaction:
    method: str
    url: str
    target: str  # path and query, as sent on the wire
    request_body: Any
    status: int
    response_headers: dict[str, list[str]]
    response_body: bytes

    @property
    def content_type(self) -> str:
        values = self.response_headers.get("content-type") or ["application/json"]
        return values[0]

    @property
    def is_event_stream(self) -> bool:
        return self.content_type.startswith(("text/event-stream", "application/vnd.amazon.eventstream"))


@dataclass(slots=True)
class Received:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _response_body(response: Mapping[str, Any]) -> bytes:
    if "parsed_body" in response:
        return json.dumps(response["parsed_body"]).encode()
    body = response.get("body")
    if isinstance(body, Mapping):
        body = body.get("string", "")
    if body is None:
        return b""
    return body.encode() if isinstance(body, str) else bytes(body)


def _request_body(request: Mapping[str, Any]) -> Any:
    if "parsed_body" in request:
        return request["parsed_body"]
    body = request.get("body")
    if isinstance(body, str) and body:
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def load_cassette(path: str | Path) -> list[Interaction]:
    """The interactions of a vcrpy cassette, bodies decoded the way pydantic-ai's serializer wrote them."""
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - dev extra
        raise ImportError("reading cassettes needs PyYAML: pip install 'rehost[dev]'") from exc
    data = yaml.safe_load(Path(path).read_text("utf-8"))
    out = []
    for item in data["interactions"]:
        req, resp = item["request"], item["response"]
        headers = {str(k).lower(): [str(v) for v in (vs if isinstance(vs, list) else [vs])]
                   for k, vs in (resp.get("headers") or {}).items()}
        out.append(Interaction(
            method=req["method"].upper(), url=req["uri"].split("#", 1)[0], target=_target(req["uri"].split("#")[0]),
            request_body=_request_body(req), status=int(resp["status"]["code"]),
            response_headers=headers, response_body=_response_body(resp),
        ))
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        received = Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        interaction = self.server.replay.take(received)
        if interaction is None:
            payload = json.dumps({"error": {"message": f"replay: nothing recorded for {self.command} {self.path}"}})
            self._send(418, "application/json", payload.encode(), chunked=False)
            return
        self._send(interaction.status, interaction.content_type, interaction.response_body,
                   chunked=interaction.is_event_stream)

    def _send(self, status: int, ctype: str, body: bytes, *, chunked: bool) -> None:
        replay = self.server.replay
        self.send_response(status)
        self.send_header("content-type", ctype)
        if chunked:
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            step = replay.chunk_size
            for i in range(0, len(body), step):
                piece = body[i:i + step]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                if replay.chunk_delay:
                    time.sleep(replay.chunk_delay)
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        self.wfile.flush()

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    replay: ReplayServer


@dataclass
class ReplayServer:
    """Serves recorded interactions on ``127.0.0.1`` until stopped (use it as a context manager)."""

    interactions: list[Interaction]
    chunk_size: int = 16
    chunk_delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    unmatched: list[Received] = field(default_factory=list)
    served: list[Interaction] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = list(self.interactions)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_cassettes(cls, paths: Iterable[str | Path], **kwargs: Any) -> ReplayServer:
        interactions: list[Interaction] = []
        for path in paths:
            interactions.extend(load_cassette(path))
        return cls(interactions, **kwargs)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the replay server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def take(self, received: Received) -> Interaction | None:
        with self._lock:
            self.received.append(received)
            for i, interaction in enumerate(self._pending):
                if interaction.method == received.method and interaction.target == received.target:
                    del self._pending[i]
                    self.served.append(interaction)
                    return interaction
            self.unmatched.append(received)
            return None

    @property
    def remaining(self) -> list[Interaction]:
        with self._lock:
            return list(self._pending)

    def start(self) -> ReplayServer:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.replay = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="rehost-replay",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
