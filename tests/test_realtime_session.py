"""The neutral realtime session loop (shared/realtime/session.py) over a real local websocket server, with a toy
vocabulary: start handshake, replies, tool binding and run(), interrupt's played audio, clean and dirty closes,
bad input refused before anything is sent."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from rehost.errors import ConfigurationError, SessionClosed
from rehost.shared.io.websocket import Session
from rehost.shared.realtime import (
    AudioFormat,
    AudioOut,
    Closed,
    JsonFrames,
    Reply,
    SessionConfig,
    SessionStarted,
    ToolCallRequest,
    TurnDetection,
    WireSession,
)

websockets = pytest.importorskip("websockets")


class Toy(JsonFrames):
    def configure(self, config: Any) -> list[dict[str, Any]]:
        return [{"type": "configure", "model": config.model}]

    def audio(self, chunk: bytes) -> list[dict[str, Any]]:
        return [{"type": "audio", "n": len(chunk)}]

    def commit(self) -> list[dict[str, Any]]:
        return [{"type": "commit"}]

    def text(self, text: str) -> list[dict[str, Any]]:
        return [{"type": "text", "text": text}]

    def respond(self, instructions: str | None) -> list[dict[str, Any]]:
        return [{"type": "respond"}]

    def interrupt(self, played_ms: int | None) -> list[dict[str, Any]]:
        return [{"type": "interrupt", "played_ms": played_ms}]

    def tool_result(self, call_id: str, output: str, name: str | None, respond: bool) -> list[dict[str, Any]]:
        return [{"type": "tool_result", "call_id": call_id, "output": output, "respond": respond}]

    def update(self, config: Any) -> list[dict[str, Any]]:
        return [{"type": "update", "voice": config.voice}]

    def decode(self, frame: Any) -> list[Any]:
        kind = frame["type"]
        if kind == "hello":
            return [SessionStarted("sess-1", "toy")]
        if kind == "audio":
            return [AudioOut(b"\0" * 4800, item_id="i1")]  # 100 ms at 24 kHz pcm16
        if kind == "call":
            return [ToolCallRequest("c1", "add", '{"a": 2, "b": 3}')]
        if kind == "ping":
            return [Reply({"type": "pong"})]
        return []


async def _run(script: Any, client: Any) -> list[str]:
    got: list[str] = []

    async def handler(ws: Any) -> None:
        await script(ws, got)

    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        socket = await Session.connect(f"ws://127.0.0.1:{port}", host="toy")
        session = await WireSession.start(socket, Toy(), SessionConfig(model="toy-1"), name="toy")
        await client(session)
    return got


def test_a_session_starts_answers_pings_runs_tools_and_truncates_what_was_played() -> None:
    events: list[Any] = []

    async def script(ws: Any, got: list[str]) -> None:
        await ws.send(json.dumps({"type": "hello"}))
        got.append(await ws.recv())  # configure
        await ws.send(json.dumps({"type": "ping"}))
        got.append(await ws.recv())  # pong
        await ws.send(json.dumps({"type": "audio"}))
        await ws.send(json.dumps({"type": "call"}))
        got.append(await ws.recv())  # tool result
        got.append(await ws.recv())  # interrupt
        await ws.close()

    async def client(session: WireSession) -> None:
        async for event in session:
            events.append(event)
            if isinstance(event, ToolCallRequest):
                assert event.session is session
                assert await event.run({"add": lambda a, b: a + b}) == "5"
                await session.interrupt()

    got = asyncio.run(_run(script, client))
    assert [json.loads(g)["type"] for g in got] == ["configure", "pong", "tool_result", "interrupt"]
    assert json.loads(got[0])["model"] == "toy-1"
    assert json.loads(got[2]) == {"type": "tool_result", "call_id": "c1", "output": "5", "respond": True}
    assert json.loads(got[3])["played_ms"] == 100
    assert [type(e).__name__ for e in events] == ["SessionStarted", "AudioOut", "ToolCallRequest", "Closed"]
    assert events[-1] == Closed(1000, "")


def test_a_dropped_socket_is_a_typed_error_not_an_end() -> None:
    async def script(ws: Any, got: list[str]) -> None:
        await ws.send(json.dumps({"type": "hello"}))
        await ws.recv()
        await ws.close(1011, "boom")

    async def client(session: WireSession) -> None:
        with pytest.raises(SessionClosed) as info:
            async for _ in session:
                pass
        assert info.value.close_code == 1011

    asyncio.run(_run(script, client))


def test_bad_input_is_refused_before_anything_is_sent() -> None:
    async def script(ws: Any, got: list[str]) -> None:
        await ws.send(json.dumps({"type": "hello"}))
        got.append(await ws.recv())
        await ws.wait_closed()

    async def client(session: WireSession) -> None:
        with pytest.raises(ConfigurationError):
            await session.send_audio("not bytes")  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError):
            await session.send_tool_result("c1", {"not": "text"})  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError):
            await session.update(no_such_setting=1)
        await session.close()

    assert len(asyncio.run(_run(script, client))) == 1


@pytest.mark.parametrize("bad", [
    lambda: SessionConfig(model=""),
    lambda: SessionConfig(model="m", output_modalities=("video",)),  # type: ignore[arg-type]
    lambda: AudioFormat("mp3"),
    lambda: AudioFormat("g711_ulaw", 24000),
    lambda: TurnDetection(threshold=2.0),
    lambda: TurnDetection(mode="server_vad", eagerness="high"),
])
def test_configs_that_no_host_could_take_are_refused(bad: Any) -> None:
    with pytest.raises(ConfigurationError):
        bad()


def test_audio_formats_parse_from_short_strings() -> None:
    assert AudioFormat.of("pcm16/16000", AudioFormat()) == AudioFormat("pcm16", 16000)
    assert AudioFormat.of("g711_ulaw", AudioFormat()) == AudioFormat("g711_ulaw", 8000)
    assert AudioFormat.of(None, AudioFormat("pcm16", 16000)).sample_rate == 16000
