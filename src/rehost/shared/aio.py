"""Moved to ``rehost.shared.io.aio``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .io.aio import (
    BACKEND_ENV,
    AiohttpClient,
    AiohttpTransport,
    _map_error,
    async_backend,
    new_async_client,
)

__all__ = [
    "AiohttpClient",
    "AiohttpTransport",
    "BACKEND_ENV",
    "_map_error",
    "async_backend",
    "new_async_client",
]
