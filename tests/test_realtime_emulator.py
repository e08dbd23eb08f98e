"""The realtime emulator (rehost.testing.emulator_realtime, issue 15): each front speaks its host's protocol
server side in the order the recorded sessions show (the recorded client frames replayed against it), the
scripted brain answers predictably, any RealtimeSession can be the brain, and every fault ends as it should
for a raw websockets client and for rehost's own WireSession: no hang (asyncio.wait_for bounds, not speed
assertions), the typed error, no task left in the client's loop, no connection left open on the server."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    RateLimited,
    RequestTimeout,
    ServerError,
    SessionClosed,
)
from rehost.shared.chat.tool_types import Tool
from rehost.shared.io.websocket import ConnectPlan, ConnectPolicy, Session
from rehost.shared.realtime import (
    AudioOut,
    Closed,
    RealtimeError,
    RealtimeEvent,
    RealtimeSession,
    ResponseDone,
    SessionConfig,
    SessionStarted,
    TextOut,
    ToolCallRequest,
    TurnDetection,
    WireSession,
)
from rehost.testing.emulator_realtime import FAULTS, Fault, RealtimeEmulator, ScriptedBrain
from tests.conformance.realtime_replay import FOLDER, load
from tests.realtime_codecs import MiniGA, MiniGemini

websockets = pytest.importorskip("websockets")

BOUND = 10.0  # seconds any one session may take before the test calls it a hang
KEY = {"Authorization": "Bearer emu-key"}
GOOGLE_KEY = {"x-goog-api-key": "emu-key"}


@pytest.fixture(scope="module")
def emu() -> Iterator[RealtimeEmulator]:
    with RealtimeEmulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(emu: RealtimeEmulator) -> Iterator[None]:
    emu.reset()
    yield
    assert emu.wait_closed(5), "a session was left open on the server"


def run(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    """Run one client scenario within BOUND seconds, and check it left no task behind in its loop."""
    async def bounded() -> Any:
        result = await asyncio.wait_for(coro_fn(), BOUND)
        await asyncio.sleep(0)
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert not left, f"tasks left running: {left}"
        return result

    return asyncio.run(bounded())


async def recv_until(ws: Any, stop: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    while True:
        frame = json.loads(await ws.recv())
        got.append(frame)
        if stop(frame):
            return got


def kind(frame: dict[str, Any]) -> str:
    if "type" in frame:
        return str(frame["type"])
    top = next(k for k in frame if k != "usageMetadata")
    return top if top != "serverContent" else "serverContent." + ",".join(sorted(frame[top]))


def shape(frames: list[dict[str, Any]]) -> list[str]:
    """The order of a session's frames with the streamed pieces left out (deltas, audio and transcript
    chunks, pings and rate limits: how many and how interleaved depends on the answer) and repeats folded."""
    out: list[str] = []
    for frame in frames:
        k = kind(frame)
        if k.endswith(".delta") or k in ("ping", "rate_limits.updated") or (
                k.startswith("serverContent.") and ({"modelTurn", "outputTranscription", "inputTranscription"}
                                                    & set(frame["serverContent"]))):
            continue
        if not out or out[-1] != k:
            out.append(k)
    return out


# ---------------------------------------------------------------------------------------------- the fronts
#: cassettes whose client side is text (the recorded audio is cut short, so audio turns cannot be replayed
#: against a server that listens to it) with the front that speaks each folder's vocabulary
TEXT_DRIVEN = {"openai": "openai", "azure": "azure", "azure_voice_live": "voice-live", "xai": "xai",
               "google": "gemini"}
BOUNDARIES = {"session.created", "session.updated", "response.done", "response.function_call_arguments.done",
              "setupComplete", "toolCall", "serverContent.turnComplete"}


def _text_cassettes() -> list[Path]:
    return [FOLDER / folder / f"{name}.yaml" for folder in TEXT_DRIVEN
            for name in ("text_in_audio_out_turn", "tool_call_round", "message_history_seeding")
            if (FOLDER / folder / f"{name}.yaml").exists()]


@pytest.mark.parametrize("path", _text_cassettes(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_front_answers_the_recorded_client_in_the_recorded_order(emu: RealtimeEmulator, path: Path) -> None:
    """The client frames of a recorded session, replayed against the front of that vocabulary, are answered
    with the frames the real host sent, in its order (streamed pieces aside). Each recorded client frame is
    sent once the emulator has said as much as the host had (counted in boundary events: session
    updates, finished responses, tool calls)."""
    interactions = [i for i in load(path) if i.get("kind", "message") == "message"]
    style = TEXT_DRIVEN[path.parent.name]
    recorded = [i["data"] for i in interactions if i["direction"] == "received"]
    if path.parent.name == "xai" and path.stem == "tool_call_round":
        emu.script(tool_preamble="Let me check.")  # Grok spoke before calling, in the same response

    async def scenario() -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        seen = 0
        headers = GOOGLE_KEY if style == "gemini" else KEY
        async with websockets.connect(emu.url(style, model="m"), additional_headers=headers) as ws:
            async def catch_up(count: int) -> None:
                nonlocal seen
                while seen < count:
                    frame = json.loads(await ws.recv())
                    got.append(frame)
                    seen += kind(frame) in BOUNDARIES
            before = 0
            for interaction in interactions:
                if interaction["direction"] == "received":
                    before += kind(interaction["data"]) in BOUNDARIES
                    continue
                await catch_up(before)
                await ws.send(json.dumps(interaction["data"]))
            await catch_up(before)
        return got

    got = run(scenario)
    assert shape(got) == shape(recorded)
    assert {kind(f) for f in got if kind(f).endswith(".delta")} <= {kind(f) for f in recorded}


def test_the_openai_front_answers_a_text_turn_with_the_scripted_reply_and_usage(emu: RealtimeEmulator) -> None:
    emu.script(reply="Hello there friend.", audio_deltas=4, delta_bytes=960)

    async def scenario() -> list[dict[str, Any]]:
        async with websockets.connect(emu.url("openai", model="gpt-realtime"), additional_headers=KEY) as ws:
            created = json.loads(await ws.recv())
            assert created["session"]["model"] == "gpt-realtime"
            await ws.send(json.dumps({"type": "conversation.item.create", "item": {
                "type": "message", "role": "user", "content": [{"type": "input_text", "text": "Say hi"}]}}))
            await ws.send(json.dumps({"type": "response.create"}))
            return await recv_until(ws, lambda f: f["type"] == "response.done")

    frames = run(scenario)
    audio = [base64.b64decode(f["delta"]) for f in frames if f["type"] == "response.output_audio.delta"]
    words = "".join(f["delta"] for f in frames if f["type"] == "response.output_audio_transcript.delta")
    done = frames[-1]["response"]
    assert len(audio) == 4
    assert all(len(a) == 960 for a in audio)
    assert words == "Hello there friend."
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0] == {"type": "output_audio", "transcript": "Hello there friend."}
    assert done["usage"]["input_tokens"] == 10 + 2
    assert done["usage"]["output_tokens"] == 3 + 4


def test_the_beta_vocabulary_is_spoken_when_the_client_asks_for_it(emu: RealtimeEmulator) -> None:
    async def scenario() -> list[dict[str, Any]]:
        headers = {**KEY, "OpenAI-Beta": "realtime=v1"}
        async with websockets.connect(emu.url("openai", model="m"), additional_headers=headers) as ws:
            created = json.loads(await ws.recv())
            assert created["session"]["input_audio_format"] == "pcm16"
            await ws.send(json.dumps({"type": "session.update", "session": {"modalities": ["text"]}}))
            await ws.send(json.dumps({"type": "conversation.item.create", "item": {
                "type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}}))
            await ws.send(json.dumps({"type": "response.create"}))
            return await recv_until(ws, lambda f: f["type"] == "response.done")

    frames = run(scenario)
    kinds = [f["type"] for f in frames]
    assert "conversation.item.created" in kinds
    assert "conversation.item.added" not in kinds
    assert "response.text.delta" in kinds
    assert "response.output_text.delta" not in kinds
    assert frames[-1]["response"]["output"][0]["content"][0] == {"type": "text", "text": "You said: hi"}


def test_server_vad_audio_turn_is_heard_transcribed_and_answered(emu: RealtimeEmulator) -> None:
    """Sound then quiet (hiss under the VAD's threshold): speech_started, speech_stopped, committed, the
    transcription, then the answer."""
    emu.script(transcript="what time is it")

    async def scenario() -> list[dict[str, Any]]:
        async with websockets.connect(emu.url("openai", model="m"), additional_headers=KEY) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "session.update", "session": {"type": "realtime", "audio": {
                "input": {"transcription": {"model": "whisper-1"}}}}}))
            hiss = b"\x64\x00\x9c\xff" * 240  # samples of +-100: a quiet room, not speech
            for chunk in (b"\x10\x27" * 480, b"\x10\x27" * 480, hiss):
                await ws.send(json.dumps({"type": "input_audio_buffer.append",
                                          "audio": base64.b64encode(chunk).decode()}))
            return await recv_until(ws, lambda f: f["type"] == "response.done")

    frames = run(scenario)
    kinds = [f["type"] for f in frames]
    order = ["input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
             "input_audio_buffer.committed", "conversation.item.input_audio_transcription.completed",
             "response.created", "response.done"]
    assert [k for k in kinds if k in order] == order
    completed = next(f for f in frames if f["type"].endswith("transcription.completed"))
    assert completed["transcript"] == "what time is it"
    assert frames[-1]["response"]["output"][0]["content"][0]["transcript"] == "You said: what time is it"


def test_the_xai_front_has_its_differences(emu: RealtimeEmulator) -> None:
    async def scenario() -> list[dict[str, Any]]:
        async with websockets.connect(emu.url("xai", model="grok-voice-latest"), additional_headers=KEY) as ws:
            first = [json.loads(await ws.recv()) for _ in range(3)]
            assert [f["type"] for f in first] == ["session.created", "conversation.created", "ping"]
            await ws.send(json.dumps({"type": "session.update", "session": {"voice": "Eve", "turn_detection": {
                "type": "server_vad"}, "audio": {"input": {"transcription": {"model": "grok-transcribe"}}}}}))
            updated = json.loads(await ws.recv())
            assert updated["session"]["voice"] == "Eve"
            assert updated["session"]["turn_detection"]["type"] == "server_vad"
            for chunk in (b"\x10\x27" * 480, b"\x00\x00" * 480):
                await ws.send(json.dumps({"type": "input_audio_buffer.append",
                                          "audio": base64.b64encode(chunk).decode()}))
            return await recv_until(ws, lambda f: f["type"] == "response.done")

    frames = run(scenario)
    kinds = [f["type"] for f in frames]
    assert "conversation.item.input_audio_transcription.delta" not in kinds
    snapshots = [f["transcript"] for f in frames if f["type"].endswith("transcription.updated")]
    assert snapshots == ["hello", "hello from", "hello from the", "hello from the audio"]
    done = frames[-1]
    assert done["response"]["usage"] == {}
    assert done["response"]["status_details"] == "unimplemented"
    assert done["usage"]["input_tokens"] == 10 + 4
    assert done["usage"]["total_tokens"] == done["usage"][
        "input_tokens"] + done["usage"]["output_tokens"]
    assert done["response"]["output"][0]["content"][0]["type"] == "audio"


@pytest.mark.parametrize("style", ["gemini", "vertex"])
def test_the_gemini_front_sets_up_calls_tools_and_offers_resumption(emu: RealtimeEmulator, style: str) -> None:
    async def scenario() -> list[dict[str, Any]]:
        async with websockets.connect(emu.url(style), additional_headers=GOOGLE_KEY) as ws:
            await ws.send(json.dumps({"setup": {"model": "models/gemini-live", "sessionResumption": {},
                                                "tools": [{"functionDeclarations": [{
                                                    "name": "record_reading", "parameters": {
                                                        "type": "OBJECT", "properties": {
                                                            "value": {"type": "INTEGER"}}}}]}]}}))
            setup = json.loads(await ws.recv())
            assert ("sessionId" in setup["setupComplete"]) == (style == "vertex")
            await ws.send(json.dumps({"clientContent": {"turns": [{"role": "user", "parts": [
                {"text": "Please record a reading of 5."}]}], "turnComplete": True}}))
            call = json.loads(await ws.recv())
            fn = call["toolCall"]["functionCalls"][0]
            assert fn["name"] == "record_reading"
            await ws.send(json.dumps({"tool_response": {"functionResponses": [
                {"id": fn["id"], "name": fn["name"], "response": {"output": "ok"}}]}}))
            return await recv_until(ws, lambda f: "sessionResumptionUpdate" in f)

    frames = run(scenario)
    said = "".join(f["serverContent"]["outputTranscription"]["text"] for f in frames
                   if "outputTranscription" in f.get("serverContent", {}))
    assert said == "The tool said: ok"
    usage = next(f["usageMetadata"] for f in frames if "usageMetadata" in f)
    assert ("candidatesTokenCount" in usage) == (style == "vertex")
    assert frames[-1]["sessionResumptionUpdate"]["resumable"] is True


def test_bad_client_frames_get_the_hosts_answer_and_the_session_goes_on(emu: RealtimeEmulator) -> None:
    async def scenario() -> None:
        async with websockets.connect(emu.url("openai", model="m"), additional_headers=KEY) as ws:
            await ws.recv()
            for bad in ("not json", json.dumps({"type": "no.such.event"}),
                        json.dumps({"type": "input_audio_buffer.append", "audio": "***"}),
                        json.dumps({"type": "session.update", "session": {"output_modalities": ["video"]}})):
                await ws.send(bad)
                frame = json.loads(await ws.recv())
                assert frame["type"] == "error"
                assert frame["error"]["message"]
            await ws.send(json.dumps({"type": "response.create"}))
            assert (await recv_until(ws, lambda f: f["type"] == "response.done"))[-1]["response"]["status"] == \
                "completed"
        async with websockets.connect(emu.url("gemini"), additional_headers=GOOGLE_KEY) as ws:
            await ws.send(json.dumps({"clientContent": {"turnComplete": True}}))  # not setup first
            with pytest.raises(websockets.ConnectionClosedError) as info:
                await ws.recv()
            assert info.value.rcvd is not None
            assert info.value.rcvd.code == 1007

    run(scenario)


def test_response_cancel_interrupts_and_truncate_is_acknowledged(emu: RealtimeEmulator) -> None:
    emu.script(audio_deltas=200, pace=0.01)

    async def scenario() -> list[dict[str, Any]]:
        async with websockets.connect(emu.url("openai", model="m"), additional_headers=KEY) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "response.create"}))
            await recv_until(ws, lambda f: f["type"] == "response.output_audio.delta")
            await ws.send(json.dumps({"type": "response.cancel"}))
            await ws.send(json.dumps({"type": "conversation.item.truncate", "item_id": "item_x", "content_index": 0,
                                      "audio_end_ms": 120}))
            seen: set[str] = set()
            return await recv_until(ws, lambda f: seen.add(f["type"]) or {  # type: ignore[func-returns-value]
                "response.done", "conversation.item.truncated"} <= seen)

    frames = run(scenario)
    done = next(f for f in frames if f["type"] == "response.done")
    assert done["response"]["status"] == "cancelled"
    assert done["response"]["status_details"]["reason"] == "client_cancelled"
    assert sum(f["type"] == "response.output_audio.delta" for f in frames) < 200
    assert next(f for f in frames if f["type"] == "conversation.item.truncated")["audio_end_ms"] == 120


# ---------------------------------------------------------------------------------------------- brains
class Parrot(RealtimeSession):
    """A brain that is not the scripted one: what the fronts need of any session (the cascade's place)."""

    def __init__(self, config: SessionConfig) -> None:
        self.name, self.config = "parrot", config
        self.queue: asyncio.Queue[RealtimeEvent | None] = asyncio.Queue()
        self.last = ""

    async def send_audio(self, chunk: bytes) -> None: ...
    async def commit(self) -> None: ...
    async def interrupt(self, *, played_ms: int | None = None) -> None: ...
    async def send_tool_result(self, call_id: str, output: str, *, name: str | None = None,
                               respond: bool = True) -> None: ...

    async def send_text(self, text: str, *, respond: bool = False) -> None:
        self.last = text

    async def respond(self, *, instructions: str | None = None) -> None:
        await self.queue.put(TextOut(self.last.upper(), "r1"))
        await self.queue.put(ResponseDone("r1", text=self.last.upper()))

    async def update(self, **changes: Any) -> None:
        self.config = self.config.updated(**changes)

    async def close(self) -> None:
        await self.queue.put(None)

    async def events(self) -> AsyncIterator[RealtimeEvent]:
        while (event := await self.queue.get()) is not None:
            yield event


def test_any_realtime_session_can_be_the_brain_sync_or_async_factory(emu: RealtimeEmulator) -> None:
    made: list[Parrot] = []

    async def factory(config: SessionConfig) -> Parrot:
        made.append(Parrot(config))
        return made[-1]

    emu.brain = factory

    async def scenario() -> dict[str, Any]:
        async with websockets.connect(emu.url("openai", model="m"), additional_headers=KEY) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "session.update", "session": {"output_modalities": ["text"]}}))
            await ws.send(json.dumps({"type": "conversation.item.create", "item": {
                "type": "message", "role": "user", "content": [{"type": "input_text", "text": "polly"}]}}))
            await ws.send(json.dumps({"type": "response.create"}))
            return (await recv_until(ws, lambda f: f["type"] == "response.done"))[-1]

    done = run(scenario)
    assert done["response"]["output"][0]["content"][0]["text"] == "POLLY"
    assert made[0].config.output_modalities == ("text",)
    emu.brain = lambda config: "not a session"  # type: ignore[assignment,return-value]

    async def refused() -> None:
        async with websockets.connect(emu.url("openai", model="m"), additional_headers=KEY) as ws:
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()

    run(refused)


def test_bad_scripts_and_faults_are_refused_when_set() -> None:
    with pytest.raises(ConfigurationError, match="no option"):
        RealtimeEmulator(replay="x")
    with pytest.raises(ConfigurationError):
        RealtimeEmulator(delta_bytes=3)
    with pytest.raises(ConfigurationError):
        RealtimeEmulator(quiet=-1)
    with pytest.raises(ConfigurationError, match="no fault"):
        Fault("explode")
    with pytest.raises(ConfigurationError):
        Fault("close", code=99)
    with pytest.raises(ConfigurationError, match="no front"):
        RealtimeEmulator().url("nope")
    assert set(FAULTS) >= {"drop", "error", "fatal_error", "close", "stall", "flood", "401", "429", "503"}


# ---------------------------------------------------------------------------------------------- faults, raw
async def _raw_turn(url: str, headers: dict[str, str], gemini: bool) -> tuple[list[dict[str, Any]], Any]:
    """One text turn over a raw websocket until the session ends; the frames and how it ended."""
    got: list[dict[str, Any]] = []
    async with websockets.connect(url, additional_headers=headers, open_timeout=5) as ws:
        if gemini:
            await ws.send(json.dumps({"setup": {"model": "models/m"}}))
        else:
            await ws.recv()
        await ws.send(json.dumps({"clientContent": {"turns": [{"role": "user", "parts": [{"text": "hi"}]}],
                                                    "turnComplete": True}} if gemini else
                                 {"type": "response.create"}))
        try:
            while True:
                got.append(json.loads(await asyncio.wait_for(ws.recv(), 1.0)))
                if got[-1].get("type") == "response.done" or got[-1].get("serverContent", {}).get("turnComplete"):
                    return got, "done"
        except TimeoutError:
            return got, "stalled"
        except websockets.ConnectionClosed as exc:
            return got, exc


@pytest.mark.parametrize("style", ["openai", "beta", "xai", "gemini"])
@pytest.mark.parametrize("fault", ["drop", "error", "fatal_error", "close", "stall", "goaway"])
def test_each_fault_on_each_front_for_a_raw_client(emu: RealtimeEmulator, style: str, fault: str) -> None:
    gemini = style == "gemini"
    query = {"fault": fault, "after": 1, **({"code": 4001, "reason": "policy violation"} if fault == "close" else {})}
    headers = {**(GOOGLE_KEY if gemini else KEY), **({"OpenAI-Beta": "realtime=v1"} if style == "beta" else {})}
    got, end = run(lambda: _raw_turn(emu.url("openai" if style == "beta" else style, model="m", **query),
                                     headers, gemini))
    deltas = [f for f in got if f.get("type", "").endswith("audio.delta") or "modelTurn" in f.get("serverContent", {})]
    if fault != "error" or gemini:
        assert len(deltas) <= 1  # nothing of the answer after the fault fired (after 1 piece of content)
    if fault == "drop":
        assert isinstance(end, websockets.ConnectionClosedError)
        assert end.rcvd is None
    elif fault == "stall":
        assert end == "stalled"
    elif fault == "error" and not gemini:
        assert end == "done"
        errors = [f for f in got if f.get("type") == "error"]
        assert len(errors) == 1
        assert errors[0]["error"]["type"] == "server_error"
    else:
        assert isinstance(end, websockets.ConnectionClosed)
        assert end.rcvd is not None
        expected = {"close": 4001, "goaway": 1001}.get(fault, 1011)
        assert end.rcvd.code == expected
        if fault == "close":
            assert end.rcvd.reason == "policy violation"
        if fault == "fatal_error" and not gemini:
            assert got[-1]["type"] == "error"
        if fault == "goaway" and gemini:
            assert got[-1] == {"goAway": {"timeLeft": "0s"}}


@pytest.mark.parametrize("style", ["openai", "gemini"])
@pytest.mark.parametrize("status", [401, 429, 503])
def test_handshake_refusals_are_http_errors_raw_and_typed(emu: RealtimeEmulator, status: int, style: str) -> None:
    async def raw() -> Any:
        with pytest.raises(websockets.InvalidStatus) as info:
            await websockets.connect(emu.url(style, model="m", fault=status), additional_headers=KEY)
        return info.value.response

    response = run(raw)
    assert response.status_code == status
    body = json.loads(response.body)["error"]
    assert body["message"]
    assert ("status" in body) == (style == "gemini")  # Google's {"error": {code, message, status}}
    assert (response.headers.get("Retry-After") == "1") == (status == 429)
    expected = {401: AuthenticationError, 429: RateLimited, 503: ServerError}[status]
    emu.inject(str(status), times=1)

    async def typed() -> None:
        with pytest.raises(expected) as info:
            await Session.connect(emu.url(style, model="m"), host="emu", headers=KEY,
                                  plan=ConnectPlan(ConnectPolicy(max_retries=0)))
        assert info.value.status == status
        assert "emu-key" not in str(info.value)
        if status == 429:
            assert info.value.retry_after == 1

    run(typed)


def test_a_handshake_without_a_key_is_refused_401(emu: RealtimeEmulator) -> None:
    async def scenario() -> int:
        with pytest.raises(websockets.InvalidStatus) as info:
            await websockets.connect(emu.url("openai", model="m"))
        return int(info.value.response.status_code)

    assert run(scenario) == 401


def test_a_slow_consumer_does_not_make_the_server_buffer_the_flood(emu: RealtimeEmulator) -> None:
    """2,000 audio deltas of 4,800 bytes (about 13 MB as JSON, three times what the kernel buffers hold here)
    pushed at a client that stops reading: the server's send backlog stays bounded and it waits; when the
    client reads again, everything arrives."""
    count = 2000

    import socket

    async def scenario() -> tuple[int, int]:
        # a small, fixed receive window (no autotuning up to tens of MB on loopback), as a slow client has
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.connect((emu.host, emu.port))
        sock.setblocking(False)
        async with websockets.connect(emu.url("openai", model="m", fault="flood", count=count), sock=sock,
                                      additional_headers=KEY, max_queue=4) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "response.create"}))
            await asyncio.sleep(0.5)  # not reading
            sent_while_paused = emu.stats.audio_deltas_out
            frames = await recv_until(ws, lambda f: f["type"] == "response.done")
            return sent_while_paused, sum(f["type"] == "response.output_audio.delta" for f in frames)

    paused, received = run(scenario)
    assert paused < count  # the server waited for the client
    assert received == count
    assert emu.stats.max_backlog < 1024 * 1024


def test_the_cli_serves_the_realtime_emulator_on_a_port() -> None:
    from rehost.testing.emulator_realtime import realtime_process

    with realtime_process(reply="From the CLI.") as root:
        assert root.startswith("ws://127.0.0.1:")

        async def scenario() -> str:
            async with websockets.connect(f"{root}/openai/v1/realtime?model=m", additional_headers=KEY) as ws:
                await ws.recv()
                await ws.send(json.dumps({"type": "response.create"}))
                done = (await recv_until(ws, lambda f: f["type"] == "response.done"))[-1]
                return str(done["response"]["output"][0]["content"][0]["transcript"])

        assert run(scenario) == "From the CLI."


# ---------------------------------------------------------------------------------------------- rehost's session
async def _wire(emu: RealtimeEmulator, style: str, config: SessionConfig, *, idle: float = 5.0,
                **query: Any) -> WireSession:
    gemini = style == "gemini"
    headers = GOOGLE_KEY if gemini else {**KEY, **({"OpenAI-Beta": "realtime=v1"} if style == "beta" else {})}
    socket = await Session.connect(emu.url("openai" if style == "beta" else style, model=config.model, **query),
                                   host="emu", headers=headers, idle_timeout=idle)
    return await WireSession.start(socket, MiniGemini() if gemini else MiniGA(), config, name="emu")


async def _events(session: WireSession, *, limit: int | None = None, into: list[Any] | None = None) -> list[Any]:
    """Events until a finished answer (or ``limit`` events), appended to ``into`` as they come."""
    got: list[Any] = [] if into is None else into
    async for event in session:
        got.append(event)
        if (isinstance(event, ResponseDone) and not event.tool_calls) or (limit and len(got) >= limit):
            break
    return got


@pytest.mark.parametrize("style", ["openai", "xai", "gemini"])
def test_rehost_session_runs_a_tool_round_on_each_front(emu: RealtimeEmulator, style: str) -> None:
    def get_weather(city: str = "London") -> str:
        return f"foggy in {city}"

    config = SessionConfig(model="m", tools=(Tool(name="get_weather"),), turn_detection=TurnDetection("manual"))
    emu.script(tool_arguments='{"city": "Paris"}', audio_deltas=2)

    async def scenario() -> list[Any]:
        session = await _wire(emu, style, config)
        try:
            await session.send_text("What is the weather?", respond=True)
            got: list[Any] = []
            async for event in session:
                got.append(event)
                if isinstance(event, ToolCallRequest):
                    await event.run([get_weather])
                if isinstance(event, ResponseDone) and event.transcript:
                    break
            return got
        finally:
            await session.close()

    events = run(scenario)
    assert isinstance(events[0], SessionStarted)
    call = next(e for e in events if isinstance(e, ToolCallRequest))
    assert call.name == "get_weather"
    assert call.args == {"city": "Paris"}
    done = [e for e in events if isinstance(e, ResponseDone)][-1]
    assert done.transcript == "The tool said: foggy in Paris"
    assert sum(isinstance(e, AudioOut) for e in events) >= 2
    assert done.usage is not None
    assert done.usage.input_tokens == 10


@pytest.mark.parametrize("style", ["openai", "beta", "xai", "gemini"])
@pytest.mark.parametrize("fault", ["drop", "close", "fatal_error", "stall", "error", "goaway"])
def test_each_fault_becomes_its_typed_outcome_in_rehost(emu: RealtimeEmulator, style: str, fault: str) -> None:
    config = SessionConfig(model="m", turn_detection=TurnDetection("manual"))
    query: dict[str, Any] = {"fault": fault, "after": 1}
    if fault == "close":
        query.update(code=1008 if style == "gemini" else 4003, reason="policy")

    async def scenario() -> tuple[list[Any], BaseException | None]:
        session = await _wire(emu, style, config, idle=0.5, **query)
        got: list[Any] = []
        try:
            await session.send_text("hi", respond=True)
            await _events(session, into=got)
            return got, None
        except Exception as exc:  # the typed error the fault became
            return got, exc
        finally:
            await session.close()

    events, error = run(scenario)
    gemini = style == "gemini"
    if fault == "stall":
        assert isinstance(error, RequestTimeout)
    elif fault == "error" and not gemini:
        assert error is None
        assert [e.fatal for e in events if isinstance(e, RealtimeError)] == [False]
        assert isinstance(events[-1], ResponseDone)
    elif fault == "goaway":  # a going-away close (1001) ends the session cleanly
        assert error is None
        assert events[-1] == Closed(1001, "going away")
    else:
        assert isinstance(error, SessionClosed)
        expected = {"drop": 1006, "close": query.get("code")}.get(fault, 1011)
        assert error.close_code == expected
        assert "emu-key" not in str(error)
        if fault == "fatal_error" and not gemini:
            assert any(isinstance(e, RealtimeError) for e in events)


@pytest.mark.parametrize("style", ["openai", "xai", "gemini"])
def test_rehost_session_survives_a_slow_reader_of_a_flood(emu: RealtimeEmulator, style: str) -> None:
    config = SessionConfig(model="m", turn_detection=TurnDetection("manual"))

    async def scenario() -> int:
        session = await _wire(emu, style, config, fault="flood", count=1500)
        try:
            await session.send_text("go", respond=True)
            n = 0
            async for event in session:
                if isinstance(event, AudioOut):
                    n += 1
                    if n % 300 == 0:
                        await asyncio.sleep(0.05)  # a slow consumer
                if isinstance(event, ResponseDone):
                    return n
            return n
        finally:
            await session.close()

    assert run(scenario) == 1500
    assert emu.stats.max_backlog < 1024 * 1024


def test_closing_a_rehost_session_mid_answer_ends_the_servers_session(emu: RealtimeEmulator) -> None:
    emu.script(audio_deltas=500, pace=0.005)
    config = SessionConfig(model="m", turn_detection=TurnDetection("manual"))

    async def scenario() -> list[Any]:
        session = await _wire(emu, "openai", config)
        await session.respond()
        got = await _events(session, limit=5)
        await session.close()
        got += [e async for e in session]
        return got

    events = run(scenario)
    assert sum(isinstance(e, AudioOut) for e in events) >= 1
    assert not any(isinstance(e, Closed) and e.code != 1000 for e in events)


def test_the_scripted_brain_alone_is_a_realtime_session() -> None:
    async def scenario() -> list[Any]:
        brain = ScriptedBrain(SessionConfig(model="m", output_modalities=("text",)), reply="Fine thanks.")
        await brain.send_text("how are you", respond=True)
        got: list[Any] = []
        async for event in brain:
            got.append(event)
            if isinstance(event, ResponseDone):
                break
        await brain.close()
        return got

    events = run(scenario)
    assert "".join(e.text for e in events if isinstance(e, TextOut)) == "Fine thanks."
    done = events[-1]
    assert done.text == "Fine thanks."
    assert done.usage.input_tokens == 13
    assert done.usage.output_tokens == 2


def test_rehost_emulate_serves_the_realtime_emulator_next_to_the_http_one() -> None:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "rehost.testing.emulator", "--port", "0", "--realtime", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.readline().startswith("http://127.0.0.1:")
        line = ""
        while "realtime" not in line:
            line = process.stderr.readline()
            assert line, "the emulator said nothing about its realtime server"
        root = line.split()[1]

        async def scenario() -> str:
            async with websockets.connect(f"{root}/openai/v1/realtime?model=m", additional_headers=KEY) as ws:
                return str(json.loads(await ws.recv())["type"])

        assert run(scenario) == "session.created"
    finally:
        process.terminate()
        process.wait(5)


def test_user_speech_over_an_answer_cancels_it(emu: RealtimeEmulator) -> None:
    """Barge-in with server VAD: sound from the user while the answer plays ends that answer as cancelled."""
    emu.script(audio_deltas=300, pace=0.01)

    async def scenario() -> list[dict[str, Any]]:
        async with websockets.connect(emu.url("openai", model="m"), additional_headers=KEY) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "response.create"}))
            await recv_until(ws, lambda f: f["type"] == "response.output_audio.delta")
            await ws.send(json.dumps({"type": "input_audio_buffer.append",
                                      "audio": base64.b64encode(b"\x10\x27" * 480).decode()}))
            return await recv_until(ws, lambda f: f["type"] == "input_audio_buffer.speech_started")

    frames = run(scenario)
    done = [f for f in frames if f["type"] == "response.done"]
    assert [d["response"]["status"] for d in done] == ["cancelled"]
    assert frames.index(done[0]) < len(frames) - 1  # cancelled before the speech event went out


def test_a_fault_query_the_emulator_does_not_know_is_refused_400(emu: RealtimeEmulator) -> None:
    async def scenario() -> int:
        with pytest.raises(websockets.InvalidStatus) as info:
            await websockets.connect(emu.url("openai", model="m", fault="explode"), additional_headers=KEY)
        return int(info.value.response.status_code)

    assert run(scenario) == 400


def test_the_cli_names_another_brain_by_its_factory() -> None:
    from rehost.testing.emulator_realtime.command import load_brain

    assert load_brain("tests.test_realtime_emulator:Parrot") is Parrot
    here = "tests.test_realtime_emulator"
    for bad in ("no_colon", f"{here}:Nope", "no.such.module:f", f"{here}:KEY"):
        with pytest.raises(ConfigurationError):
            load_brain(bad)


def test_reset_puts_back_the_script_and_brain_it_was_made_with() -> None:
    emulator = RealtimeEmulator(reply="first")
    emulator.script(reply="second", audio_deltas=9)
    emulator.brain = Parrot
    emulator.inject("drop", times=None)
    emulator.reset()
    assert emulator._script == {"reply": "first"}
    assert emulator.brain is None
    assert emulator._take_fault() is None


def test_the_pytest_plugin_offers_the_realtime_emulator() -> None:
    from rehost.testing import pytest_plugin

    assert callable(pytest_plugin.rehost_realtime_emulator)


def test_rehost_session_hears_a_spoken_turn_with_its_transcript(emu: RealtimeEmulator) -> None:
    from rehost.shared.realtime import InputCommitted, InputTranscript, SpeechStarted, SpeechStopped

    emu.script(transcript="is it raining", audio_deltas=2)
    config = SessionConfig(model="m", input_transcription="whisper-1")

    async def scenario() -> list[Any]:
        session = await _wire(emu, "openai", config)
        try:
            for chunk in (b"\x20\x4e" * 2400, b"\x00\x00" * 2400):
                await session.send_audio(chunk)
            return await _events(session)
        finally:
            await session.close()

    events = run(scenario)
    kinds = [type(e) for e in events]
    assert kinds.index(SpeechStarted) < kinds.index(SpeechStopped) < kinds.index(InputCommitted) \
        < kinds.index(InputTranscript) < kinds.index(ResponseDone)
    assert next(e for e in events if isinstance(e, InputTranscript)).text == "is it raining"
    assert events[-1].transcript == "You said: is it raining"


@pytest.mark.parametrize("beta", [False, True], ids=["ga", "beta"])
def test_the_openai_realtime_client_runs_a_tool_round_on_the_emulator(emu: RealtimeEmulator, beta: bool) -> None:
    """The real path, once the OpenAI realtime family is in the tree: client -> OpenAI host's realtime endpoint
    (its URL from the base URL, bearer auth, the GA or beta codec) -> WireSession -> the emulator's front."""
    gpt = pytest.importorskip("rehost.clients.gpt_realtime")
    from rehost.providers.openai import OpenAI

    def get_weather(city: str) -> str:
        return f"foggy in {city}"

    emu.script(tool_arguments='{"city": "Paris"}', audio_deltas=3)
    host = OpenAI("emu-key", base_url=emu.base_url("openai"), realtime_beta=beta)
    client = gpt.GptRealtimeClient(host, "gpt-realtime")

    async def scenario() -> list[Any]:
        got: list[Any] = []
        async with client.connect(tools=[get_weather], turn_detection=None) as session:
            await session.send_text("What is the weather?", respond=True)
            async for event in session:
                got.append(event)
                if isinstance(event, ToolCallRequest):
                    await event.run([get_weather])
                if isinstance(event, ResponseDone) and not event.tool_calls:
                    break
        return got

    events = run(scenario)
    headers = emu.stats.requests[-1]["headers"]
    assert headers["authorization"] == "Bearer emu-key"
    assert ("openai-beta" in headers) == beta
    assert emu.stats.requests[-1]["query"] == {"model": "gpt-realtime"}
    call = next(e for e in events if isinstance(e, ToolCallRequest))
    assert (call.name, call.args) == ("get_weather", {"city": "Paris"})
    done = events[-1]
    assert done.transcript == "The tool said: foggy in Paris"
    assert done.usage.input_tokens == 10
    assert sum(len(e.data) for e in events if isinstance(e, AudioOut)) == 3 * 4800


@pytest.mark.parametrize("family", ["grok", "gemini"])
def test_the_xai_and_gemini_realtime_clients_run_a_tool_round_on_the_emulator(emu: RealtimeEmulator,
                                                                               family: str) -> None:
    """The same real path for Grok Voice (xAI host) and Gemini Live (Google host), once they are in the tree."""
    if family == "grok":
        client_module = pytest.importorskip("rehost.clients.grok_voice")
        from rehost.providers.xai import XAI

        client = client_module.GrokVoice(XAI("emu-key", base_url=emu.base_url("xai")))
    else:
        client_module = pytest.importorskip("rehost.clients.gemini_live")
        from rehost.providers.google import Google

        client = client_module.GeminiLive(Google("emu-key", base_url=emu.base_url("gemini")))

    def get_weather(city: str) -> str:
        return f"foggy in {city}"

    emu.script(tool_arguments='{"city": "Paris"}', audio_deltas=3)

    async def scenario() -> list[Any]:
        got: list[Any] = []
        async with client.connect(tools=[get_weather]) as session:
            await session.send_text("What is the weather?", respond=True)
            async for event in session:
                got.append(event)
                if isinstance(event, ToolCallRequest):
                    await event.run([get_weather])
                if isinstance(event, ResponseDone) and event.transcript:  # (Gemini's one turn holds the call too)
                    break
        return got

    events = run(scenario)
    headers = emu.stats.requests[-1]["headers"]
    assert "emu-key" in (headers.get("authorization", "") + headers.get("x-goog-api-key", ""))
    call = next(e for e in events if isinstance(e, ToolCallRequest))
    assert (call.name, call.args) == ("get_weather", {"city": "Paris"})
    done = events[-1]
    assert done.transcript == "The tool said: foggy in Paris"
    assert sum(len(e.data) for e in events if isinstance(e, AudioOut)) == 3 * 4800
