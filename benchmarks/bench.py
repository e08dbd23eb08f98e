"""rehost against raw httpx and its peers, on the same requests to the same canned local server.

    make bench                                   # or: .venv/bin/python benchmarks/bench.py
    .venv/bin/python benchmarks/bench.py --quick --no-peers

The server is rehost's host emulator, started in its own process (``emulator_process``) so that it never
competes with the measured client for the GIL. Raw httpx (one reused ``httpx.Client``, the request built by
hand, the answer parsed with ``json``) is the floor every ratio is taken against. rehost runs one provider
(one pool) through ``GenericClient("m", provider=Groq(...))`` (``Google(...)`` for the Gemini dialect). The
peers (openai, litellm, any-llm, pydantic-ai) are installed by this script into ``benchmarks/.venv-peers``,
never into rehost's own environment, and run by ``peers.py`` in that environment; a peer that cannot be
installed or pointed at the emulator is shown as ``n/a (reason)``. Every client must produce the same answer
text as raw httpx before it is timed.

Sections: non-streaming (a short answer), 500-chunk streams in the OpenAI and Gemini dialects, the same two
OpenAI-dialect cases on the async path (raw httpx.AsyncClient, raw aiohttp, rehost on its default async
transport and on httpcore), import time and memory (each import in fresh interpreters), the first call on a
fresh provider, and two concurrency tables: 1,000 concurrent async streams through pools of 1,000 (plus rehost's
default pool of 100 and the openai SDK) and 5,000 through pools of 500, each client in its own interpreter
against raw aiohttp as the floor, with errors and peak memory per stream. Times are per request, after warm-up:
the median over rounds of the mean of ``n`` requests, the clients interleaved round by round. ``--compare-src``
adds rows for another copy of rehost's ``src`` (before/after). Everything runs offline except the peers'
one-time ``pip install``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import KEY, Runner, gemini_url, measure, median, openai_url, raw_httpx  # noqa: E402

PEERS_VENV = HERE / ".venv-peers"
PEER_PACKAGES = ["openai", "litellm", "any-llm-sdk", "pydantic-ai-slim[openai]"]
PEER_NAMES = ["openai SDK", "litellm", "any-llm", "pydantic-ai"]
PEER_IMPORTS = {"openai SDK": "import openai", "litellm": "import litellm", "any-llm": "import any_llm",
                "pydantic-ai": "import pydantic_ai"}

# ------------------------------------------------------------------------------------------ peers env


def peers_python() -> tuple[Path | None, str]:
    """The peers' interpreter, installing the environment on first use; (None, reason) when that fails."""
    python = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / ".installed"
    wanted = " ".join(PEER_PACKAGES)
    if stamp.exists() and stamp.read_text() == wanted:
        return python, ""
    print(f"installing the peers into {PEERS_VENV} (once): {wanted}", flush=True)
    try:
        if not python.exists():
            venv.create(PEERS_VENV, with_pip=True)
        # one package at a time, so that one that cannot install does not keep the others out
        failed = []
        for package in PEER_PACKAGES:
            rc = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", package],
                                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            if rc != 0:
                failed.append(package)
        if failed:
            print(f"  could not install: {', '.join(failed)}", flush=True)
        stamp.write_text(wanted)
    except Exception as exc:
        return None, f"no peers environment: {type(exc).__name__}: {exc}"
    return python, ""


# ------------------------------------------------------------------------------------------ rehost runners


def rehost_runner(base: str, case: str) -> Runner:
    from rehost import Done, GenericClient, Google, Groq, TextDelta

    if case == "stream-gemini":
        client = GenericClient("m", provider=Google(KEY, base_url=gemini_url(base)))
    else:
        client = GenericClient("m", provider=Groq(KEY, base_url=openai_url(base)))
    if case == "nonstream":
        return lambda: client.complete("hi").text

    def run() -> str:
        # every neutral event is looked at, and the final Completion (built once, at the end) is read
        parts: list[str] = []
        text = ""
        for event in client.stream("hi"):
            if isinstance(event, TextDelta):
                parts.append(event.text)
            elif isinstance(event, Done):
                text = event.completion.text
        assert text == "".join(parts)
        return text

    return run


def async_runners(base: str, case: str) -> dict[str, Runner]:
    """The async twins of a case, each call run to completion on one long-lived event loop: raw httpx on its
    own pool (httpcore), raw aiohttp, rehost on its default async transport (aiohttp) and rehost on httpcore
    (``REHOST_ASYNC_HTTP=httpx``, read when the pool is built)."""
    import asyncio

    import httpx
    from cases import chat_body

    from rehost import Done, GenericClient, Groq, TextDelta

    loop = asyncio.new_event_loop()
    url = openai_url(base) + "/chat/completions"
    body = chat_body(case != "nonstream")
    headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
    http = httpx.AsyncClient(timeout=60)
    session = loop.run_until_complete(_aiohttp_session())

    def text_of(line: str, parts: list[str]) -> None:
        if line.startswith("data: ") and line != "data: [DONE]":
            for choice in json.loads(line[6:]).get("choices") or ():
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    parts.append(piece)

    async def raw_httpx_async() -> str:
        if case == "nonstream":
            resp = await http.post(url, content=body, headers=headers)
            resp.raise_for_status()
            return str(resp.json()["choices"][0]["message"]["content"])
        parts: list[str] = []
        async with http.stream("POST", url, content=body, headers=headers) as resp:
            resp.raise_for_status()
            async for line in resp.aiter_lines():
                text_of(line, parts)
        return "".join(parts)

    async def raw_aiohttp() -> str:
        async with session.post(url, data=body, headers=headers) as resp:
            resp.raise_for_status()
            if case == "nonstream":
                return str(json.loads(await resp.read())["choices"][0]["message"]["content"])
            parts: list[str] = []
            async for raw in resp.content:
                text_of(raw.decode().rstrip("\r\n"), parts)
            return "".join(parts)

    providers: list[Any] = []

    def rehost_on(backend: str) -> Callable[[], Any]:
        provider = Groq(KEY, base_url=openai_url(base))
        providers.append(provider)
        previous = os.environ.get("REHOST_ASYNC_HTTP")
        os.environ["REHOST_ASYNC_HTTP"] = backend
        try:
            loop.run_until_complete(provider.awarm())  # builds this loop's pool on the chosen transport
        finally:
            if previous is None:
                del os.environ["REHOST_ASYNC_HTTP"]
            else:
                os.environ["REHOST_ASYNC_HTTP"] = previous
        client = GenericClient("m", provider=provider)

        async def run() -> str:
            if case == "nonstream":
                return (await client.acomplete("hi")).text
            parts: list[str] = []
            text = ""
            async for event in client.astream("hi"):
                if isinstance(event, TextDelta):
                    parts.append(event.text)
                elif isinstance(event, Done):
                    text = event.completion.text
            assert text == "".join(parts)
            return text

        return run

    makers = {"raw httpx": raw_httpx_async, "raw aiohttp": raw_aiohttp, "rehost": rehost_on("aiohttp"),
              "rehost on httpcore": rehost_on("httpx")}

    async def close() -> None:
        await session.close()
        await http.aclose()
        for provider in providers:  # each pool's keeper task ends with its pool, before the loop closes
            await provider.aclose()

    def close_all() -> None:
        loop.run_until_complete(close())
        loop.close()

    _CLOSE.append(close_all)
    return {name: (lambda make=make: str(loop.run_until_complete(make()))) for name, make in makers.items()}


#: what the async runners leave open, closed once their case is measured
_CLOSE: list[Callable[[], object]] = []


async def _aiohttp_session() -> Any:
    import aiohttp

    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))


# ------------------------------------------------------------------------------------------ sections


CASES = {
    "nonstream": ("non-streaming, short answer", {}, 200),
    "stream-openai": ("500-chunk stream, OpenAI dialect", {"output_tokens": 500}, 10),
    "stream-gemini": ("500-chunk stream, Gemini dialect", {"output_tokens": 500}, 10),
    # the same requests on the async path (rehost's default async transport is aiohttp's pool); "raw httpx" is
    # httpx.AsyncClient there, and the peers are not run
    "nonstream-async": ("non-streaming, short answer, async", {}, 200),
    "stream-openai-async": ("500-chunk stream, OpenAI dialect, async", {"output_tokens": 500}, 10),
}


def run_case(case: str, rounds: int, scale: float, peers: Path | None, peers_reason: str) -> dict[str, Any]:
    from rehost.testing.emulator import emulator_process

    title, script, n = CASES[case]
    n = max(2, int(n * scale))
    rows: dict[str, Any] = {}
    with emulator_process(**script) as url:
        if case.endswith("-async"):
            runners = async_runners(url, case.removesuffix("-async"))
        else:
            runners = {"raw httpx": raw_httpx(url, case), "rehost": rehost_runner(url, case)}
        expected = runners["raw httpx"]()
        for name, run in runners.items():
            got = run()
            if got != expected:
                raise SystemExit(f"{case}: {name} answered {got[:60]!r}, raw httpx {expected[:60]!r}")
        timings = measure(runners, n=n, rounds=rounds, warmup=max(3, n // 5))
        while _CLOSE:
            _CLOSE.pop()()
        for name, values in timings.items():
            rows[name] = {"ms": median(values) * 1000, "spread": _spread(values)}
        if case.endswith("-async"):
            pass  # the peers are measured on the sync cases only
        elif peers is None:
            rows.update({p: {"na": peers_reason or "peers skipped (--no-peers)"} for p in PEER_NAMES})
        else:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
                f.write(expected)
            try:
                proc = subprocess.run([str(peers), str(HERE / "peers.py"), case, url, str(n), str(rounds), f.name],
                                      check=False, capture_output=True, text=True, timeout=1800)
                data = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
            except (subprocess.TimeoutExpired, ValueError, IndexError):
                data = None
            finally:
                os.unlink(f.name)
            if data is None:
                rows.update({p: {"na": "peers.py failed"} for p in PEER_NAMES})
            else:
                peer_raw = data.pop("raw httpx (peers env)", {}).get("ms")
                for name, row in data.items():
                    if "ms" in row and peer_raw:
                        row["ratio_same_env"] = row["ms"] / peer_raw
                    rows[name] = row
                rows["raw httpx (peers env)"] = {"ms": peer_raw}
    return {"title": title, "n": n, "rows": rows}


def _spread(values: list[float]) -> float:
    """Half the interquartile range relative to the median: how steady the rounds were."""
    if len(values) < 4:
        return 0.0
    q = statistics.quantiles(values, n=4)
    return (q[2] - q[0]) / 2 / statistics.median(values)


# Peak RSS is read from VmHWM, the high-water mark of this process's own memory: ru_maxrss would carry the
# larger figure of the benchmark process that forked it across exec on Linux.
PEAK_RSS = """
def peak_rss_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

IMPORT_PROBE = PEAK_RSS + """
import sys, time
t0 = time.perf_counter()
exec(sys.argv[1])
elapsed = time.perf_counter() - t0
print(elapsed, peak_rss_kb())
"""


def import_cost(python: str, statement: str, runs: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Median seconds of ``statement`` in fresh interpreters, and the median peak RSS they reach above a bare
    interpreter's (VmHWM)."""
    times, rss = [], []
    for _ in range(runs):
        proc = subprocess.run([python, "-c", IMPORT_PROBE, statement], check=False, capture_output=True, text=True,
                              env=env, timeout=300)
        if proc.returncode != 0:
            return {"na": (proc.stderr.strip().splitlines() or ["failed"])[-1][:100]}
        elapsed, peak = proc.stdout.split()
        times.append(float(elapsed))
        rss.append(int(peak))
    return {"s": statistics.median(times), "rss_kb": statistics.median(rss)}


def run_imports(runs: int, peers: Path | None, peers_reason: str, compare_src: Path | None = None) -> dict[str, Any]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    bare = import_cost(sys.executable, "pass", runs)
    rows = {
        "import httpx, pydantic": import_cost(sys.executable, "import httpx, pydantic", runs),
        "import rehost": import_cost(sys.executable, "import rehost", runs),
        "from rehost import GenericClient, Groq": import_cost(
            sys.executable, "from rehost import GenericClient, Groq", runs),
    }
    if compare_src is not None:
        rows[f"from rehost import GenericClient, Groq ({compare_src})"] = import_cost(
            sys.executable, "from rehost import GenericClient, Groq", runs,
            {**os.environ, "PYTHONPATH": str(compare_src)})
    peer_bare = import_cost(str(peers), "pass", runs) if peers is not None else None
    for name in PEER_NAMES:
        if peers is None:
            rows[name] = {"na": peers_reason or "peers skipped (--no-peers)"}
            continue
        row = import_cost(str(peers), PEER_IMPORTS[name], max(3, runs // 2), env)
        if "rss_kb" in row and peer_bare and "rss_kb" in peer_bare:
            row["rss_kb"] += bare["rss_kb"] - peer_bare["rss_kb"]  # same baseline as rehost's rows
        rows[PEER_IMPORTS[name]] = row
    for row in rows.values():
        if "rss_kb" in row:
            row["rss_mb_above_bare"] = (row["rss_kb"] - bare["rss_kb"]) / 1024
    return {"bare_rss_mb": bare["rss_kb"] / 1024, "rows": rows}


CONCURRENCY_PROBE = PEAK_RSS + """
import asyncio, json, os, sys, time
sys.path.insert(0, sys.argv[1])
url, streams, who, connections = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
import httpx
from cases import KEY, MESSAGES_JSON, openai_url

HEADERS = {"authorization": "Bearer " + KEY, "content-type": "application/json"}
TARGET = openai_url(url) + "/chat/completions"
LIMITS = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

def text_of(line, parts):
    if line.startswith("data: ") and line != "data: [DONE]":
        for c in json.loads(line[6:]).get("choices") or ():
            t = (c.get("delta") or {}).get("content")
            if t:
                parts.append(t)

async def main():
    if who.startswith("rehost"):
        from rehost import GenericClient, Groq
        if who == "rehost on httpcore":
            os.environ["REHOST_ASYNC_HTTP"] = "httpx"
        client = GenericClient("m", provider=Groq(KEY, base_url=openai_url(url), limits=LIMITS))
        async def one():
            return await collect(client)
    elif who == "raw aiohttp":
        import aiohttp
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections),
                                        timeout=aiohttp.ClientTimeout(total=600))
        async def one():
            parts = []
            async with session.post(TARGET, data=MESSAGES_JSON, headers=HEADERS) as resp:
                async for raw in resp.content:
                    text_of(raw.decode().rstrip("\\r\\n"), parts)
            return "".join(parts)
    else:
        kwargs = {}
        if who == "httpx + httpx-aiohttp":
            from httpx_aiohttp import AiohttpTransport
            kwargs["transport"] = AiohttpTransport(limits=LIMITS)
        http = httpx.AsyncClient(limits=LIMITS, timeout=600, **kwargs)
        async def one():
            parts = []
            async with http.stream("POST", TARGET, content=MESSAGES_JSON, headers=HEADERS) as resp:
                async for line in resp.aiter_lines():
                    text_of(line, parts)
            return "".join(parts)
    base = peak_rss_kb()
    t0 = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(streams)), return_exceptions=True)
    seconds = time.perf_counter() - t0
    peak = peak_rss_kb()
    errors = [r for r in results if isinstance(r, BaseException) or not r]
    first = repr(errors[0])[:200] if errors else None
    print(json.dumps({"errors": len(errors), "first_error": first, "seconds": seconds, "peak_rss_mb": peak / 1024,
                      "per_stream_kb": (peak - base) / streams}))

async def collect(client):
    from rehost import Done, TextDelta
    parts, text = [], ""
    async for ev in client.astream("hi"):
        if isinstance(ev, TextDelta):
            parts.append(ev.text)
        elif isinstance(ev, Done):
            text = ev.completion.text
    assert text == "".join(parts)
    return text

asyncio.run(main())
"""

#: the clients of the concurrency tables, in print order; rehost's default async transport is aiohttp's pool
CONCURRENT_CLIENTS = ("raw aiohttp", "httpx + httpx-aiohttp", "raw httpx", "rehost", "rehost on httpcore")


def run_concurrency(streams: int, connections: int, peers: Path | None, peers_reason: str, *,
                    default_pool: bool, row_timeout: float) -> dict[str, Any]:
    """``streams`` concurrent streams through pools of ``connections``, each client in a fresh interpreter;
    with ``default_pool`` also rehost on its default pool of 100 and the openai SDK. A client still running
    after ``row_timeout`` seconds is stopped and its row says so (raw httpx's pool at 5,000 streams runs for
    more than 20 minutes)."""
    from rehost.testing.emulator import emulator_process

    rows: dict[str, Any] = {}
    script = {"output_tokens": 50, "inter_token": 0.01}
    plan = [(who, connections) for who in CONCURRENT_CLIENTS]
    if default_pool:
        plan.append(("rehost", 100))
    with emulator_process(**script) as url:
        for who, pool in plan:
            label = f"{who}, {pool} connections"
            env = {k: v for k, v in os.environ.items() if k != "REHOST_ASYNC_HTTP"}
            try:
                proc = subprocess.run([sys.executable, "-c", CONCURRENCY_PROBE, str(HERE), url, str(streams), who,
                                       str(pool)], check=False, capture_output=True, text=True, timeout=row_timeout,
                                      env=env)
            except subprocess.TimeoutExpired:
                rows[label] = {"na": f"stopped: not finished after {row_timeout:.0f} s (--row-timeout)"}
                continue
            if proc.returncode != 0:
                rows[label] = {"na": (proc.stderr.strip().splitlines() or ["failed"])[-1][:120]}
            else:
                rows[label] = json.loads(proc.stdout.strip().splitlines()[-1])
        if not default_pool:
            pass
        elif peers is None:
            rows["openai SDK"] = {"na": peers_reason or "peers skipped (--no-peers)"}
        else:
            proc = subprocess.run([str(peers), str(HERE / "peers.py"), "concurrency", url, str(streams)],
                                  check=False, capture_output=True, text=True, timeout=900)
            try:
                data = json.loads(proc.stdout.strip().splitlines()[-1])
                rows[f"openai SDK, {streams} connections"] = data["openai SDK"]
            except (ValueError, IndexError, KeyError):
                rows["openai SDK"] = {"na": "peers.py failed"}
    return {"streams": streams, "connections": connections, "script": script, "rows": rows,
            "load": os.getloadavg()}


FIRST_CALL_PROBE = """
import sys, time, json
url = sys.argv[1]
who = sys.argv[2]
t0 = time.perf_counter()
if who == "raw httpx":
    import httpx
    t1 = time.perf_counter()
    body = b'{"model":"m","messages":[{"role":"user","content":"hi"}]}'
    headers = {"authorization": "Bearer k", "content-type": "application/json"}
    t2 = time.perf_counter()
    client = httpx.Client(timeout=60)  # built in the first call, as rehost builds its pool there
    call = lambda: client.post(url + "/groq/openai/v1/chat/completions", content=body, headers=headers).json()
else:
    from rehost import GenericClient, Groq
    t1 = time.perf_counter()
    if who == "rehost async":
        import asyncio
        loop = asyncio.new_event_loop()
    t2 = time.perf_counter()
    client = GenericClient("m", provider=Groq("k", base_url=url + "/groq/openai/v1"))
    if who == "rehost async":
        call = lambda: loop.run_until_complete(client.acomplete("hi"))
    else:
        call = lambda: client.complete("hi")
call()
t3 = time.perf_counter()
call()
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_s": t3 - t2, "second_s": t4 - t3}))
"""


def run_first_call(runs: int, compare_src: Path | None) -> dict[str, Any]:
    """The first call on a fresh provider (client built, pool built, connection opened), in fresh interpreters:
    medians over ``runs``. ``compare_src`` adds the same rows for another copy of rehost's ``src`` (before/after)."""
    from rehost.testing.emulator import emulator_process

    plans = [("raw httpx", None), ("rehost sync", None), ("rehost async", None)]
    if compare_src is not None:
        plans += [(who, compare_src) for who in ("rehost sync", "rehost async")]
    rows: dict[str, Any] = {}
    with emulator_process() as url:
        for who, src in plans:
            env = dict(os.environ)
            env.pop("REHOST_ASYNC_HTTP", None)
            if src is not None:
                env["PYTHONPATH"] = str(src)
            samples = []
            for _ in range(runs):
                proc = subprocess.run([sys.executable, "-c", FIRST_CALL_PROBE, url, who], check=False,
                                      capture_output=True, text=True, timeout=300, env=env)
                if proc.returncode != 0:
                    samples = []
                    rows[who if src is None else f"{who} ({src})"] = {
                        "na": (proc.stderr.strip().splitlines() or ["failed"])[-1][:120]}
                    break
                samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            if samples:
                rows[who if src is None else f"{who} ({src})"] = {
                    k: statistics.median(s[k] for s in samples) for k in samples[0]}
    return {"runs": runs, "rows": rows}


# ------------------------------------------------------------------------------------------ report


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import httpx
    import pydantic

    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, httpx {httpx.__version__}, pydantic {pydantic.VERSION}")


def print_report(results: dict[str, Any]) -> None:
    print(f"\nmachine: {results['machine']}")
    for case in CASES:
        if case not in results:
            continue
        section = results[case]
        rows = section["rows"]
        raw = rows["raw httpx"]["ms"]
        print(f"\n## {section['title']} (per request, median of {results['rounds']} rounds of {section['n']})")
        print(f"| {'client':<24} | {'ms / request':>12} | {'x raw httpx':>11} |")
        print(f"|{'-' * 26}|{'-' * 14}:|{'-' * 12}:|")
        for name, row in rows.items():
            if name == "raw httpx (peers env)":
                continue
            if "na" in row:
                print(f"| {name:<24} | {'n/a':>12} | {'':>11} | {row['na']}")
                continue
            ratio = row["ms"] / raw
            note = f" (x{row['ratio_same_env']:.2f} against httpx in its own env)" if "ratio_same_env" in row else ""
            print(f"| {name:<24} | {row['ms']:>12.3f} | {ratio:>11.2f} |{note}")
    if "imports" in results:
        imp = results["imports"]
        base = imp["rows"]["import httpx, pydantic"]
        print(f"\n## import (fresh interpreter each run; RSS above a bare interpreter of {imp['bare_rss_mb']:.1f} MB)")
        print(f"| {'statement':<40} | {'seconds':>8} | {'x':>5} | {'peak RSS MB':>11} | {'x':>5} |")
        print(f"|{'-' * 42}|{'-' * 9}:|{'-' * 6}:|{'-' * 12}:|{'-' * 6}:|")
        for name, row in imp["rows"].items():
            if "na" in row:
                print(f"| {name:<40} | {'n/a':>8} | {'':>5} | {'':>11} | {'':>5} | {row['na']}")
                continue
            print(f"| {name:<40} | {row['s']:>8.3f} | {row['s'] / base['s']:>5.2f} | "
                  f"{row['rss_mb_above_bare']:>11.1f} | {row['rss_mb_above_bare'] / base['rss_mb_above_bare']:>5.2f} |")
    for key in ("concurrency", "concurrency-big"):
        if key in results:
            print_concurrency(results[key])
    if "first-call" in results:
        first = results["first-call"]
        print(f"\n## first call on a fresh provider (fresh interpreter each run, median of {first['runs']})")
        print(f"| {'client':<44} | {'import ms':>9} | {'first call ms':>13} | {'second call ms':>14} |")
        print(f"|{'-' * 46}|{'-' * 10}:|{'-' * 14}:|{'-' * 15}:|")
        for name, row in first["rows"].items():
            if "na" in row:
                print(f"| {name:<44} | {'n/a':>9} | {'':>13} | {'':>14} | {row['na']}")
                continue
            print(f"| {name:<44} | {row['import_s'] * 1000:>9.1f} | {row['first_s'] * 1000:>13.1f} | "
                  f"{row['second_s'] * 1000:>14.2f} |")


def print_concurrency(con: dict[str, Any]) -> None:
    rows = con["rows"]
    floor = rows.get(f"raw aiohttp, {con['connections']} connections", {}).get("seconds")
    load = " ".join(f"{x:.2f}" for x in con["load"])
    print(f"\n## {con['streams']} concurrent async streams from one process, pools of {con['connections']} "
          f"({con['script']['output_tokens']} chunks each, {con['script']['inter_token'] * 1000:.0f} ms apart; "
          f"load average {load} at the end)")
    print(f"| {'client':<36} | {'errors':>6} | {'seconds':>7} | {'x raw aiohttp':>13} | {'peak RSS MB':>11} | "
          f"{'KB / stream':>11} |")
    print(f"|{'-' * 38}|{'-' * 7}:|{'-' * 8}:|{'-' * 14}:|{'-' * 12}:|{'-' * 12}:|")
    for name, row in rows.items():
        if "na" in row:
            print(f"| {name:<36} | {'n/a':>6} | {'':>7} | {'':>13} | {'':>11} | {'':>11} | {row['na']}")
            continue
        ratio = f"{row['seconds'] / floor:.2f}" if floor else ""
        print(f"| {name:<36} | {row['errors']:>6} | {row['seconds']:>7.2f} | {ratio:>13} | "
              f"{row['peak_rss_mb']:>11.1f} | {row['per_stream_kb']:>11.1f} |"
              + (f" first error: {row['first_error']}" if row["errors"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer requests per round (a smoke run)")
    parser.add_argument("--no-peers", action="store_true", help="only raw httpx and rehost")
    parser.add_argument("--only", nargs="*", choices=[*CASES, "imports", "first-call", "concurrency",
                                                      "concurrency-big"])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--big-streams", type=int, default=5000, help="the second concurrency table's streams")
    parser.add_argument("--big-connections", type=int, default=500, help="... and its pool size")
    parser.add_argument("--row-timeout", type=float, default=600,
                        help="seconds a client may take for one concurrency row before it is stopped")
    parser.add_argument("--compare-src", type=Path,
                        help="another copy of rehost's src/ (say, main's) to add to the first-call and import rows")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    scale = 0.25 if args.quick else 1.0
    sections = args.only or [*CASES, "imports", "first-call", "concurrency", "concurrency-big"]
    peers, reason = (None, "peers skipped (--no-peers)") if args.no_peers else peers_python()
    results: dict[str, Any] = {"machine": machine(), "rounds": args.rounds}
    for section in sections:
        print(f"running {section} ...", flush=True)
        if section in CASES:
            results[section] = run_case(section, args.rounds, scale, peers, reason)
        elif section == "imports":
            results["imports"] = run_imports(max(3, args.rounds), peers, reason, args.compare_src)
        elif section == "first-call":
            results["first-call"] = run_first_call(max(3, args.rounds), args.compare_src)
        elif section == "concurrency":
            results["concurrency"] = run_concurrency(args.streams, args.streams, peers, reason, default_pool=True,
                                                     row_timeout=args.row_timeout)
        else:
            results["concurrency-big"] = run_concurrency(args.big_streams, args.big_connections, peers, reason,
                                                         default_pool=False, row_timeout=args.row_timeout)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
