"""Moved to ``rehost.shared.io.lines``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .io.lines import (
    LineSplitter,
)

__all__ = [
    "LineSplitter",
]
