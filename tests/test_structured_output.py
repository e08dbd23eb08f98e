"""Structured output on every dialect: the host's native mechanism where it has one, the schema adapted to
the host, JSON mode / a forced tool / an instruction where it has none, and validation of what comes back."""

from __future__ import annotations

import json
from enum import StrEnum

import httpx
import pytest
from pydantic import BaseModel

from rehost import DeepSeek, GenericClient, Google, Groq, Mistral, OpenRouter, Together, Vertex
from rehost.errors import UnsupportedFeature
from rehost.shared.output import Output, OutputValidationError


class Color(StrEnum):
    red = "red"
    blue = "blue"


class Address(BaseModel):
    city: str
    postcode: str | None = None


class Person(BaseModel):
    """A person and where they live."""

    name: str
    favourite: Color
    address: Address
    nickname: str | None = None
    tags: list[str] = []


ANSWER = {"name": "Ada", "favourite": "blue", "address": {"city": "London", "postcode": None}, "nickname": None,
          "tags": ["maths"]}


def capture(answer: bytes | dict, *, status: int = 200):
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        if isinstance(answer, dict):
            return httpx.Response(status, json=answer)
        return httpx.Response(status, content=answer, headers={"content-type": "application/json"})

    return httpx.MockTransport(handler), sent


def chat(content=None, tool_calls=None):
    message = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {"id": "x", "choices": [{"index": 0, "message": message,
                                    "finish_reason": "tool_calls" if tool_calls else "stop"}]}


def gemini(text):
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}]}


def ask(provider_cls, answer, **kwargs):
    transport, sent = capture(answer)
    provider = provider_cls("k", transport=transport, **kwargs)
    value = GenericClient("m", provider=provider).complete("Who is Ada?", output=Person)
    return value, sent[0]


def no_refs_or_titles(schema):
    text = json.dumps(schema)
    return "$ref" not in text and "$defs" not in text and '"title"' not in text


@pytest.mark.parametrize("cls", [Groq, OpenRouter, Mistral])
def test_native_json_schema_on_openai_dialect_hosts(cls):
    value, body = ask(cls, chat(json.dumps(ANSWER)))
    assert value == Person.model_validate(ANSWER)
    assert isinstance(value.address, Address)
    assert value.favourite is Color.blue
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    spec = fmt["json_schema"]
    assert (spec["name"], spec["description"]) == ("Person", "A person and where they live.")
    schema = spec["schema"]
    assert no_refs_or_titles(schema)
    assert schema["properties"]["favourite"]["enum"] == ["red", "blue"]
    if cls is Groq:  # best-effort by default on Groq: the schema as written, no strict flag
        assert "strict" not in spec
        assert schema["required"] == ["name", "favourite", "address"]
    else:  # strict: every field required (optional ones nullable), nothing extra, no defaults
        assert spec["strict"] is True
        assert schema["required"] == ["name", "favourite", "address", "nickname", "tags"]
        assert schema["additionalProperties"] is False
        assert schema["properties"]["address"]["additionalProperties"] is False
        assert "default" not in json.dumps(schema)
    if cls is OpenRouter:  # so the router cannot pick an upstream that would ignore the schema
        assert body["provider"] == {"require_parameters": True}


@pytest.mark.parametrize("cls", [Google, Vertex])
def test_native_response_json_schema_on_gemini(cls):
    kwargs = {"access_token": "t"} if cls is Vertex else {}
    transport, sent = capture(gemini(json.dumps(ANSWER)))
    provider = cls("p", transport=transport, **kwargs) if cls is Vertex else cls("k", transport=transport)
    value = GenericClient("gemini-x", provider=provider).complete("Who is Ada?", output=Person)
    assert value == Person.model_validate(ANSWER)
    config = sent[0]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    schema = config["responseJsonSchema"]
    assert "$defs" not in json.dumps(schema)
    assert schema["title"] == "Person"
    assert schema["properties"]["address"]["properties"]["city"] == {"type": "string"}


def test_deepseek_uses_json_mode_with_the_schema_in_the_prompt():
    value, body = ask(DeepSeek, chat("```json\n" + json.dumps(ANSWER) + "\n```"))
    assert value.name == "Ada"
    assert body["response_format"] == {"type": "json_object"}
    last = body["messages"][-1]["content"]
    assert last.startswith("Who is Ada?\n\nReply with a single JSON object")
    assert '"favourite"' in last


def test_together_forces_a_tool_and_reads_its_arguments():
    call = {"id": "c", "type": "function", "function": {"name": "Person", "arguments": json.dumps(ANSWER)}}
    value, body = ask(Together, chat(None, [call]))
    assert value == Person.model_validate(ANSWER)
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Person"}}
    assert body["tools"][0]["function"]["name"] == "Person"


@pytest.mark.parametrize("mode", ["native", "json", "tool", "prompt"])
def test_every_mode_on_one_host(mode):
    transport, sent = capture(chat(None, [{"id": "c", "type": "function", "function": {
        "name": "Person", "arguments": json.dumps(ANSWER)}}]) if mode == "tool" else chat(json.dumps(ANSWER)))
    client = GenericClient("m", provider=Mistral("k", transport=transport))
    assert client.complete("Who?", output=Person, output_mode=mode).name == "Ada"
    body = sent[0]
    assert ("response_format" in body) == (mode in ("native", "json"))
    assert ("tools" in body) == (mode == "tool")


def test_a_mode_the_host_lacks_is_refused():
    request = GenericClient("m").prepare("x", output=Person, output_mode="native")
    with pytest.raises(UnsupportedFeature, match="cannot give structured output by 'native'"):
        DeepSeek("k").prepare(request)


def test_invalid_answers_raise_with_the_raw_text():
    bad = {**ANSWER, "favourite": "green"}
    with pytest.raises(OutputValidationError) as caught:
        ask(Groq, chat(json.dumps(bad)))
    assert caught.value.text == json.dumps(bad)
    assert caught.value.errors[0]["loc"] == ("favourite",)
    assert caught.value.completion.text == json.dumps(bad)
    with pytest.raises(OutputValidationError, match="not JSON") as caught:
        ask(Groq, chat("Ada lives in London."))
    assert caught.value.text == "Ada lives in London."


def test_non_object_outputs_are_wrapped_and_unwrapped():
    transport, sent = capture(chat('{"result": [2, 3, 5]}'))
    value = GenericClient("m", provider=Mistral("k", transport=transport)).complete("primes", output=list[int])
    assert value == [2, 3, 5]
    schema = sent[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["result"]["type"] == "array"


def test_raw_json_schema_output_returns_the_parsed_object():
    spec = Output(schema={"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                  name="thing", strict=False)
    transport, sent = capture(chat('{"a": 1}'))
    assert GenericClient("m", provider=Groq("k", transport=transport)).complete("x", output=spec) == {"a": 1}
    assert sent[0]["response_format"]["json_schema"]["strict"] is False


def test_free_form_maps_cannot_be_strict():
    class Bag(BaseModel):
        counts: dict[str, int]

    transport, sent = capture(chat('{"counts": {"a": 1}}'))
    provider = Mistral("k", transport=transport)
    assert GenericClient("m", provider=provider).complete("x", output=Bag).counts == {"a": 1}
    assert sent[0]["response_format"]["json_schema"]["strict"] is False  # not strict-able: said plainly
    with pytest.raises(UnsupportedFeature, match="cannot be strict"):
        GenericClient("m", provider=provider).complete("x", output=Output.of(Bag, strict=True))


def test_recursive_schemas_are_refused_by_gemini():
    class Node(BaseModel):
        value: int
        children: list[Node] = []

    with pytest.raises(UnsupportedFeature, match="self-referring"):
        Google("k").prepare(GenericClient("g").prepare("x", output=Node))


def test_streamed_structured_output_is_parsed_at_the_end():
    body = (b'data: {"choices":[{"index":0,"delta":{"content":"{\\"name\\": \\"Ada\\", "}}]}\n\n'
            b'data: {"choices":[{"index":0,"delta":{"content":"\\"favourite\\": \\"red\\", \\"address\\": '
            b'{\\"city\\": \\"Paris\\"}}"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')
    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                             content=body))
    stream = GenericClient("m", provider=Groq("k", transport=transport)).stream("x", output=Person)
    assert stream.final().output == Person(name="Ada", favourite=Color.red, address=Address(city="Paris"))


def test_responses_dialect_carries_the_schema_in_the_prompt():
    answer = {"id": "r", "status": "completed", "output": [
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": json.dumps(ANSWER)}]}],
        "usage": {"input_tokens": 9, "output_tokens": 30}}
    transport, sent = capture(answer)
    client = GenericClient("deepseek-v4-flash", provider=DeepSeek("k", api="responses", transport=transport))
    assert client.complete("Who is Ada?", output=Person).address.city == "London"
    prompt = sent[0]["input"][-1]["content"]
    assert prompt.startswith("Who is Ada?\n\nReply with a single JSON object that matches this JSON schema")
