"""The circuit-breaker state a ``Fallback`` shares with other processes through a ``StateBackend``.

    hosts = Fallback([Groq(), Together()], state=RedisState(url), state_key="chat-hosts")

What is shared, per member: whether its circuit is open and until when, and the cooldown a host's
``Retry-After`` asked for. A circuit one process opens is open in every process (each passes the host over
until the shared end, then lets one trial through of its own); a process whose trial succeeds closes it for
all. Consecutive failures are counted per process: the threshold is "this many failures in a row seen by one
process", which keeps a success in one process from racing a failure in another.

Times travel as wall-clock seconds (``time.time()``) and are turned into the Fallback's own clock on
arrival, so a Fallback with an injected clock still reads them right. Every read and write is one GET or
SET; a backend that cannot be reached leaves the Fallback with its own view (the backend logs the outage).

The Fallback calls ``pull`` before it decides about a member and ``push`` after its state changed; the
member's ``HostState`` stays the one record the strategies read. Both are sync (the Fallback decides under
its lock, in sync and async calls alike), so an async call through a Redis-backed Fallback blocks its event
loop for a loopback round trip per decision, a fraction of a millisecond.
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import TYPE_CHECKING, Any

from ..shared.io.state import StateBackend, StateUnavailable

if TYPE_CHECKING:
    from .breaker import HostState

__all__ = ["SharedBreakers"]


class SharedBreakers:
    """Reads and writes the shared part of each member's breaker under ``fb:<key>:<index>:<name>``."""

    def __init__(self, state: StateBackend, key: str) -> None:
        self.state = state
        self.key = key

    def __repr__(self) -> str:
        return f"SharedBreakers({self.state!r}, key={self.key!r})"

    def _key(self, host: HostState) -> str:
        return f"fb:{self.key}:{host.index}:{host.name}"

    def pull(self, host: HostState, now: float, cooldown: float) -> None:
        """Bring what other processes said about ``host`` into its local state (``now`` on the Fallback's
        clock, ``cooldown`` the breaker's)."""
        try:
            raw = self.state.get(self._key(host))
        except StateUnavailable:
            return
        if raw is None:
            return
        try:
            record: dict[str, Any] = json.loads(raw)
        except ValueError:
            return
        wall = time.time()
        open_left = float(record.get("open_until", 0.0)) - wall
        if record.get("circuit") == "open" and open_left > 0 and host.circuit == "closed":
            host.circuit = "open"
            host.opened_at = now - max(0.0, cooldown - open_left)
        elif (record.get("circuit") == "closed" and host.circuit == "open"
              and float(record.get("changed", 0.0)) > wall - (now - host.opened_at)):
            host.circuit, host.consecutive_failures = "closed", 0  # closed elsewhere since it opened here
        cool_left = float(record.get("cooldown_until", 0.0)) - wall
        if cool_left > 0:
            host.cooldown_until = max(host.cooldown_until, now + cool_left)

    def push(self, host: HostState, now: float, cooldown: float) -> None:
        """Publish ``host``'s circuit and cooldown after they changed here."""
        wall = time.time()
        open_until = wall + max(0.0, cooldown - (now - host.opened_at)) if host.circuit == "open" else 0.0
        cooldown_until = wall + max(0.0, host.cooldown_until - now)
        record = {"circuit": "open" if host.circuit == "open" else "closed", "open_until": open_until,
                  "cooldown_until": cooldown_until, "changed": wall}
        ttl = max(open_until, cooldown_until, wall) - wall + max(cooldown, 1.0)
        with contextlib.suppress(StateUnavailable):  # (the backend logged it; this process keeps its view)
            self.state.set(self._key(host), json.dumps(record).encode(), ttl)
