"""Tools from Python (functions, pydantic models, raw schemas), the registry that runs them, and tool loops
through every host over a real loopback server."""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from rehost import (
    DeepSeek,
    DeepSeekClient,
    GeminiClient,
    GenericClient,
    Google,
    Groq,
    Mistral,
    MistralClient,
    OpenRouter,
    Together,
    Tool,
    ToolCall,
    Vertex,
)
from rehost.clients.base import ToolLoopLimit
from rehost.errors import ConfigurationError
from rehost.shared.tools import ToolRegistry, tool_from_function, tool_from_model
from rehost.testing.replay import Interaction, ReplayServer


class Unit(StrEnum):
    celsius = "c"
    fahrenheit = "f"


class Place(BaseModel):
    city: str
    country: str | None = None


def get_weather(city: str, unit: Unit = Unit.celsius, days: int = 1) -> str:
    """Get the current weather for a city.

    Args:
        city: The city name.
        unit: Temperature unit.
        days: How many days ahead,
            counting today.
    """
    return f"Sunny, 22{unit.value.upper()} in {city}"


def test_function_becomes_a_tool_with_its_docstring():
    tool, _ = tool_from_function(get_weather)
    assert tool.name == "get_weather"
    assert tool.description == "Get the current weather for a city."
    params = tool.parameters
    assert params["required"] == ["city"]
    assert params["additionalProperties"] is False
    assert params["properties"]["city"] == {"description": "The city name.", "type": "string"}
    assert params["properties"]["days"]["description"] == "How many days ahead, counting today."
    assert "title" not in json.dumps(params)
    assert params["$defs"]["Unit"]["enum"] == ["c", "f"]


def test_sphinx_docstrings_and_nested_models():
    def book(place: Place, nights: int = 1) -> str:
        """Book a hotel.

        :param place: where to stay
        :param nights: how long
        """
        return f"{place.city} x{nights}"

    tool, run = tool_from_function(book)
    assert tool.parameters["properties"]["place"]["description"] == "where to stay"
    assert run({"place": {"city": "Oslo"}, "nights": "2"}) == "Oslo x2"  # validated and coerced


def test_model_as_tool_and_raw_schema_tools():
    class Lookup(BaseModel):
        """Look a word up."""

        word: str = Field(description="the word")

    tool, run = tool_from_model(Lookup)
    assert (tool.name, tool.description) == ("Lookup", "Look a word up.")
    assert run({"word": "hi"}) == Lookup(word="hi")
    raw = Tool(name="raw", parameters={"type": "object", "properties": {"q": {"type": "string"}}})
    registry = ToolRegistry.of([raw, get_weather, Lookup, {"name": "d", "description": "", "parameters": {}}])
    assert [t.name for t in registry.tools] == ["raw", "get_weather", "Lookup", "d"]
    assert not registry.handles(ToolCall(name="raw"))  # a raw schema has no Python behind it


def test_registry_sends_bad_calls_back_as_errors_the_model_can_fix():
    registry = ToolRegistry.of([get_weather])
    ok = registry.call(ToolCall(id="1", name="get_weather", arguments={"city": "Paris", "unit": "f"}))
    assert ok.parts[0].content == "Sunny, 22F in Paris"
    bad = registry.call(ToolCall(id="2", name="get_weather", arguments={"unit": "kelvin"}))
    assert bad.parts[0].is_error
    assert "city" in bad.parts[0].content

    def boom(x: int) -> int:
        """Fails."""
        raise RuntimeError("disk full")

    failed = ToolRegistry.of([boom]).call(ToolCall(id="3", name="boom", arguments={"x": 1}))
    assert failed.parts[0].is_error
    assert "disk full" in failed.parts[0].content


def test_async_tools_run_in_arun_only():
    async def slow(x: int) -> int:
        """Doubles."""
        await asyncio.sleep(0)
        return 2 * x

    registry = ToolRegistry.of([slow])
    assert registry.call(ToolCall(name="slow", arguments={"x": 2})).parts[0].is_error
    assert asyncio.run(registry.acall(ToolCall(name="slow", arguments={"x": 2}))).parts[0].content == "4"


def test_functions_with_star_args_are_refused():
    def variadic(*items: int) -> int:
        return sum(items)

    with pytest.raises(ConfigurationError, match="args"):
        tool_from_function(variadic)


# ------------------------------------------------------------------------------------------ tool loops per host


def openai_answer(message: dict, finish: str) -> bytes:
    return json.dumps({"id": "r", "choices": [{"index": 0, "message": {"role": "assistant", **message},
                                                "finish_reason": finish}],
                       "usage": {"prompt_tokens": 10, "completion_tokens": 5}}).encode()


def gemini_answer(parts: list) -> bytes:
    return json.dumps({"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
                       "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5}}).encode()


def exchange(target: str, body: bytes) -> Interaction:
    return Interaction("POST", "", target, None, 200, {"content-type": ["application/json"]}, body)


CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}


def openai_loop(target, first_extra):
    return [exchange(target, openai_answer({"content": None, "tool_calls": [CALL], **first_extra}, "tool_calls")),
            exchange(target, openai_answer({"content": "It is sunny in Paris."}, "stop"))]


HOSTS = {
    "groq": (lambda url: Groq("k", base_url=url), "/chat/completions", {"reasoning": "I should look it up."},
             lambda p: GenericClient("openai/gpt-oss-120b", provider=p)),
    "openrouter": (lambda url: OpenRouter("k", base_url=url), "/chat/completions",
                   {"reasoning": "Look it up.", "reasoning_details": [{"type": "reasoning.text", "text": "Look it up.",
                                                                       "signature": "sig-1", "index": 0}]},
                   lambda p: GenericClient("anthropic/claude-sonnet-4.5", provider=p)),
    "deepseek": (lambda url: DeepSeek("k", base_url=url), "/chat/completions",
                 {"reasoning_content": "Need the weather tool."},
                 lambda p: DeepSeekClient("v4-flash", provider=p, thinking=True)),
    "mistral": (lambda url: Mistral("k", base_url=url), "/chat/completions", {},
                lambda p: MistralClient("large", provider=p)),
    "together": (lambda url: Together("k", base_url=url), "/chat/completions", {},
                 lambda p: DeepSeekClient("r1", provider=p)),
}


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_two_turn_tool_loop_on_openai_dialect_hosts(host):
    make, target, first_extra, make_client = HOSTS[host]
    with ReplayServer(openai_loop(target, first_extra)) as server:
        client = make_client(make(server.url))
        result = client.run("What's the weather in Paris?", tools=[get_weather])
    assert result.text == "It is sunny in Paris."
    assert result.turns == 2
    first, second = (r.json() for r in server.received)
    assert first["tools"][0]["function"]["name"] == "get_weather"
    assistant, tool = second["messages"][-2:]
    assert assistant["tool_calls"][0]["id"] == "call_1"
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert tool == {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 22C in Paris"}
    # what each family keeps of its reasoning, spelled the way each host takes it
    if host == "deepseek":
        assert assistant["reasoning_content"] == "Need the weather tool."
    elif host == "openrouter":
        assert assistant["reasoning_details"][0]["signature"] == "sig-1"
    else:
        assert not {"reasoning", "reasoning_content", "reasoning_details"} & set(assistant)
        assert "<think>" not in (assistant.get("content") or "")


@pytest.mark.parametrize("vertex", [False, True], ids=["google", "vertex"])
def test_two_turn_tool_loop_on_gemini_hosts(vertex):
    if vertex:
        target = "/v1beta1/projects/p/locations/global/publishers/google/models/gemini-3-flash-preview:generateContent"
    else:
        target = "/v1beta/models/gemini-3-flash-preview:generateContent"
    first = gemini_answer([{"text": "Plan: call the tool.", "thought": True},
                           {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                            "thoughtSignature": "c2lnbmF0dXJl"}])
    second = gemini_answer([{"text": "It is sunny in Paris."}])
    with ReplayServer([exchange(target, first), exchange(target, second)]) as server:
        provider = (Vertex("p", "global", access_token="t", base_url=server.url) if vertex
                    else Google("k", base_url=server.url + "/v1beta"))
        result = GeminiClient("3-flash-preview", provider=provider).run(
            "What's the weather in Paris?", tools=[get_weather], thinking=True)
    assert result.text == "It is sunny in Paris."
    sent = server.received[1].json()["contents"]
    assert sent[1] == {"role": "model", "parts": [
        {"text": "Plan: call the tool.", "thought": True},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "c2lnbmF0dXJl"}]}
    assert sent[2] == {"role": "user", "parts": [{"functionResponse": {
        "name": "get_weather", "response": {"result": "Sunny, 22C in Paris"}}}]}


def test_r1_history_drops_reasoning_and_v4_keeps_it_on_tool_turns():
    call = ToolCall(id="c", name="get_weather", arguments={"city": "Paris"})
    from rehost import Message, ReasoningPart, TextPart

    history = [
        Message.user("hi"),
        Message(role="assistant", parts=(ReasoningPart(text="greeting"), TextPart(text="Hello"))),
        Message.user("weather?"),
        Message(role="assistant", parts=(ReasoningPart(text="need tool"), call)),
        Message.tool(call, "sunny"),
    ]
    r1 = DeepSeekClient("r1").prepare(history)
    assert all(m.reasoning == "" for m in r1.messages)
    v4 = DeepSeekClient("v4-flash").prepare(history)
    assert [m.reasoning for m in v4.messages if m.role == "assistant"] == ["", "need tool"]
    gem = GeminiClient("2.5-flash").prepare(history)
    assert [m.reasoning for m in gem.messages if m.role == "assistant"] == ["greeting", "need tool"]


def test_run_stops_after_max_turns():
    loop = [exchange("/chat/completions", openai_answer({"content": None, "tool_calls": [CALL]}, "tool_calls"))] * 3
    with ReplayServer(loop) as server:
        client = GenericClient("m", provider=Groq("k", base_url=server.url))
        with pytest.raises(ToolLoopLimit, match="3 turns"):
            client.run("weather?", tools=[get_weather], max_turns=3)


async def test_arun_with_an_async_tool():
    async def lookup(city: str) -> str:
        """Async weather."""
        return f"cloudy in {city}"

    with ReplayServer(openai_loop("/chat/completions", {})) as server:
        client = GenericClient("m", provider=Groq("k", base_url=server.url))
        result = await client.arun("weather?", tools=[Tool(name="get_weather", parameters={}), lookup])
        # the model called get_weather, which has no runner here: the loop hands the call back
        assert result.completion.tool_calls[0].name == "get_weather"
        assert result.turns == 1


def test_tool_choice_spellings():
    from rehost.shared.request import Request

    req = GenericClient("m").prepare("hi", tools=[get_weather], tool_choice="get_weather")
    assert Groq("k").prepare(req).call.body["tool_choice"] == {"type": "function",
                                                              "function": {"name": "get_weather"}}
    g = Google("k").prepare(Request(model="m", host_model_id="g", messages=req.messages, tools=req.tools,
                                    tool_choice="required")).call.body
    assert g["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    g = Google("k").prepare(Request(model="m", host_model_id="g", messages=req.messages, tools=req.tools,
                                    tool_choice="get_weather")).call.body
    assert g["toolConfig"]["functionCallingConfig"] == {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}


def test_literal_and_enum_parameters_reach_gemini_inlined():
    def pick(kind: Literal["a", "b"], unit: Unit) -> str:
        """Pick."""
        return kind

    req = GenericClient("m").prepare("hi", tools=[pick])
    decl = Google("k").prepare(req)
    schema = decl.call.body["tools"][0]["functionDeclarations"][0]["parametersJsonSchema"]
    assert "$defs" not in json.dumps(schema)
    assert schema["properties"]["unit"]["enum"] == ["c", "f"]
    assert schema["properties"]["kind"]["enum"] == ["a", "b"]
