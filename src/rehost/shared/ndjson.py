"""Moved to ``rehost.shared.io.ndjson``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .io.ndjson import (
    NDJSONDecoder,
)

__all__ = [
    "NDJSONDecoder",
]
