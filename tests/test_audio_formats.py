"""The neutral audio helpers (``rehost.shared.audio``): format sniffing, WAV / PCM16 reading and writing,
resampling, cutting at quiet points, word error rate, language codes, per-minute and per-character cost."""

from __future__ import annotations

import itertools
import math
import struct
from array import array
from decimal import Decimal

import pytest

from rehost.clients.speech import split_text
from rehost.errors import ConfigurationError
from rehost.shared.audio import Audio, load, sniff, split_wav, to_pcm16, to_wav, wer
from rehost.shared.audio.formats import pcm16_samples, pcm16_to_wav, resample_pcm16
from rehost.shared.audio.languages import iso639_1
from rehost.shared.audio.pricing import speak_cost, transcribe_cost
from rehost.shared.audio.types import Segment, Transcript, Word
from rehost.shared.audio.wer import normalise, word_errors
from rehost.shared.catalog import Catalog


def tone(seconds: float, rate: int, hz: float = 440.0, level: int = 8000) -> array[int]:
    return array("h", (int(level * math.sin(2 * math.pi * hz * i / rate)) for i in range(int(seconds * rate))))


@pytest.mark.parametrize(("head", "fmt"), [
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"), (b"ID3\x04\x00", "mp3"), (b"\xff\xfb\x90\x00", "mp3"),
    (b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", "opus"), (b"OggS\x00\x02" + b"\x00" * 30, "ogg"),
    (b"fLaC\x00\x00", "flac"), (b"\x1a\x45\xdf\xa3\x01", "webm"), (b"\x00\x00\x00\x20ftypM4A ", "m4a"),
    (b"\x00\x01\x02\x03", None),
])
def test_sniff_reads_magic_numbers(head: bytes, fmt: str | None):
    assert sniff(head) == fmt


def test_wav_round_trip_duration_and_resampling():
    samples = tone(1.0, 22050)
    wav = pcm16_to_wav(samples, 22050)
    audio = load(wav)
    assert (audio.format, audio.sample_rate, audio.channels) == ("wav", 22050, 1)
    assert audio.duration == pytest.approx(1.0)
    back, rate = pcm16_samples(audio)
    assert rate == 22050
    assert back == samples
    down = to_pcm16(audio, 16000)
    assert down.sample_rate == 16000
    assert len(down.data) == 2 * 16000
    assert down.duration == pytest.approx(1.0)
    # the tone survives resampling: same zero-crossing rate (about 880 a second for 440 Hz)
    s16, _ = pcm16_samples(down)
    crossings = sum(1 for a, b in itertools.pairwise(s16) if (a < 0) != (b < 0))
    assert 860 <= crossings <= 900
    assert to_wav(down).data[:4] == b"RIFF"
    assert to_wav(audio) is audio


def test_stereo_wav_is_mixed_down():
    frames = b"".join(struct.pack("<hh", 1000, 3000) for _ in range(800))
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(frames)
    samples, rate = pcm16_samples(load(buf.getvalue()))
    assert rate == 8000
    assert set(samples) == {2000}


def test_resampling_without_numpy_matches_numpy(monkeypatch: pytest.MonkeyPatch):
    samples = tone(0.1, 24000)
    with_numpy = resample_pcm16(samples, 24000, 16000)
    import builtins

    real_import = builtins.__import__

    def no_numpy(name: str, *args: object, **kwargs: object) -> object:
        if name == "numpy":
            raise ImportError("no numpy")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    pure = resample_pcm16(samples, 24000, 16000)
    assert len(pure) == len(with_numpy)
    assert max(abs(a - b) for a, b in zip(pure, with_numpy, strict=True)) <= 1


@pytest.mark.parametrize(("data", "kwargs", "words"), [
    (b"", {}, "empty"), (b"\x00\x01\x02", {}, "cannot tell the format"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", {}, "not a readable WAV"), (b"\x00\x00" * 10, {"format": "pcm16"}, "sample_rate"),
    (b"\x00" * 3, {"format": "pcm16", "sample_rate": 8000}, "odd byte count"),
    (b"ID3\x04\x00\x00", {"format": "wav"}, "its bytes are mp3"),
])
def test_bad_audio_is_a_configuration_error(data: bytes, kwargs: dict[str, object], words: str):
    with pytest.raises(ConfigurationError, match=words):
        load(data, **kwargs)  # type: ignore[arg-type]


def test_raw_formats_are_taken_as_said():
    ulaw = load(b"\xff\xfb" * 400, format="ulaw")  # looks like an mp3 frame sync, is not
    assert (ulaw.format, ulaw.sample_rate, ulaw.duration) == ("ulaw", 8000, 0.1)
    assert Audio.from_bytes(b"\x00\x00" * 160, "pcm16", sample_rate=16000).duration == pytest.approx(0.01)
    assert load(b"\x00\x01", name="clip.pcm", sample_rate=8000).format == "pcm16"  # by extension


def test_split_wav_cuts_at_quiet_points_and_keeps_every_sample():
    rate = 8000
    loud = tone(0.9, rate)
    quiet = array("h", [0] * int(0.2 * rate))
    samples = loud + quiet + loud + quiet + loud
    audio = load(pcm16_to_wav(samples, rate))
    pieces = split_wav(audio, 1.5)
    assert len(pieces) == 3
    assert sum(len(pcm16_samples(p)[0]) for _o, p in pieces) == len(samples)
    offsets = [o for o, _p in pieces]
    assert offsets[0] == 0.0
    for offset in offsets[1:]:  # each cut falls in (or at the edge of) a silence
        at = int(offset * rate)
        assert max(abs(s) for s in samples[at - 40:at + 40]) < 8000
    assert all(p.duration is not None and p.duration <= 1.5 for _o, p in pieces)
    assert split_wav(audio, 60) == [(0.0, audio)]


def test_transcript_shifted_moves_every_time():
    t = Transcript("a b", words=(Word("a", 0.0, 0.5), Word("b", 0.5, 1.0)),
                   segments=(Segment("a b", 0.0, 1.0, words=(Word("a", 0.0, 0.5),)),))
    moved = t.shifted(10.0)
    assert [(w.start, w.end) for w in moved.words] == [(10.0, 10.5), (10.5, 11.0)]
    assert (moved.segments[0].start, moved.segments[0].words[0].end) == (10.0, 10.5)
    assert t.shifted(0) is t


def test_word_error_rate():
    assert wer("The cat sat.", "the cat sat") == 0
    assert wer("the cat sat on the mat", "the cat sat on a mat") == pytest.approx(1 / 6)
    assert word_errors("one two three", "one three") == (1, 3)
    assert word_errors("one two", "one two three four") == (2, 2)
    assert normalise("Don't stop—it's well-known!") == ["don't", "stop", "it's", "well", "known"]
    assert wer("", "") == 0
    assert wer("", "extra") == 1


def test_language_codes_fold_to_iso_639_1():
    assert [iso639_1(x) for x in ("en", "EN-us", "english", "eng", "deu", "klingon", None, "")] == [
        "en", "en", "en", "en", "de", "klingon", None, None]


def test_split_text_keeps_sentences_whole_under_the_limit():
    text = "One two three. Four five six seven! Eight? " + "x" * 30
    pieces = split_text(text, 20)
    assert all(len(p) <= 20 for p in pieces)
    assert " ".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert pieces[0] == "One two three."


def test_speech_costs_by_minute_and_by_character():
    cat = Catalog.from_toml('''
[models.stt]
family = "x"
[models.stt.hosts.h]
id = "stt"
price_per_audio_minute = "0.006"
min_billed_seconds = 10
[models.tts]
family = "x"
[models.tts.hosts.h]
id = "tts"
price_per_1k_chars = "0.015"
[models.free]
family = "x"
[models.free.hosts.h]
id = "free"
''')
    cost = transcribe_cost(cat, "stt", "h", 90.0)
    assert cost is not None
    assert cost.total == Decimal("0.009")
    short = transcribe_cost(cat, "stt", "h", 2.0)
    assert short is not None
    assert short.total == Decimal("0.001")  # billed as 10 s
    assert short.notes
    tts = speak_cost(cat, "tts", "h", 2000)
    assert tts is not None
    assert tts.total == Decimal("0.030")
    assert transcribe_cost(cat, "free", "h", 60.0) is None  # no price: unknown, not free
    assert speak_cost(cat, "nope", "h", 10) is None
