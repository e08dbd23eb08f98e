"""Client-side rate limiting (async and sync, shared by every client of a provider, adaptive to the host's
headers) and the load test: 10,000 requests at concurrency 500 through one rate-limited provider."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from rehost import GenericClient, Groq, RetryPolicy
from rehost.errors import RateLimited
from rehost.shared.ratelimit import RateLimit, RateLimiter, parse_duration
from rehost.testing.emulator import Emulator, emulator_process


@pytest.mark.parametrize(("text", "seconds"), [("7.66s", 7.66), ("2m59.56s", 179.56), ("1h2m", 3720.0),
                                               ("250ms", 0.25), ("3", 3.0), ("soon", None), ("", None)])
def test_durations_in_rate_limit_headers(text, seconds):
    assert parse_duration(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_sync_limiter_holds_threads_to_the_rate():
    limiter = RateLimiter(RateLimit(requests_per_minute=6000))  # 100 a second
    stamps: list[float] = []
    lock = threading.Lock()

    def work():
        for _ in range(25):
            limiter.acquire_sync()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(4)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = max(stamps) - start
    assert len(stamps) == 100
    assert elapsed >= 0.9  # 100 requests at 100/s cannot all go in much under a second


def test_host_headers_saying_the_budget_is_spent_pause_everyone():
    limiter = RateLimiter(RateLimit(requests_per_minute=60000))
    limiter.observe({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "0.4s"})
    assert 0.3 < limiter.paused_for <= 0.4
    limiter.observe({"x-ratelimit-remaining-tokens": "120", "x-ratelimit-reset-tokens": "9s"})
    assert limiter.paused_for <= 0.4  # tokens left: no new pause
    start = time.monotonic()
    limiter.acquire_sync()
    assert time.monotonic() - start >= 0.25


RETRY_AFTER = 1.0


def _rate_limited_provider(emu):
    """A provider with a client-side limiter (far above the pace of these tests) and no retries, and a 429
    with Retry-After waiting for its first request."""
    provider = emu.provider("groq", rate_limit=RateLimit(requests_per_minute=60000), retry=RetryPolicy(max_retries=0))
    emu.inject("429", times=1, host="groq", retry_after=str(RETRY_AFTER))
    return provider


def _waited_out(emu, later):
    """Each later call reached the host only once the Retry-After had run out. Other load on the machine can
    only delay a call, never bring it forward, so this bound is safe on a busy machine; without the pause
    the calls arrive within milliseconds of the 429."""
    limited = emu.requests[0].at
    gaps = [seen.at - limited for seen in emu.requests[1:]]
    assert len(gaps) == later
    assert min(gaps) >= RETRY_AFTER * 0.95, f"calls reached the host {min(gaps):.3f}s after the 429"


def test_a_429_pauses_the_other_calls_of_the_provider():
    """A 429's Retry-After holds back every call through the provider, from any client and any thread, not
    only the call that met it (which here gives up at once: no retries)."""
    with Emulator() as emu:
        provider = _rate_limited_provider(emu)
        first, second = GenericClient("m", provider=provider), GenericClient("m2", provider=provider)
        with pytest.raises(RateLimited):
            first.complete("hi")
        answers: list[str] = []
        threads = [threading.Thread(target=lambda c=c: answers.append(c.complete("hi").text))
                   for c in (first, second, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert len(answers) == 3  # each call waited, then was answered
        _waited_out(emu, later=3)
        provider.close()


async def test_a_429_pauses_the_other_async_calls_of_the_provider():
    with Emulator() as emu:
        provider = _rate_limited_provider(emu)
        client = GenericClient("m", provider=provider)
        with pytest.raises(RateLimited):
            await client.acomplete("hi")
        answers = await asyncio.wait_for(asyncio.gather(*(client.acomplete("hi") for _ in range(3))), 10)
        assert [a.text for a in answers] == ["Hello w1 w2 w3 w4 w5 w6 w7"] * 3
        _waited_out(emu, later=3)
        await provider.aclose()


def test_tokens_per_minute_counts_the_request_and_its_max_output():
    limiter = RateLimiter(RateLimit(tokens_per_minute=600))  # 10 tokens a second, a minute's burst
    start = time.monotonic()
    limiter.acquire_sync(600)  # the burst
    limiter.acquire_sync(5)  # must wait for half a second of budget
    assert time.monotonic() - start >= 0.4


def test_limiters_reject_nonsense():
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(RateLimit(requests_per_minute=0))


async def test_ten_thousand_requests_at_concurrency_500_through_one_rate_limited_provider():
    rate = 150.0  # per second: well within what one Python process drives through async httpx here
    n, concurrency = 10_000, 500
    with emulator_process(echo=True, output_tokens=1) as url:
        provider = Groq("emulator-key", base_url=url + "/groq/openai/v1",
                        rate_limit=RateLimit(requests_per_minute=rate * 60))
        # two clients bound to one provider share its limiter
        clients = [GenericClient("m", provider=provider), GenericClient("m2", provider=provider)]
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> str:
            async with gate:
                return (await clients[i % 2].acomplete(f"request-{i}")).text

        answers = await asyncio.gather(*(one(i) for i in range(n)))
        await provider.aclose()
        import httpx

        stats = httpx.get(url + "/_emulator/stats").json()  # the host's own view of the arrivals
    assert len(answers) == n
    assert sorted(answers) == sorted(f"request-{i}" for i in range(n))  # none lost, none duplicated or swapped
    assert stats["requests"] == n  # and none sent twice
    observed = (n - 1) / (stats["last_arrival"] - stats["first_arrival"])
    assert abs(observed - rate) / rate <= 0.05, f"the host saw {observed:.1f}/s against a limit of {rate}/s"
