"""The peers' side of the benchmark, run by ``bench.py`` with the peers' own environment's Python
(``benchmarks/.venv-peers``): openai, litellm, any-llm and pydantic-ai, each pointed at the emulator that
``bench.py`` started, with retries off where the library allows it.

    .venv-peers/bin/python benchmarks/peers.py CASE URL N ROUNDS EXPECTED_TEXT_FILE

prints one JSON object: peer -> {"ms": per-request median} or {"na": reason}. Raw httpx is measured here too
(``raw httpx (peers env)``) so that each peer's ratio can be taken against httpx in the same interpreter.
Concurrency: ``peers.py concurrency URL STREAMS`` prints peer -> {errors, seconds, peak_rss_mb}.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # litellm must not fetch a price map
os.environ.setdefault("LITELLM_LOG", "ERROR")
warnings.filterwarnings("ignore")

from cases import KEY, MODEL, PROMPT, Runner, measure, median, openai_url, raw_httpx  # noqa: E402

MESSAGES = [{"role": "user", "content": PROMPT}]


def _loop_runner(make_coro: Callable[[], object]) -> Runner:
    """An async-only peer, run on one long-lived event loop (one run_until_complete per request)."""
    loop = asyncio.new_event_loop()

    def run() -> str:
        return str(loop.run_until_complete(make_coro()))  # type: ignore[arg-type]

    return run


# ------------------------------------------------------------------------------------------ openai SDK


def openai_sdk(base: str, case: str) -> Runner:
    if case == "stream-gemini":
        raise NotImplementedError("the openai SDK speaks only the OpenAI dialect")
    from openai import OpenAI

    client = OpenAI(api_key=KEY, base_url=openai_url(base), max_retries=0)
    if case == "nonstream":
        return lambda: client.chat.completions.create(model=MODEL, messages=MESSAGES).choices[0].message.content or ""

    def run() -> str:
        parts = []
        for chunk in client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True,
                                                    stream_options={"include_usage": True}):
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        return "".join(parts)

    return run


# ------------------------------------------------------------------------------------------ litellm


def litellm_peer(base: str, case: str) -> Runner:
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    if case == "stream-gemini":
        kwargs = {"model": f"gemini/{MODEL}", "api_base": base + "/google", "api_key": KEY}
    else:
        kwargs = {"model": f"openai/{MODEL}", "api_base": openai_url(base), "api_key": KEY}
    if case == "nonstream":
        return lambda: litellm.completion(messages=MESSAGES, num_retries=0, **kwargs).choices[0].message.content

    def run() -> str:
        parts = []
        for chunk in litellm.completion(messages=MESSAGES, stream=True, num_retries=0, **kwargs):
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        return "".join(parts)

    return run


# ------------------------------------------------------------------------------------------ any-llm


def any_llm_peer(base: str, case: str) -> Runner:
    if case == "stream-gemini":
        raise NotImplementedError("any-llm's Gemini provider needs google-genai and cannot take a custom URL here")
    from any_llm import AnyLLM

    llm = AnyLLM.create("openai", api_key=KEY, api_base=openai_url(base))
    if case == "nonstream":
        return lambda: llm.completion(model=MODEL, messages=MESSAGES).choices[0].message.content

    def run() -> str:
        parts = []
        for chunk in llm.completion(model=MODEL, messages=MESSAGES, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        return "".join(parts)

    return run


# ------------------------------------------------------------------------------------------ pydantic-ai


def pydantic_ai_peer(base: str, case: str) -> Runner:
    if case == "stream-gemini":
        raise NotImplementedError("pydantic-ai's Google model needs google-genai (not in pydantic-ai-slim[openai])")
    from openai import AsyncOpenAI
    from pydantic_ai import Agent
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    client = AsyncOpenAI(api_key=KEY, base_url=openai_url(base), max_retries=0)
    agent = Agent(OpenAIChatModel(MODEL, provider=OpenAIProvider(openai_client=client)))
    if case == "nonstream":
        async def once() -> str:
            return str((await agent.run(PROMPT)).output)

        return _loop_runner(once)

    async def streamed() -> str:
        async with agent.run_stream(PROMPT) as result:
            parts = [delta async for delta in result.stream_text(delta=True, debounce_by=None)]
        return "".join(parts)

    return _loop_runner(streamed)


PEERS: dict[str, Callable[[str, str], Runner]] = {
    "openai SDK": openai_sdk,
    "litellm": litellm_peer,
    "any-llm": any_llm_peer,
    "pydantic-ai": pydantic_ai_peer,
}


def bench_case(case: str, url: str, n: int, rounds: int, expected: str) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    runners: dict[str, Runner] = {"raw httpx (peers env)": raw_httpx(url, case)}
    for name, make in PEERS.items():
        try:
            run = make(url, case)
            got = run()
        except NotImplementedError as exc:
            out[name] = {"na": str(exc)}
            continue
        except Exception as exc:
            out[name] = {"na": f"{type(exc).__name__}: {str(exc)[:120]}"}
            continue
        if got != expected:
            out[name] = {"na": f"answer differs from raw httpx ({got[:40]!r}...)"}
            continue
        runners[name] = run
    timings = measure(runners, n=n, rounds=rounds, warmup=max(3, n // 5))
    for name, values in timings.items():
        out[name] = {"ms": median(values) * 1000}
    return out


# ------------------------------------------------------------------------------------------ concurrency


async def _openai_streams(url: str, streams: int) -> int:
    import httpx
    from openai import AsyncOpenAI

    limits = httpx.Limits(max_connections=streams, max_keepalive_connections=streams)
    client = AsyncOpenAI(api_key=KEY, base_url=openai_url(url), max_retries=0,
                         http_client=httpx.AsyncClient(limits=limits, timeout=120))

    async def one() -> str:
        parts = []
        stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
        return "".join(parts)

    results = await asyncio.gather(*(one() for _ in range(streams)), return_exceptions=True)
    return sum(1 for r in results if isinstance(r, BaseException) or not r)


def peak_rss_kb() -> int:
    """VmHWM: this process's own peak (ru_maxrss would carry the parent's across exec on Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def concurrency(url: str, streams: int) -> dict[str, dict[str, object]]:
    base = peak_rss_kb()
    t0 = time.perf_counter()
    try:
        errors = asyncio.run(_openai_streams(url, streams))
    except Exception as exc:
        return {"openai SDK": {"na": f"{type(exc).__name__}: {exc}"}}
    seconds = time.perf_counter() - t0
    peak = peak_rss_kb()
    return {"openai SDK": {"errors": errors, "seconds": seconds, "peak_rss_mb": peak / 1024,
                           "per_stream_kb": (peak - base) / streams}}


def main() -> None:
    case = sys.argv[1]
    if case == "concurrency":
        print(json.dumps(concurrency(sys.argv[2], int(sys.argv[3]))))
        return
    url, n, rounds = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    expected = Path(sys.argv[5]).read_text("utf-8")
    print(json.dumps(bench_case(case, url, n, rounds, expected)))


if __name__ == "__main__":
    main()
