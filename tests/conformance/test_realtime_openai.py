"""Every recorded OpenAI-vocabulary realtime session (../shared/conformance/realtime/{openai,azure,azure_voice_live})
replayed through rehost's real path: GptRealtimeClient -> the host's realtime endpoint -> its codec ->
WireSession -> a websocket to the replay server (``realtime_replay.py``).

What the client did is read from the recording itself (``plan``): the session settings from the recorded
``session.update``, then its text, audio, seeded history, response requests and tool results. The replay server
compares every frame rehost sends with the recorded one (exactly, after the recorder's own normalisation: no
field is loosened), and the neutral events rehost yields are checked against this test's own reading of the
recorded ``received`` frames (``expected``): final input transcripts, each response's status, text,
transcript, tool calls and usage, the audio bytes, and the cost from the catalogue's prices. A cassette this
test cannot interpret fails (``plan`` raises), so a new recording cannot pass unread.
"""

from __future__ import annotations

import asyncio
import base64
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from rehost.clients.gpt_realtime import GptRealtimeClient
from rehost.providers.azure_realtime import AzureRealtime, AzureVoiceLive
from rehost.providers.openai import OpenAI
from rehost.shared.chat.messages import Message
from rehost.shared.chat.tool_types import Tool
from rehost.shared.realtime import (
    AudioOut,
    Closed,
    InputTranscript,
    OutputTranscriptDelta,
    RealtimeError,
    ResponseDone,
    SessionStarted,
    TextOut,
    ToolCallRequest,
    TurnDetection,
)

from .realtime_replay import FOLDER, Replay, cassettes, load, received_frames, sent_frames, serving

pytest.importorskip("websockets")

FOLDERS = ("openai", "azure", "azure_voice_live")
CASSETTES = [p for folder in FOLDERS for p in cassettes(folder)]
KEY = "sk-test-realtime-0123456789abcdef"
CATALOG = Path(__file__).resolve().parents[2] / "src" / "rehost" / "shared" / "catalog.toml"


@dataclass
class Plan:
    """What the recorded client did, in rehost's terms."""

    settings: dict[str, Any]
    actions: list[tuple[str, Any]] = field(default_factory=list)
    tool_outputs: list[str] = field(default_factory=list)


def _format(wire: Any, rate: Any = None) -> str:
    if isinstance(wire, dict):  # GA
        kind = wire["type"]
        assert kind in ("audio/pcm", "audio/pcmu", "audio/pcma"), wire
        return {"audio/pcm": f"pcm16/{wire.get('rate', 24000)}", "audio/pcmu": "g711_ulaw",
                "audio/pcma": "g711_alaw"}[kind]
    assert wire in ("pcm16", "g711_ulaw", "g711_alaw"), wire
    return f"pcm16/{rate or 24000}" if wire == "pcm16" else wire


def _turn(wire: Any) -> TurnDetection | None:
    if wire is None:
        return None
    known = {"type", "threshold", "prefix_padding_ms", "silence_duration_ms", "eagerness", "create_response",
             "interrupt_response"}
    assert set(wire) <= known, f"turn detection fields this test cannot read: {set(wire) - known}"
    return TurnDetection(mode=wire["type"], threshold=wire.get("threshold"),
                         prefix_padding_ms=wire.get("prefix_padding_ms"), silence_ms=wire.get("silence_duration_ms"),
                         eagerness=wire.get("eagerness"), create_response=wire.get("create_response", True),
                         interrupt_response=wire.get("interrupt_response", True))


def _tools(wire: list[dict[str, Any]]) -> list[Tool]:
    for tool in wire:
        assert set(tool) <= {"type", "name", "description", "parameters"}, tool
        assert tool["type"] == "function", tool
    return [Tool(name=t["name"], description=t.get("description", ""), parameters=t["parameters"]) for t in wire]


def _settings(session: dict[str, Any]) -> dict[str, Any]:
    """The connect(...) arguments a recorded session.update means (GA nested or beta flat)."""
    out: dict[str, Any] = {"instructions": session.get("instructions") or None}
    if session.get("type") == "realtime":
        assert set(session) <= {"type", "instructions", "output_modalities", "audio", "tools",
                                "max_output_tokens"}, session
        audio_in, audio_out = session["audio"]["input"], session["audio"]["output"]
        out["output_modalities"] = session["output_modalities"]
        out["input_format"] = _format(audio_in["format"])
        out["output_format"] = _format(audio_out["format"])
        out["turn_detection"] = _turn(audio_in.get("turn_detection"))
        out["input_transcription"] = (audio_in.get("transcription") or {}).get("model") or False
        if "voice" in audio_out:
            out["voice"] = audio_out["voice"]
        if "max_output_tokens" in session:
            out["max_output_tokens"] = session["max_output_tokens"]
    else:
        assert set(session) <= {"instructions", "modalities", "input_audio_format", "output_audio_format",
                                "input_audio_sampling_rate", "turn_detection", "input_audio_transcription",
                                "tools", "voice", "temperature"}, session
        out["output_modalities"] = ["audio"] if "audio" in session["modalities"] else ["text"]
        out["input_format"] = _format(session["input_audio_format"], session.get("input_audio_sampling_rate"))
        out["output_format"] = _format(session["output_audio_format"])
        out["turn_detection"] = _turn(session.get("turn_detection"))
        out["input_transcription"] = (session.get("input_audio_transcription") or {}).get("model") or False
        voice = session.get("voice")
        if voice is not None:
            out["voice"] = voice["name"] if isinstance(voice, dict) else voice
        if "temperature" in session:
            out["temperature"] = session["temperature"]
    if session.get("tools"):
        out["tools"] = _tools(session["tools"])
    return out


def _message(item: dict[str, Any]) -> Message:
    assert item["type"] == "message", item
    assert item["role"] in ("user", "assistant", "system"), item
    parts = item["content"]
    assert all(p["type"] in ("input_text", "output_text", "text") for p in parts), item
    return Message(role=item["role"], content="".join(p["text"] for p in parts))


def plan(path: Path) -> Plan:
    """The client's side of a recording; AssertionError for anything this test cannot interpret."""
    sent = sent_frames(path)
    assert sent, path.name
    assert sent[0]["type"] == "session.update", f"{path.name}: no session.update first"
    result = Plan(_settings(sent[0]["session"]))
    pending: list[Message] = []
    history_allowed = True
    rest = sent[1:]
    i = 0
    while i < len(rest):
        frame = rest[i]
        kind = frame["type"]
        if kind == "conversation.item.create" and frame["item"]["type"] == "function_call_output":
            result.tool_outputs.append(frame["item"]["output"])
            # a tool result asks for the next response itself (ToolCallRequest.run(respond=True))
            assert i + 1 < len(rest), path.name
            assert rest[i + 1]["type"] == "response.create", path.name
            i += 2
            history_allowed = False
            continue
        if kind == "conversation.item.create":
            pending.append(_message(frame["item"]))
        elif kind == "response.create":
            assert set(frame) == {"type"}, frame
            if len(pending) > 1:
                assert history_allowed, f"{path.name}: history seeded mid-session"
                result.settings["history"] = pending[:-1]
            assert pending, f"{path.name}: response.create without a user turn"
            assert pending[-1].role == "user", f"{path.name}: response.create without a user turn"
            result.actions.append(("text", pending[-1].text))
            result.actions.append(("respond", None))
            pending = []
            history_allowed = False
        elif kind == "input_audio_buffer.append":
            result.actions.append(("audio", base64.b64decode(frame["audio"])))
            history_allowed = False
        elif kind == "input_audio_buffer.commit":
            result.actions.append(("commit", None))
        else:
            raise AssertionError(f"{path.name}: a sent frame this test cannot interpret: {kind}")
        i += 1
    assert not pending, f"{path.name}: conversation items never answered"
    return result


@dataclass
class Expected:
    """This test's own reading of what the host sent."""

    session_id: str
    model: str
    input_transcripts: list[str]
    errors: list[tuple[str | None, str]]
    responses: list[dict[str, Any]]
    audio_bytes: int


def expected(path: Path) -> Expected:
    frames = received_frames(path)
    created = next(f for f in frames if f["type"] == "session.created")["session"]
    responses = []
    for f in frames:
        if f["type"] != "response.done":
            continue
        r = f["response"]
        text, transcript, calls = "", "", []
        for item in r["output"]:
            if item["type"] == "function_call":
                calls.append((item["call_id"], item["name"], item["arguments"]))
            for part in item.get("content", []):
                text += part.get("text", "") if part["type"] in ("output_text", "text") else ""
                transcript += part.get("transcript", "") if part["type"] in ("output_audio", "audio") else ""
        responses.append({"id": r["id"], "status": r["status"], "text": text, "transcript": transcript,
                          "calls": calls, "usage": r.get("usage")})
    audio = sum(len(base64.b64decode(f["delta"])) for f in frames
                if f["type"] in ("response.output_audio.delta", "response.audio.delta"))
    return Expected(
        session_id=created["id"], model=created["model"],
        input_transcripts=[f["transcript"] for f in frames
                           if f["type"] == "conversation.item.input_audio_transcription.completed"],
        errors=[(f["error"].get("code"), f["error"]["message"]) for f in frames
                if f["type"] in ("error", "conversation.item.input_audio_transcription.failed")],
        responses=responses, audio_bytes=audio)


class AzureLike:
    """The least a host must have for ``AzureRealtime`` (the Azure chat host is another engineer's)."""

    name = "azure"
    kinds = frozenset({"realtime"})

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self._key = key
        self._headers: dict[str, str] = {}

    def auth_headers(self) -> dict[str, str]:
        return {"api-key": self._key}

    def endpoint(self, kind: str) -> AzureRealtime:
        assert kind == "realtime"
        return AzureRealtime(self)  # type: ignore[arg-type]

    def model_id(self, model: str, host_model_id: str | None = None) -> str:
        return host_model_id or model


def _host(folder: str, name: str, url: str) -> tuple[Any, str | None, str]:
    """(host, host model id override, expected handshake path prefix) for a cassette's folder."""
    http = url.replace("ws://", "http://")
    if folder == "openai" and name.startswith("gateway_"):
        return OpenAI(KEY, base_url=http + "/proxy/openai-route"), None, "/proxy/openai-route/realtime"
    if folder == "openai":
        return OpenAI(KEY, base_url=http + "/v1"), None, "/v1/realtime"
    if folder == "azure":
        return AzureLike(http, KEY), None, "/openai/v1/realtime"
    return AzureVoiceLive(KEY, endpoint=http), None, "/voice-live/realtime"


async def _replay(path: Path) -> tuple[Replay, list[Any], Any]:
    the_plan = plan(path)
    replay = Replay(path)
    events: list[Any] = []
    outputs = list(the_plan.tool_outputs)

    def tool(**_: Any) -> str:
        return outputs.pop(0)

    async with serving(replay) as url:
        host, model_id, _ = _host(path.parent.name, path.name, url)
        client = GptRealtimeClient(host, "gpt-realtime", host_model_id=model_id)
        async with client.connect(**the_plan.settings) as session:
            for action, value in the_plan.actions:
                if action == "text":
                    await session.send_text(value)
                elif action == "respond":
                    await session.respond()
                elif action == "audio":
                    await session.send_audio(value)
                elif action == "commit":
                    await session.commit()
            async with asyncio.timeout(30):
                async for event in session:
                    events.append(event)
                    if isinstance(event, ToolCallRequest):  # answered at once, as the recorded clients did
                        await event.run({event.name: tool})
        return replay, events, client


def _prices(model: str, host: str) -> dict[str, float] | None:
    row = tomllib.loads(CATALOG.read_text())["models"].get(model, {}).get("hosts", {}).get(host, {})
    return row if "input_price" in row else None


def _cost(usage: dict[str, Any], row: dict[str, Any]) -> float:
    """The cost of one response from its recorded usage, read here independently of rehost's pricer."""
    din, dout = usage["input_token_details"], usage["output_token_details"]
    cached = din.get("cached_tokens_details", {})
    cached_text, cached_audio = cached.get("text_tokens", 0), cached.get("audio_tokens", 0)
    return ((din["text_tokens"] - cached_text) * row["input_price"] + cached_text * row["cached_input_price"]
            + (din["audio_tokens"] - cached_audio) * row["audio_input_price"]
            + cached_audio * row["cached_audio_input_price"]
            + dout["text_tokens"] * row["output_price"] + dout["audio_tokens"] * row["audio_output_price"]) / 1e6


def test_the_folders_hold_recordings() -> None:
    if not FOLDER.exists():
        pytest.skip(f"no recordings at {FOLDER}")
    for folder in FOLDERS:
        assert cassettes(folder), folder


@pytest.mark.parametrize("path", CASSETTES, ids=[f"{p.parent.name}/{p.stem}" for p in CASSETTES])
def test_every_recording_is_interpretable(path: Path) -> None:
    plan(path)  # raises for a frame this test (and so rehost's mapping of it) does not cover
    expected(path)
    assert all(i.get("kind", "message") in ("message", "close") for i in load(path))


@pytest.mark.parametrize("path", CASSETTES, ids=[f"{p.parent.name}/{p.stem}" for p in CASSETTES])
def test_the_recorded_session_replays(path: Path) -> None:
    replay, events, client = asyncio.run(_replay(path))
    want = expected(path)
    assert replay.mismatches == []
    assert replay.finished
    # the handshake: where the socket went, with the model the host echoed, and its auth
    request = replay.requests[0]
    _, _, prefix = _host(path.parent.name, path.name, "ws://x")
    split = urlsplit(request["path"])
    assert split.path == prefix
    query = parse_qs(split.query)
    assert query["model"] == [want.model]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    if isinstance(client.provider, OpenAI):
        assert headers["authorization"] == f"Bearer {KEY}"
        assert "openai-beta" not in headers  # GA
        assert "api-key" not in headers
    else:
        assert headers["api-key"] == KEY
        assert "authorization" not in headers
    if path.parent.name == "azure_voice_live":
        assert query["api-version"] == ["2026-04-10"]
    # the session's events against the recording
    assert isinstance(events[0], SessionStarted)
    assert events[0].session_id == want.session_id
    assert isinstance(events[-1], Closed)
    assert events[-1].code == 1000
    assert [e.text for e in events if isinstance(e, InputTranscript)] == want.input_transcripts
    assert [(e.code, e.message) for e in events if isinstance(e, RealtimeError)] == want.errors
    assert not any(e.fatal for e in events if isinstance(e, RealtimeError))
    assert sum(len(e.data) for e in events if isinstance(e, AudioOut)) == want.audio_bytes
    done = [e for e in events if isinstance(e, ResponseDone)]
    assert len(done) == len(want.responses)
    priced = _prices("gpt-realtime", client.provider.name)
    for got, rec in zip(done, want.responses, strict=True):
        assert (got.response_id, got.status, got.text, got.transcript) == (rec["id"], rec["status"], rec["text"],
                                                                            rec["transcript"])
        assert [(c.call_id, c.name, c.arguments) for c in got.tool_calls] == rec["calls"]
        u = rec["usage"]
        assert got.usage is not None
        assert (got.usage.input_tokens, got.usage.output_tokens) == (u["input_tokens"], u["output_tokens"])
        assert (got.usage.input_text_tokens, got.usage.input_audio_tokens) == (
            u["input_token_details"]["text_tokens"], u["input_token_details"]["audio_tokens"])
        assert (got.usage.output_text_tokens, got.usage.output_audio_tokens) == (
            u["output_token_details"]["text_tokens"], u["output_token_details"]["audio_tokens"])
        assert got.usage.cached_tokens == u["input_token_details"]["cached_tokens"]
        if priced is None:
            assert got.cost is None
        else:
            assert got.cost == pytest.approx(_cost(u, priced), rel=1e-9)
    # deltas add up to what each response says it said
    per_response = {r["id"]: ("", "") for r in want.responses}
    for e in events:
        if isinstance(e, TextOut | OutputTranscriptDelta):
            text, transcript = per_response[e.response_id]
            per_response[e.response_id] = ((text + e.text, transcript) if isinstance(e, TextOut)
                                           else (text, transcript + e.text))
    assert per_response == {r["id"]: (r["text"], r["transcript"]) for r in want.responses}
    calls = [e for e in events if isinstance(e, ToolCallRequest)]
    assert [(c.call_id, c.name) for c in calls] == [c[:2] for r in want.responses for c in r["calls"]]


def test_a_transcriber_without_a_deployment_is_a_non_fatal_error_and_the_turn_completes() -> None:
    path = FOLDER / "azure" / "audio_in_server_vad_transcription_requires_deployment.yaml"
    if not path.exists():
        pytest.skip(f"no recording {path}")
    replay, events, _ = asyncio.run(_replay(path))
    assert replay.mismatches == []
    errors = [e for e in events if isinstance(e, RealtimeError)]
    assert [(e.code, e.fatal) for e in errors] == [("DeploymentNotFound", False)]
    done = [e for e in events if isinstance(e, ResponseDone)]
    assert [d.status for d in done] == ["completed"]
    assert done[0].transcript
    assert events.index(errors[0]) < events.index(done[0])
