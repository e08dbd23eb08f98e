"""Moved to ``rehost.shared.io.tls``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .io.tls import (
    LazySSLContext,
    _cached,
    deferred_default_contexts,
    ssl_context,
)

__all__ = [
    "LazySSLContext",
    "_cached",
    "deferred_default_contexts",
    "ssl_context",
]
