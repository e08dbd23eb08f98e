"""A host emulator: a real HTTP server on loopback that speaks like the hosts rehost talks to.

It answers the OpenAI chat-completions dialect (as Groq, OpenRouter, DeepSeek, Mistral, Together, Fireworks
and local servers do, each with reasoning in that host's own place), every style's embeddings endpoint
(``emulator_embed``: OpenAI-style ``/embeddings``, ``batchEmbedContents``, Vertex's ``predict`` /
``embedContent``, Cohere's ``/v2/embed``, Voyage, Ollama's ``/api/embed``, with deterministic vectors), the
Gemini dialect (AI Studio and
Vertex URL forms, ``countTokens`` too), Anthropic's Messages API (``/anthropic/v1/messages``; Claude on
Vertex's ``:rawPredict``), the Responses API (``.../responses``, as DeepSeek's ``api="responses"`` uses it)
and Ollama's native API (``/ollama/api/chat`` and ``/api/generate``, JSON or NDJSON lines), streamed or not.
It can be scripted per host or per request: time to first token, time between tokens, how much it says or
exactly what (``text``), and faults (a 400 invalid request, rate limits with Retry-After, 5xx, connections
reset before or during a stream, truncated or malformed streams, errors inside a 200 stream, keep-alive
comments, a stalled stream, a blocked answer with HTTP 200, a wrong content type, an oversize body), each in
the host's own shape. A fault a host has no form for is answered with HTTP 501 naming it, and an unknown
field, fault or host style is a ConfigurationError when scripted: never an ordinary answer that lets a test
pass for the wrong reason.

Each host is served under its own path prefix on one port (``emulator.base_url("groq")``). It is written on
bare asyncio (no framework, no per-request task unless a request must wait) so that it is never the
bottleneck of the tests and benchmarks that stand on it.

    with Emulator() as emu:
        emu.script("groq", ttft=0.05, inter_token=0.005, output_tokens=40)
        emu.script("anthropic", text="Hello from Claude.")
        emu.inject("429", times=1, retry_after="1")
        client = GenericClient("m", provider=emu.provider("groq"))
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import re
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
    "cerebras": {"prefix": "/v1", "reasoning": "reasoning"},
    "fireworks": {"prefix": "/inference/v1", "reasoning": "reasoning_content"},
    "llamacpp": {"prefix": "/v1", "reasoning": "reasoning_content"},
    "vllm": {"prefix": "/v1", "reasoning": "reasoning"},
    "ollama": {"prefix": "/v1", "reasoning": "reasoning"},
    "google": {"prefix": "/v1beta", "reasoning": "thought"},
    # embeddings only (their chat is not emulated): Cohere's v2 API, Voyage
    "cohere": {"prefix": "", "reasoning": None},
    "voyage": {"prefix": "/v1", "reasoning": None},
    "vertex": {"prefix": "", "reasoning": "thought"},
    "anthropic": {"prefix": "/v1", "reasoning": "thinking"},
    "deepgram": {"prefix": "/v1", "reasoning": None},  # speech only (emulator_audio.py)
    "elevenlabs": {"prefix": "/v1", "reasoning": None},  # speech only (emulator_audio.py)
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
    #: answer with this text (streamed word by word, each word counted as one output token)
    text: str | None = None
    #: the length of an embedding when the request asks for none
    dimensions: int = 8

    def tokens(self, echo: str | None = None) -> list[str]:
        """The answer, piece by piece (one piece per streamed delta)."""
        if echo is not None:
            return [echo]
        if self.text is not None:
            return _WORDS.findall(self.text)
        return ["Hello" if i == 0 else f" w{i}" for i in range(self.output_tokens)]

    def output_count(self, pieces: list[str]) -> int:
        """The output tokens the host reports: a scripted text counts its pieces, else ``output_tokens``."""
        return len(pieces) if self.text is not None and self.echo is False else self.output_tokens

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
    #: when it arrived (``time.monotonic()``), so a test can check what waited and what did not
    at: float = 0.0

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


#: a word and the space before it, and trailing space (so the pieces of a text always join back to it)
_WORDS = re.compile(r"\s*\S+|\s+$")

#: what each script field holds, so a typo or a wrong value is refused when scripted, not ignored when answering
_FIELD_KINDS: dict[str, str] = {
    "output_tokens": "count", "reasoning_tokens": "count", "prompt_tokens": "count?", "oversize_bytes": "count",
    "ttft": "seconds", "inter_token": "seconds", "tool_call": "tool_call?", "fault": "fault?",
    "retry_after": "text?", "echo": "flag", "text": "text?", "dimensions": "count",
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
        """A rehost provider pointed at this emulator (key ``emulator-key``); ``kwargs`` go to the provider,
        e.g. ``provider("deepseek", api="responses")`` for DeepSeek's Responses API."""
        import rehost
        from rehost import _registry

        if style == "vertex":
            return rehost.Vertex("emu-project", "global", access_token="emulator-token",
                                 base_url=self.base_url("vertex"), **kwargs)
        if style == "ollama":  # the server root: native /api/... (default) or, with api="openai", /v1
            return rehost.Ollama(base_url=f"{self.url}/ollama", **kwargs)
        row = _registry.host_for_style(style)  # the host the registry gives this style, built with a key
        if row is not None:
            return _registry.load(row.spec)("emulator-key", base_url=self.base_url(style), **kwargs)
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
            seen = Seen(method, target, headers, body, style, arrived)
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
            conn.write(_no_route(method, target))
            return None
        header_fault = headers.get("x-rehost-fault")
        if header_fault is not None and header_fault not in FAULTS:
            conn.write(_emulator_error(f"unknown fault {header_fault!r} in x-rehost-fault; faults: "
                                       f"{', '.join(FAULTS)}"))
            return None
        script = self.state.script_for(style, header_fault)
        from .emulator_audio import route as speech_route  # speech: multipart / raw audio bodies, not JSON

        if (speech := speech_route(style, target, headers, body, script)) is not None:
            return speech.play(conn, arrived)
        try:
            request = json.loads(body) if body else {}
        except ValueError:
            conn.write(_json_response(400, {"error": {"message": "emulator: body is not JSON"}}))
            return None
        answer = _route(style, target, script, request if isinstance(request, dict) else {})
        if answer is None:
            conn.write(_no_route(method, target))
            return None
        answer.auth = headers.get("authorization") or headers.get("x-goog-api-key") or headers.get("x-api-key") or ""
        if script.fault is None and not answer.stream and script.ttft == 0 and script.inter_token == 0:
            conn.write(answer.whole())  # the fast path: no waiting, no task
            return None
        return answer.play(conn, arrived)


def _route(style: str, target: str, script: Script, request: dict[str, Any]) -> _Responder | None:
    """The responder for a request, chosen by host style and path, as the real host routes it; None for a
    path the host does not serve (answered 404, never as a chat)."""
    path = target.split("?", 1)[0]
    from .emulator_embed import embed_responder  # (it builds on the responders here; imported once, on use)

    embeddings = embed_responder(style, path, script, request)
    if embeddings is not None:
        return embeddings
    if style == "ollama" and path.startswith("/ollama/api/"):
        if path.endswith(("/api/chat", "/api/generate")):
            return _OllamaNative(style, script, request, generate=path.endswith("/api/generate"))
        return None
    if style in ("google", "vertex"):
        if path.endswith((":generateContent", ":streamGenerateContent")):
            return _Answer(style, script, request, target, gemini=True,
                           stream=path.endswith(":streamGenerateContent"))
        if path.endswith(":countTokens"):
            return _CountTokens(style, script, request)
        if style == "vertex" and "/publishers/anthropic/" in path and path.endswith((":rawPredict",
                                                                                      ":streamRawPredict")):
            return _Messages(style, script, request, stream=path.endswith(":streamRawPredict"))
        if style == "vertex" and path.endswith((":rawPredict", ":streamRawPredict")):
            return _Answer(style, script, request, target, gemini=False, stream=bool(request.get("stream")))
        if not path.endswith("/chat/completions"):  # Vertex's OpenAI-compatible endpoint is a chat too
            return None
    if style == "anthropic":
        return _Messages(style, script, request, stream=bool(request.get("stream"))) if path.endswith(
            "/messages") else None
    if path.endswith("/responses"):
        return _Responses(style, script, request)
    if path.endswith("/completions"):
        answer = _Answer(style, script, request, target, gemini=False, stream=bool(request.get("stream")))
        answer.completion = not path.endswith("/chat/completions")
        return answer
    return None


def _no_route(method: str, target: str) -> bytes:
    return _json_response(404, {"error": {"message": f"emulator: no route {method} {target}"}})


def _emulator_error(message: str) -> bytes:
    """The emulator itself refusing (HTTP 501): what was asked of it has no form on this host."""
    return _json_response(501, {"error": {"message": f"emulator: {message}", "type": "emulator_error"}})


#: the ``created`` time OpenAI-style answers carry (fixed, so answers stay reproducible; some SDKs require it)
_CREATED = 1767225600


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(c, dict) and "text" in c for c in content):
        return "".join(str(c["text"]) for c in content)
    return json.dumps(content)


def _last_user_text(request: dict[str, Any]) -> str:
    for message in reversed(request.get("messages") or request.get("input") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return _text_of(message.get("content"))
    if isinstance(request.get("input"), str):
        return str(request["input"])
    for content in reversed(request.get("contents") or []):
        if content.get("role") == "user":
            return "".join(p.get("text", "") for p in content.get("parts") or [])
    if isinstance(request.get("prompt"), str):
        return str(request["prompt"])
    return ""


def _json_response(status: int, body: Any, extra: dict[str, str] | None = None) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    return _head(status, "application/json", length=len(data), extra=extra) + data


def _sse_event(name: str | None, body: Any) -> bytes:
    head = f"event: {name}\n".encode() if name else b""
    return head + b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\n\n"


_RL_HEADERS = {"x-ratelimit-limit-requests": "14400", "x-ratelimit-remaining-requests": "14399",
               "x-ratelimit-reset-requests": "6s", "x-ratelimit-limit-tokens": "6000",
               "x-ratelimit-remaining-tokens": "5900", "x-ratelimit-reset-tokens": "1s"}

_STATUS_FAULTS = frozenset({"400", "401", "429", "500", "502", "503", "529"})
_HTML = b"<html><body>Service temporarily unavailable</body></html>"


class _Responder:
    """One answer in one dialect, and what each fault does to it.

    Subclasses give the bodies (the answer, its stream frames, the host's error bodies); ``play`` holds the
    fault logic, so a fault means the same thing on every host style. A fault a dialect has no form for is
    listed in ``no_form`` and answered with an emulator error naming it: never quietly answered as if no
    fault had been asked for, which would let a test pass for the wrong reason."""

    #: how this dialect is named in the emulator's refusals
    dialect = ""
    #: the content type of a stream
    stream_type = "text/event-stream"
    #: faults this dialect has no form for
    no_form: frozenset[str] = frozenset()
    #: faults it has no form for in a non-streamed answer only
    no_form_whole: frozenset[str] = frozenset()

    def __init__(self, style: str, script: Script, request: dict[str, Any], *, stream: bool) -> None:
        self.auth = ""
        self.style = style
        self.spec = STYLES[style]
        self.script = script
        self.request = request
        self.stream = stream
        self.model = str(request.get("model") or "")
        self.echo = _last_user_text(request) if script.echo else None
        self.pieces = script.tokens(self.echo)
        self.output_tokens = script.output_count(self.pieces)
        prompt = script.prompt_tokens
        self.prompt_tokens = prompt if prompt is not None else max(1, len(json.dumps(
            request.get("messages") or request.get("contents") or request.get("input") or request.get("prompt")
            or "")) // 4)
        self.headers: dict[str, str] = {}

    # -- what subclasses give -----------------------------------------------------------------------------
    def whole(self) -> bytes:
        """The whole HTTP response of a successful non-streamed answer."""
        raise NotImplementedError

    def events(self) -> list[tuple[str, bytes]]:
        """(kind, frame) of a successful stream: kind is "first" for the first token, "token" for later
        ones, "meta" otherwise."""
        raise NotImplementedError

    def error_response(self, status: int) -> bytes:
        """The host's own error response for an HTTP error status (401 included)."""
        raise NotImplementedError

    def blocked(self) -> bytes:
        """A refusal (with HTTP 200, as hosts send them), streamed or not."""
        raise NotImplementedError

    def inband_frame(self) -> bytes:
        """An error inside a 200 stream; the stream ends after it."""
        raise NotImplementedError

    def inband_whole(self) -> bytes:
        """An error in the body of a 200 non-streamed answer."""
        raise NotImplementedError

    def malformed_frame(self) -> bytes:
        return b'data: {"choices": [{"delta": {"content": "oops"\n\n'

    def malformed_body(self) -> bytes:
        return b'{"choices": [{"message": '

    def keepalive_frame(self) -> bytes:
        return b": keep-alive\n\n"

    def oversize_open(self) -> bytes:
        """The start of one endless JSON value (or stream event)."""
        return b'data: {"padding": "' if self.stream else b'{"padding": "'

    # -- playing ------------------------------------------------------------------------------------------
    async def play(self, conn: _Protocol, start: float) -> None:
        """Answer, timing every delay from ``start``, the moment the request arrived."""
        s, fault = self.script, self.script.fault
        if fault is not None and (fault in self.no_form or (not self.stream and fault in self.no_form_whole)):
            conn.write(_emulator_error(f"{self.dialect} has no form for the {fault} fault"
                                       f"{'' if self.stream else ' in a non-streamed answer'}"))
            return
        if fault in _STATUS_FAULTS:
            conn.write(self.error_response(int(fault)))
            return
        if fault == "reset_before":
            conn.reset()
            return
        if fault == "wrong_content_type":
            conn.write(_head(200, "text/html", length=len(_HTML)) + _HTML)
            return
        if fault == "blocked":
            conn.write(self.blocked())
            return
        if fault == "oversize":
            conn.write(_head(200, self.stream_type if self.stream else "application/json"))
            conn.write(_chunk(self.oversize_open()))
            block = b"x" * (1 << 20)
            for _ in range(s.oversize_bytes >> 20):
                conn.write(_chunk(block))
                await conn.drain()
            conn.write(_chunk(b'"}\n\n' if self.stream else b'"}') + _END)
            return
        if not self.stream:
            await self._play_whole(conn, start)
            return
        conn.write(_head(200, self.stream_type, extra=self.headers))
        events = self.events()
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
                    conn.write(_chunk(self.malformed_frame()) + _END)
                    return
                if fault == "inband_error":
                    conn.write(_chunk(self.inband_frame()) + _END)
                    return
                if fault == "stall":
                    while not conn.closed:
                        await asyncio.sleep(0.05)
                    return
            if fault == "keepalive" or (self.spec.get("keepalive") and i == 0):
                conn.write(_chunk(self.keepalive_frame()))
            conn.write(_chunk(data))
            await conn.drain()
        conn.write(_END)

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
            data = self.malformed_body()
            conn.write(_head(200, "application/json", length=len(data), extra=self.headers) + data)
            return
        if fault == "inband_error":
            conn.write(self.inband_whole())
            return
        await _sleep_until(start + s.ttft + s.inter_token * max(0, self.output_tokens - 1))
        if fault == "keepalive":  # DeepSeek sends blank lines while a non-streamed answer is queued
            head, _, body = whole.partition(b"\r\n\r\n")
            body = b"\n\n" + body
            head = head.replace(f"content-length: {len(body) - 2}".encode(), f"content-length: {len(body)}".encode())
            conn.write(head + b"\r\n\r\n" + body)
            return
        conn.write(whole)


# ---------------------------------------------------------------------------------------------- OpenAI chat, Gemini


class _Answer(_Responder):
    """Chat completions (and text completions) as OpenAI-compatible hosts answer them, each with reasoning in
    its own place; or Gemini's ``generateContent`` (AI Studio and Vertex)."""

    def __init__(self, style: str, script: Script, request: dict[str, Any], target: str, *, gemini: bool,
                 stream: bool) -> None:
        super().__init__(style, script, request, stream=stream)
        self.dialect = "Gemini" if gemini else "the chat completions API"
        self.completion = False  # a plain text completion (/completions) rather than a chat
        self.gemini = gemini
        self.model = self.model or target.rsplit("/models/", 1)[-1].split(":", 1)[0]
        self.headers = dict(_RL_HEADERS) if style == "groq" else {}
        self.headers["x-request-id"] = f"req-emu-{id(self):x}"

    # -- bodies -------------------------------------------------------------------------------------------
    def usage(self) -> dict[str, Any]:
        s = self.script
        out = self.output_tokens + s.reasoning_tokens
        if self.gemini:
            um: dict[str, Any] = {"promptTokenCount": self.prompt_tokens, "candidatesTokenCount": self.output_tokens,
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
                parts.append({"text": "".join(self.pieces)})
            return _json_response(200, {"candidates": [{"content": {"role": "model", "parts": parts},
                                                        "finishReason": "STOP"}],
                                        "usageMetadata": self.usage(), "modelVersion": self.model,
                                        "responseId": "emu"}, self.headers)
        if self.completion:
            return _json_response(200, {"id": "cmpl-emu", "object": "text_completion", "model": self.model,
                                        "choices": [{"index": 0, "text": "".join(self.pieces),
                                                     "finish_reason": "stop"}], "usage": self.usage()}, self.headers)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(self.pieces)}
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

    def error_response(self, status: int) -> bytes:
        extra = dict(self.headers)
        if self.gemini:
            return self._google_error(status, extra)
        if status == 401:  # some hosts quote the key they were sent back in the error
            key = self.auth.removeprefix("Bearer ")
            return _json_response(401, {"error": {"message": f"Incorrect API key provided: {key}",
                                                  "type": "invalid_request_error", "code": "invalid_api_key"}})
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        return _json_response(status, {"error": {"message": f"emulated {status}", "type": "emulated",
                                                 "code": str(status)}}, extra)

    def _google_error(self, status: int, extra: dict[str, str]) -> bytes:
        """Google's error body: ``{"error": {code, message, status, details}}`` with the status name Google
        gives that HTTP code; a 429's delay travels as RetryInfo in the body, as Google sends it."""
        error: dict[str, Any] = {"code": status, "message": f"emulated {status}",
                                 "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}
        if status == 401:
            error["message"] = "Request had invalid authentication credentials."
        if status == 429:
            delay = self.script.retry_after or "0"
            try:
                error["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                     "retryDelay": f"{float(delay):g}s"}]
            except ValueError:  # an HTTP date cannot be a RetryInfo: send it as the header instead
                extra["retry-after"] = delay
        return _json_response(status, {"error": error}, extra)

    # -- stream events ------------------------------------------------------------------------------------
    def events(self) -> list[tuple[str, bytes]]:
        return list(self._events())

    def _events(self) -> Iterator[tuple[str, bytes]]:
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
                for piece in self.pieces:
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
            for piece in self.pieces:
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

    def inband_frame(self) -> bytes:
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

    def inband_whole(self) -> bytes:
        return _json_response(200, {"error": {"code": 503, "message": "emulated overload", "status": "UNAVAILABLE",
                                              "type": "overloaded"}})

    def malformed_frame(self) -> bytes:
        if self.gemini:
            return b'data: {"candidates": [{"content": {"parts": [{"text": "oops"\r\n\r\n'
        return super().malformed_frame()

    def keepalive_frame(self) -> bytes:
        return b": OPENROUTER PROCESSING\n\n" if self.style == "openrouter" else b": keep-alive\n\n"

    def blocked(self) -> bytes:
        """A refusal with HTTP 200: Gemini's promptFeedback, or an empty content_filter stop."""
        if self.gemini:
            body: dict[str, Any] = {"promptFeedback": {"blockReason": "SAFETY"},
                                    "usageMetadata": {"promptTokenCount": self.prompt_tokens}}
            if self.stream:
                data = b"data: " + json.dumps(body).encode() + b"\r\n\r\n"
                return _head(200, "text/event-stream") + _chunk(data) + _END
            return _json_response(200, body)
        if self.stream:
            data = self._sse({}, finish="content_filter") + b"data: [DONE]\n\n"
            return _head(200, "text/event-stream") + _chunk(data) + _END
        return _json_response(200, {"id": "x", "choices": [{"index": 0, "finish_reason": "content_filter",
                                                            "message": {"role": "assistant", "content": ""}}]})


#: the status name Google's APIs give each HTTP code (google.rpc.Code, as ai.google.dev's troubleshooting
#: page and Vertex's error docs list them)
_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL", 501: "UNIMPLEMENTED",
                  503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


class _CountTokens(_Responder):
    """``models/{id}:countTokens`` in Google's shape: ``totalTokens`` and ``promptTokensDetails``, and on
    Vertex ``totalBillableCharacters`` too. AI Studio takes ``contents`` or a whole ``generateContentRequest``,
    never both (HTTP 400 INVALID_ARGUMENT, as the API answers)."""

    dialect = "countTokens"
    no_form = frozenset({"blocked", "inband_error", "keepalive"})

    def __init__(self, style: str, script: Script, request: dict[str, Any]) -> None:
        inner = request.get("generateContentRequest")
        self.both = "contents" in request and inner is not None
        super().__init__(style, script, inner if isinstance(inner, dict) else request, stream=False)
        self.chat = _Answer(style, script, request, "", gemini=True, stream=False)  # for Google's error bodies

    def whole(self) -> bytes:
        if self.both:
            return _json_response(400, {"error": {
                "code": 400, "status": "INVALID_ARGUMENT",
                "message": "Only one of contents and generate_content_request may be set."}})
        body: dict[str, Any] = {"totalTokens": self.prompt_tokens,
                                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": self.prompt_tokens}]}
        if self.style == "vertex":
            body["totalBillableCharacters"] = len(json.dumps(self.request.get("contents") or ""))
        return _json_response(200, body)

    def error_response(self, status: int) -> bytes:
        return self.chat.error_response(status)

    def malformed_body(self) -> bytes:
        return b'{"totalTokens": '


# ---------------------------------------------------------------------------------------------- Anthropic Messages


#: Anthropic's error type for each HTTP status (docs.anthropic.com, "Errors"); 502 and 503 are not on that
#: list and are answered as the API's generic and overload errors
_ANTHROPIC_ERRORS = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                     403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                     429: "rate_limit_error", 500: "api_error", 502: "api_error", 503: "overloaded_error",
                     504: "timeout_error", 529: "overloaded_error"}


class _Messages(_Responder):
    """Anthropic's Messages API (``POST /v1/messages``; Claude on Vertex's ``:rawPredict`` too): content
    blocks (signed ``thinking``, ``text``, ``tool_use``), ``stop_reason``, usage with input and output
    tokens; streams of named events (``message_start``, ``content_block_start`` / ``_delta`` / ``_stop``,
    ``ping``, ``message_delta``, ``message_stop``, and ``error`` mid-stream); errors as ``{"type": "error",
    "error": {type, message}, "request_id"}`` with a ``request-id`` header. A refusal is ``stop_reason:
    "refusal"``. There is no keep-alive outside a stream (pings are stream events)."""

    dialect = "Anthropic's Messages API"
    no_form_whole = frozenset({"keepalive"})

    def __init__(self, style: str, script: Script, request: dict[str, Any], *, stream: bool) -> None:
        super().__init__(style, script, request, stream=stream)
        self.headers = {"request-id": "req_emu", "anthropic-ratelimit-requests-limit": "4000",
                        "anthropic-ratelimit-requests-remaining": "3999",
                        "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:01Z"}
        self.model = self.model or "claude-emulated"

    def _blocks(self) -> list[dict[str, Any]]:
        s = self.script
        blocks: list[dict[str, Any]] = []
        if s.reasoning_tokens:
            blocks.append({"type": "thinking", "thinking": "".join(s.thoughts()), "signature": _SIGNATURE})
        if s.tool_call:
            blocks.append({"type": "tool_use", "id": "toolu_emu_1", "name": s.tool_call[0], "input": s.tool_call[1]})
        elif self.pieces:
            blocks.append({"type": "text", "text": "".join(self.pieces)})
        return blocks

    def _stop_reason(self) -> str:
        return "tool_use" if self.script.tool_call else "end_turn"

    def _message(self, content: list[dict[str, Any]], stop_reason: str | None, output_tokens: int) -> dict[str, Any]:
        return {"id": "msg_emu", "type": "message", "role": "assistant", "model": self.model, "content": content,
                "stop_reason": stop_reason, "stop_sequence": None,
                "usage": {"input_tokens": self.prompt_tokens, "cache_creation_input_tokens": 0,
                          "cache_read_input_tokens": 0, "output_tokens": output_tokens}}

    def whole(self) -> bytes:
        out = self.output_tokens + self.script.reasoning_tokens
        return _json_response(200, self._message(self._blocks(), self._stop_reason(), out), self.headers)

    def events(self) -> list[tuple[str, bytes]]:
        s = self.script
        out: list[tuple[str, bytes]] = [
            ("meta", _sse_event("message_start", {"type": "message_start", "message": self._message([], None, 1)})),
        ]
        index = 0
        first = True

        def delta(kind: str, body: dict[str, Any]) -> tuple[str, bytes]:
            nonlocal first
            frame = _sse_event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": body})
            item = ("first" if first else "token") if kind == "token" else "meta", frame
            if kind == "token":
                first = False
            return item

        def block(start: dict[str, Any], deltas: list[tuple[str, dict[str, Any]]]) -> None:
            nonlocal index
            out.append(("meta", _sse_event("content_block_start", {"type": "content_block_start", "index": index,
                                                                   "content_block": start})))
            if index == 0:
                out.append(("meta", _sse_event("ping", {"type": "ping"})))
            out.extend(delta(kind, body) for kind, body in deltas)
            out.append(("meta", _sse_event("content_block_stop", {"type": "content_block_stop", "index": index})))
            index += 1

        if s.reasoning_tokens:
            block({"type": "thinking", "thinking": "", "signature": ""},
                  [*(("token", {"type": "thinking_delta", "thinking": t}) for t in s.thoughts()),
                   ("meta", {"type": "signature_delta", "signature": _SIGNATURE})])
        if s.tool_call:
            args = json.dumps(s.tool_call[1])
            half = len(args) // 2
            block({"type": "tool_use", "id": "toolu_emu_1", "name": s.tool_call[0], "input": {}},
                  [("token", {"type": "input_json_delta", "partial_json": p}) for p in (args[:half], args[half:])])
        elif self.pieces:
            block({"type": "text", "text": ""}, [("token", {"type": "text_delta", "text": p}) for p in self.pieces])
        out.append(("meta", _sse_event("message_delta", {
            "type": "message_delta", "delta": {"stop_reason": self._stop_reason(), "stop_sequence": None},
            "usage": {"output_tokens": self.output_tokens + s.reasoning_tokens}})))
        out.append(("meta", _sse_event("message_stop", {"type": "message_stop"})))
        return out

    def _error(self, status: int, message: str) -> dict[str, Any]:
        return {"type": "error", "error": {"type": _ANTHROPIC_ERRORS.get(status, "api_error"), "message": message},
                "request_id": "req_emu"}

    def error_response(self, status: int) -> bytes:
        extra = dict(self.headers)
        message = {401: "invalid x-api-key", 529: "Overloaded"}.get(status, f"emulated {status}")
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        return _json_response(status, self._error(status, message), extra)

    def inband_frame(self) -> bytes:
        return _sse_event("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})

    def inband_whole(self) -> bytes:
        return _json_response(200, self._error(529, "Overloaded"), self.headers)

    def malformed_frame(self) -> bytes:
        return b'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {"type": \n\n'

    def malformed_body(self) -> bytes:
        return b'{"id": "msg_emu", "type": "message", "content": ['

    def keepalive_frame(self) -> bytes:
        return _sse_event("ping", {"type": "ping"})

    def blocked(self) -> bytes:
        """Claude declining: ``stop_reason: "refusal"`` with nothing said."""
        if not self.stream:
            return _json_response(200, self._message([], "refusal", 0), self.headers)
        frames = (_sse_event("message_start", {"type": "message_start", "message": self._message([], None, 1)})
                  + _sse_event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "refusal",
                                                                                   "stop_sequence": None},
                                                 "usage": {"output_tokens": 0}})
                  + _sse_event("message_stop", {"type": "message_stop"}))
        return _head(200, self.stream_type, extra=self.headers) + _chunk(frames) + _END


#: the signature the emulator puts on Claude thinking blocks (opaque to clients, who send it back verbatim)
_SIGNATURE = "RW11bGF0ZWQgc2lnbmF0dXJl"


# ---------------------------------------------------------------------------------------------- the Responses API


class _Responses(_Responder):
    """The Responses API (``POST /responses``), as DeepSeek serves it: ``output`` items (``reasoning`` with
    ``reasoning_text`` content, ``message`` with ``output_text``, ``function_call``), usage with
    ``output_tokens_details.reasoning_tokens``; streams of named events (``response.created``,
    ``response.output_item.added`` / ``.done``, ``response.output_text.delta``,
    ``response.reasoning_text.delta``, ``response.function_call_arguments.delta``, ``response.completed``;
    ``error`` mid-stream); a refusal is ``status: "incomplete"`` with ``incomplete_details.reason:
    "content_filter"``; a failure with HTTP 200 is ``status: "failed"`` with an ``error``."""

    dialect = "the Responses API"

    def __init__(self, style: str, script: Script, request: dict[str, Any]) -> None:
        super().__init__(style, script, request, stream=bool(request.get("stream")))
        self.headers = {"x-request-id": f"req-emu-{id(self):x}"}
        self.sequence = 0

    def _items(self) -> list[dict[str, Any]]:
        s = self.script
        items: list[dict[str, Any]] = []
        if s.reasoning_tokens:
            items.append({"type": "reasoning", "id": "rs_emu", "status": "completed", "summary": [],
                          "content": [{"type": "reasoning_text", "text": "".join(s.thoughts())}]})
        if s.tool_call:
            items.append({"type": "function_call", "id": "fc_emu", "status": "completed", "call_id": "call_emu_1",
                          "name": s.tool_call[0], "arguments": json.dumps(s.tool_call[1])})
        else:
            items.append({"type": "message", "id": "msg_emu", "status": "completed", "role": "assistant",
                          "content": [{"type": "output_text", "text": "".join(self.pieces), "annotations": []}]})
        return items

    def _response(self, status: str, output: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        s = self.script
        body: dict[str, Any] = {"id": "resp_emu", "object": "response", "created_at": _CREATED, "status": status,
                                "model": self.model, "output": output, "error": None, "incomplete_details": None}
        if status != "in_progress":
            out = self.output_tokens + s.reasoning_tokens
            body["usage"] = {"input_tokens": self.prompt_tokens, "input_tokens_details": {"cached_tokens": 0},
                             "output_tokens": out, "output_tokens_details": {"reasoning_tokens": s.reasoning_tokens},
                             "total_tokens": self.prompt_tokens + out}
        body.update(extra)
        return body

    def whole(self) -> bytes:
        return _json_response(200, self._response("completed", self._items()), self.headers)

    def _event(self, name: str, **fields: Any) -> bytes:
        frame = _sse_event(name, {"type": name, **fields, "sequence_number": self.sequence})
        self.sequence += 1
        return frame

    def events(self) -> list[tuple[str, bytes]]:
        s = self.script
        out: list[tuple[str, bytes]] = [("meta", self._event("response.created",
                                                             response=self._response("in_progress", [])))]
        first = True
        for index, item in enumerate(self._items()):
            kind = item["type"]
            opened = {**item, "status": "in_progress"}
            if kind in ("reasoning", "message"):
                opened["content"] = []
            elif kind == "function_call":
                opened["arguments"] = ""
            out.append(("meta", self._event("response.output_item.added", output_index=index, item=opened)))
            if kind == "reasoning":
                pieces, name = s.thoughts(), "response.reasoning_text.delta"
            elif kind == "message":
                pieces, name = self.pieces, "response.output_text.delta"
            else:
                args = item["arguments"]
                pieces, name = [args[: len(args) // 2], args[len(args) // 2:]], "response.function_call_arguments.delta"
            for piece in pieces:
                out.append(("first" if first else "token",
                            self._event(name, item_id=item["id"], output_index=index, content_index=0, delta=piece)))
                first = False
            out.append(("meta", self._event("response.output_item.done", output_index=index, item=item)))
        out.append(("meta", self._event("response.completed", response=self._response("completed", self._items()))))
        return out

    def error_response(self, status: int) -> bytes:
        extra = dict(self.headers)
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        etype = {401: "authentication_error", 429: "rate_limit_error"}.get(status, "invalid_request_error"
                                                                            if status < 500 else "server_error")
        return _json_response(status, {"error": {"message": f"emulated {status}", "type": etype, "param": None,
                                                 "code": etype}}, extra)

    def inband_frame(self) -> bytes:
        return self._event("error", code="server_error", message="emulated server error", param=None)

    def inband_whole(self) -> bytes:
        return _json_response(200, self._response("failed", [], error={"code": "server_error",
                                                                     "message": "emulated server error"}),
                              self.headers)

    def malformed_frame(self) -> bytes:
        return b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": \n\n'

    def malformed_body(self) -> bytes:
        return b'{"id": "resp_emu", "output": ['

    def keepalive_frame(self) -> bytes:
        return b": keep-alive\n\n"

    def blocked(self) -> bytes:
        refused = self._response("incomplete", [], incomplete_details={"reason": "content_filter"})
        if not self.stream:
            return _json_response(200, refused, self.headers)
        frames = (self._event("response.created", response=self._response("in_progress", []))
                  + self._event("response.incomplete", response=refused))
        return _head(200, self.stream_type, extra=self.headers) + _chunk(frames) + _END


# ---------------------------------------------------------------------------------------------- Ollama native


class _OllamaNative(_Responder):
    """One answer in Ollama's native shape (HOSTS.md §9.2): JSON, or NDJSON lines when streamed (Ollama
    streams unless told ``"stream": false``); errors are ``{"error": "..."}``, in a stream a line of that
    shape with the HTTP status unchanged. Ollama has no moderation and sends no keep-alives, so the
    ``blocked`` and ``keepalive`` faults have no form here."""

    dialect = "Ollama's native API"
    stream_type = "application/x-ndjson"
    no_form = frozenset({"blocked", "keepalive"})

    def __init__(self, style: str, script: Script, request: dict[str, Any], *, generate: bool) -> None:
        super().__init__(style, script, request, stream=request.get("stream", True) is not False)
        self.generate = generate
        self.thinks = bool(script.reasoning_tokens) and request.get("think") is not False and not generate

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
                       eval_count=self.output_tokens + (s.reasoning_tokens if self.thinks else 0),
                       eval_duration=3_000_000)
        return obj

    def _tool_calls(self) -> list[Any] | None:
        if not self.script.tool_call or self.generate:
            return None
        return [{"function": {"name": self.script.tool_call[0], "arguments": self.script.tool_call[1]}}]

    def whole(self) -> bytes:
        s = self.script
        calls = self._tool_calls()
        text = "" if calls else "".join(self.pieces)
        return _json_response(200, self._object(content=text, thinking="".join(s.thoughts()) if self.thinks else "",
                                                tool_calls=calls, done=True))

    def events(self) -> list[tuple[str, bytes]]:
        s = self.script
        pieces: list[dict[str, Any]] = [self._object(thinking=t) for t in (s.thoughts() if self.thinks else ())]
        calls = self._tool_calls()
        if calls:
            pieces.append(self._object(tool_calls=calls))
        else:
            pieces.extend(self._object(content=t) for t in self.pieces)
        out = [("first" if i == 0 else "token", _ndjson(obj)) for i, obj in enumerate(pieces)]
        out.append(("meta", _ndjson(self._object(done=True))))
        return out

    def error_response(self, status: int) -> bytes:
        extra = {"retry-after": self.script.retry_after or "0"} if status == 429 else None
        return _json_response(status, {"error": f"emulated {status}"}, extra)

    def inband_frame(self) -> bytes:  # Ollama keeps the 200 and sends the error as a line
        return _ndjson({"error": "emulated runner failure"})

    def inband_whole(self) -> bytes:
        return _json_response(200, {"error": "emulated runner failure"})

    def malformed_frame(self) -> bytes:
        return b'{"message": {"role": "assistant", "content": "oops"\n'

    def malformed_body(self) -> bytes:
        return b'{"message": {"role": '

    def oversize_open(self) -> bytes:  # one endless line
        return b'{"padding": "'


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
    items: list[str] = []
    for piece in rest.split(","):  # a piece without "=" belongs to the value before it (a text with commas)
        if items and "=" not in piece:
            items[-1] += "," + piece
        else:
            items.append(piece)
    values: dict[str, Any] = {}
    for item in items:
        key, eq, raw = item.partition("=")
        if not eq:
            if not item.strip():
                continue
            raise ConfigurationError(f"--script {spec!r}: {item!r} is not FIELD=VALUE")
        key = key.strip()
        values[key] = _cli_value(key, raw if key == "text" else raw.strip())
    return _checked_style(host.strip()) or "", _checked(values)


def main(argv: list[str] | None = None) -> None:
    """``python -m rehost.testing.emulator [--host H] [--port P] [--ttft S] [--inter-token S] [--tokens N]
    [--text T] [--script HOST:FIELD=VALUE,...]``:
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
    parser.add_argument("--text", default=None, help="answer with this text (streamed word by word)")
    parser.add_argument("--script", action="append", default=[], metavar="HOST:FIELD=VALUE,...",
                        help="what one host style does, e.g. groq:ttft=0.05,inter_token=0.005 or "
                             "anthropic:text=Hello there (repeatable; a text may hold commas, not '='); "
                             f"fields: {', '.join(_FIELD_KINDS)}")
    args = parser.parse_args(argv)
    emulator = Emulator(host=args.host, port=args.port, record=False)
    try:
        emulator.script(None, ttft=args.ttft, inter_token=args.inter_token, output_tokens=args.tokens,
                        reasoning_tokens=args.reasoning_tokens, echo=args.echo, text=args.text)
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
        _checked_style(style)
        _checked(fields)  # said here, in the caller's process, rather than as the child's usage error
        text = fields.get("text")
        if isinstance(text, str) and "," in text and "=" in text:
            from ..shared.errors import ConfigurationError

            raise ConfigurationError(f"{style}'s text cannot hold both ',' and '=' on the emulator's command line")
        args += ["--script", f"{style}:" + ",".join(f"{k}={v}" for k, v in fields.items())]
    for key, value in script.items():
        if key == "echo":
            if value:
                args.append("--echo")
        elif key == "text":
            if value is not None:
                args += ["--text", str(value)]
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
