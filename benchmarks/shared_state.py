"""What sharing state across processes costs (issue 19): the Redis rate limiter per call against the
in-process one, and the response cache's hit latency by store.

    python benchmarks/shared_state.py [--n 2000]

Starts its own redis-server (Debian's, as the tests do) on a free port and the host emulator in its own
process. Rate limits are set far above the pace of the loop, so what is measured is the limiter's own work
(for Redis: one EVALSHA round trip on loopback), not waiting. Prints one line per measurement and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.redis_server import RedisServer  # noqa: E402

from rehost import GenericClient, Groq, MemoryState, RateLimit, RedisState, ResponseCache  # noqa: E402
from rehost.shared.ratelimit import RateLimiter  # noqa: E402
from rehost.testing.emulator import emulator_process  # noqa: E402


def per_call(fn, n: int, rounds: int = 5) -> float:
    """Median over rounds of the mean seconds per call."""
    fn()
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    n = args.n
    fast = 60_000_000  # requests per minute: never waits
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp))
        server.start()
        try:
            redis_state = RedisState(server.url)
            limiters = {
                "local (no backend)": RateLimiter(RateLimit(requests_per_minute=fast)),
                "MemoryState": RateLimiter(RateLimit(requests_per_minute=fast, state=MemoryState(), key="b")),
                "RedisState": RateLimiter(RateLimit(requests_per_minute=fast, state=redis_state, key="b")),
            }
            acquire = {name: per_call(lim.acquire_sync, n) for name, lim in limiters.items()}
            base = acquire["local (no backend)"]
            for name, seconds in acquire.items():
                print(f"limiter step   {name:20} {seconds * 1e6:8.1f} us/call   x{seconds / base:5.1f}")
            with emulator_process(echo=True, output_tokens=1) as url:
                base_url = url + "/groq/openai/v1"
                calls = {}
                for name, limit in (("local limiter", RateLimit(requests_per_minute=fast)),
                                    ("Redis limiter", RateLimit(requests_per_minute=fast, state=redis_state,
                                                                key="calls"))):
                    client = GenericClient("m", provider=Groq("emulator-key", base_url=base_url, rate_limit=limit))
                    calls[name] = per_call(lambda c=client: c.complete("hi"), max(50, n // 10))
                    client.provider.close()
                for name, seconds in calls.items():
                    print(f"whole call     {name:20} {seconds * 1e6:8.1f} us/call   "
                          f"x{seconds / calls['local limiter']:5.2f}")
                miss = calls["local limiter"]
                stores = {"memory": ResponseCache(), "sqlite": ResponseCache(Path(tmp) / "c.sqlite"),
                          "redis": ResponseCache(RedisState(server.url))}
                for name, cache in stores.items():
                    client = GenericClient("m", provider=Groq("emulator-key", base_url=base_url), cache=cache)
                    client.complete("the cached question")
                    hit = per_call(lambda c=client: c.complete("the cached question"), max(200, n // 4))
                    assert cache.hits > 0
                    print(f"cache hit      {name:20} {hit * 1e6:8.1f} us/call   x{hit / miss:5.2f} of a sent call")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
