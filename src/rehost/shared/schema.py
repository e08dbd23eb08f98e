"""Moved to ``rehost.shared.chat.schema``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .chat.schema import (
    RecursiveSchema,
    clean_function_schema,
    for_gemini,
    inline_defs,
    strict_schema,
    strip_titles,
)

__all__ = [
    "RecursiveSchema",
    "clean_function_schema",
    "for_gemini",
    "inline_defs",
    "strict_schema",
    "strip_titles",
]
