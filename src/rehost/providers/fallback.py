"""Moved to ``rehost.routing`` (issue 13): this module re-exports it, so ``rehost.providers.fallback`` keeps
working for code that imports Fallback and its strategies from here."""

from ..routing import (
    Breaker,
    Fallback,
    HostState,
    LowestCost,
    LowestLatency,
    RoundRobin,
    RoutedCall,
    Strategy,
    StrategyLike,
    ordered,
)

__all__ = ["Breaker", "Fallback", "HostState", "LowestCost", "LowestLatency", "RoundRobin", "RoutedCall",
           "Strategy", "StrategyLike", "ordered"]
