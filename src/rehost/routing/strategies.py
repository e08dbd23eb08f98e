"""Routing strategies: the order a Fallback tries its members in for each call (before open circuits and cooling
members are passed over). A strategy is any callable ``(hosts, request, now) -> hosts``; the named ones are
``ordered``, ``LowestLatency`` (``"latency"``), ``LowestCost`` (``"cost"``) and ``RoundRobin``
(``"round_robin"``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypeAlias

from ..shared.catalog import default_catalog
from ..shared.request import Request
from .breaker import HostState

if TYPE_CHECKING:
    from ..shared.catalog import Catalog

__all__ = ["LowestCost", "LowestLatency", "RoundRobin", "Strategy", "StrategyLike", "make_strategy", "ordered"]

Strategy: TypeAlias = Callable[[Sequence[HostState], Request, float], Sequence[HostState]]
StrategyLike: TypeAlias = Literal["ordered", "latency", "cost", "round_robin"] | Strategy


def ordered(hosts: Sequence[HostState], request: Request, now: float) -> Sequence[HostState]:
    """The hosts as given: the first healthy one answers."""
    return list(hosts)


@dataclass(slots=True)
class LowestLatency:
    """Lowest observed latency first; hosts never measured (or not for ``stale_after`` seconds) first of all,
    so a host that was slow once is measured again from time to time instead of being dropped for good."""

    stale_after: float = 300.0

    def __call__(self, hosts: Sequence[HostState], request: Request, now: float) -> Sequence[HostState]:
        def key(host: HostState) -> tuple[int, float]:
            seconds = host.latency.get(request.stream)
            at = host.measured_at.get(request.stream)
            if seconds is None or at is None or now - at > self.stale_after:
                return (0, 0.0)
            return (1, seconds)

        return sorted(hosts, key=key)


@dataclass(slots=True)
class LowestCost:
    """Lowest catalogue price of the request's model on each host first (USD per million tokens, input and
    output blended ``input_weight`` : ``output_weight``); hosts without a known price last, in given order."""

    input_weight: int = 3
    output_weight: int = 1
    catalog: Catalog | None = None

    def price(self, model: str, host: str) -> Decimal | None:
        prices = (self.catalog or default_catalog()).prices(model, host)
        if prices is None:
            return None
        total = self.input_weight + self.output_weight
        return (prices.input * self.input_weight + prices.output * self.output_weight) / total

    def __call__(self, hosts: Sequence[HostState], request: Request, now: float) -> Sequence[HostState]:
        def key(host: HostState) -> tuple[int, Decimal]:
            price = self.price(request.model, host.name)
            return (1, Decimal(0)) if price is None else (0, price)

        return sorted(hosts, key=key)


class RoundRobin:
    """Each call starts one host further along; the others follow in order as fallbacks."""

    def __init__(self) -> None:
        self._next = 0
        self._lock = threading.Lock()

    def __call__(self, hosts: Sequence[HostState], request: Request, now: float) -> Sequence[HostState]:
        if not hosts:
            return []
        with self._lock:
            start = self._next % len(hosts)
            self._next += 1
        return [*hosts[start:], *hosts[:start]]


def make_strategy(strategy: StrategyLike) -> Strategy:
    """A strategy by name (a fresh one: ``round_robin`` keeps its own position), or the callable given."""
    if callable(strategy):
        return strategy
    made: dict[str, Callable[[], Strategy]] = {"ordered": lambda: ordered, "latency": LowestLatency,
                                               "cost": LowestCost, "round_robin": RoundRobin}
    if strategy not in made:
        raise ValueError(f"unknown strategy {strategy!r}: use one of {', '.join(made)} or a callable")
    return made[strategy]()

