"""HTTP shells shared by every provider: pools, timeouts, and the four ways of sending.

Each provider owns one Transport, and each Transport owns one sync and one async httpx pool, created on first
use, so connections are reused across calls and across the clients bound to that provider. Sync calls use a
real ``httpx.Client`` (no event loop per call). The four ways of sending (sync and async, whole and streamed)
are thin shells that do what the retry plan (``rehost.shared.io.retry``) says."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ..checks import check_timeout
from ..errors import ConnectionFailed, ProtocolError, RehostError, RequestTimeout
from .aio import new_async_client
from .call import ErrorMapper, HttpCall, HttpResult, RetryPolicy, Timeouts, log, public_url
from .cookies import use_set_cookie_jar
from .ratelimit import RateLimiter
from .retry import Pace, RetryPlan, Sleep
from .tls import ssl_context

if TYPE_CHECKING:
    import asyncio

# asyncio is imported by the async methods (an async caller has it loaded already), not here: a sync program,
# and the first import of rehost, never pay for it (~20 ms); tests patch asyncio.sleep on the module itself

__all__ = [
    "Transport",
]


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


_URLS_KEPT = 64


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
        self._urls: dict[str, httpx.URL] = {}

    # ------------------------------------------------------------------------------------------ pools
    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    client = httpx.Client(
                        limits=self._limits, transport=self._sync_transport, verify=ssl_context(self._verify),
                        timeout=self.timeouts.for_httpx(),
                    )
                    use_set_cookie_jar(client)
                    self._client = client
        return self._client

    @property
    def aclient(self) -> httpx.AsyncClient:
        """The async pool of the running event loop (an httpx pool cannot be shared between loops)."""
        return self._loop_pool().client

    def _loop_pool(self) -> _LoopPool:
        import asyncio

        loop = asyncio.get_running_loop()
        pool = self._apools.get(id(loop))
        if pool is not None and pool.loop is loop and not pool.keeper.done():
            return pool
        self._forget_ended_loops()
        client = new_async_client(
            limits=self._limits, transport=self._async_transport, verify=ssl_context(self._verify),
            timeout=self.timeouts.for_httpx(),
        )
        use_set_cookie_jar(client)
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
            import asyncio

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
        import asyncio

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
        import asyncio

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

    def _url(self, url: str) -> httpx.URL:
        """``url`` parsed, once: a host's calls go to a handful of URLs, and httpx parses a text URL on every
        request (30-35 us, measured). Bounded, for hosts whose URLs name a job or a file."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _URLS_KEPT:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        return parsed

    def _build(self, client: httpx.Client | httpx.AsyncClient, call: HttpCall, timeout: httpx.Timeout) -> httpx.Request:
        return client.build_request(
            call.method, self._url(call.url), headers=call.headers, content=call.content(), timeout=timeout,
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
        import asyncio

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
