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

Sections: non-streaming (a short answer), 500-chunk streams in the OpenAI and Gemini dialects, import time
and memory (each import in fresh interpreters), and 1,000 concurrent async streams from one process. Times
are per request, after warm-up: the median over rounds of the mean of ``n`` requests, the clients
interleaved round by round. Everything runs offline except the peers' one-time ``pip install``.
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


# ------------------------------------------------------------------------------------------ sections


CASES = {
    "nonstream": ("non-streaming, short answer", {}, 200),
    "stream-openai": ("500-chunk stream, OpenAI dialect", {"output_tokens": 500}, 10),
    "stream-gemini": ("500-chunk stream, Gemini dialect", {"output_tokens": 500}, 10),
}


def run_case(case: str, rounds: int, scale: float, peers: Path | None, peers_reason: str) -> dict[str, Any]:
    from rehost.testing.emulator import emulator_process

    title, script, n = CASES[case]
    n = max(2, int(n * scale))
    rows: dict[str, Any] = {}
    with emulator_process(**script) as url:
        runners = {"raw httpx": raw_httpx(url, case), "rehost": rehost_runner(url, case)}
        expected = runners["raw httpx"]()
        got = runners["rehost"]()
        if got != expected:
            raise SystemExit(f"{case}: rehost answered {got[:60]!r}, raw httpx {expected[:60]!r}")
        timings = measure(runners, n=n, rounds=rounds, warmup=max(3, n // 5))
        for name, values in timings.items():
            rows[name] = {"ms": median(values) * 1000, "spread": _spread(values)}
        if peers is None:
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


def run_imports(runs: int, peers: Path | None, peers_reason: str) -> dict[str, Any]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    bare = import_cost(sys.executable, "pass", runs)
    rows = {
        "import httpx, pydantic": import_cost(sys.executable, "import httpx, pydantic", runs),
        "import rehost": import_cost(sys.executable, "import rehost", runs),
        "from rehost import GenericClient, Groq": import_cost(
            sys.executable, "from rehost import GenericClient, Groq", runs),
    }
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
import asyncio, json, sys, time
sys.path.insert(0, sys.argv[1])
url, streams, who, connections = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
import httpx
from cases import KEY, MESSAGES_JSON, openai_url

async def main():
    if who == "rehost":
        from rehost import GenericClient, Groq
        client = GenericClient("m", provider=Groq(KEY, base_url=openai_url(url),
                               limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections)))
        async def one():
            return await collect(client)
    else:
        http = httpx.AsyncClient(limits=httpx.Limits(max_connections=connections,
                                 max_keepalive_connections=connections), timeout=120)
        async def one():
            parts = []
            async with http.stream("POST", openai_url(url) + "/chat/completions", content=MESSAGES_JSON,
                                   headers={"authorization": "Bearer " + KEY,
                                            "content-type": "application/json"}) as resp:
                async for line in resp.aiter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        for c in json.loads(line[6:]).get("choices") or ():
                            t = (c.get("delta") or {}).get("content")
                            if t:
                                parts.append(t)
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


def run_concurrency(streams: int, peers: Path | None, peers_reason: str) -> dict[str, Any]:
    from rehost.testing.emulator import emulator_process

    rows: dict[str, Any] = {}
    script = {"output_tokens": 50, "inter_token": 0.01}
    with emulator_process(**script) as url:
        for who, connections in (("raw httpx", streams), ("rehost", streams), ("rehost", 100)):
            label = f"{who}, {connections} connections"
            proc = subprocess.run([sys.executable, "-c", CONCURRENCY_PROBE, str(HERE), url, str(streams), who,
                                   str(connections)], check=False, capture_output=True, text=True, timeout=900)
            if proc.returncode != 0:
                rows[label] = {"na": (proc.stderr.strip().splitlines() or ["failed"])[-1][:120]}
            else:
                rows[label] = json.loads(proc.stdout.strip().splitlines()[-1])
        if peers is None:
            rows["openai SDK"] = {"na": peers_reason or "peers skipped (--no-peers)"}
        else:
            proc = subprocess.run([str(peers), str(HERE / "peers.py"), "concurrency", url, str(streams)],
                                  check=False, capture_output=True, text=True, timeout=900)
            try:
                data = json.loads(proc.stdout.strip().splitlines()[-1])
                rows[f"openai SDK, {streams} connections"] = data["openai SDK"]
            except (ValueError, IndexError, KeyError):
                rows["openai SDK"] = {"na": "peers.py failed"}
    return {"streams": streams, "script": script, "rows": rows}


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
    if "concurrency" in results:
        con = results["concurrency"]
        print(f"\n## {con['streams']} concurrent async streams from one process "
              f"({con['script']['output_tokens']} chunks each, {con['script']['inter_token'] * 1000:.0f} ms apart)")
        print(f"| {'client':<34} | {'errors':>6} | {'seconds':>7} | {'peak RSS MB':>11} | {'KB / stream':>11} |")
        print(f"|{'-' * 36}|{'-' * 7}:|{'-' * 8}:|{'-' * 12}:|{'-' * 12}:|")
        for name, row in con["rows"].items():
            if "na" in row:
                print(f"| {name:<34} | {'n/a':>6} | {'':>7} | {'':>11} | {'':>11} | {row['na']}")
                continue
            print(f"| {name:<34} | {row['errors']:>6} | {row['seconds']:>7.2f} | {row['peak_rss_mb']:>11.1f} | "
                  f"{row['per_stream_kb']:>11.1f} |" + (f" first error: {row['first_error']}" if row["errors"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer requests per round (a smoke run)")
    parser.add_argument("--no-peers", action="store_true", help="only raw httpx and rehost")
    parser.add_argument("--only", nargs="*", choices=[*CASES, "imports", "concurrency"])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    scale = 0.25 if args.quick else 1.0
    sections = args.only or [*CASES, "imports", "concurrency"]
    peers, reason = (None, "peers skipped (--no-peers)") if args.no_peers else peers_python()
    results: dict[str, Any] = {"machine": machine(), "rounds": args.rounds}
    for section in sections:
        print(f"running {section} ...", flush=True)
        if section in CASES:
            results[section] = run_case(section, args.rounds, scale, peers, reason)
        elif section == "imports":
            results["imports"] = run_imports(max(3, args.rounds), peers, reason)
        else:
            results["concurrency"] = run_concurrency(args.streams, peers, reason)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
