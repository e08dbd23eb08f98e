"""The websocket session shell, for the kinds that talk over one long-lived connection (realtime speech, live
transcription): connect, send text or bytes, receive with an idle timeout, keep-alive pings, close with a code
and reason. It knows no host and no event vocabulary: a realtime endpoint in ``providers/`` builds the URL,
headers and subprotocols, and encodes / decodes the frames.

Decisions and I/O are apart, as in the HTTP shells: ``ConnectPlan`` decides, without I/O, whether a failed
connect is tried again and after how long (exponential backoff with full jitter, the host's ``Retry-After``
honoured, only errors a retry can fix, within an optional deadline; its clock and randomness injectable), and
``Session.connect`` does what it says. Once a session is open nothing is retried: a dropped connection loses
the session's state on the host, so the caller (the realtime endpoint) decides whether to start a new one.

Errors are rehost's: a refused handshake is the HTTP error of its status (401 AuthenticationError, 429
RateLimited, 5xx ServerError ...), a connect that cannot be made or a drop is ``ConnectionFailed`` /
``SessionClosed`` (with the peer's close code and reason), an open or idle timeout is ``RequestTimeout``.
URLs in messages lose their query and password (``_shown``) and headers never appear, so keys stay out of
errors and logs.

The ``websockets`` package is imported on the first connect, never by ``import rehost``. ``SyncSession`` is
the same session for sync code: one private event loop in a daemon thread per session, each call waiting
for its result there.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ..checks import check_number
from ..errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    HostError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    RehostError,
    RequestTimeout,
    ServerError,
    SessionClosed,
)
from .call import header_problem, parse_retry_after, public_url

__all__ = ["ConnectPlan", "ConnectPolicy", "Message", "Session", "SyncSession", "websocket_base"]

#: what a websocket message is: text frames arrive as str, binary frames as bytes
Message = str | bytes
T = TypeVar("T")

_STATUS_ERRORS: Mapping[int, type[HostError]] = {401: AuthenticationError, 403: PermissionDenied, 404: NotFound,
                                                 429: RateLimited}



def websocket_base(base_url: str) -> str:
    """A REST base URL as the websocket one: ``https`` -> ``wss``, ``http`` -> ``ws`` (what the SDKs do), so a
    realtime host follows the base URL it was given (a relay, a local emulator) with no second setting."""
    if base_url.startswith("https://"):
        return "wss://" + base_url[len("https://"):]
    if base_url.startswith("http://"):
        return "ws://" + base_url[len("http://"):]
    return base_url


@dataclass(frozen=True, slots=True)
class ConnectPolicy:
    """How connects are retried: ``max_retries`` more tries after the first, waits growing from
    ``initial_delay`` by ``multiplier`` up to ``max_delay`` (full jitter), a host's ``Retry-After`` obeyed up
    to ``max_retry_after``."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    multiplier: float = 2.0
    max_retry_after: float = 30.0

    def __post_init__(self) -> None:
        check_number(self.max_retries, "ConnectPolicy(max_retries=...)", name="max_retries", whole=True,
                     above=False, expected="a whole number of retries, 0 or more")
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            check_number(getattr(self, name), f"ConnectPolicy({name}=...)", name=name, above=False,
                         expected="a number of seconds, 0 or more")
        check_number(self.multiplier, "ConnectPolicy(multiplier=...)", name="multiplier", minimum=1.0,
                     above=False, expected="a number of at least 1 (each wait that many times the last)")


class ConnectPlan:
    """The decisions of one connect, no I/O: after each failure, ``after_failure`` says how long to wait
    before the next try, or None to give up (and raise that failure). A failure a retry cannot fix (a
    refused key, a bad request) gives up at once; so does one whose wait would pass the deadline
    (``deadline``: seconds from the plan's start, on ``clock``)."""

    def __init__(self, policy: ConnectPolicy | None = None, *, deadline: float | None = None,
                 clock: Callable[[], float] = time.monotonic, rng: Callable[[], float] = random.random) -> None:
        self.policy = policy or ConnectPolicy()
        self.clock = clock
        self.rng = rng
        self.started = clock()
        self.deadline = deadline
        self.failures = 0

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - (self.clock() - self.started)

    def after_failure(self, err: RehostError) -> float | None:
        self.failures += 1
        policy = self.policy
        if not err.retryable or self.failures > policy.max_retries:
            return None
        if err.retry_after is not None:
            if err.retry_after > policy.max_retry_after:
                return None  # the host asks for longer than this plan waits: say so now rather than hang
            wait = max(0.0, err.retry_after)
        else:
            ceiling = min(policy.max_delay, policy.initial_delay * policy.multiplier ** (self.failures - 1))
            wait = self.rng() * ceiling
        left = self.remaining()
        if left is not None and wait >= left:
            return None
        return wait


def _shown(url: str) -> str:
    """``url`` as errors and reprs show it: without its query (some realtime hosts take the key as
    ``?key=...``) and with any ``user:password@`` masked."""
    return public_url(url.split("?", 1)[0]) + ("?..." if "?" in url else "")


def _websockets() -> Any:
    """The ``websockets`` package's asyncio client, imported on first use (not by ``import rehost``)."""
    try:
        from websockets.asyncio import client
    except ImportError as exc:  # a core dependency, so only a broken install comes here
        raise ConfigurationError("websocket sessions need the websockets package: pip install websockets") from exc
    return client


def _handshake_error(exc: BaseException, host: str, url: str) -> RehostError:
    """A failed connect as rehost's error: the HTTP status of a refused handshake, else a connection error."""
    from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

    if isinstance(exc, InvalidStatus):
        response = exc.response
        status = response.status_code
        body = bytes(response.body or b"")[:2000].decode("utf-8", "replace") or None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        cls = _STATUS_ERRORS.get(status) or (ServerError if status >= 500 else InvalidRequest)
        return cls(f"the websocket handshake with {_shown(url)} was refused", host=host, status=status,
                   body=body, retry_after=retry_after)
    if isinstance(exc, InvalidURI):
        return ConfigurationError(f"{_shown(url)} is not a websocket URL (ws:// or wss://)", host=host)
    if isinstance(exc, TimeoutError):
        return RequestTimeout(f"opening a websocket to {_shown(url)} timed out", host=host)
    what = type(exc).__name__ if isinstance(exc, InvalidHandshake) else f"{type(exc).__name__}: {exc}"
    return ConnectionFailed(f"could not open a websocket to {_shown(url)} ({what})", host=host)


def _closed_error(exc: BaseException, host: str) -> SessionClosed:
    close = getattr(exc, "rcvd", None)
    code = close.code if close is not None else 1006
    reason = close.reason if close is not None else ""
    said = f": {reason}" if reason else ""
    return SessionClosed(f"the session was closed (code {code}{said})", host=host, close_code=code,
                         close_reason=reason)


class Session:
    """One open websocket, async. Make it with ``await Session.connect(...)`` (or ``async with``)."""

    def __init__(self, connection: Any, *, host: str, url: str, idle_timeout: float | None) -> None:
        from websockets.exceptions import ConnectionClosed

        self._ws = connection
        self.host = host
        self.url = _shown(url)
        self.idle_timeout = idle_timeout
        #: the library's close exception, looked up once: a lookup per message through the package's lazy
        #: ``__getattr__`` cost ~4 us a frame on the realtime hot path
        self._closed: type[BaseException] = ConnectionClosed

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        host: str,
        headers: Mapping[str, str] | None = None,
        subprotocols: Sequence[str] = (),
        open_timeout: float = 10.0,
        idle_timeout: float | None = 60.0,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
        close_timeout: float = 5.0,
        max_size: int | None = 16 * 1024 * 1024,
        plan: ConnectPlan | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> Session:
        """Open a session: ``headers`` (auth included) go on the handshake, ``subprotocols`` are offered,
        ``open_timeout`` bounds each try, ``idle_timeout`` bounds each ``receive`` (None: wait forever), and a
        ping every ``ping_interval`` seconds keeps the connection up (one unanswered for ``ping_timeout`` drops
        it). Failed tries are retried as ``plan`` decides (``ConnectPlan()`` when not given)."""
        for name, value in (headers or {}).items():
            problem = header_problem(name, value)
            if problem:
                raise ConfigurationError(f"websocket header {problem}", host=host)
        check_number(open_timeout, "Session.connect(open_timeout=...)", name="open_timeout",
                     expected="a number of seconds")
        check_number(idle_timeout, "Session.connect(idle_timeout=...)", name="idle_timeout", optional=True,
                     expected="a number of seconds, or None")
        client = _websockets()
        plan = plan or ConnectPlan()
        while True:
            try:
                connection = await client.connect(
                    url, additional_headers=dict(headers or {}), subprotocols=list(subprotocols) or None,
                    open_timeout=open_timeout, ping_interval=ping_interval, ping_timeout=ping_timeout,
                    close_timeout=close_timeout, max_size=max_size, proxy=None, user_agent_header="rehost",
                )
            except Exception as exc:  # every way a handshake fails becomes a rehost error here
                err = exc if isinstance(exc, RehostError) else _handshake_error(exc, host, url)
                wait = plan.after_failure(err)
                if wait is None:
                    raise err from None
                await sleep(wait)
                continue
            return cls(connection, host=host, url=url, idle_timeout=idle_timeout)

    @property
    def subprotocol(self) -> str | None:
        """The subprotocol the host chose among those offered."""
        chosen = self._ws.subprotocol
        return str(chosen) if chosen is not None else None

    @property
    def close_code(self) -> int | None:
        """The close code once the session has closed (None while open)."""
        code = self._ws.close_code
        return int(code) if code is not None else None

    async def send(self, message: Message) -> None:
        """Send one message: a str as a text frame, bytes as a binary frame."""
        if not isinstance(message, str | bytes | bytearray | memoryview):
            raise ConfigurationError(f"a websocket message is str or bytes, not {type(message).__name__}",
                                     host=self.host)
        try:
            await self._ws.send(message)
        except self._closed as exc:
            raise _closed_error(exc, self.host) from None

    async def receive(self, timeout: float | None = None) -> Message:
        """The next message; RequestTimeout when none comes within ``timeout`` (default: the session's idle
        timeout), SessionClosed when the connection closes (its code and reason with it)."""
        wait = self.idle_timeout if timeout is None else timeout
        try:
            if wait is None:  # (no timer at all: the common case of a realtime session)
                message: Message = await self._ws.recv()
            else:  # asyncio.timeout, not wait_for: no task per message
                async with asyncio.timeout(wait):
                    message = await self._ws.recv()
        except self._closed as exc:
            raise _closed_error(exc, self.host) from None
        except TimeoutError:
            raise RequestTimeout(f"no message from {self.host} for {wait:g}s (idle timeout)",
                                 host=self.host) from None
        return message

    async def ping(self) -> float:
        """Ping the host now and return the round trip in seconds (the keep-alive pings run on their own)."""
        try:
            pong = await self._ws.ping()
            latency: float = await pong
        except self._closed as exc:
            raise _closed_error(exc, self.host) from None
        return latency

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the session with ``code`` and ``reason`` (closing twice is harmless)."""
        await self._ws.close(code, reason)

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[Message]:
        """Messages until the host closes normally (a drop still raises SessionClosed)."""
        while True:
            try:
                yield await self.receive()
            except SessionClosed as exc:
                if exc.close_code in (1000, 1001):
                    return
                raise

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class SyncSession:
    """``Session`` for sync code: the async session runs on a private event loop in a daemon thread, and
    each method waits for its result there (with the same errors)."""

    def __init__(self, url: str, *, host: str, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"rehost-ws-{host}", daemon=True)
        self._thread.start()
        try:
            self._session = self._run(Session.connect(url, host=host, **options))
        except BaseException:
            self._stop()
            raise

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()

    @property
    def subprotocol(self) -> str | None:
        return self._session.subprotocol

    @property
    def close_code(self) -> int | None:
        return self._session.close_code

    def send(self, message: Message) -> None:
        self._run(self._session.send(message))

    def receive(self, timeout: float | None = None) -> Message:
        return self._run(self._session.receive(timeout))

    def ping(self) -> float:
        return self._run(self._session.ping())

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the session and stop its thread (closing twice is harmless)."""
        if self._loop.is_closed():
            return
        try:
            self._run(self._session.close(code, reason))
        finally:
            self._stop()

    def __iter__(self) -> Iterator[Message]:
        while True:
            try:
                yield self.receive()
            except SessionClosed as exc:
                if exc.close_code in (1000, 1001):
                    return
                raise

    def __enter__(self) -> SyncSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
