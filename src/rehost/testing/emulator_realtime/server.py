"""``RealtimeEmulator``: one real websocket server on loopback (the ``websockets`` library, on its own event loop
in a daemon thread) serving every front, each under its host's path:

* OpenAI GA ``/openai/v1/realtime?model=`` (also ``/v1/realtime``, and Azure's ``/openai/v1/realtime`` under
  any prefix); the beta vocabulary on the same path when the client sends ``OpenAI-Beta: realtime=v1``, and on
  ``.../voice-live/realtime`` (Azure AI Voice Live speaks beta);
* xAI ``/xai/v1/realtime?model=``;
* Gemini Live ``.../ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`` (and the
  ``v1alpha`` / ``...Constrained`` forms), Vertex ``.../ws/google.cloud.aiplatform.v1.LlmBidiService/
  BidiGenerateContent``.

Each session gets a brain from ``brain`` (a ``BrainFactory``; default a ``ScriptedBrain`` with the options of
``script(...)``). The upgrade needs a credential (``Authorization``, ``api-key``, ``x-goog-api-key``, a
``key`` / ``access_token`` query or a key subprotocol), else 401 as the hosts refuse it.

Faults: per session with the handshake's query (``?fault=close&after=3&code=4001&reason=...``, see
``front.Fault``), or server-wide with ``inject(fault, times=...)`` for clients whose URL the test does not
control. Handshake faults (``401``, ``429`` with ``Retry-After``, ``503``) refuse the upgrade with that HTTP
status and the host's JSON error body. permessage-deflate is not negotiated: whether the hosts offer it is
unconfirmed, the scripted brain's audio would compress to nothing (hiding a slow consumer behind the kernel's
buffers) and real base64 audio hardly compresses. ``stats`` counts connections (``open_connections`` is back to 0 once
every session ended), frames, and the largest send backlog.

    with RealtimeEmulator(reply="Hi there.") as emu:
        url = emu.url("openai", model="gpt-realtime")      # ws://127.0.0.1:PORT/openai/v1/realtime?model=...
        base = emu.base_url("openai")                       # http://127.0.0.1:PORT/openai/v1 for a host's base_url
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ...shared.errors import ConfigurationError
from ...shared.realtime.config import SessionConfig
from .brain import BrainFactory, ScriptedBrain
from .front import HANDSHAKE_FAULTS, Fault, Front, Stats
from .gemini import GeminiFront
from .openai import OpenAIFront
from .xai import XaiFront

__all__ = ["GEMINI_PATH", "VERTEX_PATH", "RealtimeEmulator", "realtime_process"]

GEMINI_PATH = "/gemini/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
VERTEX_PATH = "/vertex/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent"
_PATHS = {"openai": "/openai/v1/realtime", "beta": "/openai/v1/realtime", "azure": "/azure/openai/v1/realtime",
          "voice-live": "/azure/voice-live/realtime", "xai": "/xai/v1/realtime", "gemini": GEMINI_PATH,
          "vertex": VERTEX_PATH}
_DEFAULT_MODELS = {"xai": "grok-voice-latest", "gemini": "gemini-live", "vertex": "gemini-live"}
_SCRIPT_FIELDS = ("reply", "transcript", "audio_deltas", "delta_bytes", "pace", "tool_arguments", "tool_preamble",
                  "quiet", "queue_size")
_KEY_PROTOCOLS = ("openai-insecure-api-key.", "xai-client-secret.")


def _style(path: str, headers: Mapping[str, str]) -> str | None:
    """Which front a handshake path (and the beta header) asks for."""
    if path.endswith(("BidiGenerateContent", "BidiGenerateContentConstrained")):
        return "vertex" if "LlmBidiService" in path else "gemini"
    if not path.endswith("/realtime"):
        return None
    if path.startswith("/xai/"):
        return "xai"
    if "voice-live" in path or "realtime=v1" in headers.get("openai-beta", ""):
        return "beta"
    return "openai"


class RealtimeEmulator:
    """The realtime websocket server (see the module docstring). ``with RealtimeEmulator() as emu:``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, brain: BrainFactory | None = None,
                 require_key: bool = True, **script: Any) -> None:
        self.host = host
        self.port = port
        self.brain = brain
        self.require_key = require_key
        self.stats = Stats()
        self._script: dict[str, Any] = {}
        self.script(**script)
        self._initial = (dict(self._script), brain)
        self._injected: list[list[Any]] = []  # [fault, times left or None]
        self._pending: dict[int, Fault | None] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None

    # ------------------------------------------------------------------------------------------ scripting
    def script(self, **options: Any) -> None:
        """What the default ``ScriptedBrain`` does (its keyword arguments; unknown names refused)."""
        unknown = sorted(set(options) - set(_SCRIPT_FIELDS))
        if unknown:
            raise ConfigurationError(f"the realtime emulator's scripted brain has no option {', '.join(unknown)}; "
                                     f"it has {', '.join(_SCRIPT_FIELDS)}")
        ScriptedBrain(SessionConfig(model="check"), **{**self._script, **options})  # checked now, not per session
        self._script.update(options)

    def inject(self, fault: str, *, times: int | None = 1, after: int = 2, code: int | None = None,
               reason: str | None = None, count: int = 2000) -> None:
        """Apply ``fault`` to the next ``times`` connections (None: every one until ``reset``)."""
        self._injected.append([Fault(fault, after, code, reason, count), times])

    def reset(self) -> None:
        """Back to how it was made: its script and brain, no injected faults, fresh counters."""
        self._script, self.brain = dict(self._initial[0]), self._initial[1]
        self._injected.clear()
        self._pending.clear()  # faults of handshakes whose session never started
        self.stats = Stats()

    def _take_fault(self) -> Fault | None:
        for entry in self._injected:
            fault, times = entry
            if times is None or times > 0:
                if times is not None:
                    entry[1] = times - 1
                return fault  # type: ignore[no-any-return]
        return None

    # ------------------------------------------------------------------------------------------ addresses
    def url(self, style: str = "openai", *, model: str | None = None, **query: Any) -> str:
        """The websocket URL of ``style``'s front, with ``model`` and any query (faults) on it."""
        if style not in _PATHS:
            raise ConfigurationError(f"the realtime emulator has no front {style!r}; it has {', '.join(_PATHS)}")
        params = {**({"model": model} if model else {}), **{k: str(v) for k, v in query.items()}}
        return f"ws://{self.host}:{self.port}{_PATHS[style]}" + (f"?{urlencode(params)}" if params else "")

    def base_url(self, style: str = "openai") -> str:
        """The REST-style base a host's realtime endpoint derives its socket from: OpenAI-shaped hosts append
        ``/realtime`` to theirs (``.../openai/v1``); Google's put ``/ws/...`` before the API version
        (``.../gemini/v1beta``, ``.../vertex/v1``)."""
        path = _PATHS.get(style)
        if path is None:
            raise ConfigurationError(f"the realtime emulator has no front {style!r}; it has {', '.join(_PATHS)}")
        root = f"http://{self.host}:{self.port}"
        if style in ("gemini", "vertex"):
            return f"{root}/{style}/" + ("v1beta" if style == "gemini" else "v1")
        return root + path.rsplit("/", 1)[0]

    # ------------------------------------------------------------------------------------------ lifecycle
    def start(self) -> RealtimeEmulator:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._serve(ready))
            except BaseException as exc:  # a port that cannot be had: said by start()
                self._error = exc
                ready.set()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="rehost-realtime-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(10) or self._error is not None:
            raise ConfigurationError(f"the realtime emulator could not start on {self.host}:{self.port}: "
                                     f"{self._error}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> RealtimeEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_closed(self, timeout: float = 5.0) -> bool:
        """Wait (up to ``timeout`` s) until no session is open; True when none is."""
        import time

        end = time.monotonic() + timeout
        while self.stats.open_connections and time.monotonic() < end:
            time.sleep(0.01)
        return self.stats.open_connections == 0

    async def _serve(self, ready: threading.Event) -> None:
        from websockets.asyncio.server import serve

        self._stop = asyncio.Event()
        async with serve(self._session, self.host, self.port, process_request=self._handshake,
                         select_subprotocol=_select_subprotocol, max_size=16 * 1024 * 1024,
                         ping_interval=None, compression=None) as server:
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            await self._stop.wait()

    # ------------------------------------------------------------------------------------------ one session
    def _handshake(self, connection: Any, request: Any) -> Any:
        parts = urlsplit(request.path)
        query = dict(parse_qsl(parts.query))
        headers = {k.lower(): v for k, v in request.headers.raw_items()}
        self.stats.requests.append({"path": parts.path, "query": query, "headers": headers})
        style = _style(parts.path, headers)
        if style is None:
            return connection.respond(http.HTTPStatus.NOT_FOUND, "no realtime socket here\n")
        try:
            fault = Fault.from_query(query) or self._take_fault()
        except ConfigurationError as exc:
            return connection.respond(http.HTTPStatus.BAD_REQUEST, f"{exc}\n")
        if fault is None and self.require_key and not _has_key(headers, query):
            fault = Fault("401")
        if fault is not None and fault.name in HANDSHAKE_FAULTS:
            return _refusal(connection, int(fault.name), style, fault.reason)
        self._pending[id(connection)] = fault
        return None

    async def _session(self, ws: Any) -> None:
        parts = urlsplit(ws.request.path)
        query = dict(parse_qsl(parts.query))
        headers = {k.lower(): v for k, v in ws.request.headers.raw_items()}
        style = _style(parts.path, headers) or "openai"
        fault = self._pending.pop(id(ws), None)
        options = dict(self._script)
        if fault is not None and fault.name == "flood":
            options.update(audio_deltas=fault.count, pace=0.0)
        factory: BrainFactory = self.brain or (lambda config: ScriptedBrain(config, **options))
        model = query.get("model") or _DEFAULT_MODELS.get(style, "gpt-realtime")
        config = SessionConfig(model=model, voice=None)
        front: Front
        if style in ("gemini", "vertex"):
            front = GeminiFront(ws, factory, config, fault, self.stats, vertex=style == "vertex")
        elif style == "xai":
            front = XaiFront(ws, factory, config, fault, self.stats)
        else:
            front = OpenAIFront(ws, factory, config, fault, self.stats, beta=style == "beta")
        await front.run()


def _has_key(headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    if any(headers.get(h) for h in ("authorization", "api-key", "x-goog-api-key")):
        return True
    if query.get("key") or query.get("access_token"):
        return True
    offered = headers.get("sec-websocket-protocol", "")
    return any(p.strip().startswith(_KEY_PROTOCOLS) for p in offered.split(","))


def _select_subprotocol(connection: Any, offered: Any) -> Any:
    """OpenAI's browser form offers ``realtime`` plus the key; the host picks ``realtime`` (none: none)."""
    for protocol in offered:
        if protocol == "realtime":
            return protocol
    return None


def _refusal(connection: Any, status: int, style: str, reason: str | None) -> Any:
    """The HTTP refusal of an upgrade, in the host's error shape."""
    messages = {401: "Incorrect API key provided.", 429: "Too many concurrent sessions.",
                503: "The service is temporarily unavailable."}
    message = reason or messages.get(status, "refused")
    if style in ("gemini", "vertex"):
        names = {401: "UNAUTHENTICATED", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}
        body: dict[str, Any] = {"error": {"code": status, "message": message, "status": names.get(status, "")}}
    else:
        codes = {401: "invalid_api_key", 429: "rate_limit_exceeded", 503: "server_unavailable"}
        body = {"error": {"type": "invalid_request_error" if status < 500 else "server_error",
                          "code": codes.get(status), "message": message, "param": None}}
    response = connection.respond(http.HTTPStatus(status), json.dumps(body))
    response.headers["Content-Type"] = "application/json"
    if status == 429:
        response.headers["Retry-After"] = "1"
    return response


@contextlib.contextmanager
def realtime_process(*, host: str = "127.0.0.1", **script: Any) -> Iterator[str]:
    """A realtime emulator in its own process (so a benchmark's client never shares the GIL with it); yields
    its ``ws://host:port`` root. ``script`` is the scripted brain's options."""
    import subprocess
    import sys

    unknown = sorted(set(script) - set(_SCRIPT_FIELDS))
    if unknown:
        raise ConfigurationError(f"realtime_process cannot set {', '.join(unknown)}")
    args = [sys.executable, "-m", "rehost.testing.emulator_realtime", "--host", host, "--port", "0"]
    for key, value in script.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("ws://"):
            raise RuntimeError(f"the realtime emulator process did not start: {line!r}")
        yield line
    finally:
        process.terminate()
        process.wait(5)
