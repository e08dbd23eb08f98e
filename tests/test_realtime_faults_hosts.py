"""The realtime fault matrix on the real path of every realtime host: a family client bound to the host (its
URL, auth and codec: OpenAI GA and beta, Azure GA, Azure AI Voice Live, xAI, Gemini Live on AI Studio and on
Vertex) against the realtime emulator with one fault injected. Each fault becomes the outcome a user can act on
(a typed error with the close code, a non-fatal error event, a clean close, an idle timeout), within a bound, with
no task left in the client's loop, no session left open on the server, and no key in any error."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rehost.errors import RehostError, RequestTimeout, SessionClosed
from rehost.shared.realtime import Closed, RealtimeError, ResponseDone
from rehost.testing.emulator_realtime import RealtimeEmulator

pytest.importorskip("websockets")

BOUND = 15.0
KEY = "emu-key-not-real"


@pytest.fixture(scope="module")
def emu() -> Iterator[RealtimeEmulator]:
    with RealtimeEmulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(emu: RealtimeEmulator) -> Iterator[None]:
    emu.reset()
    yield
    assert emu.wait_closed(5), "a session was left open on the server"


def _openai(emu: RealtimeEmulator, beta: bool = False) -> Any:
    from rehost.clients.gpt_realtime import GptRealtimeClient
    from rehost.providers.openai import OpenAI

    return GptRealtimeClient(OpenAI(KEY, base_url=emu.base_url("openai"), realtime_beta=beta), "gpt-realtime")


def _azure(emu: RealtimeEmulator) -> Any:
    from rehost.clients.gpt_realtime import GptRealtimeClient
    from rehost.providers.azure import Azure

    return GptRealtimeClient(Azure(api_key=KEY, base_url=emu.base_url("azure")), "gpt-realtime",
                             host_model_id="my-realtime-deployment")  # Azure serves a deployment the user named


def _voice_live(emu: RealtimeEmulator) -> Any:
    from rehost.clients.gpt_realtime import GptRealtimeClient
    from rehost.providers.azure_realtime import AzureVoiceLive

    return GptRealtimeClient(AzureVoiceLive(KEY, endpoint=emu.base_url("voice-live").rsplit("/voice-live", 1)[0]),
                             "gpt-realtime")


def _xai(emu: RealtimeEmulator) -> Any:
    from rehost.clients.grok_voice import GrokVoice
    from rehost.providers.xai import XAI

    return GrokVoice(XAI(KEY, base_url=emu.base_url("xai")))


def _gemini(emu: RealtimeEmulator) -> Any:
    from rehost.clients.gemini_live import GeminiLive
    from rehost.providers.google import Google

    return GeminiLive(Google(KEY, base_url=emu.base_url("gemini")))


def _vertex(emu: RealtimeEmulator) -> Any:
    from rehost.clients.gemini_live import GeminiLive
    from rehost.providers.vertex import Vertex

    return GeminiLive(Vertex("proj", "us-central1", access_token=KEY, base_url=emu.base_url("vertex")),
                      "gemini-live-2.5-flash")


CLIENTS: dict[str, Callable[[RealtimeEmulator], Any]] = {
    "openai": _openai, "openai-beta": lambda e: _openai(e, beta=True), "azure": _azure,
    "voice-live": _voice_live, "xai": _xai,
    "gemini": _gemini, "vertex": _vertex,
}
GEMINI = {"gemini", "vertex"}


async def _turn(client: Any) -> tuple[list[Any], BaseException | None]:
    got: list[Any] = []
    try:
        async with client.connect(idle_timeout=1.0) as session:
            await session.send_text("Hello there", respond=True)
            async for event in session:
                got.append(event)
                if isinstance(event, ResponseDone) and not event.tool_calls:
                    break
    except RehostError as exc:
        return got, exc
    return got, None


def _run(client: Any) -> tuple[list[Any], BaseException | None]:
    async def bounded() -> tuple[list[Any], BaseException | None]:
        result = await asyncio.wait_for(_turn(client), BOUND)
        await asyncio.sleep(0)
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert not left, f"tasks left running: {left}"
        return result

    return asyncio.run(bounded())


@pytest.mark.parametrize("host", list(CLIENTS))
def test_a_clean_turn_on_each_host(emu: RealtimeEmulator, host: str) -> None:
    events, error = _run(CLIENTS[host](emu))
    assert error is None
    assert isinstance(events[-1], ResponseDone)
    assert events[-1].status == "completed"
    assert events[-1].transcript


@pytest.mark.parametrize("host", list(CLIENTS))
@pytest.mark.parametrize("fault", ["drop", "close", "fatal_error", "error", "stall", "goaway"])
def test_each_fault_on_each_host_is_its_typed_outcome(emu: RealtimeEmulator, host: str, fault: str) -> None:
    gemini = host in GEMINI
    code = 1008 if gemini else 4003
    emu.inject(fault, after=1, code=code if fault == "close" else None, reason="policy" if fault == "close" else None)
    events, error = _run(CLIENTS[host](emu))
    assert KEY not in str(error or "")
    if fault == "stall":
        assert isinstance(error, RequestTimeout)
    elif fault == "error" and not gemini:  # OpenAI-style hosts carry a non-fatal error event; the answer goes on
        assert error is None
        assert [e.fatal for e in events if isinstance(e, RealtimeError)] == [False]
        assert isinstance(events[-1], ResponseDone)
    elif fault == "goaway":  # a going-away close ends the session cleanly
        assert error is None
        assert isinstance(events[-1], Closed)
    else:
        assert isinstance(error, SessionClosed) or (gemini and isinstance(error, RehostError)), repr(error)
        got_code = getattr(error, "close_code", None) or int(getattr(error, "code", 0) or 0)
        assert got_code == {"drop": 1006, "close": code}.get(fault, 1011)
