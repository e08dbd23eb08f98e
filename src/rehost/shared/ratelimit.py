"""Moved to ``rehost.shared.io.ratelimit``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .io.ratelimit import (
    RateLimit,
    RateLimiter,
    parse_duration,
)

__all__ = [
    "RateLimit",
    "RateLimiter",
    "parse_duration",
]
