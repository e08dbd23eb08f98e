"""Hooks (issue 19): on_request, on_response, on_error, on_retry, sync and async, on a client or a provider."""

from __future__ import annotations

import logging

import pytest

from rehost import Fallback, GenericClient, HookEvent, Hooks, ResponseCache
from rehost.errors import ConfigurationError, InvalidRequest
from rehost.shared.transport import RetryPolicy
from rehost.testing.emulator import Emulator

FAST = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02)


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


def _recorder():
    seen: list[HookEvent] = []
    hooks = Hooks(on_request=seen.append, on_response=seen.append, on_error=seen.append, on_retry=seen.append)
    return seen, hooks


def test_a_call_that_is_retried_tells_each_moment_in_order(emu):
    seen, hooks = _recorder()
    client = GenericClient("m", provider=emu.provider("groq", retry=FAST), hooks=hooks)
    emu.inject("503", host="groq")
    done = client.complete("hi")
    assert [e.moment for e in seen] == ["request", "retry", "response"]
    retry = seen[1]
    assert retry.attempt == 1
    assert retry.host == "groq"
    assert type(retry.error).__name__ == "Overloaded"
    assert retry.delay is not None
    assert not retry.fallback
    assert seen[2].completion is done
    assert seen[2].seconds is not None
    assert seen[0].request.model == "m"


def test_a_failed_call_tells_on_error(emu):
    seen, hooks = _recorder()
    client = GenericClient("m", provider=emu.provider("groq"), hooks=hooks)
    emu.inject("400", host="groq")
    with pytest.raises(InvalidRequest):
        client.complete("hi")
    assert [e.moment for e in seen] == ["request", "error"]
    assert isinstance(seen[1].error, InvalidRequest)


def test_provider_hooks_fire_first_for_every_client_of_the_provider(emu):
    order: list[str] = []
    groq = emu.provider("groq")
    groq.hooks = Hooks(on_response=lambda e: order.append("provider"))
    GenericClient("m", provider=groq, hooks=Hooks(on_response=lambda e: order.append("client"))).complete("hi")
    GenericClient("m2", provider=groq).complete("hi")
    assert order == ["provider", "client", "provider"]


def test_a_fallback_moving_on_is_a_retry_with_fallback_set(emu):
    seen, hooks = _recorder()
    members = [emu.provider("groq", retry=RetryPolicy(max_retries=0)), emu.provider("together")]
    client = GenericClient("m", provider=Fallback(members), hooks=hooks)
    emu.inject("500", host="groq")
    assert client.complete("hi").host == "together"
    retries = [e for e in seen if e.moment == "retry"]
    assert len(retries) == 1
    assert retries[0].fallback
    assert retries[0].host == "groq"


def test_streams_tell_the_response_at_done_and_a_cache_hit_says_cached(emu):
    seen, hooks = _recorder()
    client = GenericClient("m", provider=emu.provider("groq"), hooks=hooks, cache=ResponseCache())
    text = client.stream("hi").final().text
    assert [e.moment for e in seen] == ["request", "response"]
    assert seen[1].stream
    assert not seen[1].cached
    assert client.complete("hi").text == text
    assert seen[-1].cached


async def test_async_hooks_are_awaited_in_async_calls(emu):
    seen: list[str] = []

    async def on_response(event):
        seen.append(f"async {event.moment}")

    client = GenericClient("m", provider=emu.provider("groq"),
                           hooks=Hooks(on_request=lambda e: seen.append("sync request"), on_response=on_response))
    await client.acomplete("hi")
    assert seen == ["sync request", "async response"]
    async for _ in client.astream("hi"):
        pass
    assert seen[-1] == "async response"


def test_async_hooks_run_to_completion_in_sync_calls(emu):
    seen: list[str] = []

    async def on_response(event):
        seen.append(event.completion.text)

    GenericClient("m", provider=emu.provider("groq"), hooks=Hooks(on_response=on_response)).complete("hi")
    assert seen
    assert seen[0]


def test_a_hook_that_raises_is_logged_and_the_call_goes_on(emu, caplog):
    def broken(event):
        raise RuntimeError("hook bug")

    client = GenericClient("m", provider=emu.provider("groq"), hooks=Hooks(on_request=broken, on_response=[broken]))
    with caplog.at_level(logging.ERROR, logger="rehost.hooks"):
        assert client.complete("hi").text
    assert sum("hook raised" in r.getMessage() for r in caplog.records) == 2


def test_bad_hooks_are_refused_at_once():
    with pytest.raises(ConfigurationError, match="callable"):
        Hooks(on_request="print")
    with pytest.raises(ConfigurationError, match="hooks="):
        GenericClient("m", hooks=print)


async def test_async_retries_are_told_too(emu):
    seen, hooks = _recorder()
    client = GenericClient("m", provider=emu.provider("groq", retry=FAST), hooks=hooks)
    emu.inject("503", host="groq")
    await client.acomplete("hi")
    assert [e.moment for e in seen] == ["request", "retry", "response"]
    seen.clear()
    emu.inject("503", host="groq")
    async for _ in client.astream("hi"):
        pass
    assert [e.moment for e in seen] == ["request", "retry", "response"]


def test_a_hosts_chat_endpoint_reads_the_hooks_set_on_the_host_later(emu):
    # a client call goes through host.endpoint("chat"): the hooks a caller sets on the host, even after the
    # endpoint was built, are the ones the call sees
    groq = emu.provider("groq")
    chat = groq.endpoint("chat")
    assert chat.hooks is None
    hooks = Hooks(on_response=lambda e: None)
    groq.hooks = hooks
    assert chat.hooks is hooks
