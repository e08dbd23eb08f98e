"""The reliability suite on the host emulator: every fault on both dialects, streamed and not, ends in its
documented outcome without hanging or leaking a connection; garbage never escapes as anything but a typed
error; keys never leak; bad input never reaches the wire."""

from __future__ import annotations

import contextlib
import logging
import signal
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehost import GenericClient, RetryPolicy, Thinking, Timeouts, Tool, ToolCall
from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    ContentBlocked,
    InvalidRequest,
    ModelNotServed,
    Overloaded,
    ProtocolError,
    RateLimited,
    RehostError,
    RequestTimeout,
    ServerError,
    UnsupportedFeature,
)
from rehost.testing.emulator import Emulator

BOUND = 20  # seconds: any single case taking longer is a hang


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


@contextlib.contextmanager
def no_hang(seconds=BOUND):
    def fail(*_):
        raise AssertionError(f"hung for more than {seconds}s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def client_for(emu, style, **provider_kwargs):
    provider_kwargs.setdefault("timeouts", Timeouts(read=2, stream_idle=0.5, total=10))
    provider_kwargs.setdefault("retry", RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05))
    provider = emu.provider(style, **provider_kwargs)
    OPENED.append(provider)
    model = "gemini-x" if style in ("google", "vertex") else "m"
    return GenericClient(model, provider=provider), provider


def call(client, stream):
    if stream:
        return client.stream("hi").final()
    return client.complete("hi")


def pool_is_clean(provider):
    pool = provider._transport.client._transport._pool
    return all(c.is_idle() or c.is_closed() for c in pool.connections) and not pool._requests


def wait_for(predicate, seconds=3.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# fault -> (outcome when it happens once, for a streamed call; for a non-streamed call), "ok" means a retry fixed it
ONCE = {
    "429": ("ok", "ok"),
    "500": ("ok", "ok"),
    "502": ("ok", "ok"),
    "503": ("ok", "ok"),
    "529": ("ok", "ok"),
    "reset_before": ("ok", "ok"),
    "reset_mid_stream": (ConnectionFailed, "ok"),
    "truncated": (ProtocolError, "ok"),
    "malformed_chunk": (ProtocolError, ProtocolError),
    "inband_error": ("inband", Overloaded),
    "keepalive": ("ok", "ok"),
    "stall": (RequestTimeout, "ok"),  # a silent non-streamed answer is retried after the read timeout
    "blocked": (ContentBlocked, ContentBlocked),
    "wrong_content_type": (ProtocolError, ProtocolError),
    "oversize": (ProtocolError, ProtocolError),
    "401": (AuthenticationError, AuthenticationError),
}
INBAND = {"groq": InvalidRequest, "openrouter": ServerError, "google": Overloaded}
PERSISTENT = {"429": RateLimited, "500": ServerError, "502": ServerError, "503": Overloaded, "529": Overloaded,
              "reset_before": ConnectionFailed}


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("style", ["groq", "openrouter", "google"])
@pytest.mark.parametrize("fault", sorted(ONCE))
def test_fault_once(emu, style, fault, stream):
    client, provider = client_for(emu, style)
    emu.inject(fault, times=1, oversize_bytes=70 * 1024 * 1024)
    expected = ONCE[fault][0 if stream else 1]
    if expected == "inband":
        expected = INBAND[style]
    before = len(emu.requests)
    with no_hang():
        if expected == "ok":
            done = call(client, stream)
            assert done.text == "Hello w1 w2 w3 w4 w5 w6 w7"
        else:
            with pytest.raises(expected):
                call(client, stream)
    sent = len(emu.requests) - before
    retried = expected == "ok" and fault != "keepalive"
    assert sent == (2 if retried else 1)
    assert wait_for(lambda: pool_is_clean(provider)), "a connection was left busy"
    provider.close()
    assert wait_for(lambda: emu.open_connections == 0), "a socket was left open"


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("fault", sorted(PERSISTENT))
def test_fault_that_persists_gives_the_typed_error_after_the_retries(emu, fault, stream):
    client, provider = client_for(emu, "groq")
    emu.inject(fault, times=10)
    before = len(emu.requests)
    with no_hang(), pytest.raises(PERSISTENT[fault]):
        call(client, stream)
    assert len(emu.requests) - before == 3  # one try and two retries, never more
    provider.close()
    assert wait_for(lambda: emu.open_connections == 0)


def test_retry_after_as_an_http_date_is_honoured(emu, monkeypatch):
    waits = []
    monkeypatch.setattr("rehost.shared.transport.time.sleep", waits.append)
    from email.utils import formatdate

    emu.inject("429", times=1, retry_after=formatdate(time.time() + 3, usegmt=True))
    client, _ = client_for(emu, "groq")
    assert client.complete("hi").text
    assert len(waits) == 1
    assert 1.5 <= waits[0] <= 3.5


async def test_faults_on_the_async_path(emu):
    client, provider = client_for(emu, "openrouter")
    emu.inject("503", times=1)
    assert (await client.acomplete("hi")).text
    emu.inject("reset_mid_stream", times=1)
    with pytest.raises(ConnectionFailed):
        await client.astream("hi").final()
    emu.inject("stall", times=1)
    with pytest.raises(RequestTimeout):
        await client.astream("hi").final()
    await provider.aclose()
    assert await __import__("asyncio").to_thread(wait_for, lambda: emu.open_connections == 0)


# ------------------------------------------------------------------------------------------ garbage


def recorded_stream(emu, style):
    """A real stream from the emulator, as bytes."""
    import httpx

    client, provider = client_for(emu, style)
    emu.script(style, reasoning_tokens=2, output_tokens=4)
    with httpx.Client() as http:
        prepared = provider.prepare(client.prepare("hi", stream=True))
        response = http.post(prepared.call.url, content=prepared.call.content(), headers={
            **prepared.call.headers, **provider.auth_headers()})
        return response.content


GARBAGE = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"data: {", b"data: [", b"data: 42", b"data: null", b"event: error", b":", b"data:",
                     b'data: {"choices": 5}', b'data: {"candidates": [{"content": 3}]}', b"\xff\xfe",
                     b"retry: 99999999999999", b"id: \x00", b'data: {"choices":[{"delta":{"tool_calls":[{}]}}]}']),
)


@pytest.mark.parametrize("style", ["groq", "google"])
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_garbage_lines_and_any_chunking_end_in_a_typed_error_or_an_answer(emu, style, data):
    import httpx

    raw = recorded_stream(emu, style)
    lines = raw.split(b"\n")
    for _ in range(data.draw(st.integers(0, 3))):
        lines.insert(data.draw(st.integers(0, len(lines))), data.draw(GARBAGE))
    body = b"\n".join(lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=20, unique=True)))
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]

    class Pieces(httpx.SyncByteStream):
        def __iter__(self):
            yield from pieces

    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                             stream=Pieces()))
    provider = type(emu.provider(style))("k", transport=transport)
    with contextlib.suppress(RehostError):  # a typed error is a documented outcome; anything else fails the test
        GenericClient("gemini-x" if style == "google" else "m", provider=provider).stream("hi").final()


# ------------------------------------------------------------------------------------------ secrets

SECRET = "sk-live-0123456789abcdefSECRET"


@pytest.mark.parametrize("fault", ["401", "429", "500", "503", "reset_before", "malformed_chunk", "truncated",
                                   "inband_error", "blocked", "wrong_content_type", "stall"])
@pytest.mark.parametrize("stream", [True, False])
def test_the_key_never_appears_in_errors_reprs_or_logs(emu, fault, stream, caplog):
    caplog.set_level(logging.DEBUG)
    provider = emu.provider("openrouter", retry=RetryPolicy(max_retries=1, initial_delay=0.01),
                            timeouts=Timeouts(read=1, stream_idle=0.3))
    OPENED.append(provider)
    provider._api_key = SECRET
    client = GenericClient("m", provider=provider)
    emu.inject(fault, times=5)
    with pytest.raises(RehostError) as caught:
        call(client, stream)
    err = caught.value
    texts = [str(err), repr(err), err.message, err.body or "", repr(provider), repr(client), caplog.text,
             str(err.__cause__ or ""), repr(err.__context__ or "")]
    assert all(SECRET not in t for t in texts)
    if fault == "401":  # the emulator quoted the key back, as some hosts do
        assert "***" in err.message


def test_missing_key_errors_name_the_variable_not_a_value(monkeypatch):
    from rehost import Groq

    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="GROQ_API_KEY"):
        GenericClient("m", provider=Groq()).complete("hi")


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"messages": [{"role": "wizard", "content": "hi"}]}, ValueError),
        ({"messages": []}, ValueError),
        ({"messages": [{"role": "user", "content": ""}]}, ValueError),
        ({"messages": "hi", "thinking": "ludicrous"}, ValueError),
        ({"messages": "hi", "thinking": -5}, ValueError),
        ({"messages": "hi", "temperature": -1}, ConfigurationError),
        ({"messages": "hi", "tool_choice": "get_weather"}, ConfigurationError),  # names no tool of the call
    ],
)
def test_bad_input_fails_before_any_request(emu, kwargs, error):
    client, _ = client_for(emu, "groq")
    messages = kwargs.pop("messages")
    with pytest.raises(error):
        client.complete(messages, **kwargs)
    assert emu.requests == []


def test_tool_arguments_must_be_json():
    with pytest.raises(ValueError, match="JSON"):
        ToolCall(name="f", arguments={"when": object()})
    with pytest.raises(ValueError, match="JSON"):
        Tool(name="f", parameters={"default": {1, 2}})


def test_a_model_the_host_does_not_serve_fails_before_any_request(emu):
    from rehost import DeepSeekClient

    groq = emu.provider("groq")
    OPENED.append(groq)
    with pytest.raises(ModelNotServed, match="openrouter"):
        DeepSeekClient("r1", provider=groq).complete("hi")
    with pytest.raises(UnsupportedFeature):
        DeepSeekClient("r1", provider=groq).complete("hi", thinking=Thinking.off())
    assert emu.requests == []
