"""One OpenAI-style realtime vocabulary (issue 15's clean-up): xAI's codec is the GA codec with xAI's
differences on top, so what the two share is decoded and encoded the same way, and the fixes made once reach
both. These tests pin what the shared code does that neither file did (or did only on one host) before."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from rehost.bench.common import bind, error_text, ms_cell, ratio_cell, rotated
from rehost.bench.stats import summarize
from rehost.clients.grok_voice import GrokVoice
from rehost.errors import ConfigurationError, ProtocolError, UnsupportedFeature
from rehost.providers.openai_realtime import OpenAIRealtimeCodec
from rehost.providers.xai import XAI
from rehost.providers.xai_realtime import XAIRealtimeCodec
from rehost.shared.chat.messages import Message
from rehost.shared.chat.tool_types import Tool
from rehost.shared.io.websocket import websocket_base
from rehost.shared.realtime import (
    AudioFormat,
    AudioOut,
    RealtimeError,
    ResponseDone,
    SessionConfig,
    ToolCallRequest,
)

XSECRET = "xai-THIS-IS-A-SECRET-KEY-0123456789"


def decode_all(codec: Any, frames: list[dict[str, Any]]) -> list[Any]:
    events: list[Any] = []
    for frame in frames:
        events += codec.decode(frame)
    return events


def test_xai_speaks_ga_through_its_hooks() -> None:
    assert issubclass(XAIRealtimeCodec, OpenAIRealtimeCodec)
    # the incremental input-transcript delta is GA's; xAI's cumulative snapshots replace it
    assert "conversation.item.input_audio_transcription.delta" not in XAIRealtimeCodec.events
    assert XAIRealtimeCodec.events["conversation.created"] == "_conversation_created"


@pytest.mark.parametrize("codec_class", [OpenAIRealtimeCodec, XAIRealtimeCodec])
def test_a_failed_response_with_status_details_that_are_not_an_object_is_an_error_then_done(
        codec_class: type[OpenAIRealtimeCodec]) -> None:
    # xAI's recordings carry status_details: "unimplemented"; a failed response with it broke the GA decoder
    codec = codec_class(SessionConfig(model="m"))
    events = decode_all(codec, [{"type": "response.created", "response": {"id": "r1"}},
                                {"type": "response.done",
                                 "response": {"id": "r1", "status": "failed", "status_details": "unimplemented"}}])
    assert [type(e) for e in events[1:]] == [RealtimeError, ResponseDone]
    assert events[1].message == "the response failed"
    assert events[1].fatal is False
    assert events[2].status == "failed"


@pytest.mark.parametrize("codec_class", [OpenAIRealtimeCodec, XAIRealtimeCodec])
def test_response_done_reads_from_its_output_only_what_no_delta_brought(
        codec_class: type[OpenAIRealtimeCodec]) -> None:
    codec = codec_class(SessionConfig(model="m"))
    call = {"type": "function_call", "id": "it-2", "call_id": "c1", "name": "f", "arguments": "{}"}
    events = decode_all(codec, [
        {"type": "response.created", "response": {"id": "r1"}},
        {"type": "response.output_audio_transcript.delta", "response_id": "r1", "item_id": "it-1", "delta": "Hi"},
        # no response id on the done (a relay): the one response.created gave is kept
        {"type": "response.done", "response": {"status": "completed", "output": [
            {"type": "message", "content": [{"type": "output_audio", "transcript": "Hi there"}]}, call, "junk"]}},
    ])
    done = events[-1]
    assert isinstance(done, ResponseDone)
    assert done.response_id == "r1"
    assert done.transcript == "Hi"  # the deltas win over the output's copy
    assert done.tool_calls == (ToolCallRequest("c1", "f", "{}", None, "it-2"),)


def test_xai_refuses_a_strict_tool_and_a_history_it_cannot_seed_before_the_socket_opens() -> None:
    client = GrokVoice(XAI(api_key=XSECRET, base_url="http://127.0.0.1:9/v1"))
    strict = client.config(tools=[Tool(name="f", description="d", strict=True)])
    with pytest.raises(UnsupportedFeature, match="strict") as info:
        client.sender.check(strict)
    assert XSECRET not in str(info.value)
    # connecting to a closed port would be a ConnectionFailed: the refusal comes first
    with pytest.raises(UnsupportedFeature, match="strict"):
        asyncio.run(client.sender.connect(strict))
    system = client.config(history=[Message.system("x")])
    with pytest.raises(UnsupportedFeature, match="user and assistant text turns"):
        asyncio.run(client.sender.connect(system))


def test_xai_update_changes_the_format_later_audio_is_decoded_in() -> None:
    config = SessionConfig(model="grok-voice-latest")
    codec = XAIRealtimeCodec(config)
    later = SessionConfig(model="grok-voice-latest", output_format=AudioFormat("pcm16", 16000))
    frames = codec.update(later)
    assert frames[0]["session"]["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 16000}
    (audio,) = codec.decode({"type": "response.output_audio.delta", "response_id": "r", "item_id": "i",
                             "delta": "AAA="})
    assert isinstance(audio, AudioOut)
    assert audio.sample_rate == 16000


def test_xai_error_events_are_never_fatal_and_keep_their_code() -> None:
    codec = XAIRealtimeCodec(SessionConfig(model="grok-voice-latest"))
    (err,) = codec.decode({"type": "error", "error": {"type": "invalid_request_error",
                                                      "code": "session_expired", "message": "gone"}})
    assert err == RealtimeError("gone", "session_expired", False, "error")


def test_websocket_base_turns_a_rest_base_url_into_the_socket_one() -> None:
    assert websocket_base("https://api.x.ai/v1") == "wss://api.x.ai/v1"
    assert websocket_base("http://127.0.0.1:8080/v1") == "ws://127.0.0.1:8080/v1"
    assert websocket_base("wss://relay/v1") == "wss://relay/v1"


def test_the_bench_helpers_the_speech_and_realtime_benches_share() -> None:
    assert rotated(["a", "b", "c"], 4) == ["b", "c", "a"]
    assert ms_cell(summarize([0.1, 0.2])) == "150 / 195"
    assert ms_cell(summarize([])) == ratio_cell(summarize([None])) == "-"
    assert ratio_cell(summarize([0.5])) == "0.500"
    assert error_text(ConfigurationError("bad")) == "ConfigurationError: bad"

    class Family:
        def bind(self, host: str, model: str | None) -> tuple[str, str | None]:
            return host, model

    assert bind(Family(), ["h1", ("h2", "m2")]) == [("h1", None), ("h2", "m2")]


@pytest.mark.parametrize("answer", [{"expires_at": 1}, {"value": ""}, "not json"])
def test_an_xai_client_secret_answer_without_a_value_is_a_protocol_error(answer: Any) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, str):
            return httpx.Response(200, text=answer)
        return httpx.Response(200, json=answer)

    host = XAI(api_key=XSECRET, base_url="http://127.0.0.1:9/v1", async_transport=httpx.MockTransport(reply))
    with pytest.raises(ProtocolError, match="secret value") as info:
        asyncio.run(host.endpoint("realtime").create_secret(seconds=60))
    assert XSECRET not in str(info.value)
