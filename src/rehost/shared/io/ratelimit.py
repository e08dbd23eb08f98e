"""Client-side rate limiting, one limiter per provider, shared by every client bound to it.

Requests per minute and tokens per minute, for async calls through aiolimiter and for sync calls through a
small thread-safe scheduler with the same rate. The limiter also listens to the host: when a response says
the budget is spent (Groq's ``x-ratelimit-remaining-*: 0`` with its reset time) or a 429 names a wait
(``Retry-After``), every call through the provider holds back until then, instead of each one hitting the
limit on its own.

Bursts are kept short on purpose (``burst`` seconds' worth of requests): a limiter that let a whole minute's
budget out at once would keep the average but not the rate a host actually enforces.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..checks import check_number
from ..errors import ConfigurationError

if TYPE_CHECKING:  # the state backends are imported by the limiters that share a budget through one
    from .state import Lane, StateBackend

if TYPE_CHECKING:
    import asyncio

    from aiolimiter import AsyncLimiter

# asyncio and aiolimiter are imported by the async methods that use them, not here: a sync caller never needs
# them, and aiolimiter's own import reads its version through importlib.metadata (~25 ms of the first import)

__all__ = ["RateLimit", "RateLimiter", "parse_duration"]

log = logging.getLogger("rehost.ratelimit")

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def parse_duration(value: str | None) -> float | None:
    """Seconds in a host's duration header: ``7.66s``, ``2m59.56s``, ``1h2m``, ``250ms`` or a plain number."""
    if not value:
        return None
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value.replace(" ", ""):
        return None
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * scale[u] for n, u in parts)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The most a provider may send: requests and/or tokens per minute (None: no limit)."""

    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    burst: float = 0.05
    #: where the budget lives when several processes share it (None: this process only)
    state: StateBackend | None = field(default=None, compare=False)
    #: the name every sharer of the budget uses (needed with ``state``)
    key: str | None = None

    def __post_init__(self) -> None:
        if self.state is not None and not (isinstance(self.key, str) and self.key):
            raise ConfigurationError("RateLimit(state=...) needs key=: the name every process sharing the "
                                     "budget uses, such as key='groq-team'")
        if self.state is not None and not self.state.supports_limits:
            raise ConfigurationError(f"RateLimit(state=...): {self.state.name} holds records only (a cache, "
                                     "breakers); share a rate limit through MemoryState or RedisState")
        for name in ("requests_per_minute", "tokens_per_minute"):
            check_number(getattr(self, name), f"RateLimit({name}=...)", name=name, optional=True,
                         expected="a positive number per minute, or None for no limit")
        check_number(self.burst, "RateLimit(burst=...)", name="burst",
                     expected="a positive number of seconds' worth of requests")


class _Scheduler:
    """Thread-safe leaky bucket as virtual time: ``drained_at`` is when everything taken so far has drained;
    a caller may go once its own amount fits under the bucket's capacity."""

    def __init__(self, per_second: float, capacity: float) -> None:
        self.interval = 1.0 / per_second
        self.capacity_time = max(1.0, capacity) * self.interval
        self.drained_at = 0.0
        self.lock = threading.Lock()

    def reserve(self, amount: float = 1.0, within: float | None = None) -> float | None:
        """Seconds to wait before going (the amount is taken now), or None, taking nothing, when that would
        be longer than ``within`` seconds."""
        with self.lock:
            now = time.monotonic()
            drained = max(self.drained_at, now) + amount * self.interval
            wait = max(0.0, drained - self.capacity_time - now)
            if within is not None and wait > within:
                return None
            self.drained_at = drained
            return wait


def _limiter_shape(per_minute: float, burst: float) -> tuple[float, float]:
    """(max_rate, time_period) for aiolimiter: at least one unit per period, ``burst`` seconds otherwise."""
    per_second = per_minute / 60.0
    max_rate = max(1.0, per_second * burst)
    return max_rate, max_rate / per_second


class RateLimiter:
    """Holds calls back to a RateLimit, and pauses everyone when the host says its budget is spent."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._paused_until = 0.0
        self._async: dict[int, tuple[asyncio.AbstractEventLoop, AsyncLimiter | None, AsyncLimiter | None]] = {}
        rpm, tpm = limit.requests_per_minute, limit.tokens_per_minute
        if (rpm is not None and rpm <= 0) or (tpm is not None and tpm <= 0):
            raise ValueError("rate limits must be positive")
        self._sync_requests = _Scheduler(rpm / 60.0, _limiter_shape(rpm, limit.burst)[0]) if rpm else None
        self._sync_tokens = _Scheduler(tpm / 60.0, tpm) if tpm else None
        self.state = limit.state
        self._shared_paused_until = 0.0  # the shared pause as last heard from the backend (monotonic)

    # -- shared -------------------------------------------------------------------------------------------
    def _lanes(self, tokens: int) -> list[Lane]:
        """The budgets a call takes, shaped as the local schedulers are (same burst, same token cap)."""
        from .state import Lane

        rpm, tpm = self.limit.requests_per_minute, self.limit.tokens_per_minute
        lanes = []
        if rpm:
            interval = 60.0 / rpm
            lanes.append(Lane("requests", interval, max(1.0, _limiter_shape(rpm, self.limit.burst)[0]) * interval,
                              1.0))
        if tpm and tokens:
            lanes.append(Lane("tokens", 60.0 / tpm, 60.0, float(min(tokens, tpm))))
        return lanes

    def _heard(self, paused_for: float) -> None:
        self._shared_paused_until = time.monotonic() + paused_for

    def _local_pause(self) -> float:
        return max(0.0, self._paused_until - time.monotonic())

    # -- what the host says -------------------------------------------------------------------------------
    def pause(self, seconds: float) -> None:
        """Hold every call back for ``seconds`` (a 429's Retry-After, a spent budget)."""
        until = time.monotonic() + max(0.0, seconds)
        self._paused_until = max(self._paused_until, until)
        if self.state is not None and self.limit.key:
            # (a sync round trip even from async code: rare, only when the host said stop); when it fails,
            # the local pause above still holds this process back
            from .state import StateUnavailable

            with contextlib.suppress(StateUnavailable):
                self.state.pause(self.limit.key, seconds)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Read a response's rate-limit headers; a spent budget pauses calls until its reset."""
        for kind in ("requests", "tokens"):
            remaining = headers.get(f"x-ratelimit-remaining-{kind}")
            if remaining is not None and remaining.strip() in ("0", "0.0"):
                reset = parse_duration(headers.get(f"x-ratelimit-reset-{kind}"))
                if reset:
                    self.pause(reset)

    @property
    def paused_for(self) -> float:
        """Seconds every call is still held back: this process's pause, or the shared one as last heard."""
        return max(0.0, max(self._paused_until, self._shared_paused_until) - time.monotonic())

    # -- sync ---------------------------------------------------------------------------------------------
    def acquire_sync(self, tokens: int = 0, *, within: float | None = None) -> bool:
        """Wait for a place (and ``tokens``); False, without waiting, when the wait would be longer than
        ``within`` seconds (the call's deadline)."""
        if self.state is not None and self.limit.key:
            from .state import StateUnavailable

            try:
                got = self.state.reserve(self.limit.key, self._lanes(tokens), within)
            except StateUnavailable:
                pass  # the backend logged it: this call takes the local limits below
            else:
                self._heard(got.paused_for)
                if got.wait is None:
                    return False
                wait = max(got.wait, self._local_pause())
                if within is not None and wait > within:
                    return False
                if wait > 0:
                    time.sleep(wait)
                return True
        wait = self.paused_for
        if within is not None and wait > within:
            return False
        if self._sync_requests is not None:
            reserved = self._sync_requests.reserve(within=within)
            if reserved is None:
                return False
            wait = max(wait, reserved)
        if self._sync_tokens is not None and tokens:
            reserved = self._sync_tokens.reserve(min(tokens, self.limit.tokens_per_minute or tokens), within)
            if reserved is None:
                return False
            wait = max(wait, reserved)
        if wait > 0:
            time.sleep(wait)
        return True

    # -- async --------------------------------------------------------------------------------------------
    def _limiters(self) -> tuple[AsyncLimiter | None, AsyncLimiter | None]:
        import asyncio

        from aiolimiter import AsyncLimiter

        loop = asyncio.get_running_loop()
        entry = self._async.get(id(loop))
        if entry is None or entry[0] is not loop:
            for key, (old_loop, _, _) in list(self._async.items()):
                if old_loop.is_closed():  # asyncio.run after asyncio.run: keep no limiter of a loop gone
                    del self._async[key]
            rpm, tpm = self.limit.requests_per_minute, self.limit.tokens_per_minute
            requests = AsyncLimiter(*_limiter_shape(rpm, self.limit.burst)) if rpm else None
            tokens = AsyncLimiter(tpm, 60.0) if tpm else None
            entry = (loop, requests, tokens)
            self._async[id(loop)] = entry
        return entry[1], entry[2]

    async def acquire(self, tokens: int = 0) -> None:
        import asyncio

        if self.state is not None and self.limit.key:
            from .state import StateUnavailable

            try:
                got = await self.state.areserve(self.limit.key, self._lanes(tokens))
            except StateUnavailable:
                pass  # local limits below
            else:
                self._heard(got.paused_for)
                wait = max(got.wait or 0.0, self._local_pause())
                if wait > 0:
                    await asyncio.sleep(wait)
                return
        while self.paused_for > 0:
            await asyncio.sleep(self.paused_for)
        requests, token_limiter = self._limiters()
        if requests is not None:
            await requests.acquire()
        if token_limiter is not None and tokens:
            await token_limiter.acquire(min(tokens, token_limiter.max_rate))
