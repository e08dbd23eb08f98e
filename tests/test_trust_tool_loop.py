"""The tool loop (``run`` / ``arun``): hallucinated tools, bad ``max_turns``, tool results that are not JSON,
and tools that do not finish within the call's ``timeout=``."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import json
import threading
from decimal import Decimal

import httpx
import pytest

from rehost import GenericClient, Groq, Tool, ToolCall
from rehost.clients.base import ToolLoopLimit
from rehost.errors import ConfigurationError
from rehost.shared.tools import ToolRegistry, ToolResultError


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


# ------------------------------------------------------------------------------------------ item 16: results


@dataclasses.dataclass
class Reading:
    city: str
    taken: datetime.date


RESULTS = {
    "generator": (lambda: (n * n for n in range(3)), [0, 1, 4]),
    "set": (lambda: {3}, [3]),
    "tuple": (lambda: (1, "a"), [1, "a"]),
    "dataclass": (lambda: Reading("Oslo", datetime.date(2026, 1, 2)), {"city": "Oslo", "taken": "2026-01-02"}),
    "datetime": (lambda: datetime.datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05"),
    "decimal": (lambda: Decimal("1.10"), "1.10"),
    "nested": (lambda: {"xs": frozenset({1}), "at": datetime.date(2026, 1, 2)}, {"xs": [1], "at": "2026-01-02"}),
    "nan": (lambda: float("nan"), "NaN"),
}


@pytest.mark.parametrize("kind", sorted(RESULTS))
def test_tool_results_are_sent_as_json_of_what_they_hold(kind):
    make, expected = RESULTS[kind]

    def tool() -> object:
        """A tool."""
        return make()

    message = ToolRegistry.of([tool]).call(ToolCall(id="1", name="tool"))
    part = message.parts[0]
    assert not part.is_error
    assert json.loads(part.content) == expected
    assert "<generator" not in part.content
    assert "object at 0x" not in part.content


class Opaque:
    pass


@pytest.mark.parametrize("value", [Opaque(), object(), threading.Lock(), {"k": Opaque()}, [1, Opaque()],
                                   b"\xff\xfe"], ids=["class", "object", "lock", "in_dict", "in_list", "bytes"])
@pytest.mark.parametrize("asynchronous", [False, True], ids=["call", "acall"])
def test_a_tool_result_that_cannot_be_json_raises_to_the_caller(value, asynchronous):
    def tool() -> object:
        """A tool."""
        return value

    registry = ToolRegistry.of([tool])
    with pytest.raises(ToolResultError, match="tool") as caught:
        if asynchronous:
            asyncio.run(registry.acall(ToolCall(id="1", name="tool")))
        else:
            registry.call(ToolCall(id="1", name="tool"))
    assert "str(" not in str(caught.value)  # says what to return instead, never falls back to str()


def test_run_raises_a_result_that_cannot_be_json_before_sending_it():
    def tool() -> object:
        """A tool."""
        return Opaque()

    host = Script({"tool_calls": [_call("tool", {})]}, {"content": "done"})
    with pytest.raises(ToolResultError):
        host.client().run("go", tools=[tool])
    assert len(host.bodies) == 1


# ------------------------------------------------------------------------------------------ item 16: timeout


def test_a_sync_tool_is_bounded_by_the_call_timeout():
    release = threading.Event()

    def stuck(city: str) -> str:
        """Never finishes on its own."""
        release.wait(30)
        return "late"

    host = Script({"tool_calls": [_call("stuck", {"city": "Oslo"})]}, {"content": "gave up"})
    done = threading.Event()
    outcome: dict = {}

    def go() -> None:
        outcome["result"] = host.client().run("go", tools=[stuck], timeout=0.2)
        done.set()

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    try:
        assert done.wait(10), "run() hung on a tool that never finishes"
    finally:
        release.set()
    result = outcome["result"]
    assert result.text == "gave up"
    answer = result.messages[-2].parts[0]
    assert answer.is_error
    assert "stuck" in answer.content
    assert "0.2" in answer.content
    assert host.bodies[1]["messages"][-1]["content"] == answer.content


def test_an_async_tool_is_bounded_by_the_call_timeout():
    async def stuck(city: str) -> str:
        """Never finishes on its own."""
        await asyncio.sleep(30)
        return "late"

    host = Script({"tool_calls": [_call("stuck", {"city": "Oslo"})]}, {"content": "gave up"})

    async def go():
        return await asyncio.wait_for(host.client().arun("go", tools=[stuck], timeout=0.2), 10)

    result = asyncio.run(go())
    assert result.text == "gave up"
    answer = result.messages[-2].parts[0]
    assert answer.is_error
    assert "stuck" in answer.content


def test_a_sync_tool_in_arun_is_bounded_too():
    release = threading.Event()

    def stuck() -> str:
        """Blocks."""
        release.wait(30)
        return "late"

    host = Script({"tool_calls": [_call("stuck", {})]}, {"content": "gave up"})

    async def go():
        return await asyncio.wait_for(host.client().arun("go", tools=[stuck], timeout=0.2), 10)

    try:
        result = asyncio.run(go())
    finally:
        release.set()
    assert result.messages[-2].parts[0].is_error


def test_the_client_timeout_bounds_tools_when_the_call_gives_none():
    release = threading.Event()

    def stuck() -> str:
        """Blocks."""
        release.wait(30)
        return "late"

    host = Script({"tool_calls": [_call("stuck", {})]}, {"content": "gave up"})
    client = GenericClient("m", provider=Groq("k", transport=httpx.MockTransport(host)), timeout=0.2)
    try:
        result = client.run("go", tools=[stuck])
    finally:
        release.set()
    assert result.messages[-2].parts[0].is_error


def test_tools_without_a_timeout_run_in_the_callers_thread():
    seen: list = []

    def where() -> str:
        """Reports its thread."""
        seen.append(threading.current_thread())
        return "here"

    host = Script({"tool_calls": [_call("where", {})]}, {"content": "ok"})
    host.client().run("go", tools=[where])
    assert seen == [threading.current_thread()]
