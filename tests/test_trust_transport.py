"""Issue 12 trust pass, the transport: one retry plan for the four shells, async pools that do not outlive their
event loop, async streams left early, and error texts that stay short."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import signal
import threading
import time
import warnings

import httpx
import pytest

from rehost import GenericClient, Groq, RetryPolicy, Timeouts
from rehost.errors import InvalidRequest, Overloaded, RateLimited, RequestTimeout
from rehost.shared.ratelimit import RateLimit
from rehost.testing.emulator import Emulator

from .servers import FINISH, ScriptedServer, chunk, endless_stream, silent

OK = {"id": "r", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                              "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}


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



# ---------------------------------------------------------------------------------------------- item 5

SHELLS = ["complete", "acomplete", "stream", "astream"]


def run_shell(client, shell, **options):
    """One call through one of the transport's four shells (request, arequest, stream, astream)."""
    if shell == "complete":
        return client.complete("hi", **options)
    if shell == "stream":
        return client.stream("hi", **options).final()

    async def go():
        if shell == "acomplete":
            return await client.acomplete("hi", **options)
        return await client.astream("hi", **options).final()

    return asyncio.run(go())


@contextlib.contextmanager
def no_hang(seconds=5):
    def fail(*_):
        raise AssertionError(f"hung for more than {seconds}s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_silent_host_meets_the_total_timeout_in_every_shell(shell):
    """Only sync ``request`` checked the total deadline: against a silent host ``stream``/``astream`` said
    "read timeout" where ``complete``/``acomplete`` said "total timeout"."""
    with ScriptedServer(silent) as server, no_hang():
        provider = Groq("k" * 20, base_url=server.url, timeouts=Timeouts(total=0.3))
        with pytest.raises(RequestTimeout, match="total timeout"):
            run_shell(GenericClient("m", provider=provider), shell)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_full_pool_meets_the_total_timeout_in_every_shell(shell):
    """A call waiting for a place in a full pool (one connection, held by an open stream) ends at its total
    deadline, whichever shell it came through."""
    with ScriptedServer(endless_stream) as server, no_hang():
        provider = Groq("k" * 20, base_url=server.url, limits=httpx.Limits(max_connections=1))
        client = GenericClient("m", provider=provider)
        if shell in ("complete", "stream"):
            with client.stream("hi") as held:
                events = iter(held)
                next(events)
                with pytest.raises(RequestTimeout, match="total timeout"):
                    run_shell(client, shell, timeout=0.3)
        else:
            async def go():
                async with client.astream("hi") as held:
                    await held.__anext__()
                    with pytest.raises(RequestTimeout, match="total timeout"):
                        if shell == "acomplete":
                            await client.acomplete("hi", timeout=0.3)
                        else:
                            await client.astream("hi", timeout=0.3).final()
                await provider.aclose()

            asyncio.run(go())


@pytest.mark.parametrize("shell", ["complete", "acomplete"])
def test_a_body_that_never_ends_meets_the_total_timeout(shell):
    """A whole answer dripping in forever (each piece well within the read timeout) ends at the deadline."""
    with ScriptedServer(endless_stream) as server, no_hang():
        provider = Groq("k" * 20, base_url=server.url)
        with pytest.raises(RequestTimeout, match="total timeout"):
            run_shell(GenericClient("m", provider=provider), shell, timeout=0.3)


def _scripted_host(*statuses, retry_after=None):
    """A mock host answering with the statuses in order (the last one repeats), streamed or not as asked."""
    calls: list[httpx.Request] = []

    def handler(request):
        calls.append(request)
        status = statuses[min(len(calls) - 1, len(statuses) - 1)]
        if status == 200:
            if json.loads(request.content).get("stream"):
                return httpx.Response(200, headers={"content-type": "text/event-stream"},
                                      content=chunk("ok") + FINISH)
            return httpx.Response(200, json=OK)
        headers = {"retry-after": retry_after} if retry_after is not None and status == 429 else {}
        return httpx.Response(status, headers=headers, json={"error": {"message": f"status {status}"}})

    return httpx.MockTransport(handler), calls


@pytest.fixture
def waits(monkeypatch):
    """The waits between attempts, sync and async (really waited: they are short)."""
    seen: list[float] = []
    real_sleep, real_asleep = time.sleep, asyncio.sleep
    here = threading.get_ident()  # not the sleeps of other tests' server threads

    def sleep(seconds):
        if threading.get_ident() == here:
            seen.append(seconds)
        real_sleep(seconds)

    async def asleep(seconds, *args):
        if threading.get_ident() == here:
            seen.append(seconds)
        return await real_asleep(seconds, *args)

    monkeypatch.setattr("rehost.shared.transport.time.sleep", sleep)
    monkeypatch.setattr("rehost.shared.transport.asyncio.sleep", asleep)
    return seen


POLICY = RetryPolicy(max_retries=2, initial_delay=0.02, multiplier=2.0, jitter=False)

RETRY_CASES = {
    # statuses, Retry-After, what the call ends with, requests sent, waits between them
    "429 then 503 then ok": ((429, 503, 200), "0.03", "ok", 3, [0.03, 0.04]),
    "503 until the budget is spent": ((503,), None, Overloaded, 3, [0.02, 0.04]),
    "a Retry-After beyond max_retry_after is raised": ((429,), "3600", RateLimited, 1, []),
    "an invalid request is not retried": ((400,), None, InvalidRequest, 1, []),
    "a 500 then ok": ((500, 200), None, "ok", 2, [0.02]),
}


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("case", list(RETRY_CASES))
def test_every_shell_retries_the_same_way(shell, case, waits):
    statuses, retry_after, outcome, sent, waited = RETRY_CASES[case]
    transport, calls = _scripted_host(*statuses, retry_after=retry_after)
    provider = Groq("k" * 20, transport=transport, async_transport=transport, retry=POLICY,
                    rate_limit=RateLimit(requests_per_minute=60_000))
    client = GenericClient("m", provider=provider)
    with no_hang():
        if isinstance(outcome, str):
            assert run_shell(client, shell).text == outcome
        else:
            with pytest.raises(outcome):
                run_shell(client, shell)
    assert len(calls) == sent
    assert [round(w, 3) for w in waits if w > 0.001] == waited


@pytest.mark.parametrize("shell", SHELLS)
def test_a_rate_limit_pause_longer_than_the_call_may_take_is_raised_at_once(shell):
    """The limiter holding every call back (a spent budget, a 429's Retry-After) for longer than the call's
    deadline allows: a RateLimited saying how long, in every shell, with nothing sent."""
    transport, calls = _scripted_host(200)
    provider = Groq("k" * 20, transport=transport, async_transport=transport,
                    rate_limit=RateLimit(requests_per_minute=60_000))
    provider.rate_limiter.pause(30)
    with no_hang(), pytest.raises(RateLimited) as caught:
        run_shell(GenericClient("m", provider=provider), shell, timeout=2)
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 2
    assert calls == []


@pytest.mark.parametrize("shell", SHELLS)
def test_a_short_rate_limit_pause_is_waited_in_every_shell(shell, waits):
    transport, calls = _scripted_host(200)
    provider = Groq("k" * 20, transport=transport, async_transport=transport,
                    rate_limit=RateLimit(requests_per_minute=60_000))
    provider.rate_limiter.pause(0.05)
    with no_hang():
        assert run_shell(GenericClient("m", provider=provider), shell).text == "ok"
    assert len(calls) == 1
    assert len(waits) == 1
    assert 0.02 < waits[0] <= 0.05


def test_the_retry_plan_decides_without_io():
    """The plan alone, fed outcomes by hand: send, back off, send again, give up with the host's error."""
    from rehost.shared.transport import HttpCall, RetryPlan, Send, Sleep

    plan = RetryPlan(host="h", call=HttpCall("POST", "http://h/x"), timeouts=Timeouts(), policy=POLICY,
                     limiter=None, total=None)
    seen = []
    with pytest.raises(Overloaded):
        for step in plan.steps():
            seen.append(step)
            if isinstance(step, Send):
                plan.failed(Overloaded("busy", host="h"))
    assert [type(s).__name__ for s in seen] == ["Send", "Sleep", "Send", "Sleep", "Send"]
    assert [s.attempt for s in seen if isinstance(s, Send)] == [0, 1, 2]
    assert [s.seconds for s in seen if isinstance(s, Sleep)] == [0.02, 0.04]


def test_the_retry_plan_caps_each_attempt_by_the_deadline_and_calls_a_capped_timeout_total():
    from rehost.shared.transport import HttpCall, RetryPlan, Send

    plan = RetryPlan(host="h", call=HttpCall("POST", "http://h/x"), timeouts=Timeouts(read=60), policy=POLICY,
                     limiter=None, total=0.5)
    steps = plan.steps()
    first = next(steps)
    assert isinstance(first, Send)
    assert first.timeout.read <= 0.5
    plan.lost(httpx.ReadTimeout("silent"))
    with pytest.raises(RequestTimeout, match="total timeout"):
        next(steps)


# ---------------------------------------------------------------------------------------------- item 6


def _open_fds():
    return len(os.listdir("/proc/self/fd"))


def test_two_hundred_asyncio_runs_leave_no_socket_open_and_warn_of_nothing(emu):
    """Each ``asyncio.run`` made a new async pool for its loop and dropped the old one unclosed: sockets piled
    up until the garbage collector found them, each with a ResourceWarning."""
    provider = emu.provider("groq")
    client = GenericClient("m", provider=provider)
    asyncio.run(client.acomplete("hi"))  # the first pool, and whatever importing on first use opens
    gc.collect()
    before = _open_fds()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(200):
            assert asyncio.run(client.acomplete("hi")).text
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert wait_for(lambda: emu.open_connections == 0), f"{emu.open_connections} connections left open"
    assert _open_fds() <= before + 2
    provider.close()


def test_a_provider_dropped_while_its_loop_runs_closes_its_pool(emu):
    async def main():
        provider = emu.provider("groq")
        assert (await GenericClient("m", provider=provider).acomplete("hi")).text
        assert emu.open_connections >= 1
        del provider
        gc.collect()
        for _ in range(100):
            if emu.open_connections == 0:
                break
            await asyncio.sleep(0.02)
        return emu.open_connections

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assert asyncio.run(main()) == 0
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_a_loop_closed_by_hand_leaves_no_complaint_about_the_pool(emu, caplog):
    """A loop closed without cancelling its tasks (not asyncio.run) cannot close its pool: nothing of rehost's
    may then complain ("Task was destroyed but it is pending!"), and the next loop gets a pool of its own."""
    provider = emu.provider("groq")
    client = GenericClient("m", provider=provider)
    loop = asyncio.new_event_loop()
    assert loop.run_until_complete(client.acomplete("hi")).text
    loop.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the closed loop's own sockets: its owner's to close
        assert asyncio.run(client.acomplete("hi")).text
        del loop
        gc.collect()
    assert "destroyed but it is pending" not in caplog.text
    provider.close()


def test_close_also_closes_the_pools_of_running_loops(emu):
    """``close()`` (sync) reaches the async pools too: each is closed on its own loop."""
    provider = emu.provider("groq")

    async def main():
        assert (await GenericClient("m", provider=provider).acomplete("hi")).text
        provider.close()
        for _ in range(100):
            if emu.open_connections == 0:
                break
            await asyncio.sleep(0.02)
        assert emu.open_connections == 0
        assert (await GenericClient("m", provider=provider).acomplete("hi")).text  # a fresh pool
        await provider.aclose()

    asyncio.run(main())
    assert wait_for(lambda: emu.open_connections == 0)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_definitive_answer_after_the_deadline_is_raised_as_it_is(shell):
    """A 400 that arrives just after the deadline says more than "total timeout" would."""
    def handler(_request):
        time.sleep(0.35)
        return httpx.Response(400, json={"error": {"message": "bad request"}})

    transport = httpx.MockTransport(handler)
    provider = Groq("k" * 20, transport=transport, async_transport=transport)
    with no_hang(), pytest.raises(InvalidRequest, match="bad request"):
        run_shell(GenericClient("m", provider=provider), shell, timeout=0.3)
