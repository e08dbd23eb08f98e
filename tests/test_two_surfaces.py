"""A host with two chat surfaces has two endpoint classes and picks one per instance (``endpoint_class``):
DeepSeek (chat completions / the Responses API) and Ollama (native ``/api/chat`` / ``/v1``). Each surface's
attributes (output modes, framing, what it accepts) live on its endpoint class, and no hook branches on the
instance's ``api``."""

from __future__ import annotations

import inspect

import pytest

from rehost import DeepSeek, Ollama
from rehost.providers.deepseek import DeepSeekChat, DeepSeekResponses
from rehost.providers.ollama import OllamaNative, OllamaOpenAI
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.types import Message


def _request(**kw):
    return Request(model="m", host_model_id="m", messages=(Message.user("hi"),), **kw)


def test_deepseek_picks_its_endpoint_by_api():
    chat, responses = DeepSeek("k").chat, DeepSeek("k", api="responses").chat
    assert type(chat) is DeepSeekChat
    assert type(responses) is DeepSeekResponses
    assert chat.output_modes == ("json", "tool", "prompt")
    assert responses.output_modes == ("prompt", "tool")
    assert chat.prepare(_request()).call.url.endswith("/chat/completions")
    call = responses.prepare(_request(thinking=ThinkingPlan(effort="max"))).call
    assert call.url.endswith("/responses")
    assert call.body["reasoning"] == {"effort": "max"}
    assert DeepSeek("k", api="responses").kinds == frozenset({"chat"})


def test_ollama_picks_its_endpoint_by_api():
    native, v1 = Ollama().chat, Ollama(api="openai").chat
    assert type(native) is OllamaNative
    assert type(v1) is OllamaOpenAI
    assert (native.stream_format, v1.stream_format) == ("ndjson", "sse")
    assert native.prepare(_request(stream=True)).call.headers["Accept"] == "application/x-ndjson"
    assert v1.prepare(_request(stream=True)).call.headers["Accept"] == "text/event-stream"
    assert native.prepare(_request()).call.url == "http://localhost:11434/api/chat"
    assert v1.prepare(_request()).call.url == "http://localhost:11434/v1/chat/completions"
    off = ThinkingPlan(enabled=False)
    assert native.prepare(_request(thinking=off)).call.body["think"] is False
    assert v1.prepare(_request(thinking=off)).call.body["reasoning_effort"] == "none"


@pytest.mark.parametrize("cls", [DeepSeekChat, DeepSeekResponses, OllamaNative, OllamaOpenAI])
def test_no_hook_branches_on_the_surface(cls):
    source = inspect.getsource(cls)
    assert ".api" not in source, cls


def test_a_bad_api_is_refused_before_anything_is_built():
    with pytest.raises(ValueError, match="api must be"):
        DeepSeek("k", api="chats")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="api must be"):
        Ollama(api="v1")  # type: ignore[arg-type]
