"""Issue 12 trust pass, item 3: a Fallback whose every host is out (cooling down after a Retry-After it will
not wait for, or with its circuit open) fails at once with Overloaded, its retry_after the soonest a host is
back, on the call that finds it so and on every call after, instead of sleeping; a short Retry-After is still
waited for."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from rehost import Breaker, Fallback, GenericClient, RetryPolicy, Timeouts
from rehost.errors import Overloaded, RateLimited
from rehost.testing.emulator import Emulator

HOSTS = ("groq", "openrouter", "together")


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


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def hosts(emu, styles=HOSTS, **kwargs) -> Fallback:
    """A Fallback with the default retry policy, as a user gets it."""
    members = [emu.provider(s, timeouts=Timeouts(read=5, total=10)) for s in styles]
    fb = Fallback(members, **kwargs)
    OPENED.append(fb)
    return fb


def sent(emu, before=0):
    return Counter(r.host for r in emu.requests[before:])


def call(client, how):
    if how == "stream":
        return client.stream("hi").final()
    return client.complete("hi")


def fails_fast(client, how, seconds=5.0) -> Overloaded:
    t0 = time.monotonic()
    with pytest.raises(Overloaded) as caught:
        call(client, how)
    assert time.monotonic() - t0 < seconds, "the call slept for a host instead of failing at once"
    return caught.value


@pytest.mark.parametrize("how", ["whole", "stream"])
def test_every_host_rate_limited_for_30s_fails_at_once_on_this_call_and_the_next(emu, how):
    client = GenericClient("m", provider=hosts(emu))
    emu.inject("429", times=100, retry_after="30")
    first = fails_fast(client, how)
    assert 25 < first.retry_after <= 30
    assert sent(emu) == {"groq": 1, "openrouter": 1, "together": 1}  # each asked once, none waited for
    assert [a.outcome for a in first.attempts] == ["RateLimited"] * 3
    assert isinstance(first.__cause__, RateLimited)
    assert "30" in str(first)
    before = len(emu.requests)
    second = fails_fast(client, how)
    assert 25 < second.retry_after <= 30
    assert len(emu.requests) == before  # every host still cooling: nothing sent
    assert [a.outcome for a in second.attempts] == ["skipped"] * 3


async def test_the_async_twins_fail_at_once_too(emu):
    client = GenericClient("m", provider=hosts(emu))
    emu.inject("429", times=100, retry_after="30")
    for _ in range(2):
        t0 = time.monotonic()
        with pytest.raises(Overloaded) as caught:
            await client.acomplete("hi")
        assert time.monotonic() - t0 < 5
        assert 25 < caught.value.retry_after <= 30
        t0 = time.monotonic()
        with pytest.raises(Overloaded):
            await client.astream("hi").final()
        assert time.monotonic() - t0 < 5


def test_retry_after_is_the_soonest_host_back(emu):
    clock = Clock()
    client = GenericClient("m", provider=hosts(emu, styles=("groq", "openrouter"), clock=clock))
    emu.inject("429", times=1, host="groq", retry_after="40")
    emu.inject("429", times=1, host="openrouter", retry_after="20")
    caught = fails_fast(client, "whole")
    assert caught.retry_after == pytest.approx(20)
    clock.now += 5
    assert fails_fast(client, "whole").retry_after == pytest.approx(15)
    clock.now += 15
    assert client.complete("hi").host == "openrouter"  # back when it said


def test_open_circuits_say_when_their_trial_call_is_due(emu):
    clock = Clock()
    fb = hosts(emu, styles=("groq", "openrouter"), clock=clock, breaker=Breaker(failures=1, cooldown=10))
    client = GenericClient("m", provider=fb)
    emu.inject("503", times=2)
    with pytest.raises(Overloaded):
        client.complete("hi")
    clock.now += 4
    caught = fails_fast(client, "whole")
    assert "circuit open" in str(caught)
    assert caught.retry_after == pytest.approx(6)  # the breaker lets a trial through 10 s after it opened


def test_a_wait_within_max_wait_is_still_taken_for_the_soonest_host(emu):
    client = GenericClient("m", provider=hosts(emu, styles=("groq", "openrouter")))
    emu.inject("429", times=1, host="groq", retry_after="0.5")
    emu.inject("429", times=1, host="openrouter", retry_after="0.3")
    t0 = time.monotonic()
    done = client.complete("hi")
    assert time.monotonic() - t0 >= 0.25
    assert done.host in ("groq", "openrouter")
    assert [a.outcome for a in done.attempts][:2] == ["RateLimited", "RateLimited"]


def test_max_wait_sets_how_long_is_worth_waiting(emu):
    patient = GenericClient("m", provider=hosts(emu, styles=("groq",), max_wait=2.0))
    emu.inject("429", times=1, host="groq", retry_after="1")
    assert patient.complete("hi").host == "groq"
    hasty = GenericClient("m", provider=hosts(emu, styles=("groq",), max_wait=0.5))
    emu.inject("429", times=1, host="groq", retry_after="1")
    assert fails_fast(hasty, "whole").retry_after == pytest.approx(1, abs=0.2)


def test_max_wait_is_checked(emu):
    with pytest.raises(ValueError, match="max_wait"):
        Fallback([emu.provider("groq")], max_wait=-1)


def test_a_one_host_fallback_still_spends_its_retries_on_errors_without_a_wait(emu):
    client = GenericClient("m", provider=hosts(emu, styles=("groq",), retry=RetryPolicy(initial_delay=0.01)))
    emu.inject("503", times=2, host="groq")
    done = client.complete("hi")
    assert [a.outcome for a in done.attempts] == ["Overloaded", "Overloaded", "ok"]
