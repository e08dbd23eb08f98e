"""One worker process of tests/test_beyond_one_process.py: ``python tests/redis_worker.py '<json>'``.

Every worker builds its own host, limiter, Fallback or cache against one Redis, as separate deployments of
an application would, and prints one JSON line of what it did.
"""

from __future__ import annotations

import json
import sys
import time


def main(spec: dict) -> dict:
    from rehost import Fallback, GenericClient, Groq, RateLimit, ResponseCache, Together
    from rehost.errors import RehostError
    from rehost.providers.fallback import Breaker
    from rehost.shared.io.state_redis import RedisState
    from rehost.shared.transport import RetryPolicy

    mode, name = spec["mode"], spec["name"]
    retry = RetryPolicy(max_retries=spec.get("retries", 0))
    if mode in ("rate", "once"):
        limit = RateLimit(requests_per_minute=spec["rpm"], state=RedisState(spec["redis"]), key=spec["key"])
        client = GenericClient("m", provider=Groq("emulator-key", base_url=spec["groq"], rate_limit=limit,
                                                  retry=retry))
    elif mode == "breaker":
        state = RedisState(spec["redis"])
        members = [Groq("emulator-key", base_url=spec["groq"], retry=retry),
                   Together("emulator-key", base_url=spec["together"], retry=retry)]
        client = GenericClient("m", provider=Fallback(members, breaker=Breaker(failures=2, cooldown=30),
                                                      max_attempts=1, state=state, state_key=spec["key"]))
    elif mode == "cache":
        client = GenericClient("m", provider=Groq("emulator-key", base_url=spec["groq"]),
                               cache=ResponseCache(RedisState(spec["redis"])))
    else:
        raise SystemExit(f"unknown mode {mode}")
    start_at = spec.get("start_at")
    if start_at is not None:
        time.sleep(max(0.0, start_at - time.time()))
    sent, errors, hosts, cached = 0, [], [], []
    end = time.time() + spec.get("duration", 0)
    for i in range(spec.get("calls", 10**9)):
        try:
            done = client.complete(f"{name}-{i}" if mode != "cache" else "the same question")
            hosts.append(done.host)
            cached.append(done.cached)
        except RehostError as exc:
            errors.append(type(exc).__name__)
        sent += 1
        if "duration" in spec and time.time() >= end:
            break
    return {"name": name, "sent": sent, "errors": errors, "hosts": hosts, "cached": cached}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
