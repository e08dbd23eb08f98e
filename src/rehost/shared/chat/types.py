"""Every neutral chat type in one namespace (what ``rehost.shared.types`` always held), gathered from the
modules that each define one concept: ``messages`` (messages and parts), ``tool_types`` (tool declarations),
``thinking`` (the caller's thinking setting), ``completion`` (result, usage, timing), ``events`` (stream
events) and ``_input`` (the validating base and helpers)."""

from __future__ import annotations

from ._input import Effort, FinishReason, Role, construct, unencodable_at, validation_message
from .annotations import Citation, ContentFilter
from .completion import Attempt, Completion, Timing, Usage
from .events import Done, ReasoningDelta, StreamEvent, TextDelta, ToolCallDelta
from .messages import (
    IMAGE_TYPES,
    MAX_IMAGE_BYTES,
    DocumentPart,
    ImagePart,
    Message,
    MessageLike,
    Part,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolResult,
)
from .thinking import Thinking
from .tool_types import BuiltinTool, Tool, ToolChoice, WebSearch

__all__ = [
    "IMAGE_TYPES",
    "MAX_IMAGE_BYTES",
    "Attempt",
    "BuiltinTool",
    "Citation",
    "Completion",
    "ContentFilter",
    "DocumentPart",
    "Done",
    "Effort",
    "FinishReason",
    "ImagePart",
    "Message",
    "MessageLike",
    "Part",
    "ReasoningDelta",
    "ReasoningPart",
    "Role",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "Thinking",
    "Timing",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "ToolResult",
    "Usage",
    "WebSearch",
    "construct",
    "unencodable_at",
    "validation_message",
]
