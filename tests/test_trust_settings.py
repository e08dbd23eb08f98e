"""Issue 12 trust pass, the transport's settings: a timeout, Timeouts, RetryPolicy or RateLimit that makes no
sense is a ConfigurationError saying what to pass, when it is made, before anything is sent."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from rehost import GenericClient, Groq, RetryPolicy, Timeouts
from rehost.errors import ConfigurationError
from rehost.shared.ratelimit import RateLimit

OK = {"id": "r", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                              "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}


def recording():
    sent: list[httpx.Request] = []

    def handler(request):
        sent.append(request)
        return httpx.Response(200, json=OK)

    return httpx.MockTransport(handler), sent


BAD_TIMEOUTS = ["5", "x", b"5", 0, -1, -0.5, True, False, math.nan, math.inf, [5], {"total": 5}]


# ---------------------------------------------------------------------------------------------- timeout=


@pytest.mark.parametrize("value", BAD_TIMEOUTS, ids=repr)
def test_a_client_timeout_that_is_not_a_positive_number_is_refused_at_construction(value):
    with pytest.raises(ConfigurationError, match="timeout"):
        GenericClient("m", provider=Groq("k" * 20), timeout=value)


@pytest.mark.parametrize("how", ["complete", "stream", "acomplete", "astream"])
@pytest.mark.parametrize("value", BAD_TIMEOUTS, ids=repr)
def test_a_call_timeout_that_is_not_a_positive_number_is_refused_before_sending(how, value):
    transport, sent = recording()
    client = GenericClient("m", provider=Groq("k" * 20, transport=transport, async_transport=transport))
    with pytest.raises(ConfigurationError, match="timeout"):
        if how == "complete":
            client.complete("hi", timeout=value)
        elif how == "stream":
            client.stream("hi", timeout=value)
        elif how == "acomplete":
            asyncio.run(client.acomplete("hi", timeout=value))
        else:
            client.astream("hi", timeout=value)
    assert sent == []


def test_a_string_timeout_says_to_pass_a_number():
    with pytest.raises(ConfigurationError, match=r"timeout=5"):
        GenericClient("m", provider=Groq("k" * 20), timeout="5")


@pytest.mark.parametrize("value", [5, 0.25, 600.0, None])
def test_a_positive_timeout_is_taken(value):
    transport, sent = recording()
    client = GenericClient("m", provider=Groq("k" * 20, transport=transport), timeout=value)
    assert client.complete("hi", timeout=value).text == "ok"
    assert len(sent) == 1


# ---------------------------------------------------------------------------------------------- Timeouts

NOT_SECONDS = ["x", "5", -1, 0, True, math.nan, math.inf, [1]]


@pytest.mark.parametrize("field", ["connect", "read", "write", "pool"])
@pytest.mark.parametrize("value", [*NOT_SECONDS, None], ids=repr)
def test_timeouts_take_only_positive_seconds(field, value):
    with pytest.raises(ConfigurationError, match=field):
        Timeouts(**{field: value})


@pytest.mark.parametrize("field", ["stream_idle", "total"])
@pytest.mark.parametrize("value", NOT_SECONDS, ids=repr)
def test_timeouts_optional_limits_take_positive_seconds_or_none(field, value):
    with pytest.raises(ConfigurationError, match=field):
        Timeouts(**{field: value})


@pytest.mark.parametrize("value", [0, -1, 1.5, "64", True, None])
def test_timeouts_body_limit_is_a_positive_whole_number_of_bytes(value):
    with pytest.raises(ConfigurationError, match="max_body_bytes"):
        Timeouts(max_body_bytes=value)


def test_sensible_timeouts_are_taken():
    t = Timeouts(connect=1, read=2.5, write=3, pool=4, stream_idle=None, total=None, max_body_bytes=1024)
    assert (t.connect, t.read, t.total) == (1, 2.5, None)


# ---------------------------------------------------------------------------------------------- RetryPolicy

BAD_RETRY = {
    "max_retries": [-1, 1.5, "2", True, None],
    "initial_delay": [-1, "x", math.nan, math.inf, None, True],
    "max_delay": [-0.1, "x", math.nan, None],
    "multiplier": [0.5, 0, -2, "x", math.nan, math.inf],
    "jitter": ["yes", 1, None],
    "max_retry_after": [-1, "x", math.nan, None],
}


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, vs in BAD_RETRY.items() for v in vs], ids=repr)
def test_a_retry_policy_that_makes_no_sense_is_refused_when_made(field, value):
    """``RetryPolicy(max_retries=-1)`` or ``initial_delay=-1`` used to be taken, and to fail (or do nothing)
    only after a first request had failed."""
    with pytest.raises(ConfigurationError, match=field):
        RetryPolicy(**{field: value})


def test_sensible_retry_policies_are_taken():
    RetryPolicy(max_retries=0, initial_delay=0.0, max_delay=0.0, multiplier=1, jitter=False, max_retry_after=0)
    RetryPolicy(max_retries=10, initial_delay=0.25, max_delay=30, multiplier=3.5, max_retry_after=120)


# ---------------------------------------------------------------------------------------------- RateLimit

BAD_RATE = {
    "requests_per_minute": [0, -5, "30", True, math.nan, math.inf],
    "tokens_per_minute": [0, -5, "x", math.nan],
    "burst": [0, -1, "x", None, math.nan],
}


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, vs in BAD_RATE.items() for v in vs], ids=repr)
def test_a_rate_limit_that_makes_no_sense_is_refused_when_made(field, value):
    with pytest.raises(ConfigurationError, match=field):
        RateLimit(**{field: value})


def test_sensible_rate_limits_are_taken():
    RateLimit(requests_per_minute=30.5, tokens_per_minute=6000, burst=1)
    RateLimit()
