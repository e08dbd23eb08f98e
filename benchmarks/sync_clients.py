"""Is another well-kept sync HTTP client materially faster than httpx for rehost's sync path?

    .venv/bin/python benchmarks/sync_clients.py [--rounds 7]

The same requests to the emulator (in its own process) through one reused ``httpx.Client`` and one reused
``urllib3.PoolManager`` (urllib3 is what requests is built on; both are installed with the dev extra): a short
non-streamed answer, and a 500-chunk stream read the way rehost reads one (raw bytes, split into lines by the
caller) and, for httpx, also with ``iter_lines``. Medians over interleaved rounds, as bench.py measures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import KEY, chat_body, measure, openai_url


def text_of(line: str, parts: list[str]) -> None:
    if line.startswith("data: ") and line != "data: [DONE]":
        for choice in json.loads(line[6:]).get("choices") or ():
            piece = (choice.get("delta") or {}).get("content")
            if piece:
                parts.append(piece)


def split_lines(chunks: object, parts: list[str]) -> None:
    buf = b""
    for chunk in chunks:  # type: ignore[attr-defined]
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            text_of(line.decode().rstrip("\r"), parts)


def runners(base: str, stream: bool) -> dict[str, Callable[[], str]]:
    import httpx
    import urllib3

    url = openai_url(base) + "/chat/completions"
    body = chat_body(stream)
    headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
    http = httpx.Client(timeout=60)
    pool = urllib3.PoolManager(maxsize=4, timeout=60)
    if not stream:
        return {
            "httpx": lambda: http.post(url, content=body, headers=headers).json()["choices"][0]["message"]["content"],
            "urllib3": lambda: json.loads(pool.request("POST", url, body=body, headers=headers).data)[
                "choices"][0]["message"]["content"],
        }

    def httpx_bytes() -> str:
        parts: list[str] = []
        with http.stream("POST", url, content=body, headers=headers) as resp:
            split_lines(resp.iter_bytes(), parts)
        return "".join(parts)

    def httpx_lines() -> str:
        parts: list[str] = []
        with http.stream("POST", url, content=body, headers=headers) as resp:
            for line in resp.iter_lines():
                text_of(line, parts)
        return "".join(parts)

    def urllib3_bytes() -> str:
        parts: list[str] = []
        resp = pool.request("POST", url, body=body, headers=headers, preload_content=False)
        try:
            split_lines(resp.stream(65536), parts)
        finally:
            resp.release_conn()
        return "".join(parts)

    return {"httpx (iter_bytes)": httpx_bytes, "httpx (iter_lines)": httpx_lines, "urllib3": urllib3_bytes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    from rehost.testing.emulator import emulator_process

    for title, script, stream, n in (("non-streaming, short answer", {}, False, 200),
                                     ("500-chunk stream", {"output_tokens": 500}, True, 10)):
        with emulator_process(**script) as base:
            runs = runners(base, stream)
            answers = {name: run() for name, run in runs.items()}
            if len(set(answers.values())) != 1:
                raise SystemExit(f"{title}: the clients answered differently: {answers}")
            timings = measure(runs, n=n, rounds=args.rounds, warmup=max(3, n // 5))
        first = statistics.median(next(iter(timings.values())))
        print(f"\n## {title} (per request, median of {args.rounds} rounds of {n})")
        print(f"| {'client':<20} | {'ms / request':>12} | {'x httpx':>7} |")
        print(f"|{'-' * 22}|{'-' * 13}:|{'-' * 8}:|")
        for name, values in timings.items():
            ms = statistics.median(values)
            print(f"| {name:<20} | {ms * 1000:>12.3f} | {ms / first:>7.2f} |")


if __name__ == "__main__":
    main()
