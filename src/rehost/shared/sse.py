"""Moved to ``rehost.shared.io.sse``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .io.sse import (
    SSEDecoder,
    SSEEvent,
)

__all__ = [
    "SSEDecoder",
    "SSEEvent",
]
