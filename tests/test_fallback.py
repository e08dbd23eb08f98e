"""Fallback and routing on the host emulator: which faults fall back, retry or fail; the retry budget; the
circuit breaker's schedule (on an injected clock); the strategies; what the Completion says was tried."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter

import pytest

from rehost import Breaker, DeepSeekClient, Fallback, GenericClient, Groq, OpenAICompatible, RetryPolicy, Timeouts
from rehost.errors import (
    AuthenticationError,
    ConnectionFailed,
    ContentBlocked,
    InvalidRequest,
    MissingAPIKey,
    ModelNotServed,
    Overloaded,
    RateLimited,
    RequestTimeout,
    ServerError,
)
from rehost.providers.fallback import LowestCost
from rehost.shared.catalog import Catalog, default_catalog
from rehost.testing.emulator import Emulator

HOSTS = ("groq", "openrouter", "together")
ANSWER = "Hello w1 w2 w3 w4 w5 w6 w7"
NO_WAIT = RetryPolicy(initial_delay=0.0, max_delay=0.0, jitter=False)


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


OPENED: list = []


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.reset()
    yield
    while OPENED:
        OPENED.pop().close()
    assert wait_for(lambda: emu.open_connections == 0), "a test left sockets open"


def wait_for(predicate, seconds=3.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def member(emu, style, **kwargs):
    """A member host with the transport's ordinary retries left on: the Fallback must turn them off."""
    kwargs.setdefault("timeouts", Timeouts(read=1, stream_idle=0.3, total=10))
    kwargs.setdefault("retry", RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02))
    provider = emu.provider(style, **kwargs)
    OPENED.append(provider)
    return provider


def fallback(emu, styles=HOSTS, **kwargs):
    kwargs.setdefault("retry", NO_WAIT)
    fb = Fallback([member(emu, s) for s in styles], **kwargs)
    OPENED.append(fb)
    return fb


def call(client, stream):
    return client.stream("hi").final() if stream else client.complete("hi")


def sent(emu, before=0):
    return Counter(r.host for r in emu.requests[before:])


def outcomes(attempts):
    return [(a.host, a.outcome) for a in attempts]


# ---------------------------------------------------------------------------------------------- fault matrix

# fault (once, on the first host) -> the error the first host's attempt records; the call falls back
FALLS_BACK = {
    "429": RateLimited,
    "500": ServerError,
    "502": ServerError,
    "503": Overloaded,
    "529": Overloaded,
    "reset_before": ConnectionFailed,
}


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("fault", sorted(FALLS_BACK))
def test_a_host_fault_falls_back_to_the_next_host_once(emu, fault, stream):
    client = GenericClient("m", provider=fallback(emu))
    emu.inject(fault, times=1, host="groq")
    done = call(client, stream)
    assert done.text == ANSWER
    assert done.host == "openrouter"
    assert sent(emu) == {"groq": 1, "openrouter": 1}  # the member did not retry on its own
    assert outcomes(done.attempts) == [("groq", FALLS_BACK[fault].__name__), ("openrouter", "ok")]


def test_a_silent_host_times_out_and_falls_back(emu):
    client = GenericClient("m", provider=fallback(emu))
    emu.inject("stall", times=1, host="groq")  # a non-streamed answer that never comes (read timeout 1 s)
    done = client.complete("hi")
    assert (done.host, sent(emu)) == ("openrouter", {"groq": 1, "openrouter": 1})
    assert outcomes(done.attempts)[0] == ("groq", "RequestTimeout")


def test_a_stream_silent_before_its_first_event_falls_back(emu):
    client = GenericClient("m", provider=fallback(emu))
    emu.inject(times=1, host="groq", ttft=3.0)  # headers come, the first token does not (idle timeout 0.3 s)
    done = client.stream("hi").final()
    assert done.host == "openrouter"
    assert outcomes(done.attempts) == [("groq", "RequestTimeout"), ("openrouter", "ok")]


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize(("fault", "error"), [("400", InvalidRequest), ("blocked", ContentBlocked)])
def test_an_invalid_or_refused_request_fails_without_trying_other_hosts(emu, fault, error, stream):
    client = GenericClient("m", provider=fallback(emu))
    emu.inject(fault, times=1, host="groq")
    with pytest.raises(error) as caught:
        call(client, stream)
    assert sent(emu) == {"groq": 1}
    assert outcomes(caught.value.attempts) == [("groq", error.__name__)]


@pytest.mark.parametrize(("fault", "error"), [("reset_mid_stream", ConnectionFailed), ("stall", RequestTimeout)])
def test_a_stream_that_fails_after_its_first_event_is_not_retried_elsewhere(emu, fault, error):
    client = GenericClient("m", provider=fallback(emu))
    emu.inject(fault, times=1, host="groq")
    seen = []
    with pytest.raises(error) as caught:
        for event in client.stream("hi"):
            seen.append(event)
    assert seen, "events were delivered before the failure"
    assert sent(emu) == {"groq": 1}
    assert caught.value.attempts[-1].host == "groq"
    assert caught.value.attempts[-1].outcome == error.__name__


def test_a_lone_host_is_retried_within_the_budget(emu):
    client = GenericClient("m", provider=fallback(emu, styles=("groq",)))
    emu.inject("503", times=1, host="groq")
    done = client.complete("hi")
    assert done.host == "groq"
    assert outcomes(done.attempts) == [("groq", "Overloaded"), ("groq", "ok")]
    assert sent(emu) == {"groq": 2}


# ---------------------------------------------------------------------------------------------- auth and config


def test_a_rejected_key_falls_through_by_default(emu):
    client = GenericClient("m", provider=fallback(emu))
    emu.inject("401", times=5, host="groq")
    done = client.complete("hi")
    assert done.host == "openrouter"
    assert outcomes(done.attempts) == [("groq", "AuthenticationError"), ("openrouter", "ok")]
    assert "emulator-key" not in done.attempts[0].detail  # the key the host echoed back is redacted


def test_a_rejected_key_fails_the_call_when_asked(emu):
    client = GenericClient("m", provider=fallback(emu, fall_back_on_auth=False))
    emu.inject("401", times=1, host="groq")
    with pytest.raises(AuthenticationError):
        client.complete("hi")
    assert sent(emu) == {"groq": 1}


def test_an_auth_failure_is_not_retried_in_later_rounds(emu):
    client = GenericClient("m", provider=fallback(emu, styles=("groq", "openrouter")))
    emu.inject("401", times=5, host="groq")
    emu.inject("503", times=5, host="openrouter")
    with pytest.raises(Overloaded) as caught:
        client.complete("hi")
    # budget 2 hosts + 2 retries = 4, but groq's key is no better the second time: only openrouter is retried
    assert sent(emu) == {"groq": 1, "openrouter": 3}
    assert [a.host for a in caught.value.attempts] == ["groq", "openrouter", "openrouter", "openrouter"]


def test_a_host_without_a_key_is_skipped_without_a_request(emu, monkeypatch):
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    keyless = Groq(base_url=emu.base_url("groq"))
    OPENED.append(keyless)
    fb = Fallback([keyless, member(emu, "openrouter")], retry=NO_WAIT)
    done = GenericClient("m", provider=fb).complete("hi")
    assert done.host == "openrouter"
    assert sent(emu) == {"openrouter": 1}
    assert done.attempts[0].outcome == "skipped"
    assert "MissingAPIKey" in done.attempts[0].detail
    alone = Fallback([keyless])
    with pytest.raises(MissingAPIKey):
        GenericClient("m", provider=alone).complete("hi")
    strict = Fallback([keyless, member(emu, "openrouter")], fall_back_on_auth=False)
    with pytest.raises(MissingAPIKey, match="GROQ_API_KEY"):
        GenericClient("m", provider=strict).stream("hi").final()
    assert sent(emu) == {"openrouter": 1}
    with pytest.raises(ValueError, match="Breaker"):
        Breaker(failures=0)


def test_each_member_resolves_its_own_model_id_and_one_that_does_not_serve_it_is_skipped(emu):
    fb = fallback(emu, styles=("groq", "openrouter"))
    client = DeepSeekClient("r1", provider=fb)  # not on Groq; on OpenRouter as deepseek/deepseek-r1
    done = client.complete("hi")
    assert done.host == "openrouter"
    assert sent(emu) == {"openrouter": 1}
    assert emu.requests[0].json()["model"] == default_catalog().host_entry("deepseek-r1", "openrouter").id
    assert done.attempts[0].host == "groq"
    assert done.attempts[0].outcome == "skipped"
    assert "ModelNotServed" in done.attempts[0].detail
    with pytest.raises(ModelNotServed):  # no member serves it: the first member's own error, before any request
        DeepSeekClient("r1", provider=fallback(emu, styles=("groq",))).stream("hi")
    assert len(emu.requests) == 1


# ---------------------------------------------------------------------------------------------- the budget


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_the_retry_budget_is_never_exceeded(emu, stream):
    client = GenericClient("m", provider=fallback(emu))
    emu.inject("503", times=100)
    with pytest.raises(Overloaded) as caught:
        call(client, stream)
    # one per host, then the two retries of the default policy, in a second round: five requests, not 3 x 3
    assert sent(emu) == {"groq": 2, "openrouter": 2, "together": 1}
    assert len(caught.value.attempts) == 5


def test_max_attempts_caps_the_requests(emu):
    client = GenericClient("m", provider=fallback(emu, max_attempts=2))
    emu.inject("500", times=100)
    with pytest.raises(ServerError):
        client.complete("hi")
    assert sent(emu) == {"groq": 1, "openrouter": 1}


def test_a_one_host_fallback_spends_what_the_host_alone_would(emu):
    client = GenericClient("m", provider=fallback(emu, styles=("groq",)))
    emu.inject("502", times=100)
    with pytest.raises(ServerError):
        client.complete("hi")
    assert sent(emu) == {"groq": 3}


def test_members_keep_their_own_retries_outside_the_fallback(emu):
    fb = fallback(emu)
    groq = fb.providers[0]
    emu.inject("503", times=1, host="groq")
    assert GenericClient("m", provider=fb).complete("hi").host == "openrouter"
    before = len(emu.requests)
    emu.inject("503", times=1, host="groq")
    done = GenericClient("m", provider=groq).complete("hi")  # the same provider, used directly, still retries
    assert done.host == "groq"
    assert done.attempts is None
    assert sent(emu, before) == {"groq": 2}


def test_the_calls_timeout_bounds_all_attempts(emu):
    client = GenericClient("m", provider=fallback(emu), timeout=1.5)
    emu.inject("stall", times=100)  # every host silent: read timeout 1 s each, but 1.5 s in all
    t0 = time.monotonic()
    with pytest.raises(RequestTimeout):
        client.complete("hi")
    assert time.monotonic() - t0 < 2.5
    assert sent(emu) == {"groq": 1, "openrouter": 1}


# ---------------------------------------------------------------------------------------------- cooldown, breaker


def test_retry_after_puts_the_host_in_cooldown(emu):
    clock = Clock()
    client = GenericClient("m", provider=fallback(emu, styles=("groq", "openrouter"), clock=clock))
    emu.inject("429", times=1, host="groq", retry_after="30")
    assert client.complete("hi").host == "openrouter"
    done = client.complete("hi")
    assert done.host == "openrouter"
    assert done.attempts[0].host == "groq"
    assert done.attempts[0].outcome == "skipped"
    assert "cooling down" in done.attempts[0].detail
    assert sent(emu) == {"groq": 1, "openrouter": 2}
    clock.now += 30
    assert client.complete("hi").host == "groq"


def test_a_short_retry_after_on_the_last_host_is_waited_for(emu):
    client = GenericClient("m", provider=fallback(emu, styles=("groq",)))
    emu.inject("429", times=1, host="groq", retry_after="0.3")
    t0 = time.monotonic()
    done = client.complete("hi")
    assert time.monotonic() - t0 >= 0.25
    assert outcomes(done.attempts) == [("groq", "RateLimited"), ("groq", "ok")]  # waited, not passed over
    assert sent(emu) == {"groq": 2}


def test_a_retry_after_longer_than_worth_waiting_fails_fast(emu):
    client = GenericClient("m", provider=fallback(emu, styles=("groq",)))
    emu.inject("429", times=1, host="groq", retry_after="3600")
    t0 = time.monotonic()
    with pytest.raises(Overloaded) as caught:  # every host is out: the soonest back is the wait to name
        client.complete("hi")
    assert time.monotonic() - t0 < 1
    assert sent(emu) == {"groq": 1}
    assert caught.value.retry_after == pytest.approx(3600, abs=5)
    assert isinstance(caught.value.__cause__, RateLimited)


def test_the_breaker_opens_half_opens_and_closes_on_schedule(emu):
    clock = Clock()
    fb = fallback(emu, styles=("groq", "openrouter"), clock=clock, breaker=Breaker(failures=2, cooldown=10))
    client = GenericClient("m", provider=fb)
    groq = fb.hosts[0]
    emu.inject("503", times=100, host="groq")

    for _ in range(2):  # two consecutive failures open it
        assert client.complete("hi").host == "openrouter"
    assert groq.circuit == "open"
    assert sent(emu)["groq"] == 2

    clock.now = 1009.9  # still open: groq is not asked
    done = client.complete("hi")
    assert outcomes(done.attempts) == [("groq", "skipped"), ("openrouter", "ok")]
    assert done.attempts[0].detail == "circuit open"
    assert sent(emu)["groq"] == 2

    clock.now = 1010.0  # half-open: one trial, which fails, so it opens again for another cooldown
    assert client.complete("hi").host == "openrouter"
    assert sent(emu)["groq"] == 3
    assert groq.circuit == "open"
    clock.now = 1015.0
    client.complete("hi")
    assert sent(emu)["groq"] == 3

    clock.now = 1020.0  # the trial succeeds this time: closed
    emu.reset()
    done = client.complete("hi")
    assert done.host == "groq"
    assert groq.circuit == "closed"
    assert groq.consecutive_failures == 0
    assert client.complete("hi").host == "groq"


def test_a_half_open_host_lets_one_trial_through_at_a_time(emu):
    clock = Clock()
    fb = fallback(emu, styles=("groq", "openrouter"), clock=clock, breaker=Breaker(failures=1, cooldown=10))
    client = GenericClient("m", provider=fb)
    emu.inject("500", times=1, host="groq")
    assert client.complete("hi").host == "openrouter"
    assert fb.hosts[0].circuit == "open"
    clock.now += 10
    emu.script("groq", ttft=0.5)  # the trial call is slow
    results = {}
    trial = threading.Thread(target=lambda: results.setdefault("trial", client.complete("hi")))
    trial.start()
    assert wait_for(lambda: fb.hosts[0].trial_in_flight)
    other = client.complete("hi")  # while the trial is in flight, groq is passed over
    trial.join()
    assert results["trial"].host == "groq"
    assert other.host == "openrouter"
    assert other.attempts[0].outcome == "skipped"
    assert "trial" in other.attempts[0].detail
    assert fb.hosts[0].circuit == "closed"


def test_invalid_requests_do_not_count_against_a_host(emu):
    fb = fallback(emu, styles=("groq", "openrouter"), breaker=Breaker(failures=2))
    client = GenericClient("m", provider=fb)
    emu.inject("400", times=3, host="groq")
    for _ in range(3):
        with pytest.raises(InvalidRequest):
            client.complete("hi")
    assert fb.hosts[0].circuit == "closed"
    assert client.complete("hi").host == "groq"


def test_every_host_unavailable_fails_fast_with_the_reasons(emu):
    clock = Clock()
    fb = fallback(emu, styles=("groq", "openrouter"), clock=clock, breaker=Breaker(failures=1, cooldown=10))
    client = GenericClient("m", provider=fb)
    emu.inject("503", times=2)
    with pytest.raises(Overloaded):
        client.complete("hi")
    before = len(emu.requests)
    with pytest.raises(Overloaded, match="circuit open") as caught:
        client.complete("hi")
    assert len(emu.requests) == before
    assert outcomes(caught.value.attempts) == [("groq", "skipped"), ("openrouter", "skipped")]


# ---------------------------------------------------------------------------------------------- strategies


def test_the_latency_strategy_moves_traffic_to_the_faster_host(emu):
    clock = Clock()
    fb = fallback(emu, styles=("groq", "openrouter"), strategy="latency", clock=clock)
    client = GenericClient("m", provider=fb)
    emu.script("groq", ttft=0.1)
    hosts = [client.complete("hi").host for _ in range(20)]
    assert hosts[:2] == ["groq", "openrouter"]  # each is measured once
    assert hosts[2:] == ["openrouter"] * 18

    emu.script("openrouter", ttft=0.3)  # openrouter slows down: its average rises past groq's and traffic moves
    hosts = [client.complete("hi").host for _ in range(10)]
    assert hosts[0] == "openrouter"
    assert hosts[-5:] == ["groq"] * 5
    assert fb.hosts[0].latency[False] < fb.hosts[1].latency[False]

    emu.script("openrouter", ttft=0.0)  # openrouter recovers; once its sample is stale it is measured afresh
    assert client.complete("hi").host == "groq"
    clock.now += 301
    hosts = [client.complete("hi").host for _ in range(2)]
    assert hosts == ["groq", "openrouter"]


def test_the_latency_strategy_measures_streams_by_their_first_event(emu):
    fb = fallback(emu, styles=("groq", "openrouter"), strategy="latency")
    client = GenericClient("m", provider=fb)
    emu.script("groq", ttft=0.1)
    hosts = [client.stream("hi").final().host for _ in range(10)]
    assert hosts == ["groq"] + ["openrouter"] * 9
    assert fb.hosts[0].latency[True] >= 0.1 > fb.hosts[1].latency[True]
    assert False not in fb.hosts[0].latency  # whole-answer latency is kept apart


def test_the_cost_strategy_orders_hosts_by_catalogue_price(emu, private_catalog):
    catalog = default_catalog()
    model = "fallback-test/priced-model"
    catalog.register(model, "groq", "priced-on-groq", family="generic", input_price=0.50, output_price=0.80)
    catalog.register(model, "openrouter", "vendor/priced-model", input_price=0.20, output_price=0.60)
    catalog.register(model, "together", "Vendor/Priced-Model")  # price unknown: last
    fb = fallback(emu, styles=("together", "groq", "openrouter"), strategy="cost")
    client = GenericClient(model, provider=fb)
    done = client.complete("hi")
    assert done.host == "openrouter"
    assert emu.requests[-1].json()["model"] == "vendor/priced-model"
    assert done.cost is not None  # the catalogue's price for the host that answered
    emu.inject("503", times=1, host="openrouter")
    done = client.complete("hi")
    assert outcomes(done.attempts) == [("openrouter", "Overloaded"), ("groq", "ok")]
    assert emu.requests[-1].json()["model"] == "priced-on-groq"
    emu.inject("503", times=2)
    assert client.complete("hi").host == "together"


def test_the_cost_strategy_can_read_another_catalogue():
    from rehost.providers.fallback import HostState
    from rehost.shared.request import Request

    catalog = Catalog()
    catalog.register("x", "a", "x", family="generic", input_price=1, output_price=1, new_host=True)
    catalog.register("x", "b", "x", input_price=0.1, output_price=3, new_host=True)  # blended 3:1: 0.825 < 1
    catalog.register("x", "c", "x", new_host=True)

    hosts = [HostState(i, OpenAICompatible("k", name=name, base_url="http://127.0.0.1:9"))
             for i, name in enumerate("cab")]
    order = LowestCost(catalog=catalog)(hosts, Request(model="x", messages=()), 0.0)
    assert [h.name for h in order] == ["b", "a", "c"]


def test_round_robin_spreads_calls_and_still_falls_back(emu):
    client = GenericClient("m", provider=fallback(emu, strategy="round_robin"))
    assert [client.complete("hi").host for _ in range(6)] == list(HOSTS) * 2
    emu.inject("503", times=1, host="groq")
    done = client.complete("hi")  # groq's turn; it fails, the next in the ring answers
    assert outcomes(done.attempts) == [("groq", "Overloaded"), ("openrouter", "ok")]


def test_a_callable_is_a_strategy(emu):
    def last_first(hosts, request, now):
        return list(reversed(hosts))

    client = GenericClient("m", provider=fallback(emu, strategy=last_first))
    assert client.complete("hi").host == "together"
    with pytest.raises(ValueError, match="strategy"):
        Fallback([member(emu, "groq")], strategy="fastest")


# ---------------------------------------------------------------------------------------------- as a provider


def test_a_fallback_is_a_provider_a_client_can_swap_to(emu):
    client = GenericClient("m", provider=member(emu, "together"))
    assert client.complete("hi").attempts is None
    client.provider = fallback(emu)
    done = client.complete("hi")
    assert done.host == "groq"
    assert outcomes(done.attempts) == [("groq", "ok")]
    assert "Fallback([Groq, OpenRouter, Together]" in repr(client.provider)


def test_the_context_window_is_the_largest_among_members(emu):
    fb = fallback(emu, styles=("groq", "openrouter"))
    request = DeepSeekClient("r1-distill-llama-70b").prepare("hi")
    catalog = default_catalog()
    windows = [catalog.host_entry(request.model, h).context_window
               for h in catalog.hosts_for(request.model) if h in ("groq", "openrouter")]
    expected = max((w for w in windows if w is not None), default=None)
    assert fb.context_window(request) == expected


# ---------------------------------------------------------------------------------------------- async


async def test_the_async_twin_falls_back_and_keeps_the_budget(emu):
    client = GenericClient("m", provider=fallback(emu))
    emu.inject("503", times=1, host="groq")
    done = await client.acomplete("hi")
    assert outcomes(done.attempts) == [("groq", "Overloaded"), ("openrouter", "ok")]

    emu.inject("reset_before", times=1, host="groq")
    done = await client.astream("hi").final()
    assert done.text == ANSWER
    assert outcomes(done.attempts) == [("groq", "ConnectionFailed"), ("openrouter", "ok")]

    before = len(emu.requests)
    emu.inject("reset_mid_stream", times=1, host="groq")
    with pytest.raises(ConnectionFailed):
        await client.astream("hi").final()
    assert sent(emu, before) == {"groq": 1}

    before = len(emu.requests)
    emu.inject("429", times=100)
    with pytest.raises(RateLimited) as caught:
        await client.acomplete("hi")
    assert sent(emu, before) == {"groq": 2, "openrouter": 2, "together": 1}
    assert len(caught.value.attempts) == 5

    emu.reset()  # drop the injections left over
    emu.inject("400", times=1, host="groq")
    with pytest.raises(InvalidRequest):
        await client.astream("hi").final()
    assert sent(emu) == {"groq": 1}
    await client.provider.aclose()


async def test_concurrent_calls_share_the_breaker(emu):
    fb = fallback(emu, styles=("groq", "openrouter"), breaker=Breaker(failures=3, cooldown=60))
    client = GenericClient("m", provider=fb)
    emu.inject("503", times=1000, host="groq")
    results = []
    for _ in range(3):  # three waves of ten concurrent calls
        results += await asyncio.gather(*(client.acomplete("hi") for _ in range(10)))
    assert all(r.host == "openrouter" for r in results)
    assert fb.hosts[0].circuit == "open"
    assert sent(emu)["groq"] == 10  # the first wave was all in flight before it failed; then the circuit held
    await fb.aclose()


def test_threads_share_one_fallback(emu):
    from concurrent.futures import ThreadPoolExecutor

    fb = fallback(emu, breaker=Breaker(failures=3, cooldown=60))
    client = GenericClient("m", provider=fb)
    emu.inject("500", times=1000, host="groq")
    with ThreadPoolExecutor(8) as pool:
        hosts = list(pool.map(lambda _: client.complete("hi").host, range(40)))
    assert set(hosts) == {"openrouter"}
    assert fb.hosts[0].circuit == "open"
    assert 3 <= sent(emu)["groq"] <= 3 + 7  # three to open it, plus at most the other threads already in flight
    assert sent(emu)["openrouter"] == 40
