"""``count_tokens(exact=True)`` on Vertex asks the counter of the model's own publisher: Gemini's
``countTokens``, Claude's ``count-tokens:rawPredict`` with a Messages body, and none for Mistral (which has
no counting endpoint there, so the count stays offline)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from rehost import ClaudeClient, GeminiClient, MistralClient, Vertex

BASE = "https://us-east5-aiplatform.googleapis.com/v1beta1/projects/p/locations/us-east5/publishers"


class Host:
    def __init__(self, answer: dict) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.answer)

    def vertex(self) -> Vertex:
        return Vertex("p", "us-east5", access_token="tok", transport=httpx.MockTransport(self),
                      async_transport=httpx.MockTransport(self))


def _count(client: object, asynchronous: bool, **options: object) -> object:
    if asynchronous:
        return asyncio.run(client.acount_tokens("How many tokens is this?", exact=True, **options))
    return client.count_tokens("How many tokens is this?", exact=True, **options)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("variant", ["sonnet-4.5", "opus-4.5", "haiku-4.5"])
def test_claude_on_vertex_counts_with_claudes_count_tokens_endpoint(variant, asynchronous):
    host = Host({"input_tokens": 17})
    client = ClaudeClient(variant, provider=host.vertex(), system="Be brief.")
    counted = _count(client, asynchronous, tools=[{"name": "lookup", "description": "Look up.",
                                                    "parameters": {"type": "object", "properties": {}}}])
    assert (counted.count, counted.exact) == (17, True)
    (request,) = host.requests
    assert str(request.url) == f"{BASE}/anthropic/models/count-tokens:rawPredict"
    assert request.headers["authorization"] == "Bearer tok"
    body = json.loads(request.content)
    model_id = host.vertex().host_model_id(client.prepare("x"))
    assert body["model"] == model_id
    assert body["anthropic_version"] == "vertex-2023-10-16"
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "How many tokens is this?"}]}]
    assert body["system"]
    assert body["tools"][0]["name"] == "lookup"
    assert "contents" not in body  # not a Gemini body
    assert "max_tokens" not in body  # the counting endpoint takes the input only
    assert "stream" not in body


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_gemini_on_vertex_still_counts_with_count_tokens(asynchronous):
    host = Host({"totalTokens": 9})
    counted = _count(GeminiClient("2.0-flash", provider=host.vertex()), asynchronous)
    assert (counted.count, counted.exact) == (9, True)
    (request,) = host.requests
    assert str(request.url) == f"{BASE}/google/models/gemini-2.0-flash:countTokens"
    assert "contents" in json.loads(request.content)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("variant", ["medium-3", "small-3.1"])
def test_mistral_on_vertex_has_no_counter_so_the_count_stays_offline(variant, asynchronous):
    host = Host({"totalTokens": 9})
    counted = _count(MistralClient(variant, provider=host.vertex()), asynchronous)
    assert host.requests == []  # nothing was posted anywhere
    assert counted.exact is False
    assert counted.count > 0
