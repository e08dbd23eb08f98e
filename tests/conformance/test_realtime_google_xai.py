"""Conformance of the xAI Grok Voice and Gemini Live sessions against every recorded session under
``../shared/conformance/realtime/{xai,google,vertex_gateway}/`` (pydantic-ai's websocket cassettes, INDEX-MORE §2).

For each cassette the test derives what the recorded client did from its ``sent`` frames (the session config
from the ``session.update`` / ``setup``, the seeded history, the text, the audio chunks, the tool results) and
does it through rehost's real path: a family client bound to the host (``GrokVoice(XAI(...))``,
``GeminiLive(Google(...))``, ``GeminiLive(Vertex(base_url=<gateway>))``) -> the host's realtime endpoint -> its
codec -> ``WireSession`` -> a websocket to the local replay server (``realtime_replay.py``). The server checks
every frame rehost sends against the recording, normalised as the recorder did; nothing is loosened. The neutral
events rehost yields are compared with this file's own reading of the ``received`` frames: final input
transcripts, each response's transcript and tool calls (name, arguments, call id), its usage, and the audio
bytes. A cassette with a frame this reading does not know fails.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rehost.clients.gemini_live import GeminiLive
from rehost.clients.grok_voice import GrokVoice
from rehost.providers.google import Google
from rehost.providers.vertex import Vertex
from rehost.providers.xai import XAI
from rehost.shared.chat.messages import Message
from rehost.shared.chat.tool_types import Tool
from rehost.shared.realtime import AudioOut, InputTranscript, ResponseDone, ToolCallRequest
from tests.conformance.realtime_replay import FOLDER, Replay, cassettes, load, serving

pytest.importorskip("websockets")

XAI_FILES = cassettes("xai")
GOOGLE_FILES = cassettes("google")
GATEWAY_FILES = cassettes("vertex_gateway")
KEY = "test-key-not-real"


def test_the_folders_hold_cassettes() -> None:
    if not FOLDER.is_dir():
        pytest.skip(f"{FOLDER} is not there")
    assert len(XAI_FILES) >= 5
    assert len(GOOGLE_FILES) >= 5
    assert len(GATEWAY_FILES) >= 1


def _b64(data: str) -> bytes:
    padded = data.replace("-", "+").replace("_", "/")
    return base64.b64decode(padded + "=" * (-len(padded) % 4))


# ---------------------------------------------------------------------------------------------- the plan
class Plan:
    """What the recorded client did: its settings, then phases of actions (phase k runs after the k-th
    finished response), and the tool outputs it returned (run when the tool call arrives)."""

    def __init__(self) -> None:
        self.model = ""
        self.settings: dict[str, Any] = {}
        self.history: list[Message] = []
        self.phases: dict[int, list[tuple[str, Any]]] = {}
        self.outputs: dict[str, str] = {}  # tool call id -> output

    def add(self, phase: int, action: str, value: Any) -> None:
        self.phases.setdefault(phase, []).append((action, value))


def _message_texts(items: list[tuple[int, dict[str, Any]]], plan: Plan) -> None:
    """Message items sent before a response request: all but the last user turn are history."""
    last_user = max((i for i, (_, m) in enumerate(items) if m["role"] == "user"), default=-1)
    for i, (phase, m) in enumerate(items):
        text = m["text"]
        if i == last_user:
            plan.add(phase, "text", text)
        else:
            plan.history.append(Message.user(text) if m["role"] == "user" else Message.assistant(text))


def xai_plan(path: Path) -> Plan:
    plan = Plan()
    done = 0
    pending: list[tuple[int, dict[str, Any]]] = []
    for entry in load(path):
        data = entry.get("data", {})
        if entry.get("direction") == "received":
            if data.get("type") == "session.created":
                plan.model = data["session"]["model"]
            done += data.get("type") == "response.done"
            continue
        kind = data.get("type")
        if kind == "session.update":
            s = data["session"]
            assert set(s) <= {"instructions", "turn_detection", "audio", "tools", "reasoning", "voice"}, s
            assert s["turn_detection"] == {"type": "server_vad", "create_response": True, "interrupt_response": True}
            rate_in = s["audio"]["input"]["format"]["rate"]
            plan.settings = {
                "instructions": s.get("instructions") or None,
                "input_format": f"pcm16/{rate_in}", "output_format": f"pcm16/{s['audio']['output']['format']['rate']}",
                "input_transcription": s["audio"]["input"].get("transcription", {}).get("model") or False,
                "tools": [Tool(name=t["name"], description=t.get("description", ""), parameters=t["parameters"])
                          for t in s.get("tools", ())],
            }
            if "voice" in s:
                plan.settings["voice"] = s["voice"]
            if "reasoning" in s:
                plan.settings["thinking"] = s["reasoning"]["effort"] != "none"
        elif kind == "conversation.item.create" and data["item"]["type"] == "message":
            item = data["item"]
            pending.append((done, {"role": item["role"], "text": item["content"][0]["text"]}))
        elif kind == "conversation.item.create" and data["item"]["type"] == "function_call_output":
            plan.outputs[data["item"]["call_id"]] = data["item"]["output"]
        elif kind == "response.create":
            if pending:
                _message_texts(pending, plan)
                pending = []
                plan.add(done, "respond", None)
        elif kind == "input_audio_buffer.append":
            plan.add(done, "audio", _b64(data["audio"]))
        else:
            raise AssertionError(f"{path.name}: a sent frame this test cannot interpret: {kind}")
    assert not pending, f"{path.name}: message items never answered"
    return plan


def _from_openapi(schema: Any) -> Any:
    """The JSON schema a user would have declared for a recorded OpenAPI-subset schema (the inverse of the
    codec's conversion, written here independently)."""
    if isinstance(schema, list):
        return [_from_openapi(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: (_from_openapi(v) if k in ("items", "anyOf") else
               {n: _from_openapi(p) for n, p in v.items()} if k == "properties" else v)
           for k, v in schema.items() if k != "nullable"}
    if isinstance(out.get("type"), str):
        out["type"] = out["type"].lower()
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def google_plan(path: Path) -> Plan:
    plan = Plan()
    done = 0
    for entry in load(path):
        data = entry.get("data", {})
        if entry.get("direction") == "received":
            done += bool(data.get("serverContent", {}).get("turnComplete"))
            continue
        (key, body), = data.items()
        if key == "setup":
            assert set(body) <= {"model", "generationConfig", "systemInstruction", "tools",
                                 "inputAudioTranscription", "outputAudioTranscription"}, body
            assert body["generationConfig"] == {"responseModalities": ["AUDIO"]}
            assert body.get("outputAudioTranscription") == {}
            plan.model = body["model"].rpartition("/")[2]
            declarations = [d for t in body.get("tools", ()) for d in t["functionDeclarations"]]
            plan.settings = {
                "instructions": body["systemInstruction"]["parts"][0]["text"] if "systemInstruction" in body else None,
                "input_transcription": "inputAudioTranscription" in body,
                "tools": [Tool(name=d["name"], description=d.get("description", ""),
                               parameters=_from_openapi(d["parameters"])) for d in declarations],
            }
        elif key == "client_content":
            turns = body["turns"]
            if not body["turnComplete"]:
                plan.history += [Message.user(t["parts"][0]["text"]) if t["role"] == "user"
                                 else Message.assistant(t["parts"][0]["text"]) for t in turns]
            else:
                assert [t["role"] for t in turns] == ["user"], body
                plan.add(done, "text", turns[0]["parts"][0]["text"])
        elif key == "realtime_input" and "audio" in body:
            assert body["audio"]["mimeType"] == "audio/pcm;rate=16000"
            plan.add(done, "audio", _b64(body["audio"]["data"]))
        elif key == "tool_response":
            for r in body["functionResponses"]:
                plan.outputs[r["id"]] = r["response"]["output"]
        else:
            raise AssertionError(f"{path.name}: a sent frame this test cannot interpret: {key}")
    return plan


# ---------------------------------------------------------------------------------------------- the reading
def xai_expected(path: Path) -> dict[str, Any]:
    """Transcripts, tool calls, usage and audio as the recording holds them (xAI's vocabulary)."""
    finals: dict[str, str] = {}
    responses: list[dict[str, Any]] = []
    current: dict[str, Any] = {"transcript": "", "calls": []}
    audio: list[bytes] = []
    for entry in load(path):
        data = entry.get("data", {})
        if entry.get("direction") != "received":
            continue
        kind = data.get("type")
        if kind == "conversation.item.input_audio_transcription.completed" and data.get("status") != "in_progress":
            finals.setdefault(data["item_id"], data["transcript"])
        elif kind == "response.output_audio_transcript.done":
            current["transcript"] += data["transcript"]
        elif kind == "response.output_audio.delta":
            audio.append(base64.b64decode(data["delta"]))
        elif kind == "response.function_call_arguments.done":
            current["calls"].append((data["call_id"], data["name"], json.loads(data["arguments"])))
        elif kind == "response.done":
            u = data["usage"]
            current["usage"] = (u["input_tokens"], u["output_tokens"], u["input_token_details"]["text_tokens"],
                                u["input_token_details"]["audio_tokens"], u["output_token_details"]["text_tokens"],
                                u["output_token_details"]["audio_tokens"])
            responses.append(current)
            current = {"transcript": "", "calls": []}
    return {"inputs": list(finals.values()), "responses": responses, "audio": audio}


def google_expected(path: Path) -> dict[str, Any]:
    """The same, read from Gemini Live's vocabulary."""
    inputs: list[str] = []
    heard = ""
    responses: list[dict[str, Any]] = []
    current: dict[str, Any] = {"transcript": "", "calls": []}
    audio: list[bytes] = []
    usage: dict[str, Any] | None = None
    for entry in load(path):
        data = entry.get("data", {})
        if entry.get("direction") != "received":
            continue
        for fc in data.get("toolCall", {}).get("functionCalls", ()):
            current["calls"].append((fc["id"], fc["name"], fc.get("args", {})))
        usage = data.get("usageMetadata", usage)
        content = data.get("serverContent", {})
        heard += content.get("inputTranscription", {}).get("text", "")
        current["transcript"] += content.get("outputTranscription", {}).get("text", "")
        for part in content.get("modelTurn", {}).get("parts", ()):
            if "inlineData" in part:
                audio.append(base64.b64decode(part["inlineData"]["data"]))
        if content.get("turnComplete"):
            assert usage is not None, f"{path.name}: a turn without usageMetadata"
            out = usage.get("responseTokenCount", usage.get("candidatesTokenCount"))
            details = usage.get("responseTokensDetails", usage.get("candidatesTokensDetails", []))
            by = {d["modality"]: d.get("tokenCount", 0) for d in details}
            current["usage"] = (usage["promptTokenCount"], out, by.get("TEXT", 0), by.get("AUDIO", 0))
            responses.append(current)
            if heard:
                inputs.append(heard)
            current, heard, usage = {"transcript": "", "calls": []}, "", None
    return {"inputs": inputs, "responses": responses, "audio": audio}


# ---------------------------------------------------------------------------------------------- the run
async def _drive(client: Any, plan: Plan, settings: dict[str, Any]) -> list[Any]:
    tools: dict[str, Any] = {}
    events: list[Any] = []
    async with client.connect(**settings) as session:
        async def run(phase: int) -> None:
            for action, value in plan.phases.get(phase, ()):
                if action == "text":
                    await session.send_text(value)
                elif action == "respond":
                    await session.respond()
                elif action == "audio":
                    await session.send_audio(value)

        await run(0)
        finished = 0
        async for event in session:
            events.append(event)
            if isinstance(event, ToolCallRequest):
                output = plan.outputs[event.call_id]
                tools[event.name] = lambda _o=output, **_: _o
                await event.run(tools)
            elif isinstance(event, ResponseDone):
                finished += 1
                await run(finished)
    return events


def _run(path: Path, make_client: Callable[[str], Any], plan: Plan, settings: dict[str, Any]) -> tuple[Replay,
                                                                                                       list[Any]]:
    replay = Replay(path)

    async def main() -> list[Any]:
        async with serving(replay) as url:
            return await asyncio.wait_for(_drive(make_client(url), plan, settings), 60)

    events = asyncio.run(main())
    assert replay.mismatches == [], "\n".join(replay.mismatches)
    assert replay.finished
    return replay, events


def _check(events: list[Any], expected: dict[str, Any], usage_of: Callable[[Any], tuple[Any, ...]]) -> None:
    assert [e.text for e in events if isinstance(e, InputTranscript)] == expected["inputs"]
    done = [e for e in events if isinstance(e, ResponseDone)]
    got = [{"transcript": d.transcript, "calls": [(c.call_id, c.name, c.args) for c in d.tool_calls],
            "usage": usage_of(d.usage)} for d in done]
    assert got == expected["responses"]
    assert all(d.cost is None for d in done)  # the catalogue has no realtime prices for these models
    assert [e.data for e in events if isinstance(e, AudioOut)] == expected["audio"]
    calls = [e for e in events if isinstance(e, ToolCallRequest)]
    assert [(c.call_id, c.name, c.args) for c in calls] == [c for r in expected["responses"] for c in r["calls"]]


@pytest.mark.parametrize("path", XAI_FILES, ids=[p.stem for p in XAI_FILES])
def test_xai_session_replays(path: Path) -> None:
    plan = xai_plan(path)
    settings = {**plan.settings, "history": plan.history}
    replay, events = _run(path, lambda url: GrokVoice(XAI(api_key=KEY, base_url=url.replace("ws:", "http:") + "/v1"),
                                                      plan.model), plan, settings)
    assert replay.requests[0]["path"] == f"/v1/realtime?model={plan.model}"
    assert replay.requests[0]["headers"]["Authorization"] == f"Bearer {KEY}"
    _check(events, xai_expected(path), lambda u: (u.input_tokens, u.output_tokens, u.input_text_tokens,
                                                  u.input_audio_tokens, u.output_text_tokens,
                                                  u.output_audio_tokens))


def _google_usage(u: Any) -> tuple[Any, ...]:
    return (u.input_tokens, u.output_tokens, u.output_text_tokens, u.output_audio_tokens)


@pytest.mark.parametrize("path", GOOGLE_FILES, ids=[p.stem for p in GOOGLE_FILES])
def test_gemini_live_session_replays_on_ai_studio(path: Path) -> None:
    plan = google_plan(path)
    settings = {**plan.settings, "history": plan.history}
    replay, events = _run(path, lambda url: GeminiLive(Google(api_key=KEY, base_url=url.replace("ws:", "http:")
                                                              + "/v1beta"), plan.model), plan, settings)
    assert replay.requests[0]["path"] == "/ws/google.ai.generativelanguage.v1beta.GenerativeService." \
                                         "BidiGenerateContent"
    assert replay.requests[0]["headers"]["x-goog-api-key"] == KEY
    _check(events, google_expected(path), _google_usage)


@pytest.mark.parametrize("path", GATEWAY_FILES, ids=[p.stem for p in GATEWAY_FILES])
def test_gemini_live_session_replays_on_vertex_through_the_gateway(path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The Pydantic AI Gateway's Vertex shape: a Vertex host whose base URL is the gateway route, no project
    (the model is named ``publishers/google/models/...``), the gateway key as the bearer token."""
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    plan = google_plan(path)
    settings = {**plan.settings, "history": plan.history}

    def client(url: str) -> GeminiLive:
        host = Vertex(access_token=KEY, base_url=url.replace("ws:", "http:") + "/proxy/google-vertex")
        return GeminiLive(host, plan.model)

    replay, events = _run(path, client, plan, settings)
    assert replay.requests[0]["path"] == ("/proxy/google-vertex/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/"
                                          "BidiGenerateContent")
    assert replay.requests[0]["headers"]["Authorization"] == f"Bearer {KEY}"
    assert events[0].session_id == "df14c3dc-e2a4-434f-874a-a7eafeda80e9"  # Vertex's setupComplete.sessionId
    _check(events, google_expected(path), _google_usage)
