"""The OpenAI realtime family (providers/openai_realtime.py, providers/azure_realtime.py, clients/gpt_realtime.py)
without recordings: how each session option is spelled in the GA and beta vocabularies, barge-in frames, error
events (fatal or not), keys kept out of reprs and errors, bad input refused before any socket opens, the price
of a response, and ephemeral client secrets against a tiny local HTTP server. The recorded sessions are
replayed in tests/conformance/test_realtime_openai.py."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

import rehost
from rehost import _registry
from rehost.clients.gpt_realtime import GptRealtimeClient
from rehost.errors import AuthenticationError, ConfigurationError, UnsupportedFeature
from rehost.providers.azure_realtime import AzureRealtime, AzureVoiceLive, VoiceLiveCodec
from rehost.providers.base.realtime import price_per_token
from rehost.providers.openai import OpenAI
from rehost.providers.openai_realtime import OpenAIBetaRealtimeCodec, OpenAIRealtimeCodec
from rehost.shared.chat.messages import DocumentPart, Message, ReasoningPart, TextPart, ToolCall
from rehost.shared.chat.tool_types import Tool
from rehost.shared.realtime import (
    AudioFormat,
    RealtimeError,
    RealtimeUsage,
    ResponseDone,
    SessionConfig,
    ToolCallRequest,
    TurnDetection,
)
from rehost.shared.realtime.secrets import ClientSecret

KEY = "sk-proj-realtime-secret-0123456789"
WEATHER = Tool(name="get_weather", description="Weather for a city.",
               parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})


def _ga(**changes: Any) -> tuple[OpenAIRealtimeCodec, SessionConfig]:
    config = SessionConfig(model="gpt-realtime", **changes)
    return OpenAIRealtimeCodec(config), config


# ---------------------------------------------------------------------------------------------- GA encoding
def test_every_ga_option_is_spelled_in_the_nested_session() -> None:
    codec, config = _ga(voice="marin", instructions="Be brief.", tools=(WEATHER,),
                        input_format=AudioFormat("g711_ulaw", 8000), output_format=AudioFormat("g711_alaw", 8000),
                        turn_detection=TurnDetection("semantic_vad", eagerness="low", create_response=False),
                        input_transcription="gpt-4o-transcribe", max_output_tokens=500,
                        extra={"tool_choice": "required"})
    [update] = codec.configure(config)
    assert update == {"type": "session.update", "session": {
        "type": "realtime", "instructions": "Be brief.", "output_modalities": ["audio"],
        "audio": {"input": {"format": {"type": "audio/pcmu"},
                            "turn_detection": {"type": "semantic_vad", "eagerness": "low", "create_response": False,
                                               "interrupt_response": True},
                            "transcription": {"model": "gpt-4o-transcribe"}},
                  "output": {"format": {"type": "audio/pcma"}, "voice": "marin"}},
        "tools": [{"type": "function", "name": "get_weather", "description": "Weather for a city.",
                   "parameters": WEATHER.parameters}],
        "max_output_tokens": 500, "tool_choice": "required"}}


def test_server_vad_fields_and_manual_turns() -> None:
    codec, _ = _ga()
    vad = TurnDetection("server_vad", threshold=0.6, prefix_padding_ms=200, silence_ms=400)
    assert codec.turn_detection(vad) == {"type": "server_vad", "threshold": 0.6, "prefix_padding_ms": 200,
                                         "silence_duration_ms": 400, "create_response": True,
                                         "interrupt_response": True}
    assert codec.turn_detection(TurnDetection("manual")) is None
    [update] = codec.configure(SessionConfig(model="m", turn_detection=TurnDetection("manual")))
    assert update["session"]["audio"]["input"]["turn_detection"] is None  # sent as JSON null: the caller commits


def test_an_update_spells_out_what_was_turned_off_and_refuses_what_ga_cannot_say() -> None:
    codec, _ = _ga(tools=(WEATHER,), input_transcription="whisper-1")
    with pytest.raises(UnsupportedFeature, match="temperature"):
        codec.update(SessionConfig(model="gpt-realtime", temperature=0.3))
    [update] = codec.update(SessionConfig(model="gpt-realtime", voice="cedar"))
    session = update["session"]
    assert session["tools"] == []
    assert session["audio"]["input"]["transcription"] is None
    assert session["audio"]["output"]["voice"] == "cedar"


def test_history_text_images_tool_calls_and_results_become_items() -> None:
    codec, config = _ga(history=(
        Message.system("You are terse."),
        Message.user("Weather in Paris?"),
        Message.assistant(parts=[ReasoningPart(text="look it up"), TextPart(text="Checking."),
                                 ToolCall(id="call_1", name="get_weather", arguments={"city": "Paris"})]),
        Message.tool("call_1", "sunny", name="get_weather"),
    ))
    frames = codec.configure(config)
    items = [f["item"] for f in frames[1:]]
    assert [f["type"] for f in frames] == ["session.update"] + ["conversation.item.create"] * 5
    assert items[0] == {"type": "message", "role": "system", "content": [{"type": "input_text",
                                                                          "text": "You are terse."}]}
    assert items[2] == {"type": "message", "role": "assistant", "content": [{"type": "output_text",
                                                                             "text": "Checking."}]}
    assert items[3] == {"type": "function_call", "call_id": "call_1", "name": "get_weather",
                        "arguments": '{"city": "Paris"}'}
    assert items[4] == {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}


def test_turn_frames() -> None:
    codec, _ = _ga()
    assert codec.audio(b"\x01\x02") == [{"type": "input_audio_buffer.append", "audio": "AQI="}]
    assert codec.commit() == [{"type": "input_audio_buffer.commit"}]
    assert codec.respond(None) == [{"type": "response.create"}]
    assert codec.respond("Shout.") == [{"type": "response.create", "response": {"instructions": "Shout."}}]
    assert codec.tool_result("call_9", "42", "f", False) == [
        {"type": "conversation.item.create", "item": {"type": "function_call_output", "call_id": "call_9",
                                                      "output": "42"}}]
    assert codec.tool_result("call_9", "42", "f", True)[1] == {"type": "response.create"}


# ---------------------------------------------------------------------------------------------- beta encoding
def test_the_beta_vocabulary_is_flat() -> None:
    config = SessionConfig(model="gpt-4o-realtime-preview", voice="alloy", instructions="hi", tools=(WEATHER,),
                           input_format=AudioFormat("g711_ulaw", 8000), temperature=0.7, max_output_tokens=99,
                           input_transcription="whisper-1",
                           history=(Message.assistant("Hello."),))
    frames = OpenAIBetaRealtimeCodec(config).configure(config)
    assert frames[0] == {"type": "session.update", "session": {
        "instructions": "hi", "modalities": ["text", "audio"], "input_audio_format": "g711_ulaw",
        "output_audio_format": "pcm16", "voice": "alloy",
        "turn_detection": {"type": "server_vad", "create_response": True, "interrupt_response": True},
        "input_audio_transcription": {"model": "whisper-1"}, "temperature": 0.7,
        "max_response_output_tokens": 99,
        "tools": [{"type": "function", "name": "get_weather", "description": "Weather for a city.",
                   "parameters": WEATHER.parameters}]}}
    assert frames[1]["item"]["content"] == [{"type": "text", "text": "Hello."}]
    text_only = SessionConfig(model="m", output_modalities=("text",))
    assert OpenAIBetaRealtimeCodec(text_only).configure(text_only)[0]["session"]["modalities"] == ["text"]


def test_the_beta_vocabulary_is_chosen_per_instance_or_per_model_and_asks_for_it_at_the_handshake() -> None:
    config = SessionConfig(model="gpt-realtime")
    assert type(OpenAI(KEY).endpoint("realtime").codec(config)) is OpenAIRealtimeCodec
    assert "OpenAI-Beta" not in OpenAI(KEY).endpoint("realtime").connect_headers(config)
    beta = OpenAI(KEY, realtime_beta=True).endpoint("realtime")
    assert type(beta.codec(config)) is OpenAIBetaRealtimeCodec
    assert beta.connect_headers(config)["OpenAI-Beta"] == "realtime=v1"
    some = OpenAI(KEY, realtime_beta={"gpt-4o-realtime-preview"}).endpoint("realtime")
    assert type(some.codec(config)) is OpenAIRealtimeCodec
    assert type(some.codec(SessionConfig(model="gpt-4o-realtime-preview"))) is OpenAIBetaRealtimeCodec
    for bad in ("yes", 5, [1]):
        with pytest.raises(ConfigurationError):
            OpenAI(KEY, realtime_beta=bad)  # type: ignore[arg-type]


def test_voice_live_adds_its_sampling_rate_and_voice_objects() -> None:
    config = SessionConfig(model="gpt-realtime", voice="en-US-Ava:DragonHDLatestNeural",
                           input_format=AudioFormat("pcm16", 16000))
    session = VoiceLiveCodec(config).configure(config)[0]["session"]
    assert session["input_audio_sampling_rate"] == 16000
    assert session["voice"] == {"name": "en-US-Ava:DragonHDLatestNeural", "type": "azure-standard"}
    assert VoiceLiveCodec(config).voice("alloy") == {"name": "alloy", "type": "openai"}
    assert VoiceLiveCodec.handshake_headers == {}


# ---------------------------------------------------------------------------------------------- URLs and auth
def test_urls_from_each_hosts_base() -> None:
    config = SessionConfig(model="gpt-realtime")
    assert OpenAI(KEY).endpoint("realtime").url(config) == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    gateway = OpenAI(KEY, base_url="https://gateway.example/proxy/my-route").endpoint("realtime")
    assert gateway.url(config) == "wss://gateway.example/proxy/my-route/realtime?model=gpt-realtime"

    class Azure:
        name = "azure"
        def __init__(self, base_url: str) -> None:
            self.base_url = base_url
            self._headers = {"x-ms-client": "t"}

        def auth_headers(self) -> dict[str, str]:
            return {"api-key": KEY}

    for base in ("https://res.openai.azure.com", "https://res.openai.azure.com/openai/v1"):
        endpoint = AzureRealtime(Azure(base))  # type: ignore[arg-type]
        assert endpoint.url(config) == "wss://res.openai.azure.com/openai/v1/realtime?model=gpt-realtime"
    assert AzureRealtime(Azure("https://r.openai.azure.com")).connect_headers(config) == {  # type: ignore[arg-type]
        "x-ms-client": "t", "api-key": KEY}
    live = AzureVoiceLive(KEY, resource="myres").endpoint("realtime")
    assert live.url(config) == ("wss://myres.services.ai.azure.com/voice-live/realtime?api-version=2026-04-10"
                                "&model=gpt-realtime")
    assert live.connect_headers(config) == {"api-key": KEY}
    token = AzureVoiceLive(token="entra-token-abcdefgh", endpoint="https://x.cognitiveservices.azure.com")
    assert token.endpoint("realtime").connect_headers(config) == {"Authorization": "Bearer entra-token-abcdefgh"}


def test_azure_voice_live_is_a_registered_host_with_catalogue_rows() -> None:
    row = _registry.HOSTS["azure-voice-live"]
    assert row.kinds == frozenset({"realtime"})
    assert rehost.AzureVoiceLive is AzureVoiceLive
    assert "realtime" in _registry.HOSTS["openai"].kinds
    assert OpenAI(KEY).kinds >= {"chat", "realtime"}
    entry = rehost.catalog().host_entry("gpt-realtime", "azure-voice-live")
    assert entry.id == "gpt-realtime-global-standard"
    assert entry.read
    assert entry.source
    client = GptRealtimeClient(AzureVoiceLive(KEY, resource="r"))
    assert client.config().model == "gpt-realtime-global-standard"


# ---------------------------------------------------------------------------------------------- decoding
def test_barge_in_cancels_the_response_and_truncates_the_unplayed_audio() -> None:
    codec, _ = _ga()
    assert codec.interrupt(0) == []  # nothing under way: nothing to cancel
    codec.decode({"type": "response.created", "response": {"id": "resp_1"}})
    [audio] = codec.decode({"type": "response.output_audio.delta", "response_id": "resp_1", "item_id": "item_7",
                            "delta": base64.b64encode(b"\0" * 4800).decode()})
    assert audio.duration_ms == 100
    assert codec.interrupt(60) == [{"type": "response.cancel"},
                                   {"type": "conversation.item.truncate", "item_id": "item_7", "content_index": 0,
                                    "audio_end_ms": 60}]
    codec.decode({"type": "response.created", "response": {"id": "resp_2"}})
    codec.decode({"type": "response.audio.delta", "item_id": "item_8", "delta": "AAAA"})  # the beta name
    codec.decode({"type": "response.done", "response": {"id": "resp_2", "status": "completed"}})
    # the answer is over but still playing: only the truncation
    assert codec.interrupt(10) == [{"type": "conversation.item.truncate", "item_id": "item_8", "content_index": 0,
                                    "audio_end_ms": 10}]


def test_a_barge_in_over_a_real_socket_truncates_at_what_the_session_handed_out() -> None:
    websockets = pytest.importorskip("websockets")
    got: list[dict[str, Any]] = []

    async def handler(ws: Any) -> None:
        await ws.send(json.dumps({"type": "session.created", "session": {"id": "sess_1", "model": "gpt-realtime"}}))
        got.append(json.loads(await ws.recv()))  # session.update
        await ws.send(json.dumps({"type": "response.created", "response": {"id": "resp_1"}}))
        await ws.send(json.dumps({"type": "response.output_audio.delta", "response_id": "resp_1",
                                  "item_id": "item_1", "delta": base64.b64encode(b"\0" * 9600).decode()}))
        got.append(json.loads(await ws.recv()))
        got.append(json.loads(await ws.recv()))
        await ws.close()

    async def main() -> None:
        async with websockets.serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            client = GptRealtimeClient(OpenAI(KEY, base_url=f"http://127.0.0.1:{port}/v1"), "gpt-realtime")
            async with client.connect(voice="marin") as session:
                async for event in session:
                    if event.type == "audio":
                        await session.interrupt()

    asyncio.run(main())
    assert got[0]["session"]["audio"]["output"]["voice"] == "marin"
    assert got[1] == {"type": "response.cancel"}
    assert got[2] == {"type": "conversation.item.truncate", "item_id": "item_1", "content_index": 0,
                      "audio_end_ms": 200}


def test_error_events_are_typed_and_only_session_ending_ones_are_fatal() -> None:
    codec, _ = _ga()
    [soft] = codec.decode({"type": "error", "error": {"type": "invalid_request_error", "code": "invalid_event",
                                                      "message": "The 'type' field is missing."}})
    assert soft == RealtimeError("The 'type' field is missing.", "invalid_event", False, "error")
    [hard] = codec.decode({"type": "error", "error": {"type": "invalid_request_error", "code": "session_expired",
                                                      "message": "Your session hit the maximum duration."}})
    assert hard.fatal
    [failed] = codec.decode({"type": "conversation.item.input_audio_transcription.failed", "item_id": "i",
                             "error": {"type": "server_error", "code": "DeploymentNotFound", "message": "no"}})
    assert (failed.code, failed.fatal) == ("DeploymentNotFound", False)
    codec.decode({"type": "response.created", "response": {"id": "r"}})
    error, done = codec.decode({"type": "response.done", "response": {
        "id": "r", "status": "failed",
        "status_details": {"type": "failed", "error": {"type": "server_error", "code": "overloaded",
                                                       "message": "try later"}}}})
    assert (error.code, error.message, error.fatal) == ("overloaded", "try later", False)
    assert isinstance(done, ResponseDone)
    assert done.status == "failed"
    assert codec.decode({"type": "rate_limits.updated", "rate_limits": []}) == ()


def test_tool_calls_and_usage_are_read_from_the_events() -> None:
    codec, _ = _ga()
    codec.decode({"type": "response.created", "response": {"id": "r"}})
    codec.decode({"type": "response.output_item.added", "item": {"id": "it", "type": "function_call",
                                                                 "name": "get_weather", "call_id": "c"}})
    [call] = codec.decode({"type": "response.function_call_arguments.done", "response_id": "r", "item_id": "it",
                           "call_id": "c", "arguments": '{"city": "Rome"}'})  # no name: taken from the item
    assert call == ToolCallRequest("c", "get_weather", '{"city": "Rome"}', "r", "it")
    [done] = codec.decode({"type": "response.done", "response": {"id": "r", "status": "completed", "usage": {
        "input_tokens": 100, "output_tokens": 50,
        "input_token_details": {"text_tokens": 60, "audio_tokens": 40, "cached_tokens": 30,
                                "cached_tokens_details": {"text_tokens": 20, "audio_tokens": 10}},
        "output_token_details": {"text_tokens": 10, "audio_tokens": 40}}}})
    assert done.tool_calls == (call,)
    assert done.usage == RealtimeUsage(100, 50, 60, 40, 10, 40, 30, 10)


def test_a_response_is_priced_by_modality_with_cached_audio_at_its_own_rate() -> None:
    pricer = price_per_token(4.0, 32.0, 16.0, 64.0, 0.4, cached_audio=0.3)
    usage = RealtimeUsage(100, 50, 60, 40, 10, 40, 30, 10)
    assert pricer(usage) == pytest.approx((40 * 4 + 30 * 32 + 10 * 16 + 40 * 64 + 20 * 0.4 + 10 * 0.3) / 1e6)
    # without the audio split, as before: cached tokens come off the text
    assert price_per_token(4.0, 32.0, 16.0, 64.0, 0.4)(RealtimeUsage(100, 50, 60, 40, 10, 40, 30)) == (
        pytest.approx((30 * 4 + 40 * 32 + 10 * 16 + 40 * 64 + 30 * 0.4) / 1e6))
    endpoint = OpenAI(KEY).endpoint("realtime")
    price = endpoint.price(SessionConfig(model="gpt-realtime"))
    assert price is not None
    assert price(RealtimeUsage(1_000_000, 0, 1_000_000, 0)) == pytest.approx(4.0)
    assert endpoint.price(SessionConfig(model="not-catalogued")) is None


# ---------------------------------------------------------------------------------------------- refusals, keys
@pytest.mark.parametrize(("settings", "error"), [
    ({"voice": "nova"}, ConfigurationError),  # a TTS voice, not a realtime one
    ({"input_format": "pcm16/44100"}, ConfigurationError),  # the model takes no such audio
    ({"input_format": "pcm16/16000"}, UnsupportedFeature),  # the model does (on Voice Live); OpenAI does not
    ({"temperature": 0.5}, UnsupportedFeature),  # GA sessions have none
    ({"output_modalities": ["audio", "text"]}, UnsupportedFeature),
    ({"turn_detection": {"mode": "server_vad", "eagerness": "low"}}, ConfigurationError),
    ({"history": [Message.user("read this", DocumentPart(data=b"%PDF-1.4 x", media_type="application/pdf"))]},
     UnsupportedFeature),
    ({"tools": [Tool(name="f", strict=True)]}, UnsupportedFeature),
    ({"history": [Message.assistant(parts=[ToolCall(name="f")])]}, ConfigurationError),  # no id to answer to
])
def test_bad_input_is_refused_before_any_socket_opens(settings: dict[str, Any], error: type[Exception]) -> None:
    # port 9 (discard) on localhost: were a socket opened, the error would be a connection failure instead
    client = GptRealtimeClient(OpenAI(KEY, base_url="http://127.0.0.1:9/v1"), "gpt-realtime")

    async def main() -> None:
        async with client.connect(**settings):
            raise AssertionError("connected")

    with pytest.raises(error):
        asyncio.run(main())


def test_voice_live_needs_its_resource_before_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_VOICE_LIVE_ENDPOINT", raising=False)
    endpoint = AzureVoiceLive(KEY).endpoint("realtime")
    with pytest.raises(ConfigurationError, match="resource"):
        asyncio.run(endpoint.connect(SessionConfig(model="gpt-realtime")))
    with pytest.raises(ConfigurationError):
        AzureVoiceLive(KEY, resource="bad/name")


def test_keys_stay_out_of_reprs() -> None:
    for thing in (OpenAI(KEY), OpenAI(KEY).endpoint("realtime"), AzureVoiceLive(KEY, resource="r"),
                  AzureVoiceLive(KEY, resource="r").endpoint("realtime"),
                  ClientSecret("ek_live_secret_value", 1, {}, host="openai")):
        assert KEY not in repr(thing)
        assert "ek_live_secret_value" not in repr(thing)


def test_a_refused_handshake_is_typed_and_keeps_the_key_out() -> None:
    websockets = pytest.importorskip("websockets")
    from websockets.datastructures import Headers
    from websockets.http11 import Response

    def refuse(connection: Any, request: Any) -> Any:
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {KEY}"}}).encode()
        return Response(401, "Unauthorized", Headers({"Content-Type": "application/json"}), body)

    async def main() -> None:
        async with websockets.serve(lambda ws: None, "127.0.0.1", 0, process_request=refuse) as server:
            port = server.sockets[0].getsockname()[1]
            endpoint = OpenAI(KEY, base_url=f"http://127.0.0.1:{port}/v1").endpoint("realtime")
            await endpoint.connect(SessionConfig(model="gpt-realtime"))

    with pytest.raises(AuthenticationError) as info:
        asyncio.run(main())
    assert KEY not in str(info.value)
    assert KEY not in (info.value.body or "")


# ---------------------------------------------------------------------------------------------- client secrets
class _Secrets(BaseHTTPRequestHandler):
    answer: ClassVar[tuple[int, dict[str, Any]]] = (200, {})
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        status, answer = type(self).answer
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def secrets_server() -> Iterator[str]:
    _Secrets.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Secrets)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_a_client_secret_is_minted_for_a_configured_session(secrets_server: str) -> None:
    _Secrets.answer = (200, {"value": "ek_abc123", "expires_at": 1756310470,
                             "session": {"type": "realtime", "model": "gpt-realtime"}})
    client = GptRealtimeClient(OpenAI(KEY, base_url=secrets_server), "gpt-realtime")
    secret = client.client_secret(voice="marin", instructions="Be brief.", expires_in=120)
    assert (secret.value, secret.expires_at, secret.session["model"]) == ("ek_abc123", 1756310470, "gpt-realtime")
    [seen] = _Secrets.seen
    assert seen["path"] == "/v1/realtime/client_secrets"
    assert seen["auth"] == f"Bearer {KEY}"
    assert seen["body"]["expires_after"] == {"anchor": "created_at", "seconds": 120}
    session = seen["body"]["session"]
    assert (session["type"], session["model"], session["instructions"]) == ("realtime", "gpt-realtime", "Be brief.")
    assert session["audio"]["output"]["voice"] == "marin"
    assert asyncio.run(OpenAI(KEY, base_url=secrets_server).aclient_secret()).value == "ek_abc123"
    assert "session" not in _Secrets.seen[-1]["body"]


def test_client_secret_errors_are_typed(secrets_server: str) -> None:
    _Secrets.answer = (401, {"error": {"message": f"Incorrect API key provided: {KEY}", "type": "invalid_request_error",
                                       "code": "invalid_api_key"}})
    host = OpenAI(KEY, base_url=secrets_server)
    with pytest.raises(AuthenticationError) as info:
        host.client_secret()
    assert KEY not in str(info.value)
    _Secrets.answer = (200, {"no": "value"})
    with pytest.raises(rehost.errors.ProtocolError):
        host.client_secret()
    with pytest.raises(ConfigurationError):
        host.client_secret(expires_in=5)
    assert len(_Secrets.seen) == 2  # the bad expiry was refused before sending


def test_a_sync_session_runs_a_text_turn() -> None:
    pytest.importorskip("websockets")
    from websockets.sync.server import serve

    got: list[dict[str, Any]] = []

    def handler(ws: Any) -> None:
        ws.send(json.dumps({"type": "session.created", "session": {"id": "sess_s", "model": "gpt-realtime"}}))
        got.append(json.loads(ws.recv()))  # session.update
        got.append(json.loads(ws.recv()))  # the user's text
        got.append(json.loads(ws.recv()))  # response.create
        for frame in ({"type": "response.created", "response": {"id": "r"}},
                      {"type": "response.output_text.delta", "response_id": "r", "delta": "Hi"},
                      {"type": "response.done", "response": {"id": "r", "status": "completed", "usage": {
                          "input_tokens": 10, "output_tokens": 2,
                          "input_token_details": {"text_tokens": 10, "audio_tokens": 0, "cached_tokens": 0},
                          "output_token_details": {"text_tokens": 2, "audio_tokens": 0}}}}):
            ws.send(json.dumps(frame))
        ws.close()

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        client = GptRealtimeClient(OpenAI(KEY, base_url=f"http://127.0.0.1:{port}/v1"), "gpt-realtime-mini")
        with client.connect_sync(output_modalities=["text"]) as session:
            session.send_text("hello", respond=True)
            events = list(session)
        server.shutdown()
    assert got[0]["session"]["output_modalities"] == ["text"]
    assert got[1]["item"]["content"] == [{"type": "input_text", "text": "hello"}]
    assert got[2] == {"type": "response.create"}
    done = next(e for e in events if isinstance(e, ResponseDone))
    assert done.text == "Hi"
    assert done.cost == pytest.approx((10 * 0.6 + 2 * 2.4) / 1e6)  # gpt-realtime-mini's text prices
    assert events[-1].type == "closed"
