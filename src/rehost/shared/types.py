"""Moved: the neutral chat types live in ``rehost.shared.chat`` now, one concept per module
(``rehost.shared.chat.types`` gathers them). This module re-exports them so every existing import keeps
working; new code imports from ``rehost.shared.chat``."""


from __future__ import annotations

from .chat._input import Effort, FinishReason, Role, construct, unencodable_at, validation_message
from .chat.annotations import Citation, ContentFilter
from .chat.completion import Attempt, Completion, Timing, Usage
from .chat.events import Done, ReasoningDelta, StreamEvent, TextDelta, ToolCallDelta
from .chat.messages import (
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
from .chat.thinking import Thinking
from .chat.tool_types import BuiltinTool, Tool, ToolChoice, WebSearch

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
