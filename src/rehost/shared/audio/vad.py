"""An energy voice-activity detector for raw PCM16: where a cascade (transcriber + chat + voice) has no host
doing turn detection for it, this finds where the user starts and stops speaking.

Each frame (``frame_ms`` of audio) is loud or quiet by its RMS level in dBFS, against the larger of a fixed
``threshold_db`` and an adaptive noise floor plus ``margin_db`` (the floor follows quieter levels fast and
louder ones slowly, see ``VoiceDetector._learn``), so a steady hum or fan stops counting as speech after a few
seconds, while digital silence leaves the fixed threshold in charge. Speech starts after ``min_speech_ms`` of
loud frames (a click is not a turn); it stops after ``silence_ms`` of quiet ones (the hangover: a pause between
words does not end the turn). The utterance handed out starts ``prefix_padding_ms`` before the first loud
frame, so the soft start of a word is kept.

Pure Python on ``array('h')`` (no numpy in the core): a few milliseconds per second of 24 kHz audio, far
inside real time. Any sample rate; chunks of any size (a frame may span chunks).
"""

from __future__ import annotations

import math
import operator
import sys
from array import array
from collections import deque
from dataclasses import dataclass
from typing import TypeAlias

from ..errors import ConfigurationError

__all__ = ["EnergyVAD", "SpeechBegan", "SpeechEnded", "VadEvent", "VoiceDetector", "level_db"]

_FLOOR_DB = -100.0


def level_db(samples: array[int]) -> float:
    """The RMS level of PCM16 samples in dB relative to full scale (-100 for digital silence)."""
    if not samples:
        return _FLOOR_DB
    energy = sum(map(operator.mul, samples, samples)) / len(samples)
    if energy <= 0:
        return _FLOOR_DB
    return max(10.0 * math.log10(energy / (32768.0 * 32768.0)), _FLOOR_DB)


@dataclass(frozen=True, slots=True)
class SpeechBegan:
    """Speech started ``at_ms`` into the stream (the first loud frame)."""

    at_ms: int


@dataclass(frozen=True, slots=True, repr=False)
class SpeechEnded:
    """Speech stopped ``at_ms`` into the stream (after the hangover); ``audio`` is the utterance as PCM16, from
    ``prefix_padding_ms`` before its start to its end."""

    at_ms: int
    audio: bytes

    def __repr__(self) -> str:
        return f"SpeechEnded(at_ms={self.at_ms}, {len(self.audio)} bytes)"


VadEvent: TypeAlias = SpeechBegan | SpeechEnded


@dataclass(frozen=True, slots=True)
class EnergyVAD:
    """The detector's settings (see the module docstring); ``detector(sample_rate)`` makes a fresh one."""

    threshold_db: float = -45.0
    margin_db: float = 12.0
    adaptive: bool = True
    frame_ms: int = 20
    prefix_padding_ms: int = 300
    silence_ms: int = 500
    min_speech_ms: int = 60

    def __post_init__(self) -> None:
        if not -100.0 <= self.threshold_db <= 0.0:
            raise ConfigurationError(f"threshold_db is a level from -100 to 0 dBFS, not {self.threshold_db!r}")
        if self.margin_db < 0:
            raise ConfigurationError(f"margin_db must be 0 or more, not {self.margin_db!r}")
        if not 5 <= self.frame_ms <= 100:
            raise ConfigurationError(f"frame_ms must be from 5 to 100, not {self.frame_ms!r}")
        for name in ("prefix_padding_ms", "silence_ms", "min_speech_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigurationError(f"{name} must be a whole number of ms, 0 or more, not {value!r}")

    @staticmethod
    def threshold_from(fraction: float) -> float:
        """A realtime ``TurnDetection.threshold`` (0 = most sensitive, 1 = least) as a level: -70 to -10 dBFS,
        so the hosts' default 0.5 is -40 dBFS, a quiet voice at a laptop microphone."""
        return -70.0 + 60.0 * fraction

    def detector(self, sample_rate: int) -> VoiceDetector:
        return VoiceDetector(self, sample_rate)


class VoiceDetector:
    """One stream's detector: ``feed(chunk)`` returns the events that chunk completes; ``flush()`` ends a turn
    still open (the stream ended, or the caller committed)."""

    def __init__(self, settings: EnergyVAD, sample_rate: int) -> None:
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate < 1000:
            raise ConfigurationError(f"the VAD needs a sample rate in Hz, not {sample_rate!r}")
        self.settings = settings
        self.sample_rate = sample_rate
        self._frame = max(1, sample_rate * settings.frame_ms // 1000)  # samples a frame
        self._rest = b""
        self._frames = 0  # frames seen
        self._noise_db: float | None = None
        self._prefix: deque[bytes] = deque(maxlen=settings.prefix_padding_ms // settings.frame_ms)
        self._speech: list[bytes] = []  # the utterance so far (while speaking)
        self._loud = 0  # consecutive loud frames before speech started
        self._quiet = 0  # consecutive quiet frames while speaking
        self._began: int | None = None
        self.speaking = False

    @property
    def noise_db(self) -> float | None:
        """The adaptive noise floor's level (None before the first frame, or when not adaptive)."""
        return self._noise_db

    def _ms(self, frames: int) -> int:
        return frames * self._frame * 1000 // self.sample_rate

    def _is_loud(self, db: float) -> bool:
        limit = self.settings.threshold_db
        if self.settings.adaptive and self._noise_db is not None:
            limit = max(limit, self._noise_db + self.settings.margin_db)
        return db > limit

    def _learn(self, db: float, loud: bool) -> None:
        """Track the noise floor on every frame: it falls fast to a quieter level (about 0.2 s) and rises
        slowly, slower still while the frame counts as speech (about 10 s), so a steady hum that started out
        "loud" is learnt within seconds while a long utterance hardly moves it."""
        if not self.settings.adaptive:
            return
        floor = self._noise_db
        if floor is None:
            floor = self.settings.threshold_db - self.settings.margin_db  # neutral: the fixed threshold rules
        if db < floor:
            floor += (db - floor) * 0.1
        else:
            floor += (db - floor) * (0.002 if loud else 0.05)
        self._noise_db = floor

    def feed(self, chunk: bytes) -> list[VadEvent]:
        data = self._rest + bytes(chunk)
        width = self._frame * 2
        whole = len(data) - len(data) % width
        self._rest = data[whole:]
        events: list[VadEvent] = []
        need_loud = max(1, -(-self.settings.min_speech_ms // self.settings.frame_ms))
        need_quiet = max(1, -(-self.settings.silence_ms // self.settings.frame_ms))
        for start in range(0, whole, width):
            raw = data[start:start + width]
            samples = array("h", raw)
            if sys.byteorder == "big":
                samples.byteswap()
            db = level_db(samples)
            loud = self._is_loud(db)
            self._learn(db, loud)
            self._frames += 1
            if not self.speaking:
                if loud:
                    self._loud += 1
                    self._speech.append(raw)
                    if self._loud >= need_loud:
                        self.speaking = True
                        self._began = self._frames - self._loud
                        self._quiet = 0
                        events.append(SpeechBegan(self._ms(self._began)))
                else:
                    self._prefix.extend(self._speech)  # a blip too short to be speech: keep it as padding
                    self._speech.clear()
                    self._loud = 0
                    self._prefix.append(raw)
                continue
            self._speech.append(raw)
            if loud:
                self._quiet = 0
            else:
                self._quiet += 1
                if self._quiet >= need_quiet:
                    events.append(self._end())
        return events

    def _end(self) -> SpeechEnded:
        audio = b"".join(self._prefix) + b"".join(self._speech)
        event = SpeechEnded(self._ms(self._frames), audio)
        self._prefix.clear()
        self._speech.clear()
        self._loud = self._quiet = 0
        self.speaking = False
        self._began = None
        return event

    def flush(self) -> SpeechEnded | None:
        """End the turn under way (None when no speech was heard since the last end)."""
        if not self.speaking:
            self._speech.clear()
            self._loud = 0
            return None
        if self._rest:
            self._speech.append(self._rest)
            self._rest = b""
        return self._end()
