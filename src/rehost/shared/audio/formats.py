"""Audio format helpers in the standard library (and numpy where it is there): sniff a format from its first
bytes, read and write WAV / raw PCM16, resample PCM, cut a long WAV into pieces.

Only what hosts need on the common paths: a host that takes raw PCM16 at 16 kHz gets it from a WAV at any
rate; a file over a host's size or length cap is cut into WAV pieces. Compressed formats (mp3, opus, ...) are
passed through as they are and never decoded here: doing so would need ffmpeg, and every host that serves
speech decodes them itself.
"""

from __future__ import annotations

import io
import sys
import wave
from array import array
from pathlib import Path

from ..errors import ConfigurationError
from .types import Audio

__all__ = ["load", "pcm16_samples", "pcm16_to_wav", "resample_pcm16", "sniff", "split_wav", "to_pcm16", "to_wav",
           "wav_info"]

_EXTENSIONS = {"wav": "wav", "wave": "wav", "mp3": "mp3", "mpga": "mp3", "mpeg": "mp3", "opus": "opus",
               "ogg": "ogg", "oga": "ogg", "flac": "flac", "webm": "webm", "m4a": "m4a", "mp4": "mp4", "aac": "aac",
               "pcm": "pcm16", "raw": "pcm16", "ulaw": "ulaw", "mulaw": "ulaw", "alaw": "alaw"}


def sniff(data: bytes) -> str | None:
    """The format the bytes are in, from their magic number; None when they carry none (raw PCM, G.711)."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "mp3"
    if head[:4] == b"OggS":
        return "opus" if b"OpusHead" in data[:64] else "ogg"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[4:8] == b"ftyp":
        return "m4a"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"
    return None


def wav_info(data: bytes) -> tuple[int, int, int, float]:
    """(sample rate, channels, sample width in bytes, duration) of a WAV file; ConfigurationError if unreadable."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            rate, channels, width, frames = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
    except (wave.Error, EOFError) as exc:
        raise ConfigurationError(f"the audio is not a readable WAV file ({exc})") from exc
    if frames == 0 or rate == 0:
        raise ConfigurationError("the WAV file holds no audio (0 frames)")
    return rate, channels, width, frames / rate


def load(data: bytes, *, format: str | None = None, sample_rate: int | None = None, name: str | None = None) -> Audio:
    """``Audio`` of some bytes: the format given, else sniffed, else from the name's extension. Empty bytes,
    bytes of no known format, an unreadable WAV and raw PCM without a rate are ConfigurationErrors, raised
    here so that nothing is sent."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ConfigurationError(f"audio must be bytes, a path or an Audio, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise ConfigurationError("the audio is empty (0 bytes)")
    # raw formats have no magic number: their bytes can look like anything (0xFF... like an mp3 frame sync)
    found = None if format in ("pcm16", "ulaw", "alaw") else sniff(data)
    fmt = format or found
    if fmt is None and name:
        fmt = _EXTENSIONS.get(Path(name).suffix.lower().lstrip("."))
    if fmt is None:
        raise ConfigurationError(f"cannot tell the format of the audio ({len(data):,} bytes starting "
                                 f"{data[:8]!r}): pass format= (raw PCM needs format='pcm16' and sample_rate=)")
    if format is not None and found is not None and found != format and not {found, format} <= {"ogg", "opus"} \
            and not {found, format} <= {"m4a", "mp4"}:
        raise ConfigurationError(f"the audio says format={format!r} but its bytes are {found}")
    if fmt == "wav":
        rate, channels, _width, duration = wav_info(data)
        return Audio(data, "wav", rate, channels, duration, name)
    if fmt == "pcm16":
        if not sample_rate:
            raise ConfigurationError("raw PCM16 audio needs its sample_rate")
        if len(data) % 2:
            raise ConfigurationError("raw PCM16 audio must be a whole number of 16-bit samples (odd byte count)")
        return Audio(data, "pcm16", sample_rate, 1, len(data) / 2 / sample_rate, name)
    if fmt in ("ulaw", "alaw"):
        rate = sample_rate or 8000
        return Audio(data, fmt, rate, 1, len(data) / rate, name)
    return Audio(data, fmt, sample_rate, 1, None, name)


def pcm16_samples(audio: Audio) -> tuple[array[int], int]:
    """Mono 16-bit samples and their rate, from WAV (any channel count: mixed down) or raw PCM16."""
    if audio.format == "pcm16":
        samples = array("h")
        samples.frombytes(audio.data)
        if sys.byteorder == "big":
            samples.byteswap()
        return samples, int(audio.sample_rate or 0)
    if audio.format != "wav":
        raise ConfigurationError(f"{audio.format} audio cannot be decoded here (only WAV and raw PCM16): "
                                 "pass a WAV file, or send it to a host that takes this format")
    with wave.open(io.BytesIO(audio.data)) as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        frames = w.readframes(w.getnframes())
    if width != 2:
        raise ConfigurationError(f"only 16-bit WAV is read here, not {width * 8}-bit")
    samples = array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    if channels > 1:
        samples = array("h", (sum(samples[i:i + channels]) // channels for i in range(0, len(samples), channels)))
    return samples, rate


def resample_pcm16(samples: array[int], rate: int, target: int) -> array[int]:
    """Linear-interpolation resampling (numpy when installed, else pure Python): good enough for speech
    recognition, which low-pass filters itself; not an audiophile resampler."""
    if rate == target or not samples:
        return samples
    n = max(1, int(len(samples) * target / rate))
    try:
        import numpy as np
    except ImportError:
        step = rate / target
        out = array("h")
        last = len(samples) - 1
        for i in range(n):
            pos = i * step
            j = int(pos)
            frac = pos - j
            a = samples[min(j, last)]
            b = samples[min(j + 1, last)]
            out.append(int(a + (b - a) * frac))
        return out
    src = np.frombuffer(samples.tobytes(), dtype=np.int16).astype(np.float32)
    res = np.interp(np.arange(n) * (rate / target), np.arange(len(src)), src)
    return array("h", np.clip(np.round(res), -32768, 32767).astype("<i2").tobytes())


def pcm16_to_wav(samples: array[int] | bytes, rate: int) -> bytes:
    """A mono 16-bit WAV file of the samples."""
    raw = samples if isinstance(samples, bytes) else _le_bytes(samples)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(raw)
    return buf.getvalue()


def _le_bytes(samples: array[int]) -> bytes:
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def to_wav(audio: Audio, rate: int | None = None) -> Audio:
    """The audio as a mono 16-bit WAV, at ``rate`` when given (WAV or raw PCM16 in)."""
    if audio.format == "wav" and rate is None:
        return audio
    samples, src = pcm16_samples(audio)
    if rate is not None:
        samples = resample_pcm16(samples, src, rate)
        src = rate
    return Audio(pcm16_to_wav(samples, src), "wav", src, 1, len(samples) / src if src else None, audio.name)


def to_pcm16(audio: Audio, rate: int | None = None) -> Audio:
    """The audio as raw mono PCM16, at ``rate`` when given (a host that takes raw PCM at a fixed rate)."""
    samples, src = pcm16_samples(audio)
    if rate is not None:
        samples = resample_pcm16(samples, src, rate)
        src = rate
    return Audio(_le_bytes(samples), "pcm16", src, 1, len(samples) / src if src else None, audio.name)


def split_wav(audio: Audio, max_seconds: float, *, max_bytes: int | None = None) -> list[tuple[float, Audio]]:
    """(start offset, piece) of a WAV or PCM16 cut into pieces of at most ``max_seconds`` (and, when given,
    ``max_bytes`` as WAV), each a WAV file. Cuts are made at the quietest 100 ms near each boundary, so a
    word is rarely cut in two; the offsets let a transcript of each piece be shifted back into place."""
    samples, rate = pcm16_samples(audio)
    if not rate:
        raise ConfigurationError("cannot split audio of unknown sample rate")
    per = int(max_seconds * rate)
    if max_bytes is not None:
        per = min(per, max(rate, (max_bytes - 44) // 2))
    if len(samples) <= per:
        return [(0.0, to_wav(audio))]
    window = rate // 10
    pieces: list[tuple[float, Audio]] = []
    start = 0
    while start < len(samples):
        end = min(len(samples), start + per)
        if end < len(samples):
            end = _quiet_cut(samples, max(start + per // 2, end - 3 * rate), end, window)
        piece = samples[start:end]
        pieces.append((start / rate, Audio(pcm16_to_wav(piece, rate), "wav", rate, 1, len(piece) / rate)))
        start = end
    return pieces


def _quiet_cut(samples: array[int], lo: int, hi: int, window: int) -> int:
    """The end of the quietest ``window`` between ``lo`` and ``hi`` (where to cut)."""
    best, best_at = None, hi
    pos = hi
    while pos - window >= lo:
        energy = sum(abs(s) for s in samples[pos - window:pos:8])
        if best is None or energy < best:
            best, best_at = energy, pos
        pos -= window
    return best_at
