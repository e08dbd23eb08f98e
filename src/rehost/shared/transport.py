"""HTTP plumbing shared by every provider: pools, timeouts, retries.

Each provider owns one Transport, and each Transport owns one sync and one async httpx pool, created on first
use, so connections are reused across calls and across the clients bound to that provider. Sync calls use a
real ``httpx.Client`` (no event loop per call).

Retries follow one policy: exponential backoff with full jitter, honouring the host's ``Retry-After`` (or the
wait the error body names), only for errors that a retry can fix, and never for a stream once its first byte
has been handed to the caller: the transport retries until it holds a successful response, then steps aside.
"""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import functools
import json
import logging
import random
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from .aio import new_async_client
from .errors import ConnectionFailed, ProtocolError, RateLimited, RehostError, RequestTimeout
from .ratelimit import RateLimiter
from .tls import ssl_context

__all__ = [
    "WIRE_TIMING",
    "ErrorMapper",
    "HttpCall",
    "HttpResult",
    "RetryPolicy",
    "Timeouts",
    "Transport",
    "dump_json",
    "parse_retry_after",
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
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


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


class Transport:
    """One pool per provider, sync and async, with timeouts and the retry policy."""

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
        self._aclients: dict[int, tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]] = {}
        #: per event loop, a gate of ``max_connections`` places in front of the async pool (see ``_aenter``)
        self._agates: dict[int, asyncio.Semaphore] = {}

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
        loop = asyncio.get_running_loop()
        entry = self._aclients.get(id(loop))
        if entry is not None and entry[0] is loop:
            return entry[1]
        for key, (old_loop, _) in list(self._aclients.items()):
            if old_loop.is_closed():
                del self._aclients[key]
                self._agates.pop(key, None)
        client = new_async_client(
            limits=self._limits, transport=self._async_transport, verify=ssl_context(self._verify),
            timeout=self.timeouts.for_httpx(),
        )
        self._aclients[id(loop)] = (loop, client)
        if self._limits.max_connections is not None:
            self._agates[id(loop)] = asyncio.Semaphore(self._limits.max_connections)
        return client

    async def _aenter(self, deadline: _Deadline) -> asyncio.Semaphore | None:
        """Take a place in the async pool before handing a request to httpx.

        httpcore hands connections to waiting requests by scanning every waiting request against every
        connection each time one frees up, so when far more requests are in flight than the pool has
        connections, the pool itself becomes the bottleneck (measured: 1,000 streams through 100 connections
        took ten times longer than the streams themselves). Waiting here, on a semaphore with as many places as
        the pool has connections, keeps httpx's queue short. The wait is bounded by the pool timeout, and a
        wait that runs out raises httpx's own PoolTimeout, as the pool would have."""
        gate = self._agates.get(id(asyncio.get_running_loop()))
        if gate is None:
            return None
        if gate.locked():
            remaining = deadline.remaining()
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
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        self.close()
        loop = asyncio.get_running_loop()
        entry = self._aclients.pop(id(loop), None)
        self._agates.pop(id(loop), None)
        if entry is not None:
            await entry[1].aclose()

    def warm(self, url: str) -> None:
        """Open a pooled connection to ``url``'s host now, so that the first real call (a benchmark's first
        sample) does not pay for the pool, DNS, TCP and TLS (and the one load of the CA store): one GET of
        ``url``, without credentials, its answer read and ignored whatever its status. A host that cannot be
        reached raises the typed error (ConnectionFailed, RequestTimeout)."""
        try:
            self.client.get(url, timeout=self.timeouts.for_httpx())
        except httpx.HTTPError as exc:
            raise self._exchange_error(exc, _Deadline(None)) from exc

    async def awarm(self, url: str, connections: int = 1) -> None:
        """``warm`` for this event loop's async pool: up to ``connections`` GETs at once, so that as many
        connections are open (at most the pool's size)."""
        client = self.aclient
        most = self._limits.max_connections
        n = max(1, connections if most is None else min(connections, most))
        try:
            await asyncio.gather(*(client.get(url, timeout=self.timeouts.for_httpx()) for _ in range(n)))
        except httpx.HTTPError as exc:
            raise self._exchange_error(exc, _Deadline(None)) from exc

    # ------------------------------------------------------------------------------------------ helpers
    def _build(self, client: httpx.Client | httpx.AsyncClient, call: HttpCall, deadline: _Deadline) -> httpx.Request:
        return client.build_request(
            call.method, call.url, headers=call.headers, content=call.content(),
            timeout=self.timeouts.for_httpx(stream=call.stream, remaining=deadline.remaining()),
            extensions={"trace": call.trace} if call.trace is not None else None,
        )

    def _exchange_error(self, exc: httpx.HTTPError, deadline: _Deadline) -> RehostError:
        if isinstance(exc, httpx.TimeoutException):
            kind = type(exc).__name__.replace("Timeout", "").lower() or "request"
            return RequestTimeout(f"{kind} timeout talking to {self.host}", host=self.host)
        return ConnectionFailed(f"connection to {self.host} failed: {type(exc).__name__}: {exc}", host=self.host)

    def _before_send(self, call: HttpCall) -> None:
        if self.limiter is not None:
            self.limiter.acquire_sync(call.token_cost() if self.limiter.limit.tokens_per_minute else 0)

    async def _abefore_send(self, call: HttpCall) -> None:
        if self.limiter is not None:
            await self.limiter.acquire(call.token_cost() if self.limiter.limit.tokens_per_minute else 0)

    def _after_response(self, headers: httpx.Headers, err: RehostError | None = None) -> None:
        if self.limiter is not None:
            self.limiter.observe(headers)
            if isinstance(err, RateLimited) and err.retry_after is not None:
                self.limiter.pause(err.retry_after)  # every call through this provider waits, not just this one

    def _next_delay(self, err: RehostError, attempt: int, deadline: _Deadline,
                    retry: RetryPolicy | None = None) -> float | None:
        """Seconds to wait before retrying, or None when this error must be raised now."""
        policy = retry or self.retry
        if not err.retryable or attempt >= policy.max_retries:
            return None
        if err.retry_after is not None and err.retry_after > policy.max_retry_after:
            return None
        delay = policy.delay(attempt, err.retry_after)
        remaining = deadline.remaining()
        if remaining is not None and delay >= remaining:
            return None
        log.debug("%s: retry %d in %.2fs after %s", self.host, attempt + 1, delay, type(err).__name__)
        return delay

    def _too_large(self) -> ProtocolError:
        limit = self.timeouts.max_body_bytes
        return ProtocolError(f"{self.host} sent a body larger than {limit} bytes", host=self.host)

    def read_capped(self, chunks: Iterator[bytes]) -> bytes:
        parts: list[bytes] = []
        size = 0
        limit = self.timeouts.max_body_bytes
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise self._too_large()
            parts.append(chunk)
        return b"".join(parts)

    async def aread_capped(self, chunks: AsyncIterator[bytes]) -> bytes:
        parts: list[bytes] = []
        size = 0
        limit = self.timeouts.max_body_bytes
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise self._too_large()
            parts.append(chunk)
        return b"".join(parts)

    def _total_timeout(self, total: float | None) -> float | None:
        return total if total is not None else self.timeouts.total

    # ------------------------------------------------------------------------------------------ sync
    def request(self, call: HttpCall, on_error: ErrorMapper, *, total: float | None = None,
                retry: RetryPolicy | None = None) -> HttpResult:
        """Send a non-streaming call with retries; return the successful response, or raise the error.

        ``retry`` replaces this transport's policy for this call (a Fallback turns its members' retries off)."""
        deadline = _Deadline(self._total_timeout(total))
        client = self.client
        started_at = time.time()
        attempt = 0
        while True:
            self._before_send(call)
            t0 = time.perf_counter()
            try:
                resp = client.send(self._build(client, call, deadline), stream=True)
                try:
                    ttfb = time.perf_counter() - t0
                    content = self.read_capped(resp.iter_bytes())
                finally:
                    resp.close()
            except httpx.HTTPError as exc:
                err = self._exchange_error(exc, deadline)
            else:
                log.debug("%s %s -> %d in %.1f ms", call.method, call.url, resp.status_code,
                          (time.perf_counter() - t0) * 1000)
                if resp.status_code < 400:
                    self._after_response(resp.headers)
                    return HttpResult(resp.status_code, resp.headers, content, started_at, ttfb,
                                      time.perf_counter() - t0, attempt + 1)
                err = on_error(resp.status_code, resp.headers, content)
                self._after_response(resp.headers, err)
            if deadline.expired():
                raise RequestTimeout(f"total timeout talking to {self.host}", host=self.host) from err
            delay = self._next_delay(err, attempt, deadline, retry)
            if delay is None:
                raise err
            time.sleep(delay)
            attempt += 1

    @contextmanager
    def stream(self, call: HttpCall, on_error: ErrorMapper, *, total: float | None = None,
               retry: RetryPolicy | None = None) -> Iterator[httpx.Response]:
        """Open a streaming call; retries happen only until a successful response is held."""
        deadline = _Deadline(self._total_timeout(total))
        client = self.client
        attempt = 0
        while True:
            self._before_send(call)
            try:
                resp = client.send(self._build(client, call, deadline), stream=True)
            except httpx.HTTPError as exc:
                err = self._exchange_error(exc, deadline)
            else:
                if resp.status_code < 400:
                    self._after_response(resp.headers)
                    break
                try:
                    content = self.read_capped(resp.iter_bytes())
                except httpx.HTTPError as exc:
                    err = self._exchange_error(exc, deadline)
                else:
                    err = on_error(resp.status_code, resp.headers, content)
                    self._after_response(resp.headers, err)
                finally:
                    resp.close()
            delay = self._next_delay(err, attempt, deadline, retry)
            if delay is None:
                raise err
            time.sleep(delay)
            attempt += 1
        try:
            yield resp
        finally:
            resp.close()

    # ------------------------------------------------------------------------------------------ async
    async def arequest(self, call: HttpCall, on_error: ErrorMapper, *, total: float | None = None,
                       retry: RetryPolicy | None = None) -> HttpResult:
        limit = self._total_timeout(total)
        try:
            async with asyncio.timeout(limit):
                return await self._arequest(call, on_error, _Deadline(limit), retry)
        except TimeoutError as exc:
            if isinstance(exc, RehostError):
                raise
            raise RequestTimeout(f"total timeout talking to {self.host}", host=self.host) from None

    async def _arequest(self, call: HttpCall, on_error: ErrorMapper, deadline: _Deadline,
                        retry: RetryPolicy | None) -> HttpResult:
        client = self.aclient
        started_at = time.time()
        attempt = 0
        while True:
            await self._abefore_send(call)
            t0 = time.perf_counter()
            gate = None
            try:
                gate = await self._aenter(deadline)
                resp = await client.send(self._build(client, call, deadline), stream=True)
                try:
                    ttfb = time.perf_counter() - t0
                    content = await self.aread_capped(resp.aiter_bytes())
                finally:
                    await resp.aclose()
            except httpx.HTTPError as exc:
                err = self._exchange_error(exc, deadline)
            else:
                log.debug("%s %s -> %d in %.1f ms", call.method, call.url, resp.status_code,
                          (time.perf_counter() - t0) * 1000)
                if resp.status_code < 400:
                    self._after_response(resp.headers)
                    return HttpResult(resp.status_code, resp.headers, content, started_at, ttfb,
                                      time.perf_counter() - t0, attempt + 1)
                err = on_error(resp.status_code, resp.headers, content)
                self._after_response(resp.headers, err)
            finally:
                if gate is not None:
                    gate.release()
            delay = self._next_delay(err, attempt, deadline, retry)
            if delay is None:
                raise err
            await asyncio.sleep(delay)
            attempt += 1

    @asynccontextmanager
    async def astream(
        self, call: HttpCall, on_error: ErrorMapper, *, total: float | None = None, retry: RetryPolicy | None = None
    ) -> AsyncIterator[httpx.Response]:
        deadline = _Deadline(self._total_timeout(total))
        client = self.aclient
        attempt = 0
        while True:
            await self._abefore_send(call)
            gate = None
            held = False
            try:
                gate = await self._aenter(deadline)
                resp = await client.send(self._build(client, call, deadline), stream=True)
            except httpx.HTTPError as exc:
                err = self._exchange_error(exc, deadline)
            else:
                if resp.status_code < 400:
                    self._after_response(resp.headers)
                    held = True  # the place in the pool is kept until the stream is closed
                    break
                try:
                    content = await self.aread_capped(resp.aiter_bytes())
                except httpx.HTTPError as exc:
                    err = self._exchange_error(exc, deadline)
                else:
                    err = on_error(resp.status_code, resp.headers, content)
                    self._after_response(resp.headers, err)
                finally:
                    await resp.aclose()
            finally:
                if gate is not None and not held:
                    gate.release()
            delay = self._next_delay(err, attempt, deadline, retry)
            if delay is None:
                raise err
            await asyncio.sleep(delay)
            attempt += 1
        try:
            yield resp
        finally:
            try:
                await resp.aclose()
            finally:
                if gate is not None:
                    gate.release()


def header_request_id(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = headers.get(name)
        if value:
            return value
    return None
