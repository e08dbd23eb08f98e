"""The websocket session shell (rehost.shared.io.websocket) against a real local websockets server, and its
decision-only connect plan with an injected clock and randomness."""

from __future__ import annotations

import asyncio
import http
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    RateLimited,
    RequestTimeout,
    ServerError,
    SessionClosed,
)
from rehost.shared.io.websocket import ConnectPlan, ConnectPolicy, Session, SyncSession


@dataclass
class Server:
    """A websockets server on its own loop in a thread: it echoes, or answers commands (``close CODE REASON``,
    ``silence``), and can refuse handshakes with a status for its first ``refuse_times`` connects."""

    port: int = 0
    refuse_status: int | None = None
    refuse_times: int = 10**6
    retry_after: str | None = None
    handshakes: list[dict[str, str]] = field(default_factory=list)
    subprotocols: tuple[str, ...] = ("realtime-v1",)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    async def handler(self, ws: ServerConnection) -> None:
        async for message in ws:
            if message == "silence":
                continue
            if isinstance(message, str) and message.startswith("close "):
                _, code, reason = message.split(" ", 2)
                await ws.close(int(code), reason)
                return
            await ws.send(message)

    def select_subprotocol(self, connection: Any, offered: Any) -> Any:
        return next((p for p in offered if p in self.subprotocols), None)

    def process_request(self, connection: Any, request: Any) -> Any:
        self.handshakes.append(dict(request.headers.raw_items()))
        if self.refuse_status is not None and len(self.handshakes) <= self.refuse_times:
            response = connection.respond(http.HTTPStatus(self.refuse_status), "refused: key sk-secret-123456\n")
            if self.retry_after is not None:
                response.headers["Retry-After"] = self.retry_after
            return response
        return None


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()

    async def main() -> None:
        async with serve(state.handler, "127.0.0.1", 0, process_request=state.process_request,
                         select_subprotocol=state.select_subprotocol, ping_interval=None) as srv:
            state.port = srv.sockets[0].getsockname()[1]
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(5)
    yield state
    loop.call_soon_threadsafe(stop.set)
    thread.join(5)
    loop.close()


async def no_sleep(seconds: float) -> None:
    no_sleep.waits.append(seconds)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _reset_waits() -> None:
    no_sleep.waits = []  # type: ignore[attr-defined]


async def test_a_session_sends_and_receives_text_and_bytes_with_auth_and_subprotocol(server):
    async with await Session.connect(server.url, host="emu", headers={"Authorization": "Bearer sk-1"},
                                     subprotocols=["realtime-v1"]) as session:
        assert session.subprotocol == "realtime-v1"
        await session.send("hello")
        assert await session.receive() == "hello"
        await session.send(b"\x00\x01audio")
        assert await session.receive() == b"\x00\x01audio"
        assert await session.ping() >= 0.0
    assert server.handshakes[0]["Authorization"] == "Bearer sk-1"
    assert session.close_code == 1000


async def test_idle_receive_is_a_request_timeout(server):
    async with await Session.connect(server.url, host="emu", idle_timeout=0.2) as session:
        await session.send("silence")
        with pytest.raises(RequestTimeout, match="idle"):
            await session.receive()
        with pytest.raises(RequestTimeout):
            await session.receive(timeout=0.05)  # a per-call timeout overrides the session's


async def test_a_close_by_the_host_is_session_closed_with_its_code_and_reason(server):
    session = await Session.connect(server.url, host="emu")
    await session.send("close 4001 session expired")
    with pytest.raises(SessionClosed) as caught:
        await session.receive()
    assert (caught.value.close_code, caught.value.close_reason) == (4001, "session expired")
    assert isinstance(caught.value, ConnectionFailed)
    assert caught.value.retryable
    with pytest.raises(SessionClosed):
        await session.send("more")
    await session.close()


async def test_iteration_ends_on_a_normal_close(server):
    session = await Session.connect(server.url, host="emu")
    await session.send("one")
    await session.send("close 1000 done")
    assert [m async for m in session] == ["one"]


async def test_a_refused_key_is_not_retried_and_shows_no_key(server):
    server.refuse_status = 401
    url = server.url + "?key=sk-query-secret-9999"
    with pytest.raises(AuthenticationError) as caught:
        await Session.connect(url, host="emu", sleep=no_sleep)
    assert len(server.handshakes) == 1
    assert no_sleep.waits == []
    assert caught.value.status == 401
    assert "sk-query-secret" not in str(caught.value)
    assert "sk-query-secret" not in repr(caught.value)


async def test_a_busy_host_is_retried_as_the_plan_says_then_succeeds(server):
    server.refuse_status, server.refuse_times, server.retry_after = 503, 2, "3"
    session = await Session.connect(server.url, host="emu", sleep=no_sleep,
                                    plan=ConnectPlan(ConnectPolicy(max_retries=3)))
    await session.close()
    assert len(server.handshakes) == 3
    assert no_sleep.waits == [3.0, 3.0]  # type: ignore[attr-defined]


async def test_retries_run_out_with_the_last_error(server):
    server.refuse_status = 429
    with pytest.raises(RateLimited):
        await Session.connect(server.url, host="emu", sleep=no_sleep, plan=ConnectPlan(ConnectPolicy(max_retries=1)))
    assert len(server.handshakes) == 2
    server.handshakes.clear()
    server.refuse_status = 500
    with pytest.raises(ServerError):
        await Session.connect(server.url, host="emu", sleep=no_sleep, plan=ConnectPlan(ConnectPolicy(max_retries=0)))
    assert len(server.handshakes) == 1


async def test_nothing_listening_is_connection_failed():
    with pytest.raises(ConnectionFailed, match="could not open"):
        await Session.connect("ws://127.0.0.1:1/x", host="emu", sleep=no_sleep)
    assert len(no_sleep.waits) == 2  # type: ignore[attr-defined]


async def test_bad_input_is_refused_before_any_connect(server):
    with pytest.raises(ConfigurationError):
        await Session.connect(server.url, host="emu", headers={"Authorization": "Bearer a\nb"})
    with pytest.raises(ConfigurationError):
        await Session.connect(server.url, host="emu", idle_timeout=-1)
    assert server.handshakes == []
    session = await Session.connect(server.url, host="emu")
    with pytest.raises(ConfigurationError):
        await session.send({"not": "a frame"})  # type: ignore[arg-type]
    await session.close()


def test_the_sync_session_is_the_same_session_on_a_thread(server):
    with SyncSession(server.url, host="emu", headers={"X-Api-Key": "k"}, idle_timeout=0.2) as session:
        session.send("hi")
        assert session.receive() == "hi"
        session.send("silence")
        with pytest.raises(RequestTimeout):
            session.receive()
        session.send("a")
        session.send("close 1000 bye")
        assert list(session) == ["a"]
    session.close()  # twice is harmless
    assert server.handshakes[0]["X-Api-Key"] == "k"


def test_a_sync_session_that_cannot_connect_raises_and_leaves_no_thread(server):
    server.refuse_status = 403
    before = threading.active_count()
    with pytest.raises(Exception) as caught:
        SyncSession(server.url, host="emu")
    assert caught.value.status == 403  # type: ignore[attr-defined]
    assert threading.active_count() == before


# ---------------------------------------------------------------------------------------------- the plan


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_plan_backs_off_with_full_jitter_up_to_the_cap():
    plan = ConnectPlan(ConnectPolicy(max_retries=5, initial_delay=1.0, max_delay=5.0), rng=lambda: 1.0,
                       clock=Clock())
    failure = ConnectionFailed("down")
    assert [plan.after_failure(failure) for _ in range(6)] == [1.0, 2.0, 4.0, 5.0, 5.0, None]
    half = ConnectPlan(ConnectPolicy(initial_delay=1.0), rng=lambda: 0.5, clock=Clock())
    assert half.after_failure(failure) == 0.5


def test_the_plan_obeys_retry_after_within_its_limit_and_gives_up_past_it():
    plan = ConnectPlan(ConnectPolicy(max_retry_after=10.0), clock=Clock())
    assert plan.after_failure(RateLimited("slow down", retry_after=7.0)) == 7.0
    assert plan.after_failure(RateLimited("slow down", retry_after=60.0)) is None


def test_the_plan_never_retries_what_a_retry_cannot_fix_nor_past_its_deadline():
    assert ConnectPlan().after_failure(AuthenticationError("bad key", status=401)) is None
    assert ConnectPlan().after_failure(SessionClosed("bye", close_code=1008)) is None
    clock = Clock()
    plan = ConnectPlan(ConnectPolicy(initial_delay=4.0), deadline=5.0, clock=clock, rng=lambda: 1.0)
    assert plan.after_failure(ConnectionFailed("down")) == 4.0
    clock.now += 4.0
    assert plan.remaining() == 1.0
    assert plan.after_failure(ConnectionFailed("down")) is None  # an 8 s wait would pass the deadline


def test_policy_values_are_checked():
    with pytest.raises(ConfigurationError):
        ConnectPolicy(max_retries=-1)
    with pytest.raises(ConfigurationError):
        ConnectPolicy(multiplier=0.5)


def test_import_rehost_does_not_import_websockets():
    code = "import sys, rehost, rehost.shared.io.websocket; print('websockets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
