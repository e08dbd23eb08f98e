"""Routing across hosts: ``Fallback`` (several hosts behind one sender: budget, breaker, strategies), its
members' health (``breaker``), the orders it tries them in (``strategies``) and one call's plan (``run``)."""

from .breaker import Breaker, HostState
from .fallback import Fallback, RoutedCall
from .strategies import LowestCost, LowestLatency, RoundRobin, Strategy, StrategyLike, ordered

__all__ = ["Breaker", "Fallback", "HostState", "LowestCost", "LowestLatency", "RoundRobin", "RoutedCall",
           "Strategy", "StrategyLike", "ordered"]
