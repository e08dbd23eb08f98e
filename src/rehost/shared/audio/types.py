"""Neutral speech types: ``Audio`` (bytes with their format), ``TranscribeRequest`` -> ``Transcript``,
``SpeakRequest`` -> ``Speech``, and the live events of both kinds.

Audio stays bytes in the format it came in (a WAV file, raw PCM16, mp3, opus, mu-law ...) with its sample rate
and duration when known: hosts take most formats as they are, so nothing is decoded or converted unless a host
needs it (``formats.py`` converts WAV / PCM16 in the standard library and numpy; compressed formats are passed
through, never transcoded, so no ffmpeg is needed).

By the time a request exists the family's client has applied every model rule (the language is one the model
knows, the voice is one it has, the format one it takes, a long file already split); a host codec only spells
it. Times are seconds from the start of the audio, as floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    from ..pricing import Cost

__all__ = ["MIME_TYPES", "Audio", "AudioChunk", "AudioFormat", "FinalTranscript", "LiveEvent",
           "PartialTranscript", "Segment", "SpeakRequest", "Speech", "SpeechDone", "Timestamps",
           "TranscribeRequest", "TranscribeUsage", "Transcript", "TranscriptDelta", "TranscriptDone",
           "UtteranceEnd", "Word"]

#: the audio formats rehost names. ``pcm16`` is raw signed 16-bit little-endian mono (a sample rate is needed
#: to play it), ``ulaw`` / ``alaw`` raw G.711 at 8 kHz; the rest are containers or codecs with their own headers
AudioFormat: TypeAlias = Literal["wav", "pcm16", "mp3", "opus", "ogg", "flac", "webm", "m4a", "mp4", "aac",
                                 "ulaw", "alaw"]
#: which timings a transcript should carry: per word, or per segment (phrase) only
Timestamps: TypeAlias = Literal["word", "segment"]

MIME_TYPES: Mapping[str, str] = {
    "wav": "audio/wav", "pcm16": "audio/pcm", "mp3": "audio/mpeg", "opus": "audio/opus", "ogg": "audio/ogg",
    "flac": "audio/flac", "webm": "audio/webm", "m4a": "audio/mp4", "mp4": "audio/mp4", "aac": "audio/aac",
    "ulaw": "audio/basic", "alaw": "audio/x-alaw-basic",
}


@dataclass(frozen=True, slots=True)
class Audio:
    """Audio as bytes, with the format they are in. ``sample_rate`` and ``duration`` are known for WAV and raw
    PCM (and for what a host or engine made); None where finding them would mean decoding a codec."""

    data: bytes = field(repr=False)
    format: str
    sample_rate: int | None = None
    channels: int = 1
    duration: float | None = None
    #: the file name it came from (multipart uploads send one: hosts pick the decoder by its extension)
    name: str | None = None

    def __repr__(self) -> str:
        rate = f", {self.sample_rate} Hz" if self.sample_rate else ""
        dur = f", {self.duration:.2f} s" if self.duration is not None else ""
        return f"Audio({self.format}, {len(self.data):,} bytes{rate}{dur})"

    @property
    def mime_type(self) -> str:
        return MIME_TYPES.get(self.format, "application/octet-stream")

    @property
    def filename(self) -> str:
        """A file name with the right extension (what multipart uploads need)."""
        if self.name:
            return Path(self.name).name
        ext = {"pcm16": "pcm", "ulaw": "ulaw", "alaw": "alaw"}.get(self.format, self.format)
        return f"audio.{ext}"

    @classmethod
    def from_file(cls, path: str | Path) -> Audio:
        """Read a file; its format comes from its first bytes (else its extension)."""
        from .formats import load

        return load(Path(path).read_bytes(), name=str(path))

    @classmethod
    def from_bytes(cls, data: bytes, format: str | None = None, *, sample_rate: int | None = None,
                   name: str | None = None) -> Audio:
        """Bytes in a known or sniffed format (raw PCM needs ``format="pcm16"`` and a ``sample_rate``)."""
        from .formats import load

        return load(data, format=format, sample_rate=sample_rate, name=name)

    def save(self, path: str | Path) -> Path:
        out = Path(path)
        out.write_bytes(self.data)
        return out

    def to_wav(self) -> Audio:
        """This audio as a WAV file (WAV or raw PCM16 only: compressed audio is not decoded here)."""
        from .formats import to_wav

        return to_wav(self)


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word. ``text`` is as the host gives it (punctuated where it punctuates); ``confidence``
    is 0..1 (a probability, or ``exp(logprob)`` for hosts that give log-probabilities)."""

    text: str
    start: float
    end: float
    confidence: float | None = None
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A phrase or utterance with its time span (and its words where the host gave them)."""

    text: str
    start: float
    end: float
    confidence: float | None = None
    speaker: str | None = None
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True)
class TranscribeUsage:
    """What a transcription used: seconds of audio (what most hosts bill), and tokens where a host counts them."""

    audio_seconds: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """The text of some audio, with timings. ``words`` / ``segments`` are empty when the host gave none."""

    text: str
    words: tuple[Word, ...] = ()
    segments: tuple[Segment, ...] = ()
    language: str | None = None
    duration: float | None = None
    model: str = ""
    host: str = ""
    host_model_id: str = ""
    usage: TranscribeUsage = field(default_factory=TranscribeUsage)
    cost: Cost | None = None
    request_id: str | None = None
    #: wall-clock seconds the call took
    seconds: float = 0.0
    #: host extras worth keeping (Deepgram's summary, a language confidence ...)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def shifted(self, offset: float) -> Transcript:
        """The same transcript with every time moved by ``offset`` seconds (a piece of a split file)."""
        if not offset:
            return self
        words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in self.words)
        segments = tuple(replace(s, start=s.start + offset, end=s.end + offset,
                                 words=tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in s.words))
                         for s in self.segments)
        return replace(self, words=words, segments=segments)


@dataclass(frozen=True, slots=True)
class TranscribeRequest:
    """One file (or URL) for one speech-to-text model.

    ``audio`` or ``url`` (a host fetches it; only hosts that take URLs accept one). ``prompt`` is the model's
    context text (vocabulary, spelling, the previous piece). ``timestamps="word"`` asks for word timings.
    ``options`` are host-neutral extras the family allows (``smart_format`` for Nova ...); ``extra_body`` /
    ``extra_query`` go to the wire as they are."""

    model: str
    audio: Audio | None = None
    url: str | None = None
    language: str | None = None
    prompt: str | None = None
    timestamps: Timestamps | None = None
    diarize: bool = False
    temperature: float | None = None
    stream: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    host_model_id: str | None = None
    timeout: float | None = None
    extra_body: dict[str, Any] | None = None
    extra_query: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SpeakRequest:
    """One text for one text-to-speech model, with the voice, format and rate already checked by the family.

    ``latency`` is ElevenLabs' deprecated ``optimize_streaming_latency`` tier (0-4), sent only when set.
    ``instructions`` steer the delivery on models that take them (gpt-4o-mini-tts)."""

    model: str
    text: str
    voice: str
    format: str = "mp3"
    sample_rate: int | None = None
    speed: float | None = None
    instructions: str | None = None
    language: str | None = None
    latency: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    host_model_id: str | None = None
    timeout: float | None = None
    extra_body: dict[str, Any] | None = None
    extra_query: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True, repr=False)
class Speech(Audio):
    """Spoken audio (an ``Audio``) and where it came from: model, host, cost, timings."""

    model: str = ""
    host: str = ""
    voice: str = ""
    characters: int = 0
    cost: Cost | None = None
    request_id: str | None = None
    seconds: float = 0.0
    time_to_first_byte: float | None = None

    def __repr__(self) -> str:
        return f"Speech({Audio.__repr__(self)[6:-1]}, voice={self.voice!r}, host={self.host!r})"


# ---------------------------------------------------------------------------------------------- live events


@dataclass(frozen=True, slots=True)
class PartialTranscript:
    """An interim hypothesis for a stretch of audio: it will be replaced by a later partial or a final."""

    text: str
    start: float = 0.0
    end: float = 0.0
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True)
class FinalTranscript:
    """Settled text for a stretch of audio. ``speech_final``: the speaker paused (end of an utterance)."""

    text: str
    start: float = 0.0
    end: float = 0.0
    words: tuple[Word, ...] = ()
    speech_final: bool = False


@dataclass(frozen=True, slots=True)
class TranscriptDelta:
    """More text of a streamed transcription (OpenAI ``transcript.text.delta``, Mistral's text delta)."""

    text: str


@dataclass(frozen=True, slots=True)
class UtteranceEnd:
    """The host saw the end of an utterance from word timing (Deepgram ``UtteranceEnd``)."""

    last_word_end: float | None = None


@dataclass(frozen=True, slots=True)
class TranscriptDone:
    """The stream ended; ``transcript`` is the whole result, built once."""

    transcript: Transcript


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """Audio as it arrives from a speaking host or engine. ``alignment``: (character, start s, duration s) of the
    text this audio speaks, where the host sends it (ElevenLabs' websocket)."""

    data: bytes = field(repr=False)
    format: str = "pcm16"
    sample_rate: int | None = None
    alignment: tuple[tuple[str, float, float], ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class SpeechDone:
    """A speech stream ended; ``speech`` holds all its audio."""

    speech: Speech


LiveEvent: TypeAlias = PartialTranscript | FinalTranscript | TranscriptDelta | UtteranceEnd | TranscriptDone
