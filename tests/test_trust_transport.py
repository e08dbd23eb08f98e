"""Issue 12 trust pass, the transport: one retry plan for the four shells, async pools that do not outlive their
event loop, async streams left early, and error texts that stay short."""

from __future__ import annotations

import asyncio
import gc
import time

import pytest

from rehost import GenericClient, RetryPolicy
from rehost.testing.emulator import Emulator


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.reset()


def wait_for(predicate, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


# ---------------------------------------------------------------------------------------------- item 7


async def _break_in_async_with(client):
    async with client.astream("hi") as stream:
        async for _event in stream:
            break


async def _break_then_aclose(client):
    stream = client.astream("hi")
    async for _event in stream:
        break
    await stream.aclose()


async def _break_out_of_text(client):
    async with client.astream("hi") as stream:
        async for _text in stream.text():
            break


async def _break_then_final(client):
    async with client.astream("hi") as stream:
        async for _event in stream:
            break
        assert (await stream.final()).text.startswith("Hello w1")  # the rest is consumed, as documented


@pytest.mark.parametrize("leave", [_break_in_async_with, _break_then_aclose, _break_out_of_text, _break_then_final])
def test_leaving_an_async_stream_early_logs_nothing_and_closes_the_connection(emu, leave):
    """Breaking out of ``async for`` over an AsyncCompletionStream used to leave its wrapper generator to the
    loop's finaliser, which then closed the inner stream while ``__aexit__`` was closing it: "Task exception was
    never retrieved ... aclose(): asynchronous generator is already running"."""
    emu.script("groq", output_tokens=50, inter_token=0.005)
    problems: list[dict] = []

    async def main():
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: problems.append(context))
        provider = emu.provider("groq", retry=RetryPolicy(max_retries=0))
        client = GenericClient("m", provider=provider)
        await leave(client)
        for _ in range(10):
            await asyncio.sleep(0)
        gc.collect()
        await asyncio.sleep(0.01)
        await provider.aclose()

    asyncio.run(main())
    gc.collect()
    assert problems == []
    assert wait_for(lambda: emu.open_connections == 0), "the stream's connection was left open"


# ---------------------------------------------------------------------------------------------- item 17

_BIG = "x" * 5_000_000


def _huge_error(style):
    import httpx

    bodies = {
        "groq": {"error": {"message": _BIG, "type": "invalid_request_error"}},
        "google": {"error": {"code": 400, "message": _BIG, "status": "INVALID_ARGUMENT"}},
        "anthropic": {"type": "error", "error": {"type": "invalid_request_error", "message": _BIG}},
        "text": None,
    }
    body = bodies[style]
    return httpx.MockTransport(lambda _request: httpx.Response(400, text=_BIG) if body is None
                               else httpx.Response(400, json=body))


@pytest.mark.parametrize("style", ["groq", "google", "anthropic", "text"])
def test_a_huge_error_body_gives_a_short_error_message(style):
    from rehost import Anthropic, Google, Groq
    from rehost.errors import InvalidRequest

    cls = {"groq": Groq, "google": Google, "anthropic": Anthropic, "text": Groq}[style]
    provider = cls("k" * 20, transport=_huge_error(style), retry=RetryPolicy(max_retries=0))
    model = "gemini-x" if style == "google" else "m"
    with pytest.raises(InvalidRequest) as caught:
        GenericClient(model, provider=provider).complete("hi")
    err = caught.value
    assert len(str(err)) < 5000
    assert len(repr(err)) < 5000
    assert all(len(str(a)) < 5000 for a in err.args)
    assert len(err.message) < 5000
    assert len(err.body or "") < 5000
    if style != "text":  # a host message that long is cut, and says so
        assert "more characters" in err.message


def test_an_error_text_cut_through_a_key_shows_no_part_of_it():
    from rehost.errors import RehostError

    secret = "gsk_" + "s3cr3t" * 10
    err = RehostError("y" * 1990 + secret + "z" * 100, body="b" * 1995 + secret)
    err.redact(secret)
    for text in (err.message, err.body, str(err)):
        assert secret[:4] not in text

