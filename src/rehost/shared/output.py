"""Moved to ``rehost.shared.chat.output``; re-exported here so existing imports keep working."""

from __future__ import annotations

from .chat.output import (
    Output,
    OutputMode,
    OutputValidationError,
    output_instruction,
)

__all__ = [
    "Output",
    "OutputMode",
    "OutputValidationError",
    "output_instruction",
]
