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
