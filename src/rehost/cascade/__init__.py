"""Cascade realtime voice: any transcriber + any chat client + any voice as one realtime session with the same
neutral events as a host's (``agent.Cascade``, ``session.CascadeSession``), the sentence splitter that lets the
first sentence be spoken before the answer is whole (``sentences``), and the offline voice agent
(``local_voice_agent``: local Whisper, SmolLM2 on llama.cpp, Piper). Nothing heavy is imported here: the parts
load their engines on first use."""

from .agent import LOCAL_INSTRUCTIONS, Cascade, local_voice_agent
from .sentences import SentenceSplitter
from .session import CascadeSession

__all__ = ["LOCAL_INSTRUCTIONS", "Cascade", "CascadeSession", "SentenceSplitter", "local_voice_agent"]
