"""rehost.openai: an OpenAI-shaped facade over rehost's clients, tested by feeding its results to code written
for the openai SDK, against the host emulator.

The "SDK-style consumer" functions below only use the attribute names of openai-python's own types (read from
openai/openai-python: src/openai/types/chat/chat_completion.py, chat_completion_message.py,
chat_completion_message_function_tool_call.py, chat_completion_chunk.py, src/openai/types/completion_usage.py)
and the patterns its README documents (append the returned message, answer each tool call by id; accumulate
streamed tool calls by index; the usage-only last chunk with ``stream_options={"include_usage": True}``).
The openai package itself is not installed here, and is not needed.
"""

from __future__ import annotations

import asyncio
import base64
import json

import pytest

import rehost
from rehost import LlamaClient
from rehost.errors import ConfigurationError, RehostError, UnsupportedFeature
from rehost.openai import AsyncOpenAI, OpenAI
from rehost.openai._convert import chat_completion, convert_messages
from rehost.shared.output import Output
from rehost.shared.types import Completion, ImagePart, TextPart, ToolCall, Usage
from rehost.testing.emulator import Emulator

MODEL = "groq/llama-3.3-70b"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu):
    emu.reset()
    facade = OpenAI(hosts={"groq": {"api_key": "emulator-key", "base_url": emu.base_url("groq")},
                           "openrouter": {"api_key": "emulator-key", "base_url": emu.base_url("openrouter")}})
    yield facade
    facade.close()


def last_body(emu):
    return emu.requests[-1].json()


# ---------------------------------------------------------------------------------- code written for the openai SDK


def sdk_print_answer(completion) -> dict:
    """What a typical SDK user reads off a ChatCompletion."""
    choice = completion.choices[0]
    return {"id": completion.id, "object": completion.object, "created": completion.created,
            "model": completion.model, "content": choice.message.content, "role": choice.message.role,
            "finish_reason": choice.finish_reason, "index": choice.index,
            "tokens": (completion.usage.prompt_tokens, completion.usage.completion_tokens,
                       completion.usage.total_tokens)}


def sdk_collect_stream(stream) -> dict:
    """The README's streaming loop, with the documented guard for the usage-only last chunk."""
    text, finish, usage, ids, objects = [], None, None, set(), set()
    for chunk in stream:
        ids.add(chunk.id)
        objects.add(chunk.object)
        if chunk.usage is not None:
            usage = (chunk.usage.prompt_tokens, chunk.usage.completion_tokens, chunk.usage.total_tokens)
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if delta.content:
            text.append(delta.content)
        if chunk.choices[0].finish_reason is not None:
            finish = chunk.choices[0].finish_reason
    return {"text": "".join(text), "finish_reason": finish, "usage": usage, "ids": ids, "objects": objects}


def sdk_collect_tool_calls(stream) -> list[dict]:
    """Streamed tool calls assembled by index, the way SDK users do it."""
    calls: dict[int, dict] = {}
    for chunk in stream:
        if not chunk.choices:
            continue
        for tc in chunk.choices[0].delta.tool_calls or []:
            entry = calls.setdefault(tc.index, {"id": None, "name": "", "arguments": ""})
            if tc.id:
                entry["id"] = tc.id
            if tc.function and tc.function.name:
                entry["name"] += tc.function.name
            if tc.function and tc.function.arguments:
                entry["arguments"] += tc.function.arguments
    return [calls[i] for i in sorted(calls)]


def sdk_tool_loop(client, model, messages, tools, functions) -> str:
    """The SDK's function-calling loop: answer every tool call by its id, until the model answers."""
    while True:
        response = client.chat.completions.create(model=model, messages=messages, tools=tools, tool_choice="auto")
        message = response.choices[0].message
        if not message.tool_calls:
            return message.content
        assert response.choices[0].finish_reason == "tool_calls"
        messages.append(message)  # the returned message object goes straight back, as the SDK allows
        for call in message.tool_calls:
            result = functions[call.function.name](**json.loads(call.function.arguments))
            messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})


async def sdk_async_answer(client, model) -> tuple[str, str]:
    whole = await client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
    stream = await client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}],
                                                  stream=True)
    pieces = [chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]
    return whole.choices[0].message.content, "".join(pieces)


# ---------------------------------------------------------------------------------------------- tests


def test_the_short_llama_names_resolve():
    client = rehost.client("groq/llama-3.3-70b", provider_options={"api_key": "k"})
    assert isinstance(client, LlamaClient)
    assert client.model == "llama-3.3-70b-instruct"


def test_a_completion_reads_like_the_sdks(emu, client):
    answer = client.chat.completions.create(
        model=MODEL, messages=[{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        temperature=0.3, max_tokens=50, stop="END", seed=1)
    seen = sdk_print_answer(answer)
    assert seen["content"] == "Hello w1 w2 w3 w4 w5 w6 w7"
    assert (seen["object"], seen["role"], seen["finish_reason"], seen["index"]) == (
        "chat.completion", "assistant", "stop", 0)
    assert seen["model"] == MODEL
    assert isinstance(seen["created"], int)
    assert seen["created"] > 1_700_000_000
    assert seen["id"]
    prompt, completion, total = seen["tokens"]
    assert completion == 8
    assert total == prompt + completion
    assert set(answer.model_dump()) >= {"id", "choices", "created", "model", "object", "usage"}
    assert answer.rehost.host == "groq"
    body = last_body(emu)
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert body["model"] == "llama-3.3-70b-versatile"
    assert (body["temperature"], body["max_completion_tokens"], body["stop"], body["seed"]) == (0.3, 50, ["END"], 1)


def test_streaming_reads_like_the_sdks(emu, client):
    seen = sdk_collect_stream(client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True, stream_options={"include_usage": True}))
    assert seen["text"] == "Hello w1 w2 w3 w4 w5 w6 w7"
    assert seen["finish_reason"] == "stop"
    assert seen["usage"][1] == 8
    assert seen["usage"][2] == seen["usage"][0] + seen["usage"][1]
    assert len(seen["ids"]) == 1  # every chunk of one answer carries the same id
    assert seen["objects"] == {"chat.completion.chunk"}
    assert last_body(emu)["stream"] is True
    # without include_usage, no usage-only chunk: every chunk has a choice (code indexing choices[0] is safe)
    stream = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True)
    chunks = list(stream)
    assert all(chunk.choices for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert stream.rehost.text == "Hello w1 w2 w3 w4 w5 w6 w7"


def test_a_tool_loop_written_for_the_sdk(emu, client):
    emu.inject(times=1, host="groq", tool_call=("get_weather", {"city": "Paris"}))
    messages = [{"role": "user", "content": "Weather in Paris?"}]
    answer = sdk_tool_loop(client, MODEL, messages, [WEATHER_TOOL], {"get_weather": lambda city: {"sky": "clear"}})
    assert answer == "Hello w1 w2 w3 w4 w5 w6 w7"
    first, second = (r.json() for r in emu.requests[-2:])
    assert first["tools"][0]["function"]["name"] == "get_weather"
    assert first["tool_choice"] == "auto"
    assert second["messages"][1]["tool_calls"] == [{"id": "call_emu_1", "type": "function", "function": {
        "name": "get_weather", "arguments": '{"city": "Paris"}'}}]
    assert second["messages"][2] == {"role": "tool", "tool_call_id": "call_emu_1", "content": '{"sky": "clear"}'}


def test_streamed_tool_calls_assemble_like_the_sdks(emu, client):
    emu.inject(times=1, host="groq", tool_call=("get_weather", {"city": "Paris"}))
    calls = sdk_collect_tool_calls(client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER_TOOL], stream=True,
        tool_choice={"type": "function", "function": {"name": "get_weather"}}))
    assert calls == [{"id": "call_emu_1", "name": "get_weather", "arguments": '{"city": "Paris"}'}]
    assert last_body(emu)["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}


def test_a_returned_message_dumped_to_a_dict_goes_back_too(emu, client):
    emu.inject(times=1, host="groq", tool_call=("get_weather", {"city": "Paris"}))
    first = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Weather?"}],
                                           tools=[WEATHER_TOOL])
    dumped = first.choices[0].message.model_dump()  # every key, None ones included, as SDK users store them
    assert dumped["content"] is None
    messages = [{"role": "user", "content": "Weather?"}, dumped,
                {"role": "tool", "tool_call_id": dumped["tool_calls"][0]["id"], "content": "sunny"}]
    client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    assert last_body(emu)["messages"][2]["tool_call_id"] == "call_emu_1"


def test_response_format_json_schema_and_json_object(emu, client):
    emu.script("groq", echo=True)  # the emulator answers with the user's text: here, JSON
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    answer = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": '{"city": "Paris"}'}],
        response_format={"type": "json_schema", "json_schema": {"name": "place", "schema": schema}})
    assert json.loads(answer.choices[0].message.content) == {"city": "Paris"}
    sent = last_body(emu)["response_format"]
    assert sent["type"] == "json_schema"
    assert sent["json_schema"]["name"] == "place"
    assert sent["json_schema"]["schema"]["properties"] == schema["properties"]
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": '{"a": 1}'}],
                                   response_format={"type": "json_object"})
    assert last_body(emu)["response_format"] == {"type": "json_object"}


def test_a_structured_answer_carried_by_a_forced_tool_reads_as_content():
    """Hosts without a schema field get the schema as a forced tool; an SDK consumer sees JSON content."""
    output = Output(schema={"type": "object"}, name="place")
    done = Completion(parts=(ToolCall(id="t1", name="place", arguments={"city": "Paris"}),), finish_reason="tool_calls",
                      output={"city": "Paris"}, usage=Usage(input_tokens=3, output_tokens=4), host="anthropic")
    answer = chat_completion(done, model="anthropic/x", output=output)
    assert json.loads(answer.choices[0].message.content) == {"city": "Paris"}
    assert answer.choices[0].message.tool_calls is None
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage.total_tokens == 7


def test_reasoning_effort_and_reasoning_content(emu, client):
    emu.script("groq", reasoning_tokens=3)
    off = client.chat.completions.create(model="groq/qwen3-32b", messages=[{"role": "user", "content": "Hi"}],
                                         reasoning_effort="none")
    assert last_body(emu)["reasoning_effort"] == "none"
    assert off.choices[0].message.reasoning_content is None  # thinking off: no reasoning is passed on
    answer = client.chat.completions.create(model="groq/qwen3-32b", messages=[{"role": "user", "content": "Hi"}])
    assert answer.choices[0].message.reasoning_content == "Thinking t1 t2"
    assert answer.usage.completion_tokens_details.reasoning_tokens == 3
    pieces = [c.choices[0].delta.reasoning_content for c in client.chat.completions.create(
        model="groq/qwen3-32b", messages=[{"role": "user", "content": "Hi"}], stream=True) if c.choices]
    assert "".join(p for p in pieces if p) == "Thinking t1 t2"


def test_openai_content_parts_become_rehost_parts():
    messages = convert_messages([
        {"role": "system", "content": [{"type": "text", "text": "Look closely."}]},
        {"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()}},
            {"type": "image_url", "image_url": {"url": "https://example.invalid/cat.jpg", "detail": "auto"}},
        ]},
    ])
    assert [m.role for m in messages] == ["system", "user"]
    text, inline, linked = messages[1].parts
    assert isinstance(text, TextPart)
    assert isinstance(inline, ImagePart)
    assert (inline.data, inline.media_type) == (PNG, "image/png")
    assert isinstance(linked, ImagePart)
    assert linked.url == "https://example.invalid/cat.jpg"


def test_images_reach_a_vision_model(emu, client):
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    client.chat.completions.create(model="groq/llama-4-scout-17b-16e-instruct", messages=[{"role": "user", "content": [
        {"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": url}}]}])
    assert last_body(emu)["messages"][0]["content"][1] == {"type": "image_url", "image_url": {"url": url}}
    with pytest.raises(UnsupportedFeature, match="image"):  # Llama 3.3 reads text only: refused before sending
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": url}}]}])


@pytest.mark.parametrize(("params", "error", "match"), [
    ({"n": 2}, UnsupportedFeature, "n=2"),
    ({"logprobs": True}, UnsupportedFeature, "logprobs"),
    ({"parallel_tool_calls": False}, UnsupportedFeature, "extra_body"),
    ({"user": "u-1"}, UnsupportedFeature, "user"),
    ({"frobnicate": 1}, UnsupportedFeature, "frobnicate"),
    ({"reasoning_effort": "high"}, UnsupportedFeature, "does not think"),  # Llama 3.3: the client refuses it
    ({"response_format": {"type": "yaml"}}, UnsupportedFeature, "json_schema"),
    ({"stream_options": {"include_usage": True}}, ConfigurationError, "stream=True"),
    ({"tool_choice": "required"}, ConfigurationError, "needs tools"),
    ({"max_tokens": 5, "max_completion_tokens": 6}, ConfigurationError, "not both"),
    ({"messages": [{"role": "user", "content": "hi", "name": "ann"}]}, UnsupportedFeature, "participant name"),
    ({"messages": [{"role": "function", "name": "f", "content": "x"}]}, UnsupportedFeature, "tool_call_id"),
    ({"messages": [{"role": "tool", "tool_call_id": "c9", "content": "x"}]}, ConfigurationError, "c9"),
    ({"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]}, UnsupportedFeature, "audio"),
    ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {
        "url": "https://example.invalid/a.png", "detail": "high"}}]}]}, UnsupportedFeature, "detail"),
    ({"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {
        "name": "f", "arguments": "{not json"}}]}]}, ConfigurationError, "not JSON"),
    ({"messages": [{"role": "system", "content": "only a system turn"}]}, ConfigurationError, "something to answer"),
    ({"messages": []}, ConfigurationError, "empty"),
    ({"model": "llama-3.3-70b"}, ConfigurationError, "host/model"),
    ({"model": "grok/llama-3.3-70b"}, ConfigurationError, "Did you mean groq"),
])
def test_what_cannot_be_honoured_raises_before_anything_is_sent(emu, client, params, error, match):
    call = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], **params}
    before = len(emu.requests)
    with pytest.raises(error, match=match):
        client.chat.completions.create(**call)
    assert len(emu.requests) == before


def test_host_errors_are_rehosts_typed_errors_without_the_key(emu):
    emu.reset()
    emu.inject("401", times=1, host="groq")
    facade = OpenAI(hosts={"groq": {"api_key": "sk-secret-123", "base_url": emu.base_url("groq")}})
    with pytest.raises(rehost.errors.AuthenticationError) as caught:
        facade.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert "sk-secret-123" not in str(caught.value)
    assert "sk-secret-123" not in repr(facade)
    facade.close()


def test_the_constructor_says_where_keys_go():
    with pytest.raises(ConfigurationError, match=r"hosts=\{'groq'"):
        OpenAI(api_key="sk-x")
    with pytest.raises(ConfigurationError, match="unknown host"):
        OpenAI(hosts={"groqq": {}})


def test_a_given_provider_is_shared_and_left_open(emu):
    emu.reset()
    provider = emu.provider("groq")
    facade = OpenAI(hosts={"groq": provider})
    first = facade.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    second = facade.chat.completions.create(model="groq/qwen3-32b", messages=[{"role": "user", "content": "hi"}])
    assert first.rehost.host == second.rehost.host == "groq"
    facade.close()
    again = rehost.GenericClient("llama-3.3-70b-versatile", provider=provider).complete("hi")  # still usable
    assert again.text


def test_embeddings_and_audio_are_not_built_yet(client):
    with pytest.raises(UnsupportedFeature, match="embeddings are not built"):
        client.embeddings.create(model="openai/text-embedding-3-small", input="hi")
    with pytest.raises(UnsupportedFeature, match="not built"):
        client.audio.transcriptions.create(model="openai/whisper-1", file=b"")


def test_the_async_twin(emu):
    emu.reset()

    async def main():
        async with AsyncOpenAI(hosts={"groq": {"api_key": "k", "base_url": emu.base_url("groq")}}) as facade:
            whole, streamed = await sdk_async_answer(facade, MODEL)
            with pytest.raises(UnsupportedFeature, match="not built"):
                await facade.embeddings.create(model="x/y", input="hi")
            return whole, streamed

    whole, streamed = asyncio.run(main())
    assert whole == streamed == "Hello w1 w2 w3 w4 w5 w6 w7"


def test_every_facade_error_is_a_rehost_error(client):
    for bad in ({"messages": "hi"}, {"messages": [42]}, {"tools": [{"type": "web_search"}]}):
        with pytest.raises(RehostError):
            client.chat.completions.create(**{"model": MODEL, "messages": [{"role": "user", "content": "hi"}], **bad})
