"""The speech kinds' neutral contract: audio bytes with their format, transcripts with timings, live events,
format helpers (WAV / PCM16, resampling, splitting), word error rate and per-minute / per-character cost."""

from .formats import load, sniff, split_wav, to_pcm16, to_wav
from .types import (
    Audio,
    AudioChunk,
    FinalTranscript,
    LiveEvent,
    PartialTranscript,
    Segment,
    SpeakRequest,
    Speech,
    SpeechDone,
    TranscribeRequest,
    TranscribeUsage,
    Transcript,
    TranscriptDelta,
    TranscriptDone,
    UtteranceEnd,
    Word,
)
from .wer import wer

__all__ = ["Audio", "AudioChunk", "FinalTranscript", "LiveEvent", "PartialTranscript", "Segment", "SpeakRequest",
           "Speech", "SpeechDone", "TranscribeRequest", "TranscribeUsage", "Transcript", "TranscriptDelta",
           "TranscriptDone", "UtteranceEnd", "Word", "load", "sniff", "split_wav", "to_pcm16", "to_wav", "wer"]
