"""The measured cases, shared by ``bench.py`` (raw httpx and rehost, in the package's environment) and
``peers.py`` (openai, litellm, any-llm, pydantic-ai, in the separate peers environment).

Every case does the same work against the same emulator: send one small chat request, read the answer, and
end with the answer's text. A streamed case reads every event of the stream (500 text chunks) and ends with
the joined text. Each ``make_*`` function sets up (client, pool) once and returns ``run() -> str``; only
``run`` is timed, after warm-up.

This file imports nothing but the standard library at module level, so it can be loaded by either
environment.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

PROMPT = "hi"
MODEL = "m"
KEY = "emulator-key"

Runner = Callable[[], str]


def openai_url(base: str) -> str:
    return base + "/groq/openai/v1"


def gemini_url(base: str) -> str:
    return base + "/google/v1beta"


def chat_body(stream: bool) -> bytes:
    body: dict[str, object] = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return json.dumps(body).encode()


def gemini_body() -> bytes:
    return json.dumps({"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}).encode()


MESSAGES_JSON = chat_body(True)

# ------------------------------------------------------------------------------------------ raw httpx


def raw_httpx(base: str, case: str) -> Runner:
    """The floor: one reused httpx.Client, the request bytes built by hand, the answer parsed with json."""
    import httpx

    client = httpx.Client(timeout=60)
    headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
    if case == "nonstream":
        url = openai_url(base) + "/chat/completions"
        body = chat_body(False)

        def run() -> str:
            resp = client.post(url, content=body, headers=headers)
            resp.raise_for_status()
            return str(resp.json()["choices"][0]["message"]["content"])

        return run
    if case == "stream-openai":
        url = openai_url(base) + "/chat/completions"
        body = chat_body(True)

        def run() -> str:
            parts: list[str] = []
            with client.stream("POST", url, content=body, headers=headers) as resp:
                resp.raise_for_status()
                for line in resp.iter_lines():
                    if not line.startswith("data: "):
                        continue
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    chunk = json.loads(data)
                    for choice in chunk.get("choices") or ():
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            parts.append(text)
            return "".join(parts)

        return run
    if case == "stream-gemini":
        url = gemini_url(base) + f"/models/{MODEL}:streamGenerateContent?alt=sse"
        body = gemini_body()
        gheaders = {"x-goog-api-key": KEY, "content-type": "application/json"}

        def run() -> str:
            parts: list[str] = []
            with client.stream("POST", url, content=body, headers=gheaders) as resp:
                resp.raise_for_status()
                for line in resp.iter_lines():
                    if not line.startswith("data: "):
                        continue
                    chunk = json.loads(line[6:])
                    for cand in chunk.get("candidates") or ():
                        for part in (cand.get("content") or {}).get("parts") or ():
                            text = part.get("text")
                            if text and not part.get("thought"):
                                parts.append(text)
            return "".join(parts)

        return run
    raise ValueError(case)


# ------------------------------------------------------------------------------------------ timing


def measure(runners: dict[str, Runner], *, n: int, rounds: int, warmup: int = 20) -> dict[str, list[float]]:
    """Per-request seconds for each runner: ``rounds`` rounds of ``n`` calls, the runners interleaved round by
    round so that a noisy neighbour on a shared machine hits them alike. Returns each round's mean."""
    for run in runners.values():
        for _ in range(warmup):
            run()
    out: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            t0 = time.perf_counter()
            for _ in range(n):
                run()
            out[name].append((time.perf_counter() - t0) / n)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)
