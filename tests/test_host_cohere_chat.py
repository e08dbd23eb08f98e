"""Cohere v2 chat (HOSTS-MORE §4): ``/v2/chat`` through the ``Cohere`` host, the family's thinking rules in
``CohereClient`` (Command A Reasoning: on by default, off, or a token budget; the others do not think), the
request (messages, tools, tool_choice, response_format, ``k`` / ``p``), the answer (thinking blocks, tool
calls with their plan, citations, cached tokens), every documented SSE event type, errors and the key."""

from __future__ import annotations

import json

import pytest

import rehost
from rehost import Cohere, CohereClient, Message, Thinking, Tool
from rehost.errors import (
    AuthenticationError,
    ContextWindowExceeded,
    InvalidRequest,
    RateLimited,
    ServerError,
    UnsupportedFeature,
)
from rehost.shared.output import Output
from rehost.shared.request import Request
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import ReasoningPart, TextPart, ToolCall, ToolResult
from rehost.testing.emulator import Emulator

from .servers import ScriptedServer

NO_RETRY = RetryPolicy(max_retries=0)
WEATHER = Tool(name="weather", description="The weather in a city",
               parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})


def _sent(emu: Emulator) -> dict:
    return emu.requests[-1].json()


def test_it_is_known_everywhere_by_one_row():
    assert rehost._registry.HOSTS["cohere"].kinds == frozenset({"chat", "embed"})
    client = rehost.client("cohere/command-a-reasoning-08-2025", provider_options={"api_key": "k"})
    assert isinstance(client, CohereClient)
    assert isinstance(client.provider, Cohere)
    assert rehost.catalog().host_entry("command-r7b-12-2024", "cohere").id == "command-r7b-12-2024"


@pytest.mark.parametrize(("model", "thinking", "field"), [
    ("command-a-reasoning-08-2025", None, None),  # on by default: nothing to send
    ("command-a-reasoning-08-2025", Thinking(), {"type": "enabled"}),
    ("command-a-reasoning-08-2025", Thinking(enabled=False), {"type": "disabled"}),
    ("command-a-reasoning-08-2025", Thinking(budget=2048), {"type": "enabled", "token_budget": 2048}),
    ("command-r7b-12-2024", None, None),
    ("command-r7b-12-2024", Thinking(enabled=False), None),
])
def test_the_thinking_encoding_table(model, thinking, field):
    with Emulator() as emu:
        client = rehost.client(f"cohere/{model}", bound_to=emu.provider("cohere"))
        client.complete("hi", thinking=thinking)
        assert _sent(emu).get("thinking") == field


@pytest.mark.parametrize(("model", "thinking", "match"), [
    ("command-a-reasoning-08-2025", Thinking(effort="high"), "effort"),
    ("command-a-reasoning-08-2025", Thinking(budget=40_000), "budget"),
    ("command-r7b-12-2024", Thinking(), "does not think"),
    ("command-a-03-2025", Thinking(budget=1024), "does not think|budget"),
])
def test_a_thinking_setting_the_model_rejects_is_refused_before_the_network(model, thinking, match):
    with Emulator() as emu:
        client = rehost.client(f"cohere/{model}", bound_to=emu.provider("cohere"))
        with pytest.raises(UnsupportedFeature, match=match):
            client.complete("hi", thinking=thinking)
        assert emu.requests == []


def test_the_host_refuses_an_effort_a_generic_caller_passes():
    with pytest.raises(UnsupportedFeature, match="token_budget"):
        Cohere("k").prepare(Request(model="m", host_model_id="m", messages=(Message.user("hi"),),
                                    thinking=rehost.shared.request.ThinkingPlan(effort="high")))


def test_the_request_spells_sampling_tools_and_a_past_turn_as_cohere_does():
    history = (
        Message.system("Be brief."),
        Message.user("Weather in Paris?"),
        Message(role="assistant", parts=(
            ReasoningPart(text="I will look it up.", source="cohere", details=({"type": "tool_plan"},)),
            ReasoningPart(text="The user wants weather.", source="cohere"),
            ReasoningPart(text="another host's thought", source="openai"),
            ToolCall(id="weather_1", name="weather", arguments={"city": "Paris"}),
        )),
        Message(role="tool", parts=(ToolResult(call_id="weather_1", name="weather", content="sunny"),)),
    )
    request = Request(model="m", host_model_id="command-a-03-2025", messages=history, tools=(WEATHER,),
                      tool_choice="required", sampling=rehost.shared.chat.sampling.Sampling(
                          temperature=0.3, top_p=0.75, top_k=5, max_tokens=100, stop=("END",), seed=1))
    body = Cohere("k").prepare(request).call.body
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "The user wants weather."}],
         "tool_calls": [{"id": "weather_1", "type": "function",
                         "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}],
         "tool_plan": "I will look it up."},
        {"role": "tool", "tool_call_id": "weather_1", "content": "sunny"},
    ]
    assert body["tool_choice"] == "REQUIRED"
    assert body["tools"][0] == {"type": "function", "function": {
        "name": "weather", "description": "The weather in a city", "parameters": WEATHER.parameters}}
    assert {k: body[k] for k in ("temperature", "p", "k", "max_tokens", "stop_sequences", "seed")} == {
        "temperature": 0.3, "p": 0.75, "k": 5, "max_tokens": 100, "stop_sequences": ["END"], "seed": 1}
    assert "top_p" not in body


def test_bad_input_is_refused_before_the_network():
    with Emulator() as emu:
        client = rehost.client("cohere/command-a-03-2025", bound_to=emu.provider("cohere"))
        other = Tool(name="time", parameters={"type": "object", "properties": {}})
        with pytest.raises(UnsupportedFeature, match="REQUIRED or NONE"):
            client.complete("hi", tools=[WEATHER, other], tool_choice="weather")
        with pytest.raises(UnsupportedFeature, match="response_format with tools"):
            client.complete("hi", tools=[WEATHER], output=Output(schema={"type": "object", "properties": {}},
                                                                 name="answer"), output_mode="native")
        with pytest.raises(UnsupportedFeature, match="image"):
            client.complete(Message.user("look", rehost.ImagePart(url="https://example.com/a.png")))
        assert emu.requests == []


def test_structured_output_travels_as_response_format():
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    with Emulator() as emu:
        emu.script("cohere", text='{"city": "Paris"}')
        client = rehost.client("cohere/command-a-03-2025", bound_to=emu.provider("cohere"))
        done = client.complete("hi", output=Output(schema=schema, name="place"))
        assert _sent(emu)["response_format"] == {"type": "json_object", "json_schema": schema}
    assert done == {"city": "Paris"}  # complete(output=...) gives the validated value


ANSWER = {
    "id": "a1", "finish_reason": "COMPLETE",
    "message": {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "Paris is the capital."},
        {"type": "text", "text": "The capital of France is Paris."}],
        "citations": [{"start": 25, "end": 30, "text": "Paris", "type": "TEXT_CONTENT",
                       "sources": [{"type": "document", "id": "doc:0", "document": {"title": "France"}}]}]},
    "usage": {"billed_units": {"input_tokens": 10.0, "output_tokens": 8.0},
              "tokens": {"input_tokens": 500.0, "output_tokens": 20.0}, "cached_tokens": 448.0},
}


def test_an_answer_keeps_thinking_blocks_citations_and_cached_tokens():
    with ScriptedServer(lambda h: h.send_json(200, ANSWER)) as server:
        done = Cohere("k", base_url=server.url, retry=NO_RETRY).send(
            Request(model="m", host_model_id="command-a-reasoning-08-2025", messages=(Message.user("hi"),)))
    assert done.reasoning == "Paris is the capital."
    assert done.text == "The capital of France is Paris."
    assert [p.type for p in done.parts] == ["reasoning", "text"]
    assert done.citations[0].text == "Paris"
    assert (done.citations[0].start, done.citations[0].end) == (25, 30)
    assert done.citations[0].sources[0]["id"] == "doc:0"
    assert done.usage.input_tokens == 500
    assert done.usage.output_tokens == 20
    assert done.usage.cached_input_tokens == 448
    assert done.response_id == "a1"


def _sse(*events: dict) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


STREAM = _sse(
    {"type": "message-start", "id": "s1", "delta": {"message": {"role": "assistant", "content": [], "tool_plan": "",
                                                                "tool_calls": [], "citations": []}}},
    {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "thinking", "thinking": ""}}}},
    {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"thinking": "Look it "}}}},
    {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"thinking": "up."}}}},
    {"type": "content-end", "index": 0},
    {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will call weather."}}},
    {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {
        "id": "weather_9", "type": "function", "function": {"name": "weather", "arguments": ""}}}}},
    {"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {"function": {"arguments": '{"ci'}}}}},
    {"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {"function": {
        "arguments": 'ty": "Paris"}'}}}}},
    {"type": "tool-call-end", "index": 0},
    {"type": "content-start", "index": 1, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
    {"type": "content-delta", "index": 1, "delta": {"message": {"content": {"text": "Checking Paris."}}}},
    {"type": "content-end", "index": 1},
    {"type": "citation-start", "index": 0, "delta": {"message": {"citations": {
        "start": 9, "end": 14, "text": "Paris", "sources": [{"type": "tool", "id": "weather_9:0"}]}}}},
    {"type": "citation-end", "index": 0},
    {"type": "debug", "prompt": "..."},
    {"type": "message-end", "delta": {"finish_reason": "TOOL_CALL", "usage": {
        "billed_units": {"input_tokens": 3, "output_tokens": 9}, "tokens": {"input_tokens": 40, "output_tokens": 12},
        "cached_tokens": 32}}},
)


def _stream_script(handler) -> None:
    handler.start_stream()
    for i in range(0, len(STREAM), 11):  # cut anywhere, as a network does
        handler.write_chunk(STREAM[i:i + 11])
    handler.end_stream()


def test_a_stream_reads_every_documented_event_type():
    with ScriptedServer(_stream_script) as server:
        host = Cohere("k", base_url=server.url, retry=NO_RETRY)
        events = list(host.stream(Request(model="m", host_model_id="command-a-reasoning-08-2025",
                                          messages=(Message.user("hi"),), tools=(WEATHER,), stream=True)))
        sent = json.loads(server.requests[-1][1])
    done = events[-1].completion
    assert sent["stream"] is True
    assert done.reasoning == "I will call weather.Look it up."
    assert "".join(e.text for e in events if isinstance(e, rehost.ReasoningDelta)) == (
        "Look it up.I will call weather.")  # as streamed; the Completion puts the plan first, as a whole answer does
    assert done.text == "Checking Paris."
    assert [(c.id, c.name, c.arguments) for c in done.tool_calls] == [("weather_9", "weather", {"city": "Paris"})]
    assert done.finish_reason == "tool_calls"
    assert done.citations[0].text == "Paris"
    assert done.usage.cached_input_tokens == 32
    assert done.response_id == "s1"
    plan = [p for p in done.parts if isinstance(p, ReasoningPart) and p.details]
    assert plan[0].details == ({"type": "tool_plan"},)
    assert isinstance(done.parts[-1], ToolCall)
    assert not any(isinstance(p, TextPart) and not p.text for p in done.parts)


@pytest.mark.parametrize(("fault", "error"), [("400", InvalidRequest), ("401", AuthenticationError),
                                              ("429", RateLimited), ("500", ServerError)])
def test_host_errors_map_to_typed_exceptions(fault, error):
    with Emulator() as emu:
        emu.script("cohere", fault=fault)
        with pytest.raises(error) as caught:
            emu.provider("cohere", retry=NO_RETRY).send(
                Request(model="m", host_model_id="command-r7b-12-2024", messages=(Message.user("hi"),)))
    assert caught.value.host == "cohere"
    assert caught.value.request_id == "err-emu"
    assert "emulator-key" not in str(caught.value)


def test_an_error_at_the_end_of_a_stream_is_raised_typed():
    with Emulator() as emu:
        emu.script("cohere", fault="inband_error")
        with pytest.raises(rehost.errors.HostError, match="emulated internal error"):
            list(emu.provider("cohere", retry=NO_RETRY).stream(
                Request(model="m", host_model_id="command-r7b-12-2024", messages=(Message.user("hi"),), stream=True)))


@pytest.mark.parametrize(("status", "message", "error"), [
    (498, "invalid api token", AuthenticationError),
    (400, "too many tokens: total number of tokens in the prompt cannot exceed 4096", ContextWindowExceeded),
])
def test_cohere_own_codes_and_messages(status, message, error):
    with ScriptedServer(lambda h: h.send_json(status, {"id": "e1", "message": message})) as server, \
            pytest.raises(error) as caught:
        Cohere("co-key-0123456789", base_url=server.url, retry=NO_RETRY).send(
            Request(model="m", host_model_id="command-r7b-12-2024", messages=(Message.user("hi"),)))
    assert caught.value.request_id == "e1"
    assert "co-key-0123456789" not in str(caught.value)


def test_the_key_comes_from_cohere_api_key_or_co_api_key_and_is_never_shown(monkeypatch):
    monkeypatch.delenv("COHERE_API_KEY", raising=False)
    monkeypatch.setenv("CO_API_KEY", "co-secret-0123456789")
    host = Cohere()
    assert host.auth_headers() == {"Authorization": "Bearer co-secret-0123456789"}
    assert "co-secret" not in repr(host)
    monkeypatch.setenv("COHERE_API_KEY", "cohere-secret-0123456789")
    assert Cohere().auth_headers() == {"Authorization": "Bearer cohere-secret-0123456789"}
    monkeypatch.delenv("COHERE_API_KEY")
    monkeypatch.delenv("CO_API_KEY")
    with pytest.raises(rehost.errors.MissingAPIKey):
        Cohere().send(Request(model="m", host_model_id="command-r7b-12-2024", messages=(Message.user("hi"),)))


def test_strict_tools_and_tool_choice_none():
    strict = Tool(name="weather", parameters=WEATHER.parameters, strict=True)
    body = Cohere("k").prepare(Request(model="m", host_model_id="command-a-03-2025", messages=(Message.user("hi"),),
                                       tools=(strict,), tool_choice="none")).call.body
    assert body["strict_tools"] is True
    assert body["tool_choice"] == "NONE"
    auto = Cohere("k").prepare(Request(model="m", host_model_id="command-a-03-2025", messages=(Message.user("hi"),),
                                       tools=(WEATHER,), tool_choice="auto")).call.body
    assert "tool_choice" not in auto  # auto is Cohere's default: left out
    assert "strict_tools" not in auto


def test_a_forced_output_tool_travels_as_required():
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    with Emulator() as emu:
        emu.script("cohere", tool_call=("place", {"city": "Paris"}))
        client = rehost.client("cohere/command-a-03-2025", bound_to=emu.provider("cohere"))
        done = client.complete("hi", output=Output(schema=schema, name="place"), output_mode="tool")
        sent = _sent(emu)
    assert sent["tool_choice"] == "REQUIRED"
    assert [t["function"]["name"] for t in sent["tools"]] == ["place"]
    assert done == {"city": "Paris"}


def test_with_tools_the_schema_goes_as_a_tool_when_no_mode_is_chosen():
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    request = Request(model="m", host_model_id="command-a-03-2025", messages=(Message.user("hi"),), tools=(WEATHER,),
                      output=Output(schema=schema, name="place"))
    body = Cohere("k").prepare(request).call.body
    assert "response_format" not in body
    assert [t["function"]["name"] for t in body["tools"]] == ["weather", "place"]
    assert body["tool_choice"] == "REQUIRED"
