"""The shared-state backends (memory, Redis) and their users in one process: the rate limiter and Fallback's
breakers. The several-process acceptance tests are in test_beyond_one_process.py."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from rehost import Fallback, GenericClient, RateLimit
from rehost.errors import ConfigurationError, Overloaded, RateLimited
from rehost.providers.fallback import Breaker
from rehost.shared.io.state import Lane, MemoryState
from rehost.shared.io.state_redis import RedisState
from rehost.shared.ratelimit import RateLimiter
from rehost.shared.transport import RetryPolicy
from rehost.testing.emulator import Emulator

LANE = Lane("requests", 0.1, 0.1, 1.0)


@pytest.fixture(params=["memory", "redis"])
def backend(request):
    if request.param == "memory":
        yield MemoryState()
        return
    server = request.getfixturevalue("redis_server")
    state = RedisState(server.url)
    yield state
    state.close()


def test_a_lane_lets_a_burst_through_then_spaces_the_rest(backend):
    assert backend.reserve("k", [LANE]).wait == 0
    assert backend.reserve("k", [LANE]).wait == pytest.approx(0.1, abs=0.01)
    assert backend.reserve("k", [LANE], within=0.05).wait is None  # would wait 0.2s: nothing taken
    assert backend.reserve("k", [LANE]).wait == pytest.approx(0.2, abs=0.01)


def test_every_lane_or_none(backend):
    tokens = Lane("tokens", 0.01, 1.0, 500.0)  # 500 tokens at 100/s with a 1s burst: waits 4s
    got = backend.reserve("both", [LANE, tokens], within=1.0)
    assert got.wait is None
    assert backend.reserve("both", [LANE]).wait == 0  # the requests lane was not taken by the refused call


def test_a_pause_holds_every_caller_back_and_is_never_shortened(backend):
    backend.pause("p", 0.5)
    backend.pause("p", 0.1)
    assert 0.4 < backend.paused_for("p") <= 0.5
    got = backend.reserve("p", [LANE])
    assert got.wait is not None
    assert got.wait > 0.4
    assert got.paused_for > 0.4


def test_records_expire(backend):
    backend.set("r", b"value", ttl=0.2)
    assert backend.get("r") == b"value"
    time.sleep(0.3)
    assert backend.get("r") is None


async def test_async_twins(backend):
    assert (await backend.areserve("a", [LANE])).wait == 0
    await backend.aset("x", b"1", 5)
    assert await backend.aget("x") == b"1"
    await backend.apause("a", 0.2)
    assert backend.paused_for("a") > 0.1


def test_a_shared_limit_needs_a_key():
    with pytest.raises(ConfigurationError, match="key="):
        RateLimit(requests_per_minute=60, state=MemoryState())


def test_two_limiters_naming_one_key_share_one_budget(redis_server):
    """Two limiters (as two processes would have) with one Redis and key: 20 requests at 10/s between them
    take about 2s, not 1s."""
    limiters = [RateLimiter(RateLimit(requests_per_minute=600, state=RedisState(redis_server.url), key="shared"))
                for _ in range(2)]
    start = time.monotonic()
    for i in range(20):
        assert limiters[i % 2].acquire_sync()
    assert time.monotonic() - start >= 1.8


def test_a_pause_reaches_the_other_limiter(redis_server):
    a, b = (RateLimiter(RateLimit(requests_per_minute=6000, state=RedisState(redis_server.url), key="p"))
            for _ in range(2))
    a.pause(0.5)
    start = time.monotonic()
    assert b.acquire_sync()
    assert time.monotonic() - start >= 0.45
    assert b.paused_for < 0.1  # the pause, heard from Redis, is over once waited out


async def test_async_calls_share_the_budget(redis_server):
    limit = RateLimit(requests_per_minute=600, state=RedisState(redis_server.url), key="async")
    limiter = RateLimiter(limit)
    start = time.monotonic()
    await asyncio.gather(*(limiter.acquire() for _ in range(10)))
    assert time.monotonic() - start >= 0.85
    await limit.state.aclose()


def test_an_outage_falls_back_to_local_limits_with_a_warning(redis_server, caplog):
    limiter = RateLimiter(RateLimit(requests_per_minute=600, state=RedisState(redis_server.url, recheck=0.3),
                                    key="outage"))
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="rehost.state"):
        start = time.monotonic()
        for _ in range(15):
            assert limiter.acquire_sync()  # never an error
        elapsed = time.monotonic() - start
    assert elapsed >= 1.2  # still limited (locally): 15 at 10/s
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1  # once per outage, not once per call
    redis_server.start()
    time.sleep(0.35)
    assert limiter.acquire_sync()
    assert limiter.state is not None
    assert limiter.state.available


def test_the_redis_url_password_stays_out_of_repr():
    state = RedisState("redis://user:s3cret-pw@127.0.0.1:1/0")
    assert "s3cret-pw" not in repr(state)


# ---------------------------------------------------------------------------------------------- breakers


def _fallback(emu, state, key="fb", attempts=1):
    members = [emu.provider("groq", retry=RetryPolicy(max_retries=0)),
               emu.provider("together", retry=RetryPolicy(max_retries=0))]
    return Fallback(members, breaker=Breaker(failures=2, cooldown=30), max_attempts=attempts, state=state,
                    state_key=key)


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_a_circuit_opened_through_one_fallback_is_open_in_another(kind, request):
    if kind == "redis":
        url = request.getfixturevalue("redis_server").url
        states = [RedisState(url), RedisState(url)]
    else:
        states = [MemoryState()] * 2
    with Emulator() as emu:
        first, second = _fallback(emu, states[0]), _fallback(emu, states[1])
        emu.inject("500", times=2, host="groq")
        client = GenericClient("m", provider=first)
        for _ in range(2):
            with pytest.raises(Exception):  # noqa: B017  (a 500, one attempt each)
                client.complete("hi")
        assert first.hosts[0].circuit == "open"
        before = len(emu.requests)
        done = GenericClient("m", provider=second).complete("hi")
        assert done.host == "together"  # groq passed over: its circuit is open here too
        assert [s.host for s in emu.requests[before:]] == ["together"]
        assert second.hosts[0].circuit == "open"
        assert any(a.detail == "circuit open" for a in done.attempts or ())


def test_a_cooldown_is_shared_and_an_outage_leaves_each_its_own_view(redis_server):
    with Emulator() as emu:
        first = _fallback(emu, RedisState(redis_server.url, recheck=5), key="cool", attempts=2)
        second = _fallback(emu, RedisState(redis_server.url, recheck=5), key="cool", attempts=2)
        emu.inject("429", times=1, host="groq", retry_after="20")
        emu.inject("429", times=1, host="together", retry_after="20")
        with pytest.raises(RateLimited):
            GenericClient("m", provider=first).complete("hi")
        before = len(emu.requests)
        with pytest.raises(Overloaded):  # both cooling, as the other Fallback heard: nothing sent
            GenericClient("m", provider=second).complete("hi")
        assert len(emu.requests) == before
        redis_server.stop()
        third = _fallback(emu, RedisState(redis_server.url), key="cool")
        assert GenericClient("m", provider=third).complete("hi").host == "groq"  # its own view: no crash


def test_a_spent_budget_in_the_hosts_headers_pauses_every_sharer(redis_server):
    a, b = (RateLimiter(RateLimit(requests_per_minute=60000, state=RedisState(redis_server.url), key="hdr"))
            for _ in range(2))
    a.observe({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "0.5s"})
    start = time.monotonic()
    assert b.acquire_sync()
    assert time.monotonic() - start >= 0.4
    assert b.paused_for < 0.1  # the pause, heard from Redis, is over once waited out


def test_a_records_only_backend_cannot_hold_a_rate_limit(tmp_path):
    from rehost import SqliteState

    with pytest.raises(ConfigurationError, match="records only"):
        RateLimit(requests_per_minute=60, state=SqliteState(tmp_path / "s.sqlite"), key="k")
