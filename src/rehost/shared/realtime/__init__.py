"""Realtime voice sessions, neutral: the events a session yields (``events``), what it was asked for
(``config``), the hooks a host's vocabulary implements (``codec``) and the session itself (``session``)."""

from .codec import Frame, JsonFrames, RealtimeCodec, Reply
from .config import AudioFormat, SessionConfig, TurnDetection
from .events import (
    AudioOut,
    Closed,
    InputCommitted,
    InputTranscript,
    InputTranscriptDelta,
    OutputTranscriptDelta,
    RealtimeError,
    RealtimeEvent,
    RealtimeUsage,
    ResponseDone,
    ResponseStarted,
    ResumeHandle,
    SessionStarted,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    TextOut,
    ToolCallRequest,
)
from .session import RealtimeSession, SyncRealtimeSession, WireSession

__all__ = [
    "AudioFormat", "AudioOut", "Closed", "Frame", "InputCommitted", "InputTranscript", "InputTranscriptDelta",
    "JsonFrames", "OutputTranscriptDelta", "RealtimeCodec", "RealtimeError", "RealtimeEvent", "RealtimeSession",
    "RealtimeUsage", "Reply", "ResponseDone", "ResponseStarted", "ResumeHandle", "SessionConfig",
    "SessionStarted", "SessionUpdated", "SpeechStarted", "SpeechStopped", "SyncRealtimeSession", "TextOut",
    "ToolCallRequest", "TurnDetection", "WireSession",
]
