"""Transport behaviour: retries and backoff, timeouts, stream cleanup, connection reuse, provider swap."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import pytest

from rehost import DeepSeekClient, GenericClient, Groq, OpenAICompatible, OpenRouter, RetryPolicy, Timeouts
from rehost.errors import ConnectionFailed, InvalidRequest, RateLimited, RequestTimeout, ServerError

from .servers import FINISH, ScriptedServer, chunk, endless_stream, short_answer, silent

OK = {"id": "r", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                              "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}


def scripted(*responses):
    """A mock transport answering with the given responses in order, counting requests."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        item = responses[min(len(calls) - 1, len(responses) - 1)]
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handler), calls


@pytest.fixture
def sleeps(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr("rehost.shared.transport.time.sleep", waited.append)
    return waited


def err429(after=None):
    headers = {"retry-after": after} if after is not None else {}
    return httpx.Response(429, headers=headers, json={"error": {"message": "slow down"}})


def test_retry_after_is_honoured(sleeps):
    transport, calls = scripted(err429("0.25"), err429("1"), httpx.Response(200, json=OK))
    client = GenericClient("m", provider=Groq("k", transport=transport))
    assert client.complete("hi").text == "ok"
    assert len(calls) == 3
    assert sleeps == [0.25, 1.0]


def test_backoff_without_retry_after_is_exponential_with_jitter(sleeps):
    transport, calls = scripted(httpx.Response(503, json={}), httpx.Response(502, json={}),
                                httpx.Response(200, json=OK))
    policy = RetryPolicy(max_retries=2, initial_delay=1.0, multiplier=2.0)
    GenericClient("m", provider=Groq("k", transport=transport, retry=policy)).complete("hi")
    assert len(calls) == 3
    assert 0 <= sleeps[0] <= 1.0
    assert 0 <= sleeps[1] <= 2.0


def test_retries_give_up_after_the_budget(sleeps):
    transport, calls = scripted(err429("0"))
    with pytest.raises(RateLimited):
        GenericClient("m", provider=Groq("k", transport=transport, retry=RetryPolicy(max_retries=3))).complete("hi")
    assert len(calls) == 4


def test_invalid_requests_are_not_retried(sleeps):
    transport, calls = scripted(httpx.Response(400, json={"error": {"message": "bad"}}))
    with pytest.raises(InvalidRequest):
        GenericClient("m", provider=Groq("k", transport=transport)).complete("hi")
    assert len(calls) == 1
    assert sleeps == []


def test_a_long_retry_after_is_raised_not_waited(sleeps):
    transport, calls = scripted(err429("3600"))
    with pytest.raises(RateLimited) as caught:
        GenericClient("m", provider=Groq("k", transport=transport)).complete("hi")
    assert caught.value.retry_after == 3600
    assert len(calls) == 1
    assert sleeps == []


def test_connection_errors_are_retried(sleeps):
    transport, calls = scripted(httpx.ConnectError("refused"), httpx.Response(200, json=OK))
    assert GenericClient("m", provider=Groq("k", transport=transport)).complete("hi").text == "ok"
    assert len(calls) == 2


def test_connection_error_after_retries_is_typed(sleeps):
    transport, _ = scripted(httpx.ConnectError("refused"))
    with pytest.raises(ConnectionFailed, match="groq"):
        GenericClient("m", provider=Groq("k", transport=transport)).complete("hi")


class _BreaksMidway(httpx.SyncByteStream):
    def __iter__(self):
        yield chunk("Hello")
        raise httpx.ReadError("connection reset by peer")


def test_a_stream_is_never_retried_after_its_first_byte(sleeps):
    transport, calls = scripted(httpx.Response(200, headers={"content-type": "text/event-stream"},
                                               stream=_BreaksMidway()))
    events = []
    with pytest.raises(ConnectionFailed, match="mid-way"):
        for event in GenericClient("m", provider=Groq("k", transport=transport)).stream("hi"):
            events.append(event)
    assert [e.text for e in events] == ["Hello"]
    assert len(calls) == 1


def test_a_stream_is_retried_before_its_first_byte(sleeps):
    transport, calls = scripted(httpx.Response(503, json={"error": {"message": "busy"}}),
                                httpx.Response(200, headers={"content-type": "text/event-stream"},
                                               content=chunk("Hi") + FINISH))
    completion = GenericClient("m", provider=Groq("k", transport=transport)).stream("hi").final()
    assert completion.text == "Hi"
    assert len(calls) == 2


def test_read_timeout_on_a_silent_host():
    with ScriptedServer(silent) as server:
        provider = Groq("k", base_url=server.url, timeouts=Timeouts(read=0.3), retry=RetryPolicy(max_retries=0))
        with pytest.raises(RequestTimeout, match="read timeout"):
            GenericClient("m", provider=provider).complete("hi")


async def test_total_timeout_async():
    with ScriptedServer(silent) as server:
        provider = Groq("k", base_url=server.url, timeouts=Timeouts(read=30, total=0.3))
        with pytest.raises(RequestTimeout, match="total"):
            await GenericClient("m", provider=provider).acomplete("hi")


def test_stream_idle_timeout():
    def stalls(handler):
        handler.start_stream()
        handler.write_chunk(chunk("first"))
        time.sleep(3)

    with ScriptedServer(stalls) as server:
        provider = Groq("k", base_url=server.url, timeouts=Timeouts(stream_idle=0.3))
        got = []
        with pytest.raises(RequestTimeout, match="silent"):
            for event in GenericClient("m", provider=provider).stream("hi"):
                got.append(event)
        assert [e.text for e in got] == ["first"]


def test_leaving_a_stream_early_closes_its_connection():
    with ScriptedServer(endless_stream) as server:
        client = GenericClient("m", provider=Groq("k", base_url=server.url))
        for n, _event in enumerate(client.stream("hi")):
            if n == 2:
                break
        assert server.disconnected.wait(3), "the server never saw the client go away"


def test_closing_a_stream_object_closes_its_connection():
    with ScriptedServer(endless_stream) as server:
        client = GenericClient("m", provider=Groq("k", base_url=server.url))
        with client.stream("hi") as stream:
            next(iter(stream))
        assert server.disconnected.wait(3)
        with pytest.raises(RuntimeError, match="closed before it finished"):
            stream.final()


async def test_cancelling_an_async_stream_closes_its_connection():
    with ScriptedServer(endless_stream) as server:
        client = GenericClient("m", provider=Groq("k", base_url=server.url))

        async def consume():
            async with client.astream("hi") as stream:
                async for _event in stream:
                    pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(server.disconnected.wait, 3)


def test_one_pool_per_provider_reuses_the_connection():
    with ScriptedServer(short_answer) as server:
        provider = Groq("k", base_url=server.url)
        a = GenericClient("a", provider=provider)
        b = GenericClient("b", provider=provider)
        for _ in range(3):
            a.complete("hi")
            b.complete("hi")
        assert len(server.requests) == 6
        assert server.connections == 1


async def test_async_twins_answer_the_same():
    with ScriptedServer(short_answer) as server:
        client = GenericClient("m", provider=Groq("k", base_url=server.url))
        sync = client.complete("hi")
        done = await client.acomplete("hi")
        assert (sync.text, sync.usage) == (done.text, done.usage)


async def test_async_stream_events_and_final():
    def answer(handler):
        handler.start_stream()
        handler.write_chunk(chunk("Hel") + chunk("lo") + FINISH)
        handler.end_stream()

    with ScriptedServer(answer) as server:
        client = GenericClient("m", provider=Groq("k", base_url=server.url))
        stream = client.astream("hi")
        texts = [t async for t in stream.text()]
        assert texts == ["Hel", "lo"]
        completion = await stream.final()
        assert completion.text == "Hello"
        assert completion.usage.output_tokens == 2


def test_swapping_the_provider_lets_the_running_call_finish_on_the_old_host():
    release = threading.Event()
    seen: list[str] = []

    def slow(request):
        seen.append("a")
        release.wait(5)
        return httpx.Response(200, json=OK)

    def fast(request):
        seen.append("b")
        return httpx.Response(200, json=OK)

    a = OpenAICompatible("k", name="host-a", base_url="http://a.invalid", transport=httpx.MockTransport(slow))
    b = OpenAICompatible("k", name="host-b", base_url="http://b.invalid", transport=httpx.MockTransport(fast))
    client = GenericClient("m", provider=a)
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("first", client.complete("hi")))
    worker.start()
    while not seen:
        time.sleep(0.01)
    client.provider = b
    release.set()
    worker.join(5)
    assert result["first"].host == "host-a"
    assert client.complete("hi").host == "host-b"
    assert seen == ["a", "b"]


def test_a_stream_started_before_a_swap_stays_on_its_host():
    def answer(request):
        body = json.loads(request.content)
        return httpx.Response(200, headers={"content-type": "text/event-stream"},
                              content=chunk(body["model"]) + FINISH)

    a = OpenAICompatible("k", name="host-a", transport=httpx.MockTransport(answer))
    b = OpenAICompatible("k", name="host-b", transport=httpx.MockTransport(answer))
    client = GenericClient("model-x", provider=a)
    stream = client.stream("hi")
    client.provider = b
    assert stream.final().host == "host-a"
    assert client.stream("hi").final().host == "host-b"


def test_client_swap_across_real_hosts_resolves_each_hosts_model_id():
    requests = []

    def answer(request):
        requests.append((request.url.host, json.loads(request.content)["model"]))
        return httpx.Response(200, json=OK)

    r1 = DeepSeekClient("r1-0528", provider=OpenRouter("k", transport=httpx.MockTransport(answer)))
    r1.complete("hi")
    from rehost import Together

    r1.provider = Together("k", transport=httpx.MockTransport(answer))
    r1.complete("hi")
    assert requests == [("openrouter.ai", "deepseek/deepseek-r1-0528"), ("api.together.xyz", "deepseek-ai/DeepSeek-R1")]


def test_server_errors_surface_after_retries(sleeps):
    transport, calls = scripted(httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}}))
    with pytest.raises(ServerError, match="boom"):
        GenericClient("m", provider=Groq("k", transport=transport, retry=RetryPolicy(max_retries=1))).complete("x")
    assert len(calls) == 2
