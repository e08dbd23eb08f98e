"""Issue 19's acceptance: several processes share one Redis (a real redis-server the test starts) and a host
emulator (in this process, so it sees every arrival on one clock).

* four processes share a 120-requests-per-minute limit on one key, and the host sees the aggregate within
  5% over a 30 s window;
* a 429 with Retry-After seen by one process pauses the others;
* a circuit opened by one process is open in another;
* the response cache is shared;
* killing Redis mid-run degrades to local limits with a warning: no call fails, and the rate stays limited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rehost.testing.emulator import Emulator

WORKER = Path(__file__).with_name("redis_worker.py")
ROOT = WORKER.parent.parent


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), *sys.path])}


def _launch(spec: dict) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(WORKER), json.dumps(spec)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())


def _result(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[dict, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1]), err


def _spec(emu, redis_server, **fields) -> dict:
    return {"redis": redis_server.url, "groq": emu.base_url("groq"), "together": emu.base_url("together"),
            **fields}


def _by(emu, name: str) -> list:
    return [s for s in emu.requests if s.method == "POST" and f'"{name}-' in s.body.decode()]


@pytest.mark.slow
def test_four_processes_share_120_requests_per_minute(redis_server):
    rpm, duration = 120, 30.0
    with Emulator() as emu:
        start_at = time.time() + 3.0  # every worker imported and ready before the first call
        procs = [_launch(_spec(emu, redis_server, mode="rate", name=f"p{i}", rpm=rpm, key="four",
                               start_at=start_at, duration=duration)) for i in range(4)]
        results = [_result(p)[0] for p in procs]
        arrivals = sorted(s.at for s in emu.requests if s.method == "POST")
    assert all(not r["errors"] for r in results)
    assert all(r["sent"] >= 5 for r in results)  # every process had its share, none starved
    window = arrivals[-1] - arrivals[0]
    assert window >= duration * 0.95
    observed = (len(arrivals) - 1) / window * 60
    assert abs(observed - rpm) / rpm <= 0.05, f"the host saw {observed:.1f} requests/min against {rpm}"


def test_a_429_seen_by_one_process_pauses_the_others(redis_server):
    with Emulator() as emu:
        emu.inject("429", times=1, host="groq", retry_after="6")
        first, _ = _result(_launch(_spec(emu, redis_server, mode="once", name="a", rpm=6000, key="pause",
                                         calls=1)))
        assert first["errors"] == ["RateLimited"]
        limited = emu.requests[-1].at
        others = [_launch(_spec(emu, redis_server, mode="once", name=n, rpm=6000, key="pause", calls=2))
                  for n in ("b", "c", "d")]
        results = [_result(p)[0] for p in others]
        later = [s.at - limited for n in ("b", "c", "d") for s in _by(emu, n)]
    assert all(not r["errors"] for r in results)  # they waited, then were answered
    assert len(later) == 6
    assert min(later) >= 6 * 0.95, f"another process reached the host {min(later):.2f}s after the 429"


def test_a_circuit_opened_by_one_process_is_open_in_another(redis_server):
    with Emulator() as emu:
        emu.inject("500", times=2, host="groq")
        opener, _ = _result(_launch(_spec(emu, redis_server, mode="breaker", name="a", key="fb", calls=2)))
        assert opener["errors"] == ["ServerError", "ServerError"]
        before = len(emu.requests)
        other, _ = _result(_launch(_spec(emu, redis_server, mode="breaker", name="b", key="fb", calls=1)))
        sent = [s.host for s in emu.requests[before:]]
    assert other["hosts"] == ["together"]
    assert sent == ["together"]  # groq passed over without a request: its circuit was open here too


def test_the_response_cache_is_shared(redis_server):
    with Emulator() as emu:
        first, _ = _result(_launch(_spec(emu, redis_server, mode="cache", name="a", calls=1)))
        second, _ = _result(_launch(_spec(emu, redis_server, mode="cache", name="b", calls=1)))
        sent = [s for s in emu.requests if s.method == "POST"]
    assert first["cached"] == [False]
    assert second["cached"] == [True]
    assert len(sent) == 1


def test_killing_redis_mid_run_degrades_to_local_limits(redis_server):
    rpm, duration, kill_after = 120, 8.0, 3.0
    with Emulator() as emu:
        start_at = time.time() + 3.0
        procs = [_launch(_spec(emu, redis_server, mode="rate", name=f"k{i}", rpm=rpm, key="kill",
                               start_at=start_at, duration=duration)) for i in range(2)]
        time.sleep(max(0.0, start_at + kill_after - time.time()))
        redis_server.stop()
        killed = time.monotonic()
        results = [_result(p) for p in procs]
        after = [s.at for s in emu.requests if s.method == "POST" and s.at > killed + 0.1]
    for result, stderr in results:
        assert not result["errors"]  # no call failed for the outage
        assert stderr.count("unreachable") == 1, stderr  # one warning per process, not one per call
    # each process alone at 120/min (2/s) for the rest of the run: limited, not unlimited
    rest = duration - kill_after
    assert len(after) >= rest  # calls went on
    assert len(after) <= 2 * 2 * rest * 1.2 + 4
