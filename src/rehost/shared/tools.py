"""Moved to ``rehost.shared.chat.tools``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .chat.tools import (
    ToolLike,
    ToolRegistry,
    ToolResultError,
    split_builtin,
    tool_from_function,
    tool_from_model,
    tools_and_runners,
)

__all__ = [
    "ToolLike",
    "ToolRegistry",
    "ToolResultError",
    "split_builtin",
    "tool_from_function",
    "tool_from_model",
    "tools_and_runners",
]
