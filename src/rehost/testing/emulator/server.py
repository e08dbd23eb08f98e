"""The emulator's server: the connection protocol (bare asyncio, HTTP/1.1 keep-alive), ``Emulator`` (scripting,
addresses, lifecycle) and the routing of a request to its dialect's responder, as the real host routes it."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import socket
import struct
import threading
import time
from dataclasses import replace
from typing import Any

from .chat import _Answer
from .converse import _Converse
from .converse import _CountTokens as _ConverseCount
from .embed import embed_responder
from .gemini import _CountTokens
from .messages import _Messages
from .ollama import _OllamaNative
from .quirks import STYLES
from .responder import _Responder
from .responses import _Responses
from .script import FAULTS, Script, Seen, _checked, _checked_style, _Injection, _State
from .wire import _emulator_error, _json_response, _no_route


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
        from ...shared.errors import ConfigurationError

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
        from ...shared.errors import ConfigurationError

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
        from ..emulator_audio import route as speech_route  # speech: multipart / raw audio bodies, not JSON

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
        answer.auth = (headers.get("authorization") or headers.get("x-goog-api-key") or headers.get("x-api-key")
                       or headers.get("api-key") or "")
        if script.fault is None and not answer.stream and script.ttft == 0 and script.inter_token == 0:
            conn.write(answer.whole())  # the fast path: no waiting, no task
            return None
        return answer.play(conn, arrived)


def _route(style: str, target: str, script: Script, request: dict[str, Any]) -> _Responder | None:
    """The responder for a request, chosen by host style and path, as the real host routes it; None for a
    path the host does not serve (answered 404, never as a chat)."""
    path = target.split("?", 1)[0]


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
    if style == "bedrock" and "/model/" in path:  # Converse; the OpenAI-compatible /openai/v1 is a chat below
        if path.endswith(("/converse", "/converse-stream")):
            return _Converse(style, script, request, target, stream=path.endswith("/converse-stream"))
        return _ConverseCount(style, script, request) if path.endswith("/count-tokens") else None
    if style == "anthropic":
        return _Messages(style, script, request, stream=bool(request.get("stream"))) if path.endswith(
            "/messages") else None
    if style == "cohere":
        from .cohere import _CohereChat

        return _CohereChat(style, script, request, stream=bool(request.get("stream"))) if path == (
            "/cohere/v2/chat") else None
    if path.endswith("/responses"):
        return _Responses(style, script, request)
    if path.endswith("/completions"):
        answer = _Answer(style, script, request, target, gemini=False, stream=bool(request.get("stream")))
        answer.completion = not path.endswith("/chat/completions")
        return answer
    return None
