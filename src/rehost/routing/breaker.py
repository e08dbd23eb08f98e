"""Health per member of a routing group: the circuit-breaker settings (``Breaker``), what has been seen of each
member (``HostState``: circuit, cooldown, latency) and ``Health``, the one lock-guarded place that reads and
changes them, so that every call and thread through one Fallback shares one view of its members. With a
``SharedBreakers`` (``Fallback(state=...)``) the circuits and cooldowns are also shared with every process using
the same backend and key: ``Health`` pulls a member's shared record before deciding about it and pushes it after
its circuit or cooldown changed (``rehost.routing.shared_breakers``)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from ..shared.errors import RehostError

if TYPE_CHECKING:
    from .shared_breakers import SharedBreakers
    from .strategies import Strategy

__all__ = ["Breaker", "Circuit", "Health", "HostState"]

Circuit: TypeAlias = Literal["closed", "open", "half_open"]


@dataclass(frozen=True, slots=True)
class Breaker:
    """Circuit-breaker settings for each member: ``failures`` consecutive host failures open the circuit for
    ``cooldown`` seconds, after which one trial call is let through (half-open)."""

    failures: int = 5
    cooldown: float = 30.0

    def __post_init__(self) -> None:
        if self.failures < 1 or self.cooldown < 0:
            raise ValueError("Breaker needs failures >= 1 and cooldown >= 0")


class HostState:
    """What a Fallback has seen of one member: its circuit, its cooldown, its observed latency.

    ``provider`` is the member as given (a Host, an in-process engine, another Fallback). Strategies read
    it; only the Fallback's ``Health`` writes it (under its lock). ``latency[stream]`` is the weighted
    average in seconds for streamed (time to first event) or whole (time to the answer) calls."""

    def __init__(self, index: int, provider: Any) -> None:
        self.index = index
        self.provider = provider
        self.name: str = provider.name
        self.circuit: Circuit = "closed"
        self.consecutive_failures = 0
        self.opened_at = 0.0
        self.trial_in_flight = False
        self.cooldown_until = 0.0
        self.latency: dict[bool, float] = {}
        self.measured_at: dict[bool, float] = {}
        self.successes = 0
        self.failures = 0

    def __repr__(self) -> str:
        lat = ", ".join(f"{'stream' if k else 'whole'}={v * 1000:.0f}ms" for k, v in sorted(self.latency.items()))
        return (f"HostState({self.name!r}, circuit={self.circuit}, consecutive_failures={self.consecutive_failures}"
                f"{', latency: ' + lat if lat else ''})")



class Health:
    """The breaker, cooldown and latency book of one group of members, guarded by one lock. Time is ``clock``'s
    (``time.monotonic`` by default), so schedules are testable without sleeping."""

    def __init__(self, hosts: Sequence[HostState], breaker: Breaker, clock: Callable[[], float],
                 latency_alpha: float, shared: SharedBreakers | None = None) -> None:
        self.hosts = tuple(hosts)
        self.shared = shared
        self.breaker = breaker
        self.clock = clock
        self.latency_alpha = latency_alpha
        self._lock = threading.Lock()

    def order(self, strategy: Strategy, request: Any) -> Sequence[HostState]:
        """The members in the order ``strategy`` puts them for this request."""
        with self._lock:
            return list(strategy(self.hosts, request, self.clock()))

    def admit(self, host: HostState) -> str | None:
        """None when the host may be tried now (taking the half-open trial slot), else why not."""
        with self._lock:
            now = self.clock()
            if self.shared is not None:
                self.shared.pull(host, now, self.breaker.cooldown)
            if now < host.cooldown_until:
                return f"cooling down for {host.cooldown_until - now:.3g}s (the host asked to retry later)"
            if host.circuit == "open":
                if now - host.opened_at < self.breaker.cooldown:
                    return "circuit open"
                host.circuit = "half_open"
                host.trial_in_flight = True
                return None
            if host.circuit == "half_open":
                if host.trial_in_flight:
                    return "circuit half-open, its trial call in flight"
                host.trial_in_flight = True
            return None

    def ready_in(self, host: HostState, now: float) -> float:
        """Seconds until the host may be tried; infinite for an open circuit (never waited for: failing fast
        is what the breaker is for) or a trial in flight."""
        with self._lock:
            if self.shared is not None:
                self.shared.pull(host, now, self.breaker.cooldown)
            if host.circuit == "open" and now - host.opened_at < self.breaker.cooldown:
                return math.inf
            if host.circuit == "half_open" and host.trial_in_flight:
                return math.inf
            return max(0.0, host.cooldown_until - now)

    def back_in(self, host: HostState, now: float) -> float | None:
        """Seconds until the host may be tried again: its cooldown, and for an open circuit the time to its
        half-open trial; None while a trial call is in flight (it is back when that call ends)."""
        with self._lock:
            if host.circuit == "half_open" and host.trial_in_flight:
                return None
            back = max(0.0, host.cooldown_until - now)
            if host.circuit == "open":
                back = max(back, self.breaker.cooldown - (now - host.opened_at))
            return back

    def release(self, host: HostState) -> None:
        with self._lock:
            host.trial_in_flight = False

    def success(self, host: HostState, seconds: float, *, stream: bool) -> None:
        with self._lock:
            reopened = host.circuit != "closed"
            host.circuit = "closed"
            if self.shared is not None and reopened:
                self.shared.push(host, self.clock(), self.breaker.cooldown)
            host.consecutive_failures = 0
            host.trial_in_flight = False
            host.successes += 1
            old = host.latency.get(stream)
            a = self.latency_alpha
            host.latency[stream] = seconds if old is None else a * seconds + (1 - a) * old
            host.measured_at[stream] = self.clock()

    def failure(self, host: HostState, err: RehostError, *, count: bool) -> None:
        with self._lock:
            now = self.clock()
            before = (host.circuit, host.cooldown_until)
            self._count_failure(host, err, now, count=count)
            if self.shared is not None and (host.circuit, host.cooldown_until) != before:
                self.shared.push(host, now, self.breaker.cooldown)

    def _count_failure(self, host: HostState, err: RehostError, now: float, *, count: bool) -> None:
        """The failure's effect on the member's own record (under the caller's lock)."""
        if err.retry_after:
            host.cooldown_until = max(host.cooldown_until, now + err.retry_after)
        host.trial_in_flight = False
        if not count:
            return
        host.failures += 1
        if host.circuit == "half_open":
            host.circuit, host.opened_at = "open", now
            return
        host.consecutive_failures += 1
        if host.circuit == "closed" and host.consecutive_failures >= self.breaker.failures:
            host.circuit, host.opened_at = "open", now

