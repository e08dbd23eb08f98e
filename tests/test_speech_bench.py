"""The speech bench across emulated hosts: interleaved hosts, errors counted per host, unknown prices shown as
unknown, the WER against the reference computed from the transcripts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rehost import RetryPolicy
from rehost.bench.speech import compare_speak, compare_transcribe
from rehost.clients.nova import NovaTranscriber
from rehost.clients.voices import OpenAISpeaker
from rehost.clients.whisper import WhisperTranscriber
from rehost.shared.audio import Audio
from rehost.testing.emulator import Emulator
from tests.speech_hosts import GroqAudio, OpenAIAudio, tone_wav


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def test_one_whisper_across_two_hosts_with_errors_and_wer(emu: Emulator):
    emu.reset()
    emu.script(text="the cat sat on the mat")
    no_retry = RetryPolicy(max_retries=0)
    openai = OpenAIAudio("k", base_url=emu.base_url("openai"), retry=no_retry)
    groq = GroqAudio("k", base_url=emu.base_url("groq"), retry=no_retry)
    emu.inject("500", host="groq")
    clip = Audio.from_bytes(tone_wav(1.0))
    report = compare_transcribe(WhisperTranscriber(openai, "whisper-1"), [openai, (groq, "whisper-large-v3")],
                                [(clip, "the cat sat on a mat")], runs=2, warmup=0)
    assert [r.host for r in report.results] == ["openai", "groq"]
    assert [s.host for s in emu.requests] == ["openai", "groq", "groq", "openai"]  # the order rotates per run
    assert report.result("openai").wer() == pytest.approx(1 / 6)
    assert len(report.result("groq").errors) == 1
    assert "ServerError" in report.result("groq").errors[0]
    assert report.result("openai").unit_cost() is None  # no price in the catalogue: unknown, not zero
    table = report.table()
    assert "groq (whisper-large-v3)" in table
    assert "?" in table
    assert "16.7%" in table


def test_speech_bench_times_the_first_byte_on_an_emulated_host(emu: Emulator):
    emu.reset()
    emu.script(ttft=0.05)
    host = OpenAIAudio("k", base_url=emu.base_url("openai"))
    report = compare_speak(OpenAISpeaker(host, "tts-1"), [host], ["Hello there."], runs=2, warmup=0,
                           format="pcm16")
    row = report.result("openai")
    assert len(row.ok) == 2
    assert row.ttfb().min >= 0.05
    assert row.rtf().p50 > 0  # pcm16 at 24 kHz: a known duration


def test_a_client_binds_to_a_host_that_serves_its_kind_only(emu: Emulator):
    from rehost.errors import UnsupportedFeature

    with pytest.raises(UnsupportedFeature, match="serves no transcribe"):
        NovaTranscriber(emu.provider("together"))  # (OpenAI, Groq and Mistral transcribe now)
    with pytest.raises(UnsupportedFeature, match="serves no speak"):
        OpenAISpeaker(emu.provider("deepgram"))


def test_rehost_bench_transcribe_reads_clips_and_reaches_the_real_host_name(
        emu: Emulator, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    import json

    from rehost.cli import main
    from rehost.testing.redirect import redirect_to

    emu.reset()
    emu.script(text="the cat sat")
    (tmp_path / "a.wav").write_bytes(tone_wav(0.5))
    clips = tmp_path / "clips.jsonl"
    clips.write_text(json.dumps({"audio": "a.wav", "text": "the cat sat down"}) + "\n")
    monkeypatch.setenv("DEEPGRAM_API_KEY", "dg-bench-key")
    out = tmp_path / "report.json"
    with redirect_to(emu):
        code = main(["bench", "transcribe", "nova-3", "--hosts", "deepgram", "--clips", str(clips), "--runs", "2",
                     "--warmup", "0", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "25.0%" in printed  # one word of four missing
    report = json.loads(out.read_text())
    assert report["hosts"][0]["host"] == "deepgram"
    assert len(report["hosts"][0]["samples"]) == 2
    assert {s.host for s in emu.requests} == {"deepgram"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{\"audio\": \"missing.wav\"}\n")
    assert main(["bench", "transcribe", "nova-3", "--hosts", "deepgram", "--clips", str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_rehost_bench_transcribe_takes_hosts_with_several_options_each(
        emu: Emulator, tmp_path, capsys: pytest.CaptureFixture[str]):
    """A host's options are comma-separated like the hosts themselves (``deepgram:base_url=...,api_key=...``),
    as in ``rehost bench``: a part with '=' and no ':' before it belongs to the host before it."""
    import json

    from rehost.cli import main

    emu.reset()
    emu.script(text="the cat sat")
    (tmp_path / "a.wav").write_bytes(tone_wav(0.5))
    clips = tmp_path / "clips.jsonl"
    clips.write_text(json.dumps({"audio": "a.wav", "text": "the cat sat"}) + "\n")
    out = tmp_path / "report.json"
    spec = f"deepgram:base_url={emu.base_url('deepgram')},api_key=dg-key"
    code = main(["bench", "transcribe", "nova-3", "--hosts", spec, "--clips", str(clips), "--runs", "1",
                 "--warmup", "0", "--json", str(out)])
    assert code == 0, capsys.readouterr().err
    assert json.loads(out.read_text())["hosts"][0]["host"] == "deepgram"
