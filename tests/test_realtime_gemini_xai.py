"""Gemini Live (AI Studio, Vertex) and xAI Grok Voice realtime, beyond the recorded sessions: setup / session
encoding per option, resumption (a ResumeHandle, then a resumed connect sends it), close codes as typed errors,
bad input refused before any socket opens, ephemeral tokens, and keys kept out of reprs, URLs and errors."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import httpx
import pytest

from rehost.clients.gemini_live import GeminiLive
from rehost.clients.grok_voice import GrokVoice
from rehost.errors import (
    ConfigurationError,
    InvalidRequest,
    PermissionDenied,
    RehostError,
    ServerError,
    SessionClosed,
    UnsupportedFeature,
)
from rehost.providers.gemini_live import GeminiLiveCodec, LiveToken, live_schema
from rehost.providers.google import Google
from rehost.providers.vertex import Vertex
from rehost.providers.xai import XAI
from rehost.providers.xai_realtime import XAIRealtimeCodec
from rehost.shared.chat.tool_types import Tool
from rehost.shared.realtime import (
    AudioOut,
    Closed,
    InputTranscript,
    InputTranscriptDelta,
    RealtimeError,
    ResponseDone,
    ResumeHandle,
    SessionConfig,
    SpeechStarted,
    TextOut,
    TurnDetection,
)

websockets = pytest.importorskip("websockets")

SECRET = "AIzaSyTHIS-IS-A-SECRET-KEY-0123456789"
XSECRET = "xai-THIS-IS-A-SECRET-KEY-0123456789"
NATIVE = "gemini-2.5-flash-native-audio-preview-09-2025"


def gemini(url: str = "http://127.0.0.1:9", model: str = NATIVE, **kw: Any) -> GeminiLive:
    return GeminiLive(Google(api_key=SECRET, base_url=url + "/v1beta", **kw), model)


def setup_of(client: GeminiLive, **settings: Any) -> dict[str, Any]:
    config = client.config(**settings)
    client.sender.check(config)
    frame: dict[str, Any] = client.sender.codec(config).hello(config)[0]
    return frame["setup"]


# ---------------------------------------------------------------------------------------------- a local server
class Server:
    """A websocket server running ``script(ws, n)`` for the n-th connection; keeps each handshake and the frames
    each connection received."""

    def __init__(self, script: Any) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.frames: list[list[dict[str, Any]]] = []

    async def handler(self, ws: Any) -> None:
        self.requests.append({"path": ws.request.path, "headers": dict(ws.request.headers.raw_items())})
        self.frames.append([])
        got = self.frames[-1]

        async def recv() -> dict[str, Any]:
            frame: dict[str, Any] = json.loads(await ws.recv())
            got.append(frame)
            return frame

        await self.script(ws, recv, len(self.requests) - 1)


async def serve(server: Server, client: Any) -> Any:
    async with websockets.serve(server.handler, "127.0.0.1", 0) as ws_server:
        port = ws_server.sockets[0].getsockname()[1]
        return await asyncio.wait_for(client(f"http://127.0.0.1:{port}"), 20)


async def collect(session: Any) -> list[Any]:
    return [event async for event in session]


# ---------------------------------------------------------------------------------------------- Gemini setup
def test_setup_encodes_each_option() -> None:
    tool = Tool(name="lookup", description="Find it.", parameters={
        "type": "object", "properties": {"q": {"type": "string"}, "n": {"type": ["integer", "null"]},
                                         "tags": {"type": "array", "items": {"type": "string"}}},
        "required": ["q"], "additionalProperties": False})
    setup = setup_of(gemini(), voice="Kore", instructions="Be brief.", tools=[tool], temperature=0.4,
                     max_output_tokens=200, turn_detection={"silence_ms": 500, "prefix_padding_ms": 20,
                                                            "interrupt_response": False},
                     resumable=True, contextWindowCompression={"slidingWindow": {"targetTokens": 12800}})
    assert setup["model"] == f"models/{NATIVE}"
    assert setup["generationConfig"] == {
        "responseModalities": ["AUDIO"], "temperature": 0.4, "maxOutputTokens": 200,
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}}}
    assert setup["systemInstruction"] == {"parts": [{"text": "Be brief."}], "role": "user"}
    assert setup["tools"] == [{"functionDeclarations": [{"name": "lookup", "description": "Find it.", "parameters": {
        "type": "OBJECT", "required": ["q"], "properties": {
            "q": {"type": "STRING"}, "n": {"type": "INTEGER", "nullable": True},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}}}}}]}]
    assert setup["realtimeInputConfig"] == {"automaticActivityDetection": {"prefixPaddingMs": 20,
                                                                           "silenceDurationMs": 500},
                                            "activityHandling": "NO_INTERRUPTION"}
    assert setup["sessionResumption"] == {}
    assert setup["contextWindowCompression"] == {"slidingWindow": {"targetTokens": 12800}}
    assert setup["inputAudioTranscription"] == {}
    assert setup["outputAudioTranscription"] == {}


def test_manual_turns_disable_detection_and_bracket_the_audio_with_activity() -> None:
    client = gemini()
    config = client.config(turn_detection="manual", input_transcription=False)
    codec = client.sender.codec(config)
    setup = codec.hello(config)[0]["setup"]
    assert setup["realtimeInputConfig"] == {"automaticActivityDetection": {"disabled": True}}
    assert "inputAudioTranscription" not in setup
    first = codec.audio(b"\x01\x00" * 4)
    assert first[0] == {"realtime_input": {"activityStart": {}}}
    assert first[1] == {"realtime_input": {"audio": {"data": base64.urlsafe_b64encode(b"\x01\x00" * 4).decode(),
                                                     "mimeType": "audio/pcm;rate=16000"}}}
    assert len(codec.audio(b"\x00\x00")) == 1  # the turn is open already
    assert codec.commit() == [{"realtime_input": {"activityEnd": {}}}]
    assert codec.commit() == ()


def test_the_half_cascade_model_may_answer_in_text_and_vertex_names_the_model_by_its_project() -> None:
    host = Vertex("proj", "europe-west4", access_token="tok")
    client = GeminiLive(host, "gemini-live-2.5-flash")
    config = client.config(output_modalities=["text"], voice="Puck")
    setup = client.sender.codec(config).hello(config)[0]["setup"]
    assert setup["model"] == "projects/proj/locations/europe-west4/publishers/google/models/gemini-live-2.5-flash"
    assert setup["generationConfig"] == {"responseModalities": ["TEXT"]}  # no voice for a text answer
    assert "outputAudioTranscription" not in setup
    assert client.sender.url(config) == ("wss://europe-west4-aiplatform.googleapis.com/ws/google.cloud.aiplatform."
                                         "v1beta1.LlmBidiService/BidiGenerateContent")
    assert client.sender.codec(config).commit() == ()  # audioStreamEnd is AI Studio's only
    assert gemini().sender.codec(gemini().config()).commit() == [{"realtime_input": {"audioStreamEnd": True}}]


def test_history_tool_results_and_what_gemini_does_by_itself() -> None:
    from rehost.shared.chat.messages import Message

    client = gemini()
    config = client.config(history=[Message.user("Hi"), Message.assistant("Hello!")])
    codec = client.sender.codec(config)
    assert codec.configure(config) == [{"client_content": {"turns": [
        {"parts": [{"text": "Hi"}], "role": "user"}, {"parts": [{"text": "Hello!"}], "role": "model"}],
        "turnComplete": False}}]
    codec.decode({"toolCall": {"functionCalls": [{"id": "fc-1", "name": "lookup", "args": {"q": "x"}}]}})
    assert codec.tool_result("fc-1", "found", None, True) == [
        {"tool_response": {"functionResponses": [{"id": "fc-1", "name": "lookup", "response": {"output": "found"}}]}}]
    assert codec.respond(None) == ()  # Gemini answers a completed turn and a tool response by itself
    with pytest.raises(UnsupportedFeature):
        codec.respond("louder")
    with pytest.raises(UnsupportedFeature, match="fixes a session's configuration"):
        codec.update(config)
    with pytest.raises(UnsupportedFeature):
        client.sender.codec(c := client.config(history=[Message.system("x")])).configure(c)


def test_live_schema_inlines_references_and_drops_what_the_openapi_subset_lacks() -> None:
    schema = {"type": "object", "title": "Args", "$defs": {"P": {"type": "object", "properties": {
        "x": {"type": "number"}}}}, "properties": {"p": {"$ref": "#/$defs/P"}, "k": {"const": "a"}}}
    assert live_schema(schema) == {"type": "OBJECT", "properties": {
        "p": {"type": "OBJECT", "properties": {"x": {"type": "NUMBER"}}}, "k": {"enum": ["a"], "type": "STRING"}}}


# ---------------------------------------------------------------------------------------------- Gemini decoding
def test_server_content_becomes_neutral_events() -> None:
    config = SessionConfig(model=NATIVE, input_format=gemini().config().input_format)
    codec = GeminiLiveCodec(config, model=f"models/{NATIVE}", host="google")
    pcm = base64.b64encode(b"\x01\x02" * 8).decode()
    events: list[Any] = []
    for frame in (
        {"serverContent": {"inputTranscription": {"text": "Hel"}}},
        {"serverContent": {"inputTranscription": {"text": "lo"}}},
        {"serverContent": {"modelTurn": {"parts": [{"text": "thinking...", "thought": True}]}}},
        {"serverContent": {"modelTurn": {"parts": [{"inlineData": {"mimeType": "audio/pcm;rate=24000",
                                                                   "data": pcm}}]}}},
        {"serverContent": {"outputTranscription": {"text": "Hi"}}},
        {"serverContent": {"interrupted": True}},
        {"serverContent": {"turnComplete": True}, "usageMetadata": {
            "promptTokenCount": 10, "candidatesTokenCount": 4, "candidatesTokensDetails": [
                {"modality": "TEXT", "tokenCount": 1}, {"modality": "AUDIO", "tokenCount": 3}]}},
        {"serverContent": {"modelTurn": {"parts": [{"text": "written"}]}}},
        {"toolCallCancellation": {"ids": ["fc-9"]}},
        {"goAway": {"timeLeft": "50s"}},
        {"sessionResumptionUpdate": {"newHandle": "h-2", "resumable": True}},
        {"sessionResumptionUpdate": {"resumable": False}},
    ):
        events += codec.decode(frame)
    names = [type(e).__name__ for e in events]
    assert names == ["InputTranscriptDelta", "InputTranscriptDelta", "InputTranscript", "ResponseStarted",
                     "AudioOut", "OutputTranscriptDelta", "SpeechStarted", "ResponseDone", "ResponseStarted",
                     "TextOut", "RealtimeError", "RealtimeError", "ResumeHandle"]
    assert [e.text for e in events if isinstance(e, InputTranscriptDelta)] == ["Hel", "lo"]
    assert next(e for e in events if isinstance(e, InputTranscript)).text == "Hello"
    assert next(e for e in events if isinstance(e, AudioOut)).data == b"\x01\x02" * 8
    done = next(e for e in events if isinstance(e, ResponseDone))
    assert (done.status, done.transcript) == ("cancelled", "Hi")  # interrupted: the user barged in
    assert done.usage is not None
    assert (done.usage.input_tokens, done.usage.output_tokens,
                                       done.usage.output_audio_tokens) == (10, 4, 3)
    assert any(isinstance(e, SpeechStarted) for e in events)
    assert next(e for e in events if isinstance(e, TextOut)).text == "written"
    assert [e.code for e in events if isinstance(e, RealtimeError)] == ["tool_call_cancelled", "go_away"]
    assert events[-1] == ResumeHandle("h-2", True)


# ---------------------------------------------------------------------------------------------- xAI encoding
def test_xai_session_update_puts_voice_and_turns_at_the_top_level() -> None:
    client = GrokVoice(XAI(api_key=XSECRET))
    config = client.config(voice="Rex", input_format="g711_ulaw", output_format="pcm16/16000",
                           turn_detection=TurnDetection(mode="server_vad", silence_ms=300), resumable=True,
                           thinking=True, tools=[Tool(name="f", description="d")])
    session = client.sender.codec(config).configure(config)[0]["session"]
    assert session["voice"] == "rex"  # xAI's voices are case-insensitive; the recorded ones are lower-case
    assert session["turn_detection"] == {"type": "server_vad", "create_response": True, "interrupt_response": True,
                                         "silence_duration_ms": 300}
    assert session["audio"] == {"input": {"format": {"type": "audio/pcmu"},
                                          "transcription": {"model": "grok-transcribe"}},
                                "output": {"format": {"type": "audio/pcm", "rate": 16000}}}
    assert session["resumption"] == {"enabled": True}
    assert session["reasoning"] == {"effort": "high"}
    assert session["tools"] == [{"type": "function", "name": "f", "description": "d",
                                 "parameters": {"type": "object", "properties": {}}}]
    manual = client.config(turn_detection="manual")
    assert client.sender.codec(manual).configure(manual)[0]["session"]["turn_detection"] == {"type": None}
    codec = client.sender.codec(config)
    assert codec.interrupt(1200) == [{"type": "response.cancel"}]  # xAI has no item truncation
    assert codec.tool_result("call-1", "42", "f", True) == [
        {"type": "conversation.item.create", "item": {"type": "function_call_output", "call_id": "call-1",
                                                      "output": "42"}}, {"type": "response.create"}]


def test_xai_cumulative_transcripts_become_deltas_and_one_final() -> None:
    codec = XAIRealtimeCodec(SessionConfig(model="grok-voice-latest"))
    events: list[Any] = []
    for kind, text, status in (("updated", "Hello", None), ("updated", "Hello there", None),
                               ("completed", "Hello there", "in_progress"), ("updated", "Hello, there I", None),
                               ("completed", "Hello, there I am.", "completed"),
                               ("completed", "Hello, there I am.", "completed")):
        frame = {"type": f"conversation.item.input_audio_transcription.{kind}", "item_id": "i1", "transcript": text}
        if status:
            frame["status"] = status
        events += codec.decode(frame)
    assert [e.text for e in events if isinstance(e, InputTranscriptDelta)] == ["Hello", " there"]
    assert [e.text for e in events if isinstance(e, InputTranscript)] == ["Hello, there I am."]  # once


# ---------------------------------------------------------------------------------------------- resumption
def test_a_gemini_resume_handle_reaches_the_next_setup() -> None:
    async def script(ws: Any, recv: Any, n: int) -> None:
        await recv()
        await ws.send(json.dumps({"setupComplete": {}}))
        if n == 0:
            await ws.send(json.dumps({"sessionResumptionUpdate": {"newHandle": "handle-7", "resumable": True}}))
            await ws.send(json.dumps({"goAway": {"timeLeft": "1s"}}))
        await ws.close(1000 if n else 1001)

    server = Server(script)

    async def client(url: str) -> tuple[list[Any], list[Any], str | None]:
        live = gemini(url)
        async with live.connect(resumable=True) as first:
            events = await collect(first)
            handle = first.resume_handle
        async with live.connect(resume=handle) as second:
            again = await collect(second)
        return events, again, handle

    events, again, handle = asyncio.run(serve(server, client))
    assert handle == "handle-7"
    assert isinstance(events[-1], Closed)
    assert server.frames[0][0]["setup"]["sessionResumption"] == {}
    assert server.frames[1][0]["setup"]["sessionResumption"] == {"handle": "handle-7"}
    assert isinstance(again[-1], Closed)


def test_an_xai_conversation_resumes_on_a_new_socket_with_its_id() -> None:
    async def script(ws: Any, recv: Any, n: int) -> None:
        await ws.send(json.dumps({"type": "session.created", "session": {"id": f"s{n}", "model": "grok-voice-latest"}}))
        await recv()
        await ws.send(json.dumps({"type": "conversation.created", "conversation": {"id": "conv-42"}}))
        await ws.send(json.dumps({"type": "ping", "timestamp": 1}))
        await ws.close(1011 if n == 0 else 1000, "dropped")

    server = Server(script)

    async def client(url: str) -> tuple[list[Any], str | None, list[Any]]:
        voice = GrokVoice(XAI(api_key=XSECRET, base_url=url + "/v1"))
        events: list[Any] = []
        async with voice.connect(resumable=True) as first:
            with pytest.raises(SessionClosed) as dropped:
                async for event in first:
                    events.append(event)
            assert dropped.value.close_code == 1011
            handle = first.resume_handle
        async with voice.connect(resume=handle) as second:
            again = await collect(second)
        return events, handle, again

    events, handle, again = asyncio.run(serve(server, client))
    assert handle == "conv-42"
    assert ResumeHandle("conv-42", True) in events
    assert server.requests[1]["path"] == "/v1/realtime?model=grok-voice-latest&conversation_id=conv-42"
    assert server.frames[1][0]["session"]["resumption"] == {"enabled": True}
    assert isinstance(again[-1], Closed)


def test_without_resumption_the_conversation_id_is_no_handle() -> None:
    codec = XAIRealtimeCodec(SessionConfig(model="grok-voice-latest"))
    assert codec.decode({"type": "conversation.created", "conversation": {"id": "c"}}) == [ResumeHandle("c", False)]


# ---------------------------------------------------------------------------------------------- close codes
@pytest.mark.parametrize(("code", "error"), [(1007, InvalidRequest), (1008, PermissionDenied), (1011, ServerError),
                                             (4003, SessionClosed)])
def test_gemini_close_codes_are_typed_errors(code: int, error: type[RehostError]) -> None:
    async def script(ws: Any, recv: Any, n: int) -> None:
        await recv()
        await ws.send(json.dumps({"setupComplete": {}}))
        await ws.close(code, "The requested combination of response modalities (TEXT) is not supported")

    async def client(url: str) -> RehostError:
        async with gemini(url).connect() as session:
            with pytest.raises(error) as caught:
                await collect(session)
        return caught.value

    err = asyncio.run(serve(Server(script), client))
    assert type(err) is error
    assert "response modalities" in str(err)
    assert SECRET not in str(err)
    if error is not SessionClosed:
        assert err.code == str(code)  # type: ignore[attr-defined]


def test_xai_documents_no_close_codes_so_a_close_is_the_generic_session_closed() -> None:
    codec = XAIRealtimeCodec(SessionConfig(model="grok-voice-latest"))
    assert codec.close_error(1008, "policy") is None


# ---------------------------------------------------------------------------------------------- refused early
@pytest.mark.parametrize(("make", "error"), [
    (lambda: gemini().config(input_format="pcm16/24000"), ConfigurationError),  # Live takes 16 kHz in
    (lambda: gemini().config(output_format="pcm16/16000"), ConfigurationError),  # and speaks 24 kHz
    (lambda: gemini().config(voice="Alloy"), ConfigurationError),
    (lambda: gemini().config(output_modalities=["text"]), UnsupportedFeature),  # native audio: AUDIO only
    (lambda: gemini().config(turn_detection="semantic_vad"), UnsupportedFeature),
    (lambda: GeminiLive(Vertex("p", "us-central1", access_token="t"), "gemini-live-2.5-flash").config(voice="Sulafat"),
     ConfigurationError),  # the half-cascade model has the older eight voices
    (lambda: GrokVoice(XAI(api_key=XSECRET)).config(voice="alloy"), ConfigurationError),
    (lambda: GrokVoice(XAI(api_key=XSECRET)).config(output_modalities=["text"]), UnsupportedFeature),
    (lambda: GrokVoice(XAI(api_key=XSECRET), "grok-voice-fast-1.0").config(thinking=False), UnsupportedFeature),
    (lambda: GrokVoice(XAI(api_key=XSECRET), "grok-voice-9"), ConfigurationError),
])
def test_what_a_model_cannot_take_is_refused_by_its_client(make: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        make()


@pytest.mark.parametrize(("client", "settings"), [
    ("gemini", {"turn_detection": {"threshold": 0.5}}),
    ("gemini", {"turn_detection": {"create_response": False}}),
    ("gemini", {"input_transcription": "whisper-1"}),  # Live has no choice of transcriber
    ("xai", {"temperature": 0.7}),
    ("xai", {"max_output_tokens": 100}),
])
def test_what_a_host_cannot_take_is_refused_before_the_socket_opens(client: str, settings: dict[str, Any]) -> None:
    async def script(ws: Any, recv: Any, n: int) -> None:  # pragma: no cover - never reached
        await ws.close()

    server = Server(script)

    async def connect(url: str) -> None:
        live = gemini(url) if client == "gemini" else GrokVoice(XAI(api_key=XSECRET, base_url=url + "/v1"))
        with pytest.raises(UnsupportedFeature):
            async with live.connect(**settings):
                pass  # pragma: no cover

    asyncio.run(serve(server, connect))
    assert server.requests == []


# ---------------------------------------------------------------------------------------------- keys and tokens
def test_keys_stay_out_of_urls_reprs_and_handshake_errors() -> None:
    live = gemini()
    config = live.config()
    assert SECRET not in live.sender.url(config)
    assert SECRET not in repr(live) + repr(live.sender) + repr(config)

    async def refuse(ws: Any, recv: Any, n: int) -> None:  # pragma: no cover - the handshake is refused
        await ws.close()

    async def client(url: str) -> str:
        async def reject(connection: Any, request: Any) -> Any:
            return connection.respond(403, f"key {request.headers.get('x-goog-api-key')} is not allowed")

        async with websockets.serve(refuse, "127.0.0.1", 0, process_request=reject) as refusing:
            port = refusing.sockets[0].getsockname()[1]
            with pytest.raises(RehostError) as caught:
                async with gemini(f"http://127.0.0.1:{port}").connect():
                    pass  # pragma: no cover
        return f"{caught.value} {caught.value!r}"

    shown = asyncio.run(serve(Server(refuse), client))
    assert "403" in shown or "refused" in shown
    assert SECRET not in shown
    token = LiveToken("auth_tokens/very-secret", "2026-12-01T15:00:00Z")
    assert "very-secret" not in repr(token)


def test_an_ephemeral_token_is_minted_over_http_and_opens_the_constrained_socket() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"name": "auth_tokens/eph-1", "expireTime": "2026-12-01T15:30:00Z"})

    async def script(ws: Any, recv: Any, n: int) -> None:
        await recv()
        await ws.send(json.dumps({"setupComplete": {}}))
        await ws.close()

    server = Server(script)

    async def client(url: str) -> Any:
        host = Google(api_key=SECRET, base_url=url + "/v1beta", async_transport=httpx.MockTransport(answer))
        live = GeminiLive(host, NATIVE)
        token = await live.sender.create_token(uses=0, expire_time="2026-12-01T15:30:00Z",
                                               new_session_expire_time="2026-12-01T15:01:00Z",
                                               setup=live.config(voice="Puck"))
        async with live.connect(token=token) as session:
            events = await collect(session)
        return token, events

    token, events = asyncio.run(serve(server, client))
    request = seen[0]
    assert request.url.path == "/v1alpha/auth_tokens"
    assert request.headers["x-goog-api-key"] == SECRET
    body = json.loads(request.content)
    assert body["uses"] == 0
    assert body["expireTime"] == "2026-12-01T15:30:00Z"
    assert body["newSessionExpireTime"] == "2026-12-01T15:01:00Z"
    assert body["bidiGenerateContentSetup"]["generationConfig"]["speechConfig"]["voiceConfig"] == {
        "prebuiltVoiceConfig": {"voiceName": "Puck"}}
    assert token.token == "auth_tokens/eph-1"
    handshake = server.requests[0]
    assert handshake["path"] == "/ws/google.ai.generativelanguage.v1alpha.GenerativeService." \
                                "BidiGenerateContentConstrained"
    assert handshake["headers"]["Authorization"] == "Token auth_tokens/eph-1"
    assert "x-goog-api-key" not in handshake["headers"]  # the browser side never holds the key
    assert isinstance(events[-1], Closed)


def test_token_requests_are_checked_before_anything_is_sent() -> None:
    live = gemini()
    with pytest.raises(ConfigurationError):
        asyncio.run(live.sender.create_token(uses=-1))
    with pytest.raises(ConfigurationError):
        asyncio.run(live.sender.create_token(expire_time="tomorrow"))
    vertex = GeminiLive(Vertex("p", "us-central1", access_token="t"), "gemini-live-2.5-flash")
    with pytest.raises(UnsupportedFeature):
        asyncio.run(vertex.sender.create_token())


def test_an_xai_client_secret_is_minted_over_http_and_connects_as_a_subprotocol() -> None:
    from rehost.providers.xai_realtime import ClientSecret

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"value": "sec-123", "expires_at": 1785214380})

    handshakes: list[dict[str, str]] = []

    async def handler(ws: Any) -> None:
        handshakes.append(dict(ws.request.headers.raw_items()))
        await ws.send(json.dumps({"type": "session.created", "session": {"id": "s1", "model": "grok-voice-latest"}}))
        await ws.recv()
        await ws.close()

    async def main() -> tuple[Any, list[Any]]:
        async with websockets.serve(handler, "127.0.0.1", 0, subprotocols=["xai-client-secret.sec-123"]) as server:
            port = server.sockets[0].getsockname()[1]
            host = XAI(api_key=XSECRET, base_url=f"http://127.0.0.1:{port}/v1",
                       async_transport=httpx.MockTransport(answer))
            endpoint = host.endpoint("realtime")
            secret = await endpoint.create_secret(seconds=120)
            session = await endpoint.connect(GrokVoice(host).config(), secret=secret)
            events = await collect(session)
            await session.close()
            return secret, events

    secret, events = asyncio.run(asyncio.wait_for(main(), 20))
    assert seen[0].url.path == "/v1/realtime/client_secrets"
    assert json.loads(seen[0].content) == {"expires_after": {"seconds": 120}}
    assert seen[0].headers["Authorization"] == f"Bearer {XSECRET}"
    assert secret == ClientSecret("sec-123", 1785214380)
    assert "sec-123" not in repr(secret)
    assert handshakes[0]["Sec-WebSocket-Protocol"] == "xai-client-secret.sec-123"
    assert "Authorization" not in handshakes[0]  # the browser side never holds the key
    assert isinstance(events[-1], Closed)
    with pytest.raises(ConfigurationError):
        asyncio.run(XAI(api_key=XSECRET).endpoint("realtime").create_secret(seconds=0))


def test_a_gemini_session_runs_from_sync_code() -> None:
    import threading

    frames: list[dict[str, Any]] = []
    ready = threading.Event()
    port: list[int] = []

    async def handler(ws: Any) -> None:
        frames.append(json.loads(await ws.recv()))
        await ws.send(json.dumps({"setupComplete": {}}))
        frames.append(json.loads(await ws.recv()))
        await ws.send(json.dumps({"serverContent": {"outputTranscription": {"text": "Hi."}}}))
        await ws.send(json.dumps({"serverContent": {"turnComplete": True},
                                  "usageMetadata": {"promptTokenCount": 3, "responseTokenCount": 2}}))
        await ws.close()

    stop = threading.Event()

    def run_server() -> None:
        async def main() -> None:
            async with websockets.serve(handler, "127.0.0.1", 0) as server:
                port.append(server.sockets[0].getsockname()[1])
                ready.set()
                while not stop.is_set():
                    await asyncio.sleep(0.01)

        asyncio.run(main())

    thread = threading.Thread(target=run_server, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        with gemini(f"http://127.0.0.1:{port[0]}").connect_sync(instructions="Be brief.") as session:
            session.send_text("Hello")
            events = list(session)
    finally:
        stop.set()
        thread.join(10)
    assert frames[0]["setup"]["systemInstruction"]["parts"][0]["text"] == "Be brief."
    assert frames[1] == {"client_content": {"turns": [{"parts": [{"text": "Hello"}], "role": "user"}],
                                            "turnComplete": True}}
    done = next(e for e in events if isinstance(e, ResponseDone))
    assert done.transcript == "Hi."
    assert done.usage is not None
    assert (done.usage.input_tokens, done.usage.output_tokens) == (3, 2)
