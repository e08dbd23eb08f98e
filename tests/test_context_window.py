"""The context-window check: a request that cannot fit (counted input + max_tokens > the window on that host)
is refused before anything is sent, with the numbers; it can be turned off per call or per client, and is
skipped where the window is unknown."""

from __future__ import annotations

import httpx
import pytest

from rehost import DeepSeek, DeepSeekClient, GenericClient, Groq, MistralClient, catalog
from rehost.errors import ContextWindowExceeded

OK_BODY = {"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                                   "finish_reason": "stop"}],
           "usage": {"prompt_tokens": 5, "completion_tokens": 1}}


def _host():
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=OK_BODY)

    return httpx.MockTransport(handler), sent


@pytest.fixture
def small_window(private_catalog):
    """A model whose catalogue row on the test host has a 64-token window (DeepSeek V4 tokenizer: exact), in
    a private copy of the catalogue: re-registering the shipped row afterwards would lose its prices (and
    any field added later) for every test that runs after."""
    private_catalog.register("deepseek-v4-flash", "deepseek", "deepseek-v4-flash", context_window=64)


def test_a_request_that_cannot_fit_is_refused_before_sending_with_the_numbers(small_window):
    transport, sent = _host()
    v4 = DeepSeekClient("v4-flash", provider=DeepSeek("key-0123456789", transport=transport))
    with pytest.raises(ContextWindowExceeded) as caught:
        v4.complete("Hello " * 100, max_tokens=20)
    err = caught.value
    assert sent == []
    assert err.context_window == 64
    assert err.max_output_tokens == 20
    assert err.exact is True
    assert err.input_tokens == v4.count_tokens("Hello " * 100).count
    assert err.input_tokens + 20 > 64
    assert f"exactly {err.input_tokens} input tokens + 20 max output tokens" in str(err)
    assert "check_context=False" in str(err)


def test_max_tokens_alone_can_push_a_request_over(small_window):
    transport, sent = _host()
    v4 = DeepSeekClient("v4-flash", provider=DeepSeek("key-0123456789", transport=transport))
    v4.complete("Hi", max_tokens=10)
    with pytest.raises(ContextWindowExceeded):
        v4.complete("Hi", max_tokens=64)
    with pytest.raises(ContextWindowExceeded):
        v4.stream("Hi", max_tokens=64)
    assert len(sent) == 1


def test_the_check_can_be_turned_off_per_call_and_per_client(small_window):
    transport, sent = _host()
    provider = DeepSeek("key-0123456789", transport=transport)
    assert DeepSeekClient("v4-flash", provider=provider).complete("Hello " * 100, check_context=False).text == "ok"
    relaxed = DeepSeekClient("v4-flash", provider=provider, check_context=False)
    assert relaxed.complete("Hello " * 100).text == "ok"
    with pytest.raises(ContextWindowExceeded):
        relaxed.complete("Hello " * 100, check_context=True)
    assert len(sent) == 2


async def test_the_async_calls_check_too(small_window):
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=OK_BODY)

    v4 = DeepSeekClient("v4-flash", provider=DeepSeek("key-0123456789",
                                                      async_transport=httpx.MockTransport(handler)))
    with pytest.raises(ContextWindowExceeded):
        await v4.acomplete("Hello " * 100)
    with pytest.raises(ContextWindowExceeded):
        await v4.arun("Hello " * 100)
    assert (await v4.acomplete("Hi")).text == "ok"


def test_an_unknown_window_is_not_checked():
    transport, sent = _host()
    client = GenericClient("some-host-only-model", provider=Groq("key-0123456789", transport=transport))
    assert client.complete("Hello " * 10000, max_tokens=10**9).text == "ok"
    assert len(sent) == 1


def test_an_estimate_that_overflows_says_it_is_an_estimate(private_catalog):
    catalog().register("mistral-large-2512", "test-host", "x", context_window=10, new_host=True)
    client = MistralClient("large")

    class Host:
        name = "test-host"

        def context_window(self, request):
            return catalog().host_entry(request.model, self.name).context_window

    with pytest.raises(ContextWindowExceeded, match="an estimated") as caught:
        client._checked(Host(), "Tell me a long story about a dragon and a knight.")
    assert caught.value.exact is False
    assert "estimate" in (caught.value.count_method or "")
