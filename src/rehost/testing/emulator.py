"""A host emulator: a real HTTP server on loopback that speaks like the hosts rehost talks to.

It answers the OpenAI chat-completions dialect (as Groq, OpenRouter, DeepSeek, Mistral, Together, Fireworks
and local servers do, each with reasoning in that host's own place) and the Gemini dialect (AI Studio and
Vertex URL forms), streamed or not, and it can be scripted per request: time to first token, time between
tokens, how much it says, and faults (a 400 invalid request, rate limits with Retry-After, 5xx, connections
reset before or during a stream, truncated or malformed streams, errors inside a 200 stream, keep-alive
comments, a stalled stream, a blocked answer with HTTP 200, a wrong content type, an oversize body).

Ollama's native API (``/ollama/api/chat`` and ``/api/generate``) is answered in its own shape: JSON, or NDJSON
lines when streamed, with the same faults where they apply.

Each host is served under its own path prefix on one port (``emulator.base_url("groq")``). It is written on
bare asyncio (no framework, no per-request task unless a request must wait) so that it is never the
bottleneck of the tests and benchmarks that stand on it.

    with Emulator() as emu:
        emu.script("groq", ttft=0.05, inter_token=0.005, output_tokens=40)
        emu.inject("429", times=1, retry_after="1")
        client = GenericClient("m", provider=emu.provider("groq"))
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["FAULTS", "STYLES", "Emulator", "Script", "Seen", "emulator_process"]

#: host styles and where each puts reasoning / how it signals errors inside a stream
STYLES: dict[str, dict[str, Any]] = {
    "openai": {"prefix": "/v1", "reasoning": None},
    "groq": {"prefix": "/openai/v1", "reasoning": "reasoning", "inband": "event"},
    "openrouter": {"prefix": "/api/v1", "reasoning": "reasoning", "inband": "chunk", "keepalive": True},
    "deepseek": {"prefix": "", "reasoning": "reasoning_content"},
    "mistral": {"prefix": "/v1", "reasoning": "mistral_chunks"},
    "together": {"prefix": "/v1", "reasoning": "reasoning"},
    "fireworks": {"prefix": "/inference/v1", "reasoning": "reasoning_content"},
    "llamacpp": {"prefix": "/v1", "reasoning": "reasoning_content"},
    "vllm": {"prefix": "/v1", "reasoning": "reasoning"},
    "ollama": {"prefix": "/v1", "reasoning": "reasoning"},
    "google": {"prefix": "/v1beta", "reasoning": "thought"},
    "vertex": {"prefix": "", "reasoning": "thought"},
}

FAULTS = (
    "400", "401", "429", "500", "502", "503", "529",
    "reset_before", "reset_mid_stream", "truncated", "malformed_chunk", "inband_error", "keepalive",
    "stall", "blocked", "wrong_content_type", "oversize",
)


@dataclass(frozen=True, slots=True)
class Script:
    """What the emulated host does with one request."""

    output_tokens: int = 8
    reasoning_tokens: int = 0
    ttft: float = 0.0
    inter_token: float = 0.0
    prompt_tokens: int | None = None
    tool_call: tuple[str, dict[str, Any]] | None = None
    fault: str | None = None
    retry_after: str | None = None
    oversize_bytes: int = 80 * 1024 * 1024
    #: answer with the last user message (load tests check no answer is lost or swapped)
    echo: bool = False

    def tokens(self, echo: str | None = None) -> list[str]:
        if echo is not None:
            return [echo]
        return ["Hello" if i == 0 else f" w{i}" for i in range(self.output_tokens)]

    def thoughts(self) -> list[str]:
        return ["Thinking" if i == 0 else f" t{i}" for i in range(self.reasoning_tokens)]


@dataclass(slots=True)
class Seen:
    """A request the emulator received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    host: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Injection:
    script: Script
    times: int
    host: str | None


@dataclass
class _State:
    defaults: dict[str | None, Script] = field(default_factory=lambda: {None: Script()})
    queue: deque[_Injection] = field(default_factory=deque)
    seen: list[Seen] = field(default_factory=list)
    record: bool = True
    open_connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script_for(self, host: str, header_fault: str | None) -> Script:
        with self.lock:
            base = self.defaults.get(host) or self.defaults[None]
            for item in self.queue:
                if item.host in (None, host):
                    item.times -= 1
                    if item.times <= 0:
                        self.queue.remove(item)
                    base = replace(base, **{k: v for k, v in _diff(item.script).items()})
                    break
        if header_fault:
            base = replace(base, fault=header_fault)
        return base


def _diff(script: Script) -> dict[str, Any]:
    default = Script()
    return {k: getattr(script, k) for k in script.__dataclass_fields__ if getattr(script, k) != getattr(default, k)}


#: what each script field holds, so a typo or a wrong value is refused when scripted, not ignored when answering
_FIELD_KINDS: dict[str, str] = {
    "output_tokens": "count", "reasoning_tokens": "count", "prompt_tokens": "count?", "oversize_bytes": "count",
    "ttft": "seconds", "inter_token": "seconds", "tool_call": "tool_call?", "fault": "fault?",
    "retry_after": "text?", "echo": "flag",
}


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` if every one is a script field with a value of the right kind; else a ConfigurationError
    that names the field and what it takes."""
    from ..shared.errors import ConfigurationError

    for key, value in fields.items():
        kind = _FIELD_KINDS.get(key)
        if kind is None:
            raise ConfigurationError(f"the emulator has no script field {key!r}; fields: {', '.join(_FIELD_KINDS)}")
        if value is None and kind.endswith("?"):
            continue
        kind = kind.rstrip("?")
        problem = None
        if kind == "count":
            if isinstance(value, bool) or not isinstance(value, int):
                problem = "a whole number"
            elif value < 0:
                problem = "a whole number, not negative"
        elif kind == "seconds":
            if isinstance(value, bool) or not isinstance(value, int | float):
                problem = "a number of seconds"
            elif value < 0:
                problem = "a number of seconds, not negative"
        elif kind == "flag" and not isinstance(value, bool):
            problem = "True or False"
        elif kind == "text" and not isinstance(value, str):
            problem = "a string"
        elif kind == "fault" and value not in FAULTS:
            raise ConfigurationError(f"unknown fault {value!r}; faults: {', '.join(FAULTS)}")
        elif kind == "tool_call" and not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
                                          and isinstance(value[1], dict)):
            problem = "a (name, arguments) pair, e.g. ('get_weather', {'city': 'Paris'})"
        if problem is not None:
            raise ConfigurationError(f"the emulator's {key} takes {problem}, not {value!r}")
    return fields


def _checked_style(host: str | None) -> str | None:
    from ..shared.errors import ConfigurationError

    if host is not None and host not in STYLES:
        raise ConfigurationError(f"unknown host style {host!r}; styles: {', '.join(STYLES)}")
    return host


# ---------------------------------------------------------------------------------------------- HTTP bits

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 529: "Overloaded"}


def _head(status: int, ctype: str, *, length: int | None = None, extra: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", f"content-type: {ctype}"]
    lines.append(f"content-length: {length}" if length is not None else "transfer-encoding: chunked")
    for k, v in (extra or {}).items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


_END = b"0\r\n\r\n"


class _Protocol(asyncio.Protocol):
    """One client connection: parse requests, answer them (HTTP/1.1 keep-alive)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emu = emulator
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.busy = False
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        with self.emu.state.lock:
            self.emu.state.open_connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        with self.emu.state.lock:
            self.emu.state.open_connections -= 1

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.busy:
            self._next()

    def _next(self) -> None:
        while not self.busy and not self.closed:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4:end + 4 + length]
            self.buf = self.buf[end + 4 + length:]
            result = self.emu._handle(method, target, headers, body, self)
            if result is not None:  # must wait (delays, streams): finish asynchronously
                self.busy = True
                task = asyncio.ensure_future(result)
                task.add_done_callback(self._done)
                return

    def _done(self, task: asyncio.Task[None]) -> None:
        self.busy = False
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and not isinstance(exc, ConnectionError | OSError):
            self.abort()
            return
        if not self.closed:
            self._next()

    # -- writing ------------------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        if self.closed or self.transport is None:
            raise ConnectionResetError("client went away")
        self.transport.write(data)

    async def drain(self) -> None:
        await asyncio.sleep(0)
        if self.closed:
            raise ConnectionResetError("client went away")

    def reset(self) -> None:
        """Close with a TCP reset (SO_LINGER 0), as a crashing host would."""
        if self.transport is None:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


# ---------------------------------------------------------------------------------------------- the server


class Emulator:
    """An emulated multi-host endpoint on loopback. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, record: bool = True) -> None:
        self._bind = (host, port)
        self.state = _State(record=record)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None
        self.stats_count = 0
        self.first_arrival: float | None = None
        self.last_arrival: float | None = None

    # -- scripting ----------------------------------------------------------------------------------------
    def script(self, host: str | None = None, **fields: Any) -> None:
        """Set what every request to ``host`` (or to any host) does from now on.

        An unknown host style, field or fault, or a value of the wrong kind, raises ConfigurationError here:
        a script the emulator would silently not play makes a test pass for the wrong reason."""
        _checked_style(host)
        _checked(fields)
        with self.state.lock:
            base = self.state.defaults.get(host) or self.state.defaults[None]
            self.state.defaults[host] = replace(base, **fields)

    def inject(self, fault: str | None = None, *, times: int = 1, host: str | None = None, **fields: Any) -> None:
        """Make the next ``times`` requests (to ``host``, or any) behave differently, e.g. ``inject("429")``.
        Checked like ``script``."""
        from ..shared.errors import ConfigurationError

        _checked_style(host)
        _checked({**fields, "fault": fault} if fault is not None else fields)
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ConfigurationError(f"inject(times=...) takes a whole number, at least 1, not {times!r}")
        with self.state.lock:
            self.state.queue.append(_Injection(Script(**{**fields, "fault": fault}), times, host))

    def reset(self) -> None:
        with self.state.lock:
            self.state.defaults = {None: Script()}
            self.state.queue.clear()
            self.state.seen.clear()

    @property
    def requests(self) -> list[Seen]:
        with self.state.lock:
            return list(self.state.seen)

    @property
    def open_connections(self) -> int:
        return self.state.open_connections

    # -- addresses ----------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the emulator is not running")
        return f"http://{self._bind[0]}:{self.port}"

    def base_url(self, style: str) -> str:
        """The base URL a provider for this host style should use."""
        if style not in STYLES:
            raise ValueError(f"unknown host style {style!r}; styles: {', '.join(STYLES)}")
        return f"{self.url}/{style}{STYLES[style]['prefix']}"

    def provider(self, style: str, **kwargs: Any) -> Any:
        """A rehost provider pointed at this emulator (key ``emulator-key``)."""
        names = {"groq": "Groq", "openrouter": "OpenRouter", "deepseek": "DeepSeek", "mistral": "Mistral",
                 "together": "Together", "google": "Google"}
        import rehost

        if style == "vertex":
            return rehost.Vertex("emu-project", "global", access_token="emulator-token",
                                 base_url=self.base_url("vertex"), **kwargs)
        if style in names:
            return getattr(rehost, names[style])("emulator-key", base_url=self.base_url(style), **kwargs)
        if style == "ollama":  # the server root: native /api/... (default) or, with api="openai", /v1
            return rehost.Ollama(base_url=f"{self.url}/ollama", **kwargs)
        if style == "vllm":
            return rehost.VLLM("emulator-key", base_url=self.base_url("vllm"), **kwargs)
        return rehost.OpenAICompatible("emulator-key", name=style, base_url=self.base_url(style), **kwargs)

    # -- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> Emulator:
        """Listen and serve in a background thread. A port that cannot be had (in use, out of range, a host
        name that does not resolve) raises ConfigurationError here, at once, with the address."""
        from ..shared.errors import ConfigurationError

        ready = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                server = loop.run_until_complete(
                    loop.create_server(lambda: _Protocol(self), *self._bind, backlog=2048, reuse_address=True))
            except BaseException as exc:  # reported to start(), which raises it in the caller's thread
                failed.append(exc)
                loop.close()
                ready.set()
                return
            self._loop, self._server = loop, server
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="rehost-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("the emulator did not start listening within 30 s")
        if failed:
            self._thread.join()
            self._thread = None
            host, port = self._bind
            exc = failed[0]
            if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
                reason = "the port is in use"
            elif isinstance(exc, OverflowError):
                reason = "a port is a number from 0 to 65535"
            else:
                reason = str(exc)
            raise ConfigurationError(f"the emulator cannot listen on {host}:{port}: {reason}; pick another port, "
                                     "or port=0 for a free one") from exc
        return self

    def serve_forever(self) -> None:
        """Run in the calling thread (the CLI's ``rehost emulate``)."""
        self.start()
        assert self._thread is not None
        with contextlib.suppress(KeyboardInterrupt):
            self._thread.join()

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None or server is None:
            return

        async def shutdown() -> None:
            server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering ----------------------------------------------------------------------------------------
    def _handle(self, method: str, target: str, headers: dict[str, str], body: bytes,
                conn: _Protocol) -> Any:
        arrived = time.monotonic()
        style = target.split("/", 2)[1] if target.count("/") >= 1 else ""
        if self.state.record:
            seen = Seen(method, target, headers, body, style)
            with self.state.lock:
                self.state.seen.append(seen)
        if target == "/_emulator/stats":
            conn.write(_json_response(200, {"requests": self.stats_count, "open_connections":
                                            self.state.open_connections, "first_arrival": self.first_arrival,
                                            "last_arrival": self.last_arrival}))
            return None
        self.stats_count += 1
        now = time.monotonic()
        if self.first_arrival is None:
            self.first_arrival = now
        self.last_arrival = now
        if style not in STYLES or method != "POST":
            conn.write(_json_response(404, {"error": {"message": f"emulator: no route {method} {target}"}}))
            return None
        script = self.state.script_for(style, headers.get("x-rehost-fault"))
        try:
            request = json.loads(body) if body else {}
        except ValueError:
            conn.write(_json_response(400, {"error": {"message": "emulator: body is not JSON"}}))
            return None
        if style == "ollama" and target.startswith("/ollama/api/"):
            return _ollama_native(target, script, request, conn, arrived)
        gemini = ":generateContent" in target or ":streamGenerateContent" in target
        completion = target.endswith("/completions") and not target.endswith("/chat/completions")
        stream = ":streamGenerateContent" in target if gemini else bool(request.get("stream"))
        answer = _Answer(style, script, request, target, gemini=gemini, stream=stream)
        answer.completion = completion
        answer.auth = headers.get("authorization") or headers.get("x-goog-api-key") or ""
        fault = script.fault
        if fault is None and not stream and script.ttft == 0 and script.inter_token == 0:
            conn.write(answer.whole())  # the fast path: no waiting, no task
            return None
        return answer.play(conn, arrived)


#: the ``created`` time OpenAI-style answers carry (fixed, so answers stay reproducible; some SDKs require it)
_CREATED = 1767225600


def _last_user_text(request: dict[str, Any]) -> str:
    for message in reversed(request.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else json.dumps(content)
    for content in reversed(request.get("contents") or []):
        if content.get("role") == "user":
            return "".join(p.get("text", "") for p in content.get("parts") or [])
    return ""


def _json_response(status: int, body: Any, extra: dict[str, str] | None = None) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    return _head(status, "application/json", length=len(data), extra=extra) + data


_RL_HEADERS = {"x-ratelimit-limit-requests": "14400", "x-ratelimit-remaining-requests": "14399",
               "x-ratelimit-reset-requests": "6s", "x-ratelimit-limit-tokens": "6000",
               "x-ratelimit-remaining-tokens": "5900", "x-ratelimit-reset-tokens": "1s"}


class _Answer:
    """Builds one answer in the right dialect and host style."""

    def __init__(self, style: str, script: Script, request: dict[str, Any], target: str, *, gemini: bool,
                 stream: bool) -> None:
        self.auth = ""
        self.completion = False  # a plain text completion (/completions) rather than a chat
        self.style = style
        self.spec = STYLES[style]
        self.script = script
        self.request = request
        self.gemini = gemini
        self.stream = stream
        self.model = request.get("model") or target.rsplit("/models/", 1)[-1].split(":", 1)[0]
        prompt = script.prompt_tokens
        self.prompt_tokens = prompt if prompt is not None else max(1, len(json.dumps(
            request.get("messages") or request.get("contents") or "")) // 4)
        self.headers = dict(_RL_HEADERS) if style == "groq" else {}
        self.headers["x-request-id"] = f"req-emu-{id(self):x}"
        self.echo: str | None = None
        if script.echo:
            self.echo = _last_user_text(request)

    # -- bodies -------------------------------------------------------------------------------------------
    def usage(self) -> dict[str, Any]:
        s = self.script
        out = s.output_tokens + s.reasoning_tokens
        if self.gemini:
            um: dict[str, Any] = {"promptTokenCount": self.prompt_tokens, "candidatesTokenCount": s.output_tokens,
                                  "totalTokenCount": self.prompt_tokens + out}
            if s.reasoning_tokens:
                um["thoughtsTokenCount"] = s.reasoning_tokens
            return um
        usage: dict[str, Any] = {"prompt_tokens": self.prompt_tokens, "completion_tokens": out,
                                 "total_tokens": self.prompt_tokens + out}
        if s.reasoning_tokens:
            usage["completion_tokens_details"] = {"reasoning_tokens": s.reasoning_tokens}
        if self.style == "groq":
            usage.update(queue_time=0.001, prompt_time=0.002, completion_time=0.003, total_time=0.006)
        if self.style == "openrouter":
            usage["cost"] = 0.00001 * out
        return usage

    def whole(self) -> bytes:
        s = self.script
        if self.gemini:
            parts: list[dict[str, Any]] = []
            if s.reasoning_tokens:
                parts.append({"text": "".join(s.thoughts()), "thought": True})
            if s.tool_call:
                parts.append({"functionCall": {"name": s.tool_call[0], "args": s.tool_call[1]}})
            else:
                parts.append({"text": "".join(s.tokens(self.echo))})
            return _json_response(200, {"candidates": [{"content": {"role": "model", "parts": parts},
                                                        "finishReason": "STOP"}],
                                        "usageMetadata": self.usage(), "modelVersion": self.model,
                                        "responseId": "emu"}, self.headers)
        if self.completion:
            return _json_response(200, {"id": "cmpl-emu", "object": "text_completion", "model": self.model,
                                        "choices": [{"index": 0, "text": "".join(s.tokens(self.echo)),
                                                     "finish_reason": "stop"}], "usage": self.usage()}, self.headers)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(s.tokens(self.echo))}
        if s.reasoning_tokens:
            self._put_reasoning(message, "".join(s.thoughts()))
        finish = "stop"
        if s.tool_call:
            message["content"] = None
            message["tool_calls"] = [{"id": "call_emu_1", "type": "function", "function": {
                "name": s.tool_call[0], "arguments": json.dumps(s.tool_call[1])}}]
            finish = "tool_calls"
        body: dict[str, Any] = {"id": "chatcmpl-emu", "object": "chat.completion", "created": _CREATED,
                                "model": self.model,
                                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                                "usage": self.usage()}
        if self.style == "groq":
            body["x_groq"] = {"id": "req_emu"}
        return _json_response(200, body, self.headers)

    def _put_reasoning(self, target: dict[str, Any], text: str) -> None:
        where = self.spec["reasoning"]
        if where == "mistral_chunks":
            content = target.get("content")
            chunks: list[Any] = [{"type": "thinking", "thinking": [{"type": "text", "text": text}]}]
            if content:
                chunks.append({"type": "text", "text": content})
            target["content"] = chunks
        elif where:
            target[where] = text

    def error_body(self, status: int) -> bytes:
        extra = dict(self.headers)
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        if self.gemini:
            name = {429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
            return _json_response(status, {"error": {"code": status, "message": f"emulated {status}",
                                                     "status": name}}, extra)
        return _json_response(status, {"error": {"message": f"emulated {status}", "type": "emulated",
                                                 "code": str(status)}}, extra)

    # -- stream events ------------------------------------------------------------------------------------
    def events(self) -> Iterator[tuple[str, bytes]]:
        """(kind, SSE bytes): kind is "first" for the first token, "token" for later ones, "meta" otherwise."""
        s = self.script
        if self.gemini:
            first = True
            for piece in s.thoughts():
                yield ("first" if first else "token"), self._gemini({"text": piece, "thought": True})
                first = False
            if s.tool_call:
                yield ("first" if first else "token"), self._gemini(
                    {"functionCall": {"name": s.tool_call[0], "args": s.tool_call[1]}})
                first = False
            else:
                for piece in s.tokens(self.echo):
                    yield ("first" if first else "token"), self._gemini({"text": piece})
                    first = False
            yield "meta", self._gemini(None, finish="STOP")
            return
        yield "meta", self._sse({"role": "assistant", "content": ""}, first_chunk=True)
        first = True
        for piece in s.thoughts():
            delta: dict[str, Any] = {}
            self._put_reasoning(delta, piece)
            yield ("first" if first else "token"), self._sse(delta)
            first = False
        if s.tool_call:
            args = json.dumps(s.tool_call[1])
            yield ("first" if first else "token"), self._sse({"tool_calls": [{"index": 0, "id": "call_emu_1",
                                                                             "type": "function", "function": {
                                                                                 "name": s.tool_call[0],
                                                                                 "arguments": ""}}]})
            half = len(args) // 2
            for part in (args[:half], args[half:]):
                yield "token", self._sse({"tool_calls": [{"index": 0, "function": {"arguments": part}}]})
            finish = "tool_calls"
        else:
            for piece in s.tokens(self.echo):
                yield ("first" if first else "token"), self._sse({"content": piece})
                first = False
            finish = "stop"
        yield "meta", self._sse({}, finish=finish)
        usage_chunk: dict[str, Any] = {"id": "chatcmpl-emu", "object": "chat.completion.chunk", "created": _CREATED,
                                       "model": self.model, "choices": [], "usage": self.usage()}
        if self.style == "groq":
            usage_chunk["x_groq"] = {"id": "req_emu", "usage": self.usage()}
        yield "meta", b"data: " + json.dumps(usage_chunk, separators=(",", ":")).encode() + b"\n\n"
        yield "meta", b"data: [DONE]\n\n"

    def _sse(self, delta: dict[str, Any], *, finish: str | None = None, first_chunk: bool = False) -> bytes:
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
        if self.completion:  # text completions carry "text", not a delta
            choice = {"index": 0, "text": delta.get("content") or "", "finish_reason": finish}
        chunk: dict[str, Any] = {"id": "chatcmpl-emu", "object": "chat.completion.chunk", "created": _CREATED,
                                 "model": self.model, "choices": [choice]}
        if first_chunk and self.style == "groq":
            chunk["x_groq"] = {"id": "req_emu"}
        return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"

    def _gemini(self, part: dict[str, Any] | None, *, finish: str | None = None) -> bytes:
        cand: dict[str, Any] = {"content": {"role": "model", "parts": [part] if part else []}}
        if finish:
            cand["finishReason"] = finish
        body = {"candidates": [cand], "usageMetadata": self.usage() if finish else
                {"promptTokenCount": self.prompt_tokens}, "modelVersion": self.model, "responseId": "emu"}
        return b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\r\n\r\n"

    def inband_error(self) -> bytes:
        if self.gemini:
            return b'data: {"error":{"code":503,"message":"emulated overload","status":"UNAVAILABLE"}}\r\n\r\n'
        if self.spec.get("inband") == "chunk":
            error = {"code": 502, "message": "emulated upstream failure",
                     "metadata": {"error_type": "provider_unavailable"}}
            body = {"id": "gen-emu", "object": "chat.completion.chunk", "error": error,
                    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}
            return b"data: " + json.dumps(body).encode() + b"\n\n"
        return (b'event: error\ndata: {"error":{"message":"emulated tool_use_failed","type":"invalid_request_error",'
                b'"code":"tool_use_failed","status_code":400}}\n\n')

    async def _play_whole(self, conn: _Protocol, start: float) -> None:
        """A non-streamed answer, and what each fault does to one."""
        s, fault = self.script, self.script.fault
        whole = self.whole()
        if fault == "stall":
            while not conn.closed:
                await asyncio.sleep(0.05)
            return
        if fault in ("reset_mid_stream", "truncated"):
            conn.write(whole[: len(whole) - 20])  # the body is cut short: a reset, or a clean close
            if fault == "reset_mid_stream":
                conn.reset()
            else:
                await asyncio.sleep(0.01)
                conn.abort()
            return
        if fault == "malformed_chunk":
            data = b'{"choices": [{"message": '
            conn.write(_head(200, "application/json", length=len(data), extra=self.headers) + data)
            return
        if fault == "inband_error":
            conn.write(_json_response(200, {"error": {"code": 503, "message": "emulated overload",
                                                      "status": "UNAVAILABLE", "type": "overloaded"}}))
            return
        await _sleep_until(start + s.ttft + s.inter_token * max(0, s.output_tokens - 1))
        if fault == "keepalive":  # DeepSeek sends blank lines while a non-streamed answer is queued
            head, _, body = whole.partition(b"\r\n\r\n")
            body = b"\n\n" + body
            head = head.replace(f"content-length: {len(body) - 2}".encode(), f"content-length: {len(body)}".encode())
            conn.write(head + b"\r\n\r\n" + body)
            return
        conn.write(whole)

    def _blocked(self, conn: _Protocol) -> None:
        """A refusal with HTTP 200: Gemini's promptFeedback, or an empty content_filter stop."""
        if self.gemini:
            body: dict[str, Any] = {"promptFeedback": {"blockReason": "SAFETY"},
                                    "usageMetadata": {"promptTokenCount": self.prompt_tokens}}
            if self.stream:
                data = b"data: " + json.dumps(body).encode() + b"\r\n\r\n"
                conn.write(_head(200, "text/event-stream") + _chunk(data) + _END)
            else:
                conn.write(_json_response(200, body))
            return
        if self.stream:
            data = self._sse({}, finish="content_filter") + b"data: [DONE]\n\n"
            conn.write(_head(200, "text/event-stream") + _chunk(data) + _END)
            return
        conn.write(_json_response(200, {"id": "x", "choices": [{"index": 0, "finish_reason": "content_filter",
                                                                "message": {"role": "assistant", "content": ""}}]}))

    # -- playing ------------------------------------------------------------------------------------------
    async def play(self, conn: _Protocol, start: float) -> None:
        """Answer, timing every delay from ``start``, the moment the request arrived."""
        s = self.script
        fault = s.fault
        if fault in ("400", "429", "500", "502", "503", "529"):
            conn.write(self.error_body(int(fault)))
            return
        if fault == "401":  # some hosts quote the key they were sent back in the error
            key = self.auth.removeprefix("Bearer ")
            conn.write(_json_response(401, {"error": {"message": f"Incorrect API key provided: {key}",
                                                      "type": "invalid_request_error", "code": "invalid_api_key"}}))
            return
        if fault == "reset_before":
            conn.reset()
            return
        if fault == "wrong_content_type":
            page = b"<html><body>Service temporarily unavailable</body></html>"
            conn.write(_head(200, "text/html", length=len(page)) + page)
            return
        if fault == "blocked":
            self._blocked(conn)
            return
        if fault == "oversize":  # one endless JSON value (or one endless stream event)
            conn.write(_head(200, "text/event-stream" if self.stream else "application/json"))
            conn.write(_chunk(b'data: {"padding": "' if self.stream else b'{"padding": "'))
            block = b"x" * (1 << 20)
            for _ in range(s.oversize_bytes >> 20):
                conn.write(_chunk(block))
                await conn.drain()
            conn.write(_chunk(b'"}\n\n' if self.stream else b'"}') + _END)
            return
        if not self.stream:
            await self._play_whole(conn, start)
            return
        ctype = "text/event-stream"
        conn.write(_head(200, ctype, extra=self.headers))
        events = list(self.events())
        cut = max(2, len(events) // 2)
        async for i, data in _paced(events, start, s.ttft, s.inter_token):
            if i == cut:
                if fault == "reset_mid_stream":
                    conn.reset()
                    return
                if fault == "truncated":
                    conn.write(_END)
                    return
                if fault == "malformed_chunk":
                    conn.write(_chunk(b'data: {"choices": [{"delta": {"content": "oops"\n\n'))
                    conn.write(_END)
                    return
                if fault == "inband_error":
                    conn.write(_chunk(self.inband_error()) + _END)
                    return
                if fault == "stall":
                    while not conn.closed:
                        await asyncio.sleep(0.05)
                    return
            if fault == "keepalive" or (self.spec.get("keepalive") and i == 0):
                conn.write(_chunk(b": OPENROUTER PROCESSING\n\n" if self.style == "openrouter"
                                  else b": keep-alive\n\n"))
            conn.write(_chunk(data))
            await conn.drain()
        conn.write(_END)


# ---------------------------------------------------------------------------------------------- Ollama native


def _ollama_native(target: str, script: Script, request: dict[str, Any], conn: _Protocol, arrived: float) -> Any:
    """``/ollama/api/chat`` and ``/ollama/api/generate``: Ollama's own API (JSON, or NDJSON when streamed)."""
    if not target.endswith(("/api/chat", "/api/generate")):
        conn.write(_json_response(404, {"error": f"emulator: no route POST {target}"}))
        return None
    answer = _OllamaNative(script, request, generate=target.endswith("/api/generate"))
    if script.fault is None and not answer.stream and script.ttft == 0 and script.inter_token == 0:
        conn.write(_json_response(200, answer.whole()))
        return None
    return answer.play(conn, arrived)


class _OllamaNative:
    """One answer in Ollama's native shape (HOSTS.md §9.2). Ollama streams unless told ``"stream": false``."""

    def __init__(self, script: Script, request: dict[str, Any], *, generate: bool) -> None:
        self.script = script
        self.request = request
        self.generate = generate
        self.stream = request.get("stream", True) is not False
        self.model = request.get("model") or ""
        self.prompt_tokens = script.prompt_tokens if script.prompt_tokens is not None else max(
            1, len(json.dumps(request.get("messages") or request.get("prompt") or "")) // 4)
        self.thinks = bool(script.reasoning_tokens) and request.get("think") is not False and not generate
        self.echo = _last_user_text(request) if script.echo else None

    def _object(self, *, content: str = "", thinking: str = "", tool_calls: list[Any] | None = None,
                done: bool = False) -> dict[str, Any]:
        obj: dict[str, Any] = {"model": self.model, "created_at": "2026-01-01T00:00:00Z"}
        if self.generate:
            obj["response"] = content
            if thinking:
                obj["thinking"] = thinking
        else:
            message: dict[str, Any] = {"role": "assistant", "content": content}
            if thinking:
                message["thinking"] = thinking
            if tool_calls:
                message["tool_calls"] = tool_calls
            obj["message"] = message
        obj["done"] = done
        if done:
            s = self.script
            obj.update(done_reason="stop", total_duration=5_000_000, load_duration=1_000_000,
                       prompt_eval_count=self.prompt_tokens, prompt_eval_duration=1_000_000,
                       eval_count=s.output_tokens + (s.reasoning_tokens if self.thinks else 0),
                       eval_duration=3_000_000)
        return obj

    def _tool_calls(self) -> list[Any] | None:
        if not self.script.tool_call or self.generate:
            return None
        return [{"function": {"name": self.script.tool_call[0], "arguments": self.script.tool_call[1]}}]

    def whole(self) -> dict[str, Any]:
        s = self.script
        calls = self._tool_calls()
        text = "" if calls else "".join(s.tokens(self.echo))
        return self._object(content=text, thinking="".join(s.thoughts()) if self.thinks else "", tool_calls=calls,
                            done=True)

    def lines(self) -> Iterator[tuple[str, bytes]]:
        """(kind, NDJSON line): kind is "first" for the first token, "token" for later ones, "meta" otherwise."""
        s = self.script
        pieces: list[dict[str, Any]] = [self._object(thinking=t) for t in (s.thoughts() if self.thinks else ())]
        calls = self._tool_calls()
        if calls:
            pieces.append(self._object(tool_calls=calls))
        else:
            pieces.extend(self._object(content=t) for t in s.tokens(self.echo))
        for i, obj in enumerate(pieces):
            yield ("first" if i == 0 else "token"), _ndjson(obj)
        yield "meta", _ndjson(self._object(done=True))

    async def play(self, conn: _Protocol, start: float) -> None:
        s, fault = self.script, self.script.fault
        if fault in ("401", "429", "500", "502", "503", "529"):
            extra = {"retry-after": s.retry_after or "0"} if fault == "429" else None
            conn.write(_json_response(int(fault), {"error": f"emulated {fault}"}, extra))
            return
        if fault == "reset_before":
            conn.reset()
            return
        if fault == "wrong_content_type":
            page = b"<html><body>Service temporarily unavailable</body></html>"
            conn.write(_head(200, "text/html", length=len(page)) + page)
            return
        if fault == "oversize":  # one endless line
            conn.write(_head(200, "application/x-ndjson" if self.stream else "application/json"))
            conn.write(_chunk(b'{"padding": "'))
            block = b"x" * (1 << 20)
            for _ in range(s.oversize_bytes >> 20):
                conn.write(_chunk(block))
                await conn.drain()
            conn.write(_chunk(b'"}\n') + _END)
            return
        if fault == "stall":
            if self.stream:
                conn.write(_head(200, "application/x-ndjson"))
            while not conn.closed:
                await asyncio.sleep(0.05)
            return
        if not self.stream:
            await self._play_whole(conn, start)
            return
        conn.write(_head(200, "application/x-ndjson"))
        lines = list(self.lines())
        cut = max(2, len(lines) // 2)
        async for i, data in _paced(lines, start, s.ttft, s.inter_token):
            if i == cut:
                if fault == "reset_mid_stream":
                    conn.reset()
                    return
                if fault == "truncated":  # a clean end of the body, but no "done": true
                    conn.write(_END)
                    return
                if fault == "malformed_chunk":
                    conn.write(_chunk(b'{"message": {"role": "assistant", "content": "oops"\n') + _END)
                    return
                if fault == "inband_error":  # Ollama keeps the 200 and sends the error as a line
                    conn.write(_chunk(_ndjson({"error": "emulated runner failure"})) + _END)
                    return
            conn.write(_chunk(data))
            await conn.drain()
        conn.write(_END)

    async def _play_whole(self, conn: _Protocol, start: float) -> None:
        s, fault = self.script, self.script.fault
        data = json.dumps(self.whole(), separators=(",", ":")).encode()
        if fault in ("reset_mid_stream", "truncated"):
            conn.write(_head(200, "application/json", length=len(data)) + data[: len(data) - 20])
            if fault == "reset_mid_stream":
                conn.reset()
            else:
                await asyncio.sleep(0.01)
                conn.abort()
            return
        if fault == "malformed_chunk":
            bad = b'{"message": {"role": '
            conn.write(_head(200, "application/json", length=len(bad)) + bad)
            return
        if fault == "inband_error":
            conn.write(_json_response(200, {"error": "emulated runner failure"}))
            return
        await _sleep_until(start + s.ttft + s.inter_token * max(0, s.output_tokens - 1))
        conn.write(_head(200, "application/json", length=len(data)) + data)


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


def _port(text: str) -> int:
    """An argparse type: a TCP port, 0 for a free one."""
    import argparse

    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: a port is a number from 0 to 65535 "
                                         "(0 picks a free one)")
    return port


def _cli_value(key: str, raw: str) -> Any:
    """A script field's value from its command-line text (checked afterwards by ``_checked``)."""
    from ..shared.errors import ConfigurationError

    kind = (_FIELD_KINDS.get(key) or "text").rstrip("?")
    if kind == "tool_call":
        raise ConfigurationError("the emulator's tool_call cannot be set from the command line; script it "
                                 "from Python (Emulator.script(host, tool_call=(name, arguments)))")
    try:
        if kind == "count":
            return int(raw)
        if kind == "seconds":
            return float(raw)
    except ValueError:
        raise ConfigurationError(f"the emulator's {key} takes "
                                 f"{'a whole number' if kind == 'count' else 'a number of seconds'}, not {raw!r}"
                                 ) from None
    if kind == "flag":
        flags = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        if raw.lower() not in flags:
            raise ConfigurationError(f"the emulator's {key} takes true or false, not {raw!r}")
        return flags[raw.lower()]
    return raw


def _parse_script(spec: str) -> tuple[str, dict[str, Any]]:
    """``--script HOST:FIELD=VALUE,...`` as (host style, checked fields)."""
    from ..shared.errors import ConfigurationError

    host, sep, rest = spec.partition(":")
    if not sep or not rest.strip():
        raise ConfigurationError(f"--script {spec!r}: say what the host does, as HOST:FIELD=VALUE,... "
                                 "(e.g. groq:ttft=0.05,tokens=40)")
    values: dict[str, Any] = {}
    for item in filter(None, (piece.strip() for piece in rest.split(","))):
        key, eq, raw = item.partition("=")
        if not eq:
            raise ConfigurationError(f"--script {spec!r}: {item!r} is not FIELD=VALUE")
        values[key.strip()] = _cli_value(key.strip(), raw.strip())
    return _checked_style(host.strip()) or "", _checked(values)


def main(argv: list[str] | None = None) -> None:
    """``python -m rehost.testing.emulator [--host H] [--port P] [--ttft S] [--inter-token S] [--tokens N]``:
    serve until interrupted, printing the URL first (``rehost emulate`` runs this). Bad arguments, and a port
    that cannot be had, are usage errors (exit status 2) said at once, never tracebacks."""
    import argparse
    import sys

    from ..shared.errors import ConfigurationError

    parser = argparse.ArgumentParser(prog="rehost emulate", description="Emulate model hosts on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8700, help="0 picks a free port (default 8700)")
    parser.add_argument("--ttft", type=float, default=0.0, help="seconds to the first token")
    parser.add_argument("--inter-token", type=float, default=0.0, help="seconds between tokens")
    parser.add_argument("--tokens", type=int, default=8, help="tokens per answer")
    parser.add_argument("--reasoning-tokens", type=int, default=0)
    parser.add_argument("--echo", action="store_true", help="answer with the last user message")
    parser.add_argument("--script", action="append", default=[], metavar="HOST:FIELD=VALUE,...",
                        help="what one host style does, e.g. groq:ttft=0.05,inter_token=0.005 (repeatable); "
                             f"fields: {', '.join(_FIELD_KINDS)}")
    args = parser.parse_args(argv)
    emulator = Emulator(host=args.host, port=args.port, record=False)
    try:
        emulator.script(None, ttft=args.ttft, inter_token=args.inter_token, output_tokens=args.tokens,
                        reasoning_tokens=args.reasoning_tokens, echo=args.echo)
        for spec in args.script:
            style, fields = _parse_script(spec)
            emulator.script(style, **fields)
        emulator.start()
    except ConfigurationError as exc:
        parser.error(str(exc))
    print(emulator.url, flush=True)
    for style in STYLES:
        print(f"  {style:11} {emulator.base_url(style)}", file=sys.stderr, flush=True)
    assert emulator._thread is not None
    with contextlib.suppress(KeyboardInterrupt):
        emulator._thread.join()


@contextlib.contextmanager
def emulator_process(*, host: str = "127.0.0.1", hosts: dict[str, dict[str, Any]] | None = None,
                     **script: Any) -> Iterator[str]:
    """An emulator in its own process (so it never competes with the caller for the GIL); yields its URL.

    ``script`` sets what every host does, ``hosts`` what a host style does (``{"groq": {"ttft": 0.05}}``).
    It cannot be scripted per request from here: faults are asked for with the ``x-rehost-fault`` header.
    """
    import subprocess
    import sys

    args = [sys.executable, "-m", "rehost.testing.emulator", "--host", host, "--port", "0"]
    names = {"ttft": "--ttft", "inter_token": "--inter-token", "output_tokens": "--tokens",
             "reasoning_tokens": "--reasoning-tokens"}
    for style, fields in (hosts or {}).items():
        args += ["--script", f"{style}:" + ",".join(f"{k}={v}" for k, v in fields.items())]
    for key, value in script.items():
        if key == "echo":
            if value:
                args.append("--echo")
        elif key in names:
            args += [names[key], str(value)]
        else:
            raise TypeError(f"emulator_process cannot set {key!r}")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http"):
            raise RuntimeError(f"the emulator process did not start: {line!r}")
        yield line
    finally:
        process.terminate()
        process.wait(5)


if __name__ == "__main__":
    main()
