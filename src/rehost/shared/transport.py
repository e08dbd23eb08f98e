"""HTTP plumbing shared by every provider: pools, timeouts, retries.

Each provider owns one Transport, and each Transport owns one sync and one async httpx pool, created on first
use, so connections are reused across calls and across the clients bound to that provider. Sync calls use a
real ``httpx.Client`` (no event loop per call).

Retries follow one policy: exponential backoff with full jitter, honouring the host's ``Retry-After`` (or the
wait the error body names), only for errors that a retry can fix, and never for a stream once its first byte
has been handed to the caller: the transport retries until it holds a successful response, then steps aside.
Every such decision is made in one place, ``RetryPlan``, which does no I/O; the four ways of sending (sync and
async, whole and streamed) are thin shells that do what it says.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import email.utils
import functools
import json
import logging
import random
import re
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import httpx

from .aio import new_async_client
from .checks import check_flag, check_number, check_timeout
from .errors import ConfigurationError, ConnectionFailed, ProtocolError, RateLimited, RehostError, RequestTimeout
from .observe import notify_retry
from .ratelimit import RateLimiter
from .tls import ssl_context

__all__ = [
    "WIRE_TIMING",
    "ErrorMapper",
    "HttpCall",
    "HttpResult",
    "Pace",
    "RetryPlan",
    "RetryPolicy",
    "Send",
    "Sleep",
    "Step",
    "Timeouts",
    "Transport",
    "dump_json",
    "header_problem",
    "is_credential_header",
    "parse_retry_after",
    "public_url",
    "url_problem",
    "value_problem",
]

log = logging.getLogger("rehost.transport")

#: set (``WIRE_TIMING.set(True)``, or ``with wire_timing():``) to record when each request leaves the client,
#: through httpx's trace hook; off by default, as it costs a callback per HTTP event
WIRE_TIMING: contextvars.ContextVar[bool] = contextvars.ContextVar("rehost_wire_timing", default=False)


@contextmanager
def wire_timing() -> Iterator[None]:
    token = WIRE_TIMING.set(True)
    try:
        yield
    finally:
        WIRE_TIMING.reset(token)

ErrorMapper = Callable[[int, httpx.Headers, bytes], RehostError]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. ``read`` bounds any single wait for bytes (the whole answer of a non-streamed call may be one
    long wait on a reasoning model); ``stream_idle`` bounds the silence between two chunks of a stream
    (defaults to ``read``); ``total`` bounds the whole call including retries."""

    connect: float = 10.0
    read: float = 600.0
    write: float = 60.0
    pool: float = 60.0
    stream_idle: float | None = None
    total: float | None = 900.0
    #: largest answer body (or single stream event) accepted; a host gone wrong cannot exhaust memory
    max_body_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        for name in ("connect", "read", "write", "pool"):
            check_number(getattr(self, name), f"Timeouts({name}=...)", name=name,
                         expected="a positive number of seconds")
        for name in ("stream_idle", "total"):
            check_number(getattr(self, name), f"Timeouts({name}=...)", name=name, optional=True,
                         expected="a positive number of seconds, or None for no such limit")
        check_number(self.max_body_bytes, "Timeouts(max_body_bytes=...)", name="max_body_bytes", whole=True,
                     expected="a positive whole number of bytes")

    def for_httpx(self, *, stream: bool = False, remaining: float | None = None) -> httpx.Timeout:
        """The httpx timeouts of one attempt, each capped by the ``remaining`` seconds of the total deadline.

        While the deadline is further away than every limit, no cap applies and the one httpx.Timeout built
        for these settings is reused (building one per request showed up in the profile of a small call)."""
        read = self.stream_idle if (stream and self.stream_idle is not None) else self.read
        if remaining is None or (remaining >= max(self.connect, read, self.write, self.pool)
                                 and min(self.connect, read, self.write, self.pool) >= 0.001):
            return _uncapped_timeout(self, stream)

        def cap(value: float) -> float:
            return max(0.001, min(value, remaining))

        return httpx.Timeout(connect=cap(self.connect), read=cap(read), write=cap(self.write), pool=cap(self.pool))


@functools.lru_cache(maxsize=64)
def _uncapped_timeout(timeouts: Timeouts, stream: bool) -> httpx.Timeout:
    read = timeouts.stream_idle if (stream and timeouts.stream_idle is not None) else timeouts.read
    return httpx.Timeout(connect=timeouts.connect, read=read, write=timeouts.write, pool=timeouts.pool)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter. ``max_retries`` counts retries, not attempts."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 20.0
    multiplier: float = 2.0
    jitter: bool = True
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        check_number(self.max_retries, "RetryPolicy(max_retries=...)", name="max_retries", whole=True, above=False,
                     expected="a whole number of retries, 0 or more")
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            check_number(getattr(self, name), f"RetryPolicy({name}=...)", name=name, above=False,
                         expected="a number of seconds, 0 or more")
        check_number(self.multiplier, "RetryPolicy(multiplier=...)", name="multiplier", minimum=1.0, above=False,
                     expected="a number of at least 1 (each wait that many times the last)")
        check_flag(self.jitter, "RetryPolicy(jitter=...)")

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.max_delay, self.initial_delay * self.multiplier**attempt)
        return random.uniform(0.0, ceiling) if self.jitter else ceiling


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def dump_json(body: Any) -> bytes:
    """The body as compact UTF-8 JSON; text UTF-8 cannot carry (a lone surrogate, say in ``extra_body``) is a
    ConfigurationError before anything is sent, not a UnicodeEncodeError from deep in the transport."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError as exc:
        raise ConfigurationError(
            f"the request holds a lone surrogate ({text[exc.start]!a}), which UTF-8 cannot carry: fix the "
            "text it came from, e.g. text.encode('utf-8', 'replace').decode('utf-8')"
        ) from None


# ---------------------------------------------------------------------------------------------- secrets in calls

#: header names whose values are credentials (never shown in an error or a log)
_CREDENTIAL_NAME = re.compile(r"auth|key|token|secret|cookie|credential|signature|password", re.IGNORECASE)


def is_credential_header(name: str) -> bool:
    """Whether a header's value is a credential (``Authorization``, ``x-api-key``, ``x-goog-api-key`` ...)."""
    return _CREDENTIAL_NAME.search(name) is not None


def value_problem(value: str) -> str | None:
    """What stops ``value`` from going into an HTTP header as it is, or None when nothing does.

    httpx sends header values as ASCII, and h11 refuses control characters (a line break would end the
    header): both used to fail only once the request was being sent, h11's refusal quoting the value."""
    if value.isascii() and value.isprintable():
        return None
    for char in value:
        if char == "\t":
            continue
        if not char.isascii():
            return "a character that is not ASCII (a pasted typographic character?)"
        if not char.isprintable():
            what = "a line break" if char in "\r\n" else "a control character"
            return f"{what} (U+{ord(char):04X})"
    return None


#: an HTTP header name (RFC 9110 token)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def header_problem(name: object, value: object) -> str | None:
    """What stops this header from being sent as it is (never quoting the value: it may be a credential)."""
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        return f"header name {name!r} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"
    if not isinstance(value, str):
        return f"header {name!r} has a {type(value).__name__} value, not a str"
    problem = value_problem(value)
    if problem is not None:
        return f"header {name!r} has {problem} in its value (a header value is one line of ASCII)"
    return None


def url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as a host's base URL (the text never shows a password), or None."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return f"{public_url(url)!r} has a space or a control character in it"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"{public_url(url)!r} is not a URL ({exc})"
    if parsed.scheme not in ("http", "https"):
        hint = f"; did you mean 'http://{url}'?" if parsed.scheme and "://" not in url else ""
        return f"{public_url(url)!r} is not an http:// or https:// URL{hint}"
    if not parsed.host:
        return f"{public_url(url)!r} names no host"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"{public_url(url)!r} has port {parsed.port}, beyond 1-65535"
    return None


def public_url(url: str) -> str:
    """``url`` with the password of any ``user:password@`` in it masked (for reprs, logs and errors)."""
    if "@" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(slots=True)
class HttpCall:
    """One HTTP request as a provider wants it sent (auth headers are added by the provider)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    stream: bool = False
    #: most output tokens the call may produce (counted against a tokens-per-minute limit)
    max_output_tokens: int = 0
    #: httpx trace callback (set only under WIRE_TIMING)
    trace: Callable[..., Any] | None = None
    _encoded: bytes | None = None

    def content(self) -> bytes | None:
        if self.body is None:
            return None
        if self._encoded is None:
            self._encoded = dump_json(self.body)
        return self._encoded

    def token_cost(self) -> int:
        """A rough token count of the call for rate limiting (about four bytes a token, plus the output)."""
        content = self.content()
        return (len(content) // 4 if content else 0) + self.max_output_tokens

    def redact(self, err: RehostError) -> RehostError:
        """``err`` without this call's credentials: its auth headers' values (and the key after a scheme
        word such as ``Bearer``) and its URL's password. Worked out only when an error needs it."""
        for name, value in self.headers.items():
            if value and is_credential_header(name):
                err.redact(value)
                scheme, _, credential = value.partition(" ")
                if credential and scheme.isalpha():
                    err.redact(credential.strip())
        if "@" in self.url:
            password = urlsplit(self.url).password
            if password:
                err.redact(f":{password}@", min_length=3)
        return err


@dataclass(slots=True)
class HttpResult:
    status: int
    headers: httpx.Headers
    content: bytes
    started_at: float
    time_to_first_byte: float
    elapsed: float
    attempts: int


class _Deadline:
    __slots__ = ("at",)

    def __init__(self, total: float | None) -> None:
        self.at = None if total is None else time.monotonic() + total

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at


# ---------------------------------------------------------------------------------------------- the retry plan


@dataclass(frozen=True, slots=True)
class Send:
    """Send the request (attempt ``attempt``, counted from 0) with these httpx timeouts."""

    attempt: int
    timeout: httpx.Timeout


@dataclass(frozen=True, slots=True)
class Pace:
    """Take a place from the provider's rate limiter (``tokens`` of a tokens-per-minute budget), waiting at
    most ``within`` seconds (None: as long as it takes); a place not given in time ends the call."""

    tokens: int
    within: float | None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds (a backoff, or a pause the host asked for)."""

    seconds: float


Step: TypeAlias = Send | Pace | Sleep

#: the httpx timeout classes, by the limit each one says ran out
_TIMEOUT_KINDS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "connect", httpx.ReadTimeout: "read", httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}


class RetryPlan:
    """Every decision about one call's attempts, and no I/O: when to send, with which timeouts, when to wait
    and for how long, when to give up and with which error.

    The four shells of ``Transport`` (``request``, ``stream``, ``arequest``, ``astream``) drive it the same
    way: ``steps()`` yields a ``Pace`` (take a place from the rate limiter), a ``Send`` or a ``Sleep``; the
    shell does it, sync or async, and reports what came of a ``Send`` with ``succeeded`` / ``failed`` /
    ``lost``; the plan raises the error the call ends with. So the total deadline, ``Retry-After`` and
    ``max_retry_after``, the rate limiter's pause and the pool's wait mean the same in all four (they had
    drifted apart when each shell carried its own loop: only sync ``request`` checked the deadline).

    The total deadline bounds everything up to a held response: for a whole answer, reading its body too;
    for a stream, its opening (the silence between its chunks is ``stream_idle``'s). A timeout that ran out
    because the deadline capped it, or a failure a retry could fix that came after the deadline, ends the
    call with ``RequestTimeout`` ("total timeout"); a definitive answer (a 400, a 401) is raised as it is;
    a wait the deadline cannot fit raises the error that asked for it."""

    __slots__ = ("_error", "_fired", "_ok", "_sent_with", "attempt", "call", "deadline", "host", "limiter",
                 "policy", "timeouts", "total")

    def __init__(self, *, host: str, call: HttpCall, timeouts: Timeouts, policy: RetryPolicy,
                 limiter: RateLimiter | None, total: float | None) -> None:
        self.host = host
        self.call = call
        self.timeouts = timeouts
        self.policy = policy
        self.limiter = limiter
        self.total = total
        self.deadline = _Deadline(total)
        self.attempt = 0
        self._error: RehostError | None = None
        self._ok = False
        self._fired: str | None = None  # the httpx limit that ran out in the last attempt
        self._sent_with: float | None = None  # seconds left of the deadline when the last attempt was sent

    # -------------------------------------------------------------------------------------- the steps
    def steps(self) -> Iterator[Step]:
        while True:
            yield from self._pace()
            remaining = self.deadline.remaining()
            if remaining is not None and remaining <= 0:
                raise self.out_of_time(self._error)
            self._error, self._ok, self._fired, self._sent_with = None, False, None, remaining
            yield Send(self.attempt, self.timeouts.for_httpx(stream=self.call.stream, remaining=remaining))
            if self._ok:
                return
            err = self._error
            if err is None:
                raise RuntimeError("the transport sent an attempt and reported no outcome")
            delay = self._delay_after(err)
            notify_retry(self.host, self.attempt + 1, err, delay)  # the client call's hooks and span hear of it
            if delay > 0:
                yield Sleep(delay)
            self.attempt += 1

    def _pace(self) -> Iterator[Step]:
        limiter = self.limiter
        if limiter is None:
            return
        pause = limiter.paused_for
        if pause > 0:
            remaining = self.deadline.remaining()
            if pause > self.policy.max_retry_after or (remaining is not None and pause >= remaining):
                raise RateLimited(
                    f"every call to {self.host} is held back for {pause:.3g}s more (the host said its rate limit "
                    "was reached), longer than this call may wait: try again later, or allow a longer timeout "
                    "or max_retry_after", host=self.host, retry_after=pause)
            yield Sleep(pause)
        tokens = self.call.token_cost() if limiter.limit.tokens_per_minute else 0
        yield Pace(tokens, self.deadline.remaining())

    def _delay_after(self, err: RehostError) -> float:
        """Seconds to wait before the next attempt; raises when the call must end with ``err`` (or a total
        timeout) now. A definitive answer (an error no retry can fix) is raised as it is, even past the
        deadline: it says more than "total timeout" would."""
        if not err.retryable:
            raise err
        if self.deadline.expired() or self._capped_by_deadline():
            raise self.out_of_time(err)
        policy = self.policy
        if self.attempt >= policy.max_retries:
            raise err
        if err.retry_after is not None and err.retry_after > policy.max_retry_after:
            raise err
        delay = policy.delay(self.attempt, err.retry_after)
        remaining = self.deadline.remaining()
        if remaining is not None and delay >= remaining:
            raise err
        log.debug("%s: retry %d in %.2fs after %s", self.host, self.attempt + 1, delay, type(err).__name__)
        return delay

    def _capped_by_deadline(self) -> bool:
        """Whether the limit that ran out in the last attempt was the deadline's, not the setting's."""
        if self._fired is None or self._sent_with is None:
            return False
        t = self.timeouts
        read = t.stream_idle if (self.call.stream and t.stream_idle is not None) else t.read
        limit = {"connect": t.connect, "read": read, "write": t.write, "pool": t.pool}[self._fired]
        return limit > self._sent_with

    # -------------------------------------------------------------------------------------- outcomes
    def succeeded(self, headers: httpx.Headers) -> None:
        """The attempt holds a successful response."""
        self._ok = True
        if self.limiter is not None:
            self.limiter.observe(headers)

    def failed(self, err: RehostError, headers: httpx.Headers | None = None) -> None:
        """The host answered the attempt with an error (``err``, from the provider's error mapper)."""
        self._error = self.call.redact(err)  # a host may quote a caller's own auth header back
        if self.limiter is not None and headers is not None:
            self.limiter.observe(headers)
            if isinstance(err, RateLimited) and err.retry_after is not None:
                self.limiter.pause(err.retry_after)  # every call through this provider waits, not just this one

    def lost(self, exc: httpx.HTTPError) -> None:
        """The exchange itself failed (connect, read, write, pool, protocol)."""
        if isinstance(exc, httpx.TimeoutException):
            kind = next((k for cls, k in _TIMEOUT_KINDS.items() if isinstance(exc, cls)), None)
            self._fired = kind
            self.failed(RequestTimeout(f"{kind or 'request'} timeout talking to {self.host}", host=self.host))
            return
        if isinstance(exc, httpx.LocalProtocolError | httpx.UnsupportedProtocol):
            # the request could not be sent as built (h11 refused a header, the URL's scheme is not HTTP):
            # nothing went out and sending it again would fail the same way
            self.failed(ConfigurationError(f"{self.host}: the request could not be sent: {type(exc).__name__}: "
                                           f"{exc}", host=self.host))
            return
        self.failed(ConnectionFailed(f"connection to {self.host} failed: {type(exc).__name__}: {exc}",
                                     host=self.host))

    # -------------------------------------------------------------------------------------- the deadline
    def remaining(self) -> float | None:
        return self.deadline.remaining()

    def expired(self) -> bool:
        return self.deadline.expired()

    def out_of_time(self, cause: RehostError | None = None) -> RequestTimeout:
        """The error of a call whose total deadline ran out."""
        total = f" ({self.total:g}s)" if self.total is not None else ""
        tries = f" after {self.attempt + 1} attempt(s)" if cause is not None else ""
        err = RequestTimeout(f"total timeout talking to {self.host}{total}{tries}", host=self.host)
        err.__cause__ = cause
        return err


@dataclass(slots=True)
class _Held:
    """A response the plan let through: with its whole body read, or open for streaming (with its place in
    the async pool's gate, kept until it is closed)."""

    response: httpx.Response
    content: bytes
    time_to_first_byte: float
    elapsed: float
    gate: asyncio.Semaphore | None = None


@dataclass(slots=True)
class _LoopPool:
    """The async pool of one event loop, and what closes it: ``keeper``, a task of that loop that closes the
    pool when ``stop`` is set (``aclose``/``close``, or the Transport being collected) or when the loop's
    runner cancels the tasks still pending as it ends (``asyncio.run`` does)."""

    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    gate: asyncio.Semaphore | None
    stop: asyncio.Event
    keeper: asyncio.Task[None]
    finalizer: weakref.finalize[[asyncio.AbstractEventLoop, asyncio.Event], Transport]


async def _close_at_the_end(client: httpx.AsyncClient, stop: asyncio.Event) -> None:
    try:
        await stop.wait()
    finally:
        try:
            await client.aclose()
        except Exception as exc:  # closing is best effort: a connection already broken has nothing to say
            log.debug("closing an async pool: %s: %s", type(exc).__name__, exc)


def _stop_soon(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Ask a loop's keeper to close its pool, from any thread (nothing to do once the loop is closed)."""
    with contextlib.suppress(RuntimeError):  # closed between the check and the call
        if not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)


class Transport:
    """One pool per provider, sync and async, with timeouts and the retry policy.

    An httpx async pool belongs to one event loop, so there is one per loop that uses the provider. None may
    outlive its loop with its sockets open (200 ``asyncio.run`` calls used to leave their pools to the garbage
    collector, each socket with a ResourceWarning): a pool is closed by ``aclose()``, by ``close()`` (on its
    own loop), when the Transport is collected, and when its loop ends (``asyncio.run``, and any runner that
    cancels the tasks still pending, as asyncio's own does). A loop closed by hand without that leaves its
    sockets to the collector, as it does any other transport of its own."""

    def __init__(
        self,
        *,
        host: str,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits | None = None,
        sync_transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | str = True,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.host = host
        self.limiter = limiter
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=100)
        self._sync_transport = sync_transport
        self._async_transport = async_transport
        self._verify = verify
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        #: per event loop (by id), its async pool with a gate of ``max_connections`` places (see ``_aenter``)
        self._apools: dict[int, _LoopPool] = {}

    # ------------------------------------------------------------------------------------------ pools
    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(
                        limits=self._limits, transport=self._sync_transport, verify=ssl_context(self._verify),
                        timeout=self.timeouts.for_httpx(),
                    )
        return self._client

    @property
    def aclient(self) -> httpx.AsyncClient:
        """The async pool of the running event loop (an httpx pool cannot be shared between loops)."""
        return self._loop_pool().client

    def _loop_pool(self) -> _LoopPool:
        loop = asyncio.get_running_loop()
        pool = self._apools.get(id(loop))
        if pool is not None and pool.loop is loop and not pool.keeper.done():
            return pool
        self._forget_ended_loops()
        client = new_async_client(
            limits=self._limits, transport=self._async_transport, verify=ssl_context(self._verify),
            timeout=self.timeouts.for_httpx(),
        )
        stop = asyncio.Event()
        keeper = loop.create_task(_close_at_the_end(client, stop), name=f"rehost {self.host} pool")
        gate = asyncio.Semaphore(self._limits.max_connections) if self._limits.max_connections is not None else None
        finalizer = weakref.finalize(self, _stop_soon, loop, stop)
        finalizer.atexit = False  # at exit the loops are gone or going: nothing to ask of them
        pool = _LoopPool(loop, client, gate, stop, keeper, finalizer)
        self._apools[id(loop)] = pool
        return pool

    def _forget_ended_loops(self) -> None:
        for key, pool in list(self._apools.items()):
            if pool.loop.is_closed() or pool.keeper.done():
                del self._apools[key]
                pool.finalizer.detach()
                if not pool.keeper.done():
                    # the loop was closed without ending its tasks: the keeper can never run, and saying that
                    # it was "destroyed but it is pending" would blame rehost for the loop's owner's shutdown
                    pool.keeper._log_destroy_pending = False  # type: ignore[attr-defined]

    async def _aenter(self, remaining: float | None) -> asyncio.Semaphore | None:
        """Take a place in the async pool before handing a request to httpx.

        httpcore hands connections to waiting requests by scanning every waiting request against every
        connection each time one frees up, so when far more requests are in flight than the pool has
        connections, the pool itself becomes the bottleneck (measured: 1,000 streams through 100 connections
        took ten times longer than the streams themselves). Waiting here, on a semaphore with as many places as
        the pool has connections, keeps httpx's queue short. The wait is bounded by the pool timeout (capped by
        the call's deadline), and a wait that runs out raises httpx's own PoolTimeout, as the pool would have."""
        gate = self._loop_pool().gate
        if gate is None:
            return None
        if gate.locked():
            wait = self.timeouts.pool if remaining is None else max(0.001, min(self.timeouts.pool, remaining))
            try:
                async with asyncio.timeout(wait):
                    await gate.acquire()
            except TimeoutError:
                raise httpx.PoolTimeout("no connection became free in the pool") from None
        else:
            await gate.acquire()
        return gate

    def close(self) -> None:
        """Close the sync pool, and ask every async pool's loop to close its own."""
        if self._client is not None:
            self._client.close()
            self._client = None
        for key, pool in list(self._apools.items()):
            del self._apools[key]
            pool.finalizer.detach()
            _stop_soon(pool.loop, pool.stop)

    async def aclose(self) -> None:
        """Close the running loop's async pool (waiting until it is closed), and every other pool as ``close``."""
        pool = self._apools.pop(id(asyncio.get_running_loop()), None)
        self.close()
        if pool is not None:
            pool.finalizer.detach()
            if not pool.keeper.done():
                pool.stop.set()
                await pool.keeper

    def warm(self, url: str) -> None:
        """Open a pooled connection to ``url``'s host now, so that the first real call (a benchmark's first
        sample) does not pay for the pool, DNS, TCP and TLS (and the one load of the CA store): one GET of
        ``url``, without credentials, its answer read and ignored whatever its status. A host that cannot be
        reached raises the typed error (ConnectionFailed, RequestTimeout)."""
        try:
            self.client.get(url, timeout=self.timeouts.for_httpx())
        except httpx.HTTPError as exc:
            raise self._warm_error(exc) from exc

    def _warm_error(self, exc: httpx.HTTPError) -> RehostError:
        if isinstance(exc, httpx.TimeoutException):
            return RequestTimeout(f"timeout warming a connection to {self.host}", host=self.host)
        return ConnectionFailed(f"connection to {self.host} failed: {type(exc).__name__}: {exc}", host=self.host)

    async def awarm(self, url: str, connections: int = 1) -> None:
        """``warm`` for this event loop's async pool: up to ``connections`` GETs at once, so that as many
        connections are open (at most the pool's size)."""
        client = self.aclient
        most = self._limits.max_connections
        n = max(1, connections if most is None else min(connections, most))
        try:
            await asyncio.gather(*(client.get(url, timeout=self.timeouts.for_httpx()) for _ in range(n)))
        except httpx.HTTPError as exc:
            raise self._warm_error(exc) from exc

    # ------------------------------------------------------------------------------------------ helpers
    def plan(self, call: HttpCall, *, total: float | None = None, retry: RetryPolicy | None = None) -> RetryPlan:
        """The retry plan of one call (``total`` and ``retry`` replace this transport's for the call)."""
        check_timeout(total)
        return RetryPlan(host=self.host, call=call, timeouts=self.timeouts, policy=retry or self.retry,
                         limiter=self.limiter, total=total if total is not None else self.timeouts.total)

    def _build(self, client: httpx.Client | httpx.AsyncClient, call: HttpCall, timeout: httpx.Timeout) -> httpx.Request:
        return client.build_request(
            call.method, call.url, headers=call.headers, content=call.content(), timeout=timeout,
            extensions={"trace": call.trace} if call.trace is not None else None,
        )

    def _too_large(self) -> ProtocolError:
        limit = self.timeouts.max_body_bytes
        return ProtocolError(f"{self.host} sent a body larger than {limit} bytes", host=self.host)

    def read_capped(self, chunks: Iterator[bytes], plan: RetryPlan | None = None, *,
                    error_body: bool = False) -> bytes:
        """A body, refused past ``max_body_bytes``; with a plan, read no longer than its deadline: a success
        body still coming then ends the call (total timeout), an error body is kept as far as it came (it
        is still the host's word on what went wrong)."""
        parts: list[bytes] = []
        size = 0
        limit = self.timeouts.max_body_bytes
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise self._too_large()
            parts.append(chunk)
            if plan is not None and plan.expired():
                if error_body:
                    break
                raise plan.out_of_time()
        return b"".join(parts)

    async def aread_capped(self, chunks: AsyncIterator[bytes], plan: RetryPlan | None = None, *,
                           error_body: bool = False) -> bytes:
        parts: list[bytes] = []
        size = 0
        limit = self.timeouts.max_body_bytes
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise self._too_large()
            parts.append(chunk)
            if plan is not None and plan.expired():
                if error_body:
                    break
                raise plan.out_of_time()
        return b"".join(parts)

    # ------------------------------------------------------------------------------------------ sync
    def _drive(self, plan: RetryPlan, on_error: ErrorMapper, *, whole: bool) -> _Held:
        """Do the plan's steps until it lets a response through (``whole``: with its body read)."""
        client = self.client
        call = plan.call
        for step in plan.steps():
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                continue
            if isinstance(step, Pace):
                assert self.limiter is not None
                if not self.limiter.acquire_sync(step.tokens, within=step.within):
                    raise plan.out_of_time()
                continue
            t0 = time.perf_counter()
            try:
                resp = client.send(self._build(client, call, step.timeout), stream=True)
            except httpx.HTTPError as exc:
                plan.lost(exc)
                continue
            ttfb = time.perf_counter() - t0
            if resp.status_code < 400 and not whole:
                plan.succeeded(resp.headers)
                return _Held(resp, b"", ttfb, ttfb)
            try:
                content = self.read_capped(resp.iter_bytes(), plan, error_body=resp.status_code >= 400)
            except httpx.HTTPError as exc:
                plan.lost(exc)
                continue
            finally:
                resp.close()
            elapsed = time.perf_counter() - t0
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s %s -> %d in %.1f ms", call.method, public_url(call.url), resp.status_code,
                          elapsed * 1000)
            if resp.status_code < 400:
                plan.succeeded(resp.headers)
                return _Held(resp, content, ttfb, elapsed)
            plan.failed(on_error(resp.status_code, resp.headers, content), resp.headers)
        raise AssertionError("unreachable: a plan ends by raising or by letting a response through")

    def request(self, call: HttpCall, on_error: ErrorMapper, *, total: float | None = None,
                retry: RetryPolicy | None = None) -> HttpResult:
        """Send a non-streaming call with retries; return the successful response, or raise the error.

        ``retry`` replaces this transport's policy for this call (a Fallback turns its members' retries off)."""
        plan = self.plan(call, total=total, retry=retry)
        started_at = time.time()
        held = self._drive(plan, on_error, whole=True)
        resp = held.response
        return HttpResult(resp.status_code, resp.headers, held.content, started_at, held.time_to_first_byte,
                          held.elapsed, plan.attempt + 1)

    @contextmanager
    def stream(self, call: HttpCall, on_error: ErrorMapper, *, total: float | None = None,
               retry: RetryPolicy | None = None) -> Iterator[httpx.Response]:
        """Open a streaming call; retries happen only until a successful response is held."""
        held = self._drive(self.plan(call, total=total, retry=retry), on_error, whole=False)
        try:
            yield held.response
        finally:
            held.response.close()

    # ------------------------------------------------------------------------------------------ async
    async def _adrive(self, plan: RetryPlan, on_error: ErrorMapper, *, whole: bool) -> _Held:
        """The async twin of ``_drive``; a streamed response keeps its place in the pool's gate."""
        client = self.aclient
        call = plan.call
        for step in plan.steps():
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
                continue
            if isinstance(step, Pace):
                assert self.limiter is not None
                try:
                    async with asyncio.timeout(step.within):
                        await self.limiter.acquire(step.tokens)
                except TimeoutError:
                    raise plan.out_of_time() from None
                continue
            t0 = time.perf_counter()
            gate = None
            kept = False
            try:
                gate = await self._aenter(plan.remaining())
                resp = await client.send(self._build(client, call, step.timeout), stream=True)
                ttfb = time.perf_counter() - t0
                if resp.status_code < 400 and not whole:
                    plan.succeeded(resp.headers)
                    kept = True  # the place in the pool is kept until the stream is closed
                    return _Held(resp, b"", ttfb, ttfb, gate)
                try:
                    content = await self.aread_capped(resp.aiter_bytes(), plan, error_body=resp.status_code >= 400)
                finally:
                    await resp.aclose()
            except httpx.HTTPError as exc:
                plan.lost(exc)
                continue
            finally:
                if gate is not None and not kept:
                    gate.release()
            elapsed = time.perf_counter() - t0
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s %s -> %d in %.1f ms", call.method, public_url(call.url), resp.status_code,
                          elapsed * 1000)
            if resp.status_code < 400:
                plan.succeeded(resp.headers)
                return _Held(resp, content, ttfb, elapsed)
            plan.failed(on_error(resp.status_code, resp.headers, content), resp.headers)
        raise AssertionError("unreachable: a plan ends by raising or by letting a response through")

    async def arequest(self, call: HttpCall, on_error: ErrorMapper, *, total: float | None = None,
                       retry: RetryPolicy | None = None) -> HttpResult:
        plan = self.plan(call, total=total, retry=retry)
        started_at = time.time()
        held = await self._adrive(plan, on_error, whole=True)
        resp = held.response
        return HttpResult(resp.status_code, resp.headers, held.content, started_at, held.time_to_first_byte,
                          held.elapsed, plan.attempt + 1)

    @asynccontextmanager
    async def astream(
        self, call: HttpCall, on_error: ErrorMapper, *, total: float | None = None, retry: RetryPolicy | None = None
    ) -> AsyncIterator[httpx.Response]:
        held = await self._adrive(self.plan(call, total=total, retry=retry), on_error, whole=False)
        try:
            yield held.response
        finally:
            try:
                await held.response.aclose()
            finally:
                if held.gate is not None:
                    held.gate.release()


def header_request_id(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = headers.get(name)
        if value:
            return value
    return None
