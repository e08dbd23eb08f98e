"""Moved to ``rehost.shared.chat.request``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .chat.request import (
    ReasoningTags,
    Request,
    Sampling,
    ThinkingPlan,
)

__all__ = [
    "ReasoningTags",
    "Request",
    "Sampling",
    "ThinkingPlan",
]
