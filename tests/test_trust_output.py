"""Typed output through a forced tool (``output_mode="tool"``) when the model answers in text instead of
calling the tool: never a quiet ``None``."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import BaseModel

from rehost import Anthropic, GenericClient, Google, Groq, OpenRouter, Together
from rehost.shared.output import OutputValidationError


class City(BaseModel):
    name: str
    population: int


def _chat(text: str) -> dict:
    return {"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                    "finish_reason": "stop"}]}


def _chat_stream(text: str) -> bytes:
    chunks = [{"id": "x", "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]},
              {"id": "x", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"


def _gemini(text: str) -> dict:
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}]}


def _gemini_stream(text: str) -> bytes:
    return b"data: " + json.dumps(_gemini(text)).encode() + b"\r\n\r\n"


def _anthropic(text: str) -> dict:
    return {"id": "m", "type": "message", "role": "assistant", "model": "c",
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 3, "output_tokens": 2}}


def _anthropic_stream(text: str) -> bytes:
    events = [
        ("message_start", {"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant",
                                                                 "model": "c", "content": [],
                                                                 "usage": {"input_tokens": 3, "output_tokens": 0}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": text}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                           "usage": {"output_tokens": 2}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events)


HOSTS = {
    "together": (Together, _chat, _chat_stream),
    "groq": (Groq, _chat, _chat_stream),
    "openrouter": (OpenRouter, _chat, _chat_stream),
    "google": (Google, _gemini, _gemini_stream),
    "anthropic": (Anthropic, _anthropic, _anthropic_stream),
}
TEXTS = {
    "prose": "The city is Paris, with about two million people.",
    "empty": "",
    "wrong_json": '{"name": "Paris"}',
    "tool_call_markup": '<tool_call>{"name": "City", "arguments": {"name": "Paris", "population": 2}}</tool_call>',
}


def _client(host: str, text: str, sent: list) -> GenericClient:
    cls, whole, streamed = HOSTS[host]

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        if body.get("stream") or "streamGenerateContent" in str(request.url):
            return httpx.Response(200, content=streamed(text), headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=whole(text))

    return GenericClient("gemini-x" if host == "google" else "m",
                         provider=cls("k", transport=httpx.MockTransport(handler)))


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("kind", sorted(TEXTS))
@pytest.mark.parametrize("host", sorted(HOSTS))
def test_text_instead_of_the_forced_tool_raises_with_the_text(host, kind, stream):
    sent: list = []
    client = _client(host, TEXTS[kind], sent)
    with pytest.raises(OutputValidationError, match="instead of calling") as caught:
        if stream:
            client.stream("Paris?", output=City, output_mode="tool").final()
        else:
            client.complete("Paris?", output=City, output_mode="tool")
    assert caught.value.text == TEXTS[kind]
    assert caught.value.completion is not None
    assert caught.value.completion.text == TEXTS[kind]
    assert caught.value.host == host
    assert sent  # the tool was really forced on the wire (the request is the host's, not ours)


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_valid_json_of_the_shape_written_as_text_is_still_the_answer(host):
    """A model that ignores the forced tool but writes exactly the requested JSON is not wrong: the value is
    validated against the schema like any other answer."""
    client = _client(host, '{"name": "Paris", "population": 2100000}', [])
    assert client.complete("Paris?", output=City, output_mode="tool") == City(name="Paris", population=2100000)


def test_run_with_a_forced_output_tool_raises_too():
    client = _client("together", TEXTS["prose"], [])
    with pytest.raises(OutputValidationError, match="instead of calling"):
        client.run("Paris?", output=City, output_mode="tool")
