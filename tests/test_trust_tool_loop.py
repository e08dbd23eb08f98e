"""The tool loop (``run`` / ``arun``): hallucinated tools and bad ``max_turns``."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from rehost import GenericClient, Groq, Tool
from rehost.clients.base import ToolLoopLimit
from rehost.errors import ConfigurationError


def _answer(message: dict) -> dict:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return {"id": "r", "choices": [{"index": 0, "message": {"role": "assistant", "content": None, **message},
                                    "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5}}


def _call(name: str, arguments: dict, call_id: str = "call_1") -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


class Script:
    """A host that answers each request with the next scripted message, and keeps the bodies it got."""

    def __init__(self, *messages: dict) -> None:
        self.messages = list(messages)
        self.bodies: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(200, json=_answer(self.messages[min(len(self.bodies), len(self.messages)) - 1]))

    def client(self) -> GenericClient:
        return GenericClient("m", provider=Groq("k", transport=httpx.MockTransport(self),
                                                async_transport=httpx.MockTransport(self)))


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


# ------------------------------------------------------------------------------------------ item 9


@pytest.mark.parametrize("asynchronous", [False, True], ids=["run", "arun"])
def test_a_call_to_a_tool_that_does_not_exist_answers_the_model(asynchronous):
    host = Script({"tool_calls": [_call("get_wether", {"city": "Paris"})]},
                  {"content": "It is sunny in Paris."})
    client = host.client()
    if asynchronous:
        result = asyncio.run(client.arun("weather?", tools=[get_weather]))
    else:
        result = client.run("weather?", tools=[get_weather])
    assert (result.turns, result.text) == (2, "It is sunny in Paris.")
    tool_turn = host.bodies[1]["messages"][-1]
    assert tool_turn["role"] == "tool"
    assert tool_turn["tool_call_id"] == "call_1"
    assert "get_wether" in tool_turn["content"]
    assert "get_weather" in tool_turn["content"]  # the tools that do exist
    assert result.messages[-2].parts[0].is_error


@pytest.mark.parametrize("asynchronous", [False, True], ids=["run", "arun"])
def test_a_model_that_keeps_calling_unknown_tools_is_stopped_by_max_turns(asynchronous):
    host = Script({"tool_calls": [_call("nope", {})]})
    client = host.client()
    with pytest.raises(ToolLoopLimit, match="3 turns"):
        if asynchronous:
            asyncio.run(client.arun("weather?", tools=[get_weather], max_turns=3))
        else:
            client.run("weather?", tools=[get_weather], max_turns=3)
    assert len(host.bodies) == 3


def test_unknown_and_known_calls_in_one_turn_are_all_answered():
    host = Script({"tool_calls": [_call("get_weather", {"city": "Oslo"}, "a"), _call("ghost", {}, "b")]},
                  {"content": "done"})
    result = host.client().run("weather?", tools=[get_weather])
    assert result.text == "done"
    answers = {m["tool_call_id"]: m["content"] for m in host.bodies[1]["messages"] if m["role"] == "tool"}
    assert answers["a"] == "sunny in Oslo"
    assert "ghost" in answers["b"]


def test_a_call_to_an_offered_tool_without_a_runner_still_goes_back_to_the_caller():
    raw = Tool(name="lookup", parameters={"type": "object", "properties": {}})
    host = Script({"tool_calls": [_call("lookup", {})]})
    result = host.client().run("look it up", tools=[raw, get_weather])
    assert result.turns == 1
    assert [c.name for c in result.completion.tool_calls] == ["lookup"]
    assert len(host.bodies) == 1


# ------------------------------------------------------------------------------------------ item 10


@pytest.mark.parametrize("max_turns", [0, -1, -10, 1.5, True, "3", None])
@pytest.mark.parametrize("asynchronous", [False, True], ids=["run", "arun"])
def test_max_turns_below_one_is_refused_before_any_request(max_turns, asynchronous):
    host = Script({"content": "hi"})
    client = host.client()
    with pytest.raises(ConfigurationError, match="max_turns"):
        if asynchronous:
            asyncio.run(client.arun("hi", tools=[get_weather], max_turns=max_turns))
        else:
            client.run("hi", tools=[get_weather], max_turns=max_turns)
    assert host.bodies == []
