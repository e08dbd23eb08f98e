"""The realtime bench (bench/realtime.py) on two in-process hosts whose sessions answer after a known pause with a
known amount of audio at a known price: the report must recover the pause order, the audio seconds, the RTF and
the cost per minute from what the sessions did, and count a failing host's errors instead of stopping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from rehost.bench.realtime import compare_realtime, pcm_chunks
from rehost.clients.realtime import RealtimeClient, RealtimeModel
from rehost.errors import ServerError
from rehost.providers.base.host import Host
from rehost.providers.base.realtime import RealtimeEndpoint
from rehost.shared.audio.types import Audio
from rehost.shared.realtime import (
    AudioOut,
    Closed,
    RealtimeSession,
    RealtimeUsage,
    ResponseDone,
    SessionConfig,
    SessionStarted,
)

SECOND = 24000 * 2  # bytes of pcm16 mono at 24 kHz


class Scripted(RealtimeSession):
    """Answers each committed turn after ``pause`` seconds with ``seconds`` of audio costing ``cost``."""

    def __init__(self, config: SessionConfig, pause: float, seconds: float, cost: float, fail: bool) -> None:
        self.name = "scripted"
        self.config = config
        self.pause, self.seconds, self.cost, self.fail = pause, seconds, cost, fail
        self.received = 0
        self._turn: asyncio.Queue[None] = asyncio.Queue()

    async def send_audio(self, chunk: bytes) -> None:
        self.received += len(chunk)

    async def commit(self) -> None:
        pass

    async def send_text(self, text: str, *, respond: bool = False) -> None:
        pass

    async def respond(self, *, instructions: str | None = None) -> None:
        self._turn.put_nowait(None)

    async def interrupt(self, *, played_ms: int | None = None) -> None:
        pass

    async def send_tool_result(self, call_id: str, output: str, *, name: str | None = None,
                               respond: bool = True) -> None:
        pass

    async def update(self, **changes: Any) -> None:
        pass

    async def close(self) -> None:
        pass

    async def events(self) -> AsyncIterator[Any]:
        yield SessionStarted("s")
        await self._turn.get()
        if self.fail:
            raise ServerError("the scripted host broke", host="scripted")
        await asyncio.sleep(self.pause)
        total = int(self.seconds * SECOND)
        for i in range(0, total, 4800):
            yield AudioOut(b"\0" * min(4800, total - i))
        yield ResponseDone("r", usage=RealtimeUsage(10, 20), cost=self.cost)
        yield Closed()


class ScriptedEndpoint(RealtimeEndpoint):
    async def connect(self, config: SessionConfig, *, resume: str | None = None, **options: Any) -> Any:
        host: Any = self.host
        return Scripted(config, host.pause, host.seconds, host.cost, host.fail)


class ScriptedHost(Host):
    name = "scripted"
    default_base_url = "ws://127.0.0.1:1"
    api_key_env = ()
    requires_key = False
    realtime_endpoint = ScriptedEndpoint

    def __init__(self, name: str, pause: float, seconds: float = 1.5, cost: float = 0.01, fail: bool = False) -> None:
        super().__init__(api_key="unused")
        self.name = name
        self.pause, self.seconds, self.cost, self.fail = pause, seconds, cost, fail

    def model_id(self, model: str, host_model_id: str | None = None) -> str:
        return host_model_id or model


class Voice(RealtimeClient):
    family: ClassVar[str] = "scripted"
    default_model: ClassVar[str] = "voice-1"
    models: ClassVar[dict[str, RealtimeModel]] = {"voice-1": RealtimeModel()}


def _clip(seconds: float) -> Audio:
    return Audio.from_bytes(b"\0\1" * int(16000 * seconds), "pcm16", sample_rate=16000)


def test_the_report_recovers_pause_order_audio_rtf_and_cost_per_minute() -> None:
    fast, slow = ScriptedHost("fast", 0.01), ScriptedHost("slow", 0.25, seconds=3.0, cost=0.02)
    report = compare_realtime(Voice(fast), [fast, slow], [_clip(1.0)], runs=2, warmup=0, turn_detection="manual")
    f, s = report.result("fast"), report.result("slow")
    assert len(f.ok) == len(s.ok) == 2
    assert not f.errors
    assert not s.errors
    assert s.first_audio().p50 > f.first_audio().p50
    assert s.first_audio().p50 >= 0.25
    assert all(x.output_seconds == pytest.approx(1.5) for x in f.ok)
    assert all(x.input_seconds == pytest.approx(1.0) for x in f.ok)  # resampled 16 -> 24 kHz, same duration
    assert all(x.rtf == pytest.approx(x.response_seconds / 1.5) for x in f.ok)
    assert f.cost_per_minute() == pytest.approx(0.02 / (2 * 2.5 / 60))
    assert s.cost_per_minute() == pytest.approx(0.04 / (2 * 4.0 / 60))
    assert "fast" in report.table()
    assert "$ / min" in report.table()
    assert report.to_dict()["hosts"][0]["samples"][0]["rtf"] is not None


def test_a_failing_host_is_counted_not_fatal() -> None:
    good, bad = ScriptedHost("good", 0.0), ScriptedHost("bad", 0.0, fail=True)
    report = compare_realtime(Voice(good), [good, bad], [_clip(0.2)], runs=1, warmup=0, turn_detection="manual")
    assert len(report.result("good").ok) == 1
    assert report.result("bad").errors
    assert "ServerError" in report.result("bad").errors[0]
    assert report.answered


def test_pcm_chunks_are_microphone_sized_at_the_session_rate() -> None:
    chunks = pcm_chunks(_clip(1.0), 24000, chunk_ms=40)
    assert sum(len(c) for c in chunks) == pytest.approx(SECOND, abs=4)
    assert all(len(c) == 1920 for c in chunks[:-1])


def test_rehost_bench_realtime_runs_one_model_across_hosts_on_the_realtime_emulator(tmp_path) -> None:
    """``rehost bench realtime gpt-realtime --hosts openai:...,azure-voice-live:...`` end to end: each host's
    real endpoint and codec against the realtime emulator, every turn answered, the report's audio and cost read
    from what the sessions said (the emulator's 5 deltas of 4800 bytes = 0.5 s at 24 kHz; OpenAI priced from the
    catalogue, Voice Live unpriced)."""
    import array
    import io
    import json
    import math
    import subprocess
    import sys
    import wave

    from rehost.testing.emulator_realtime import RealtimeEmulator

    samples = array.array("h", (int(8000 * math.sin(2 * math.pi * 220 * i / 16000)) for i in range(16000)))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.tobytes())
    (tmp_path / "a.wav").write_bytes(buf.getvalue())
    (tmp_path / "clips.jsonl").write_text(json.dumps({"audio": "a.wav"}) + "\n")
    out, plot = tmp_path / "r.json", tmp_path / "r.png"
    with RealtimeEmulator() as emu:
        emu.script(audio_deltas=5)
        voice_live = emu.base_url("voice-live").rsplit("/voice-live", 1)[0]
        hosts = f"openai:base_url={emu.base_url('openai')},api_key=k,azure-voice-live:endpoint={voice_live},api_key=k"
        done = subprocess.run([sys.executable, "-m", "rehost.cli", "bench", "realtime", "gpt-realtime", "--hosts",
                               hosts, "--runs", "2", "--warmup", "0", "--clips", str(tmp_path / "clips.jsonl"),
                               "--json", str(out), "--plot", str(plot)], capture_output=True, text=True, timeout=300,
                              check=False)
        paths = [r["path"] for r in emu.stats.requests]
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert [h["host"] for h in report["hosts"]] == ["openai", "azure-voice-live"]
    for host in report["hosts"]:
        assert host["errors"] == []
        assert len(host["samples"]) == 2
        assert all(s["output_seconds"] == pytest.approx(0.5) for s in host["samples"])
        assert all(s["input_seconds"] == pytest.approx(1.0) for s in host["samples"])
        assert all(s["first_audio"] is not None for s in host["samples"])
    assert report["hosts"][0]["cost_per_minute"] is not None
    assert report["hosts"][1]["cost_per_minute"] is None
    assert plot.stat().st_size > 1000
    assert sorted(set(paths)) == ["/azure/voice-live/realtime", "/openai/v1/realtime"]
