"""The Anthropic Messages dialect and its hosts (Anthropic's API, Claude on Vertex): requests in the documented
shape, answers and streams decoded (signed thinking, redacted thinking, tool use, cache usage), errors, and
tool loops / structured output / thinking send-back over a real loopback server."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from rehost import (
    Anthropic,
    ClaudeClient,
    GenericClient,
    Message,
    ReasoningDelta,
    ReasoningPart,
    TextDelta,
    TextPart,
    Thinking,
    ToolCall,
    ToolCallDelta,
    Vertex,
)
from rehost.errors import (
    AuthenticationError,
    ContextWindowExceeded,
    InvalidRequest,
    ModelNotFound,
    Overloaded,
    PaymentRequired,
    PermissionDenied,
    RateLimited,
    ServerError,
    UnsupportedFeature,
)
from rehost.providers.dialects import anthropic as messages
from rehost.shared.request import Request, Sampling, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import DocumentPart, ImagePart
from rehost.testing.replay import Interaction, ReplayServer

from .test_tools import get_weather

SONNET = "claude-sonnet-4-5-20250929"
SIG = "EqQBCkgIARABGAIiQL2c3Xk...signed"

# ------------------------------------------------------------------------------------------ documented shapes

ANSWER = {
    "id": "msg_01", "type": "message", "role": "assistant", "model": SONNET,
    "content": [
        {"type": "thinking", "thinking": "The user wants the weather.", "signature": SIG},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT"},
        {"type": "text", "text": "Let me check."},
        {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}},
    ],
    "stop_reason": "tool_use", "stop_sequence": None,
    "usage": {"input_tokens": 120, "output_tokens": 80, "cache_read_input_tokens": 1000,
              "cache_creation_input_tokens": 50},
}


def event(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


STREAM = b"".join([
    event("message_start", {"type": "message_start", "message": {
        "id": "msg_02", "type": "message", "role": "assistant", "model": SONNET, "content": [],
        "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 30, "output_tokens": 1, "cache_read_input_tokens": 10,
                  "cache_creation_input_tokens": 0}}}),
    event("content_block_start", {"type": "content_block_start", "index": 0,
                                  "content_block": {"type": "thinking", "thinking": "", "signature": ""}}),
    event("ping", {"type": "ping"}),
    event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                  "delta": {"type": "thinking_delta", "thinking": "I need the "}}),
    event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                  "delta": {"type": "thinking_delta", "thinking": "weather tool. é"}}),
    event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                  "delta": {"type": "signature_delta", "signature": SIG}}),
    event("content_block_stop", {"type": "content_block_stop", "index": 0}),
    event("content_block_start", {"type": "content_block_start", "index": 1,
                                  "content_block": {"type": "text", "text": ""}}),
    event("content_block_delta", {"type": "content_block_delta", "index": 1,
                                  "delta": {"type": "text_delta", "text": "Checking Paris."}}),
    event("content_block_stop", {"type": "content_block_stop", "index": 1}),
    event("content_block_start", {"type": "content_block_start", "index": 2, "content_block": {
        "type": "tool_use", "id": "toolu_02", "name": "get_weather", "input": {}}}),
    event("content_block_delta", {"type": "content_block_delta", "index": 2,
                                  "delta": {"type": "input_json_delta", "partial_json": ""}}),
    event("content_block_delta", {"type": "content_block_delta", "index": 2,
                                  "delta": {"type": "input_json_delta", "partial_json": "{\"city\": \"Pa"}}),
    event("content_block_delta", {"type": "content_block_delta", "index": 2,
                                  "delta": {"type": "input_json_delta", "partial_json": "ris\"}"}}),
    event("content_block_stop", {"type": "content_block_stop", "index": 2}),
    event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                            "usage": {"output_tokens": 89}}),
    event("message_stop", {"type": "message_stop"}),
])


def capture(answer, *, status=200, headers=None):
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if isinstance(answer, bytes):
            return httpx.Response(status, content=answer, headers={"content-type": "text/event-stream",
                                                                  **(headers or {})})
        return httpx.Response(status, json=answer, headers=headers or {})

    return httpx.MockTransport(handler), sent


def anthropic(answer, **kwargs):
    transport, sent = capture(answer, **kwargs)
    return Anthropic("sk-ant-test-key", transport=transport, retry=RetryPolicy(max_retries=0)), sent


# ------------------------------------------------------------------------------------------ encoding


def test_request_shape_system_media_tools_and_choice():
    request = Request(
        model=SONNET,
        messages=(Message.system("Be brief."), Message.system("Answer in English."),
                  Message.user("What is this?", ImagePart(data=b"\x89PNG\r\n\x1a\nxx"), DocumentPart(url="https://x/a.pdf")),
                  Message.assistant("A picture."), Message.user("And the weather?")),
        sampling=Sampling(temperature=0.2, top_k=5, max_tokens=300, stop=("END",)),
        tools=(GenericClient("m", tools=[get_weather]).tools[0],),
        tool_choice="get_weather",
    )
    call = Anthropic("k").prepare(request).call
    assert call.url == "https://api.anthropic.com/v1/messages"
    body = call.body
    assert body["model"] == SONNET
    assert body["system"] == "Be brief.\n\nAnswer in English."
    assert body["max_tokens"] == 300
    assert body["temperature"] == 0.2
    assert body["top_k"] == 5
    assert body["stop_sequences"] == ["END"]
    user = body["messages"][0]
    assert user["role"] == "user"
    assert user["content"][0] == {"type": "text", "text": "What is this?"}
    assert user["content"][1]["type"] == "image"
    assert user["content"][1]["source"]["type"] == "base64"
    assert user["content"][1]["source"]["media_type"] == "image/png"
    assert user["content"][2] == {"type": "document", "source": {"type": "url", "url": "https://x/a.pdf"}}
    assert body["messages"][1] == {"role": "assistant", "content": [{"type": "text", "text": "A picture."}]}
    tool = body["tools"][0]
    assert set(tool) == {"name", "description", "input_schema"}
    assert tool["input_schema"]["properties"]["city"]["type"] == "string"
    assert body["tool_choice"] == {"type": "tool", "name": "get_weather"}
    assert "stream" not in body


def test_auth_headers_and_default_max_tokens():
    transport, sent = capture(ANSWER)
    client = ClaudeClient("sonnet-4.5", provider=Anthropic("sk-ant-xyz", transport=transport))
    client.complete("hi")
    req = sent[0]
    assert req.headers["x-api-key"] == "sk-ant-xyz"
    assert req.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in req.headers
    assert json.loads(req.content)["max_tokens"] == messages.DEFAULT_MAX_TOKENS


@pytest.mark.parametrize(("choice", "wire"), [("auto", {"type": "auto"}), ("required", {"type": "any"}),
                                          ("none", {"type": "none"})])
def test_tool_choice_spellings(choice, wire):
    req = GenericClient(SONNET).prepare("hi", tools=[get_weather], tool_choice=choice)
    assert Anthropic("k").prepare(req).call.body["tool_choice"] == wire


@pytest.mark.parametrize(("plan", "fields"), [
    (ThinkingPlan(budget=2048), {"thinking": {"type": "enabled", "budget_tokens": 2048}}),
    (ThinkingPlan(), {"thinking": {"type": "adaptive"}}),
    (ThinkingPlan(effort="high"), {"thinking": {"type": "adaptive"}, "output_config": {"effort": "high"}}),
    (ThinkingPlan(enabled=False, include_reasoning=False), {"thinking": {"type": "disabled"}}),
])
def test_thinking_fields(plan, fields):
    body = Anthropic("k").prepare(Request(model=SONNET, messages=(Message.user("hi"),), thinking=plan,
                                          sampling=Sampling(max_tokens=8000))).call.body
    assert {k: body[k] for k in fields} == fields


def test_budget_must_be_at_least_1024_and_below_max_tokens():
    with pytest.raises(UnsupportedFeature, match="at least 1024"):
        Anthropic("k").prepare(Request(model=SONNET, messages=(Message.user("hi"),), thinking=ThinkingPlan(budget=512)))
    with pytest.raises(UnsupportedFeature, match="below max_tokens"):
        Anthropic("k").prepare(Request(model=SONNET, messages=(Message.user("hi"),),
                                       thinking=ThinkingPlan(budget=4096), sampling=Sampling(max_tokens=4096)))


def test_forced_tool_is_refused_while_thinking():
    req = Request(model=SONNET, messages=(Message.user("hi"),), thinking=ThinkingPlan(budget=2048),
                  sampling=Sampling(max_tokens=8000), tools=GenericClient("m", tools=[get_weather]).tools,
                  tool_choice="required")
    with pytest.raises(UnsupportedFeature, match="auto or none"):
        Anthropic("k").prepare(req)


def test_unsupported_sampling_is_refused():
    with pytest.raises(UnsupportedFeature, match="seed"):
        Anthropic("k").prepare(Request(model=SONNET, messages=(Message.user("hi"),), sampling=Sampling(seed=1)))


def test_signed_thinking_goes_back_unchanged_and_only_to_its_own_host():
    call = ToolCall(id="toolu_01", name="get_weather", arguments={"city": "Paris"})
    history = (
        Message.user("Weather in Paris?"),
        Message(role="assistant", parts=(
            ReasoningPart(text="The user wants the weather.", signature=SIG, source="anthropic"),
            ReasoningPart(redacted="EmwKAhgB", source="anthropic"),
            ReasoningPart(text="thoughts from another host", source="openrouter"),
            TextPart(text=""), call)),
        Message.tool(call, "Sunny"),
        Message.tool(ToolCall(id="toolu_02", name="get_time"), "noon"),
        Message.user("Thanks. And tomorrow?"),
    )
    body = Anthropic("k").prepare(Request(model=SONNET, messages=history)).call.body
    assistant = body["messages"][1]
    assert assistant["content"] == [
        {"type": "thinking", "thinking": "The user wants the weather.", "signature": SIG},
        {"type": "redacted_thinking", "data": "EmwKAhgB"},
        {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}},
    ]
    # tool results (and the next user text) share one user turn, as the Messages API wants turns to alternate
    user = body["messages"][2]
    assert [b["type"] for b in user["content"]] == ["tool_result", "tool_result", "text"]
    assert user["content"][0] == {"type": "tool_result", "tool_use_id": "toolu_01", "content": "Sunny"}
    assert len(body["messages"]) == 3
    # the same history sent to Vertex keeps none of Anthropic's signed blocks
    vertex = Vertex("p", "us-east5", access_token="t").prepare(
        Request(model=SONNET, messages=history)).call.body
    assert [b["type"] for b in vertex["messages"][1]["content"]] == ["tool_use"]


def test_tool_error_results_and_images_from_tools():
    call = ToolCall(id="toolu_9", name="shot")
    msg = Message.tool(call, "failed", is_error=True, parts=[ImagePart(url="https://x/p.png")])
    body = Anthropic("k").prepare(Request(model=SONNET, messages=(Message.user("go"), Message.assistant(
        parts=[call]), msg))).call.body
    block = body["messages"][2]["content"][0]
    assert block["is_error"] is True
    assert block["content"] == [{"type": "text", "text": "failed"},
                                {"type": "image", "source": {"type": "url", "url": "https://x/p.png"}}]


# ------------------------------------------------------------------------------------------ decoding


def test_decode_thinking_redacted_text_tool_use_and_cache_usage():
    provider, _ = anthropic(ANSWER, headers={"request-id": "req_011"})
    done = ClaudeClient("sonnet-4.5", provider=provider).complete("Weather in Paris?")
    assert [p.type for p in done.parts] == ["reasoning", "reasoning", "text", "tool_call"]
    thinking, redacted = done.parts[0], done.parts[1]
    assert (thinking.text, thinking.signature, thinking.source) == ("The user wants the weather.", SIG, "anthropic")
    assert (redacted.redacted, redacted.text) == ("EmwKAhgBEgy3va3pzix/LafPsn4aDFIT", "")
    assert done.tool_calls[0].arguments == {"city": "Paris"}
    assert done.finish_reason == "tool_calls"
    assert done.native_finish_reason == "tool_use"
    assert done.usage.input_tokens == 1170
    assert done.usage.output_tokens == 80
    assert done.usage.cached_input_tokens == 1000
    assert done.usage.cache_write_tokens == 50
    assert done.request_id == "req_011"
    assert done.served_model == SONNET
    assert done.response_id == "msg_01"


@pytest.mark.parametrize(("stop", "finish"), [("end_turn", "stop"), ("max_tokens", "length"),
                                          ("stop_sequence", "stop"), ("pause_turn", "other")])
def test_stop_reasons(stop, finish):
    provider, _ = anthropic({**ANSWER, "content": [{"type": "text", "text": "ok"}], "stop_reason": stop})
    assert GenericClient(SONNET, provider=provider).complete("hi").finish_reason == finish


def test_refusal_with_nothing_said_is_content_blocked():
    from rehost.errors import ContentBlocked

    provider, _ = anthropic({**ANSWER, "content": [], "stop_reason": "refusal"})
    with pytest.raises(ContentBlocked):
        GenericClient(SONNET, provider=provider).complete("hi")


def test_stream_with_thinking_text_and_tool_use():
    provider, sent = anthropic(STREAM)
    stream = ClaudeClient("sonnet-4.5", provider=provider, thinking=2048).stream("Weather in Paris?")
    events = list(stream)
    done = stream.final()
    assert json.loads(sent[0].content)["stream"] is True
    assert [e.text for e in events if isinstance(e, ReasoningDelta)] == ["I need the ", "weather tool. é"]
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Checking Paris."]
    tool_events = [e for e in events if isinstance(e, ToolCallDelta)]
    assert (tool_events[0].id, tool_events[0].name) == ("toolu_02", "get_weather")
    assert "".join(e.arguments for e in tool_events) == '{"city": "Paris"}'
    assert done.parts[0].signature == SIG
    assert done.parts[0].text == "I need the weather tool. é"
    assert done.text == "Checking Paris."
    assert done.tool_calls[0].arguments == {"city": "Paris"}
    assert done.finish_reason == "tool_calls"
    assert done.usage.input_tokens == 40
    assert done.usage.output_tokens == 89
    assert done.usage.cached_input_tokens == 10


def _decode_in_pieces(pieces):
    from rehost.providers.dialects.common import CallInfo
    from rehost.shared.sse import SSEDecoder

    info = CallInfo(host="anthropic", model=SONNET, host_model_id=SONNET)
    state = messages.MessagesStream(info, AssertionError)
    decoder = SSEDecoder()
    for piece in pieces:
        for ev in decoder.feed(piece):
            state.on_event(ev)
    for ev in decoder.close():
        state.on_event(ev)
    assert state.finished
    done = state.completion()
    return [(p.type, getattr(p, "text", None), getattr(p, "signature", None), getattr(p, "arguments", None))
            for p in done.parts], done.finish_reason


WHOLE = _decode_in_pieces([STREAM])


def test_stream_split_at_every_byte_offset():
    for cut in range(1, len(STREAM)):
        assert _decode_in_pieces([STREAM[:cut], STREAM[cut:]]) == WHOLE, cut


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_stream_any_chunking(data):
    cuts = sorted(data.draw(st.sets(st.integers(1, len(STREAM) - 1), max_size=40)))
    pieces = [STREAM[a:b] for a, b in zip([0, *cuts], [*cuts, len(STREAM)], strict=True)]
    assert _decode_in_pieces(pieces) == WHOLE


def test_stream_without_message_stop_is_truncated():
    from rehost.errors import ProtocolError

    provider, _ = anthropic(STREAM.rsplit(b"event: message_stop", 1)[0])
    with pytest.raises(ProtocolError, match="truncated"):
        list(GenericClient(SONNET, provider=provider).stream("hi"))


def test_error_event_inside_a_200_stream():
    body = b"\n\n".join(STREAM.split(b"\n\n")[:3]) + b"\n\n" + event(
        "error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    provider, _ = anthropic(body)
    with pytest.raises(Overloaded, match="Overloaded"):
        list(GenericClient(SONNET, provider=provider).stream("hi"))


# ------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(("status", "etype", "message", "cls"), [
    (400, "invalid_request_error", "max_tokens: Field required", InvalidRequest),
    (400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum", ContextWindowExceeded),
    (401, "authentication_error", "invalid x-api-key", AuthenticationError),
    (402, "billing_error", "Your credit balance is too low", PaymentRequired),
    (403, "permission_error", "no access", PermissionDenied),
    (404, "not_found_error", "model: claude-x", ModelNotFound),
    (413, "request_too_large", "Request exceeds the maximum allowed number of bytes.", InvalidRequest),
    (429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", RateLimited),
    (500, "api_error", "Internal server error", ServerError),
    (529, "overloaded_error", "Overloaded", Overloaded),
])
def test_error_bodies(status, etype, message, cls):
    body = {"type": "error", "error": {"type": etype, "message": message}, "request_id": "req_body"}
    provider, _ = anthropic(body, status=status, headers={"retry-after": "7"} if status == 429 else None)
    with pytest.raises(cls) as caught:
        GenericClient(SONNET, provider=provider).complete("hi")
    err = caught.value
    assert type(err) is cls
    assert (err.status, err.code, err.message) == (status, etype, message)
    assert err.request_id == "req_body"
    if status == 429:
        assert err.retry_after == 7
    assert "sk-ant-test-key" not in str(err) + (err.body or "")


def test_529_is_retried():
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(529, json={"type": "error", "error": {"type": "overloaded_error",
                                                                       "message": "Overloaded"}})
        return httpx.Response(200, json={**ANSWER, "content": [{"type": "text", "text": "ok"}],
                                         "stop_reason": "end_turn"})

    provider = Anthropic("k", transport=httpx.MockTransport(handler),
                         retry=RetryPolicy(max_retries=2, initial_delay=0.0, max_delay=0.0))
    assert GenericClient(SONNET, provider=provider).complete("hi").text == "ok"
    assert len(calls) == 2


def test_request_id_header_when_the_body_has_none():
    provider, _ = anthropic({"type": "error", "error": {"type": "api_error", "message": "boom"}}, status=500,
                            headers={"request-id": "req_hdr"})
    with pytest.raises(ServerError) as caught:
        GenericClient(SONNET, provider=provider).complete("hi")
    assert caught.value.request_id == "req_hdr"


# ------------------------------------------------------------------------------------------ over a real socket


def exchange(target: str, body: dict | bytes) -> Interaction:
    if isinstance(body, bytes):
        return Interaction("POST", "", target, None, 200, {"content-type": ["text/event-stream"]}, body)
    return Interaction("POST", "", target, None, 200, {"content-type": ["application/json"]},
                       json.dumps(body).encode())


FINAL = {**ANSWER, "id": "msg_03", "content": [{"type": "text", "text": "It is sunny in Paris."}],
         "stop_reason": "end_turn", "usage": {"input_tokens": 200, "output_tokens": 9}}


def test_tool_loop_sends_signed_thinking_back_over_a_socket():
    with ReplayServer([exchange("/v1/messages", ANSWER), exchange("/v1/messages", FINAL)]) as server:
        client = ClaudeClient("sonnet-4.5", provider=Anthropic("k", base_url=server.url + "/v1"), thinking=2048)
        result = client.run("What's the weather in Paris?", tools=[get_weather])
    assert result.text == "It is sunny in Paris."
    assert result.turns == 2
    first, second = (r.json() for r in server.received)
    assert first["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert first["max_tokens"] == 2048 + 4096
    assert server.received[0].headers["anthropic-version"] == "2023-06-01"
    assistant, results = second["messages"][1:3]
    assert assistant["content"] == ANSWER["content"]  # every block back exactly as received, signatures included
    assert results == {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_01", "content": "Sunny, 22C in Paris"}]}


def test_streamed_tool_loop_over_a_socket():
    with ReplayServer([exchange("/v1/messages", STREAM)], chunk_size=7) as server:
        client = ClaudeClient("sonnet-4.5", provider=Anthropic("k", base_url=server.url + "/v1"))
        done = client.stream("Weather?", tools=[get_weather]).final()
    assert done.tool_calls[0].arguments == {"city": "Paris"}
    assert done.parts[0].signature == SIG


class City(BaseModel):
    city: str
    country: str


def test_structured_output_by_forced_tool():
    answer = {**ANSWER, "content": [{"type": "tool_use", "id": "toolu_5", "name": "City",
                                     "input": {"city": "Mexico City", "country": "Mexico"}}]}
    with ReplayServer([exchange("/v1/messages", answer)]) as server:
        client = ClaudeClient("haiku-4.5", provider=Anthropic("k", base_url=server.url + "/v1"))
        value = client.complete("Largest city in Mexico?", output=City)
    assert value == City(city="Mexico City", country="Mexico")
    body = server.received[0].json()
    assert body["tool_choice"] == {"type": "tool", "name": "City"}
    assert body["tools"][0]["name"] == "City"
    assert "output_config" not in body


def test_structured_output_while_thinking_uses_the_native_format():
    answer = {**ANSWER, "content": [{"type": "thinking", "thinking": "Mexico.", "signature": SIG},
                                    {"type": "text", "text": '{"city": "Mexico City", "country": "Mexico"}'}],
              "stop_reason": "end_turn"}
    transport, sent = capture(answer)
    client = ClaudeClient("sonnet-4.5", provider=Anthropic("k", transport=transport), thinking=True)
    assert client.complete("Largest city in Mexico?", output=City).city == "Mexico City"
    body = json.loads(sent[0].content)
    fmt = body["output_config"]["format"]
    assert fmt["type"] == "json_schema"
    assert fmt["schema"]["additionalProperties"] is False
    assert fmt["schema"]["required"] == ["city", "country"]
    assert "tool_choice" not in body


# ------------------------------------------------------------------------------------------ Claude on Vertex


def test_claude_on_vertex_raw_predict_shape():
    target = ("/v1beta1/projects/p/locations/us-east5/publishers/anthropic/models/"
              "claude-sonnet-4-5@20250929:rawPredict")
    with ReplayServer([exchange(target, ANSWER), exchange(target, FINAL)]) as server:
        provider = Vertex("p", "us-east5", access_token="ya29.token", base_url=server.url)
        result = ClaudeClient("sonnet-4.5", provider=provider, thinking=2048).run("Weather?", tools=[get_weather])
    assert result.text == "It is sunny in Paris."
    first = server.received[0]
    body = first.json()
    assert "model" not in body
    assert body["anthropic_version"] == "vertex-2023-10-16"
    assert first.headers["authorization"] == "Bearer ya29.token"
    assert "x-api-key" not in first.headers
    # the signed blocks Vertex returned go back to Vertex
    assert server.received[1].json()["messages"][1]["content"][0]["signature"] == SIG


def test_claude_on_vertex_streams_with_stream_raw_predict():
    target = ("/v1beta1/projects/p/locations/global/publishers/anthropic/models/"
              "claude-sonnet-4-5@20250929:streamRawPredict")
    with ReplayServer([exchange(target, STREAM)]) as server:
        provider = Vertex("p", "global", access_token="t", base_url=server.url)
        done = ClaudeClient("sonnet-4.5", provider=provider).stream("hi").final()
    assert done.text == "Checking Paris."
    assert server.received[0].json()["stream"] is True


def test_vertex_maps_anthropic_and_google_error_shapes():
    vertex = Vertex("p", "us-east5", access_token="t")
    err = vertex.error_from_body(529, {}, {"type": "error", "error": {"type": "overloaded_error", "message": "x"}})
    assert isinstance(err, Overloaded)
    err = vertex.error_from_body(429, {}, {"error": {"code": 429, "message": "Resource exhausted",
                                                     "status": "RESOURCE_EXHAUSTED"}})
    assert isinstance(err, RateLimited)


def test_claude_on_vertex_refuses_native_structured_output():
    request = ClaudeClient("sonnet-4.5").prepare("x", output=City, output_mode="native")
    with pytest.raises(UnsupportedFeature, match="tool, prompt"):
        Vertex("p", "us-east5", access_token="t").prepare(request)


def test_hidden_thinking_is_refused_since_signed_blocks_must_go_back():
    request = ClaudeClient("sonnet-4.5").prepare("hi", thinking=Thinking(budget=2048, include=False))
    with pytest.raises(UnsupportedFeature, match="include=True"):
        Anthropic("k").prepare(request)


def test_structured_output_while_thinking_on_vertex_goes_in_the_prompt():
    request = ClaudeClient("sonnet-4.5").prepare("Largest city in Mexico?", output=City, thinking=2048)
    body = Vertex("p", "us-east5", access_token="t").prepare(request).call.body
    assert "tool_choice" not in body
    assert "Reply with a single JSON object" in body["messages"][-1]["content"][-1]["text"]
