"""Perplexity (HOSTS-MORE §6): one provider file; search results and citations kept on the Completion (read back
with ``perplexity.citations`` / ``search_results``, whole answer and stream), ``<think>`` split out of the
reasoning models' content, reasoning_effort only on the reasoning models, errors typed, the key never shown."""

from __future__ import annotations

import json

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.providers.perplexity import Perplexity, SearchResult, citations, search_results
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message
from rehost.testing import redirect
from rehost.testing.emulator import Emulator

_RESULTS = [{"title": "A", "url": "https://example.com/a", "snippet": "about a", "date": "2026-01-02"},
            {"title": "B", "url": "https://example.com/b"}]
_CITED = ["https://example.com/a", "https://example.com/b"]


def _request(model: str, thinking: ThinkingPlan | None = None, *, stream: bool = False) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user("hi"),), thinking=thinking,
                   stream=stream)


def _answer(content: str, model: str = "sonar") -> dict:
    return {"id": "r1", "model": model, "object": "chat.completion", "citations": _CITED, "search_results": _RESULTS,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8, "citation_tokens": 10,
                      "num_search_queries": 1, "cost": {"input_tokens_cost": 0.0, "output_tokens_cost": 0.0,
                                                        "request_cost": 0.005, "total_cost": 0.005}}}


def _sse(*chunks: dict) -> bytes:
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"


def test_it_is_known_everywhere_by_one_row():
    row = _registry.HOSTS["perplexity"]
    assert row.spec == ("rehost.providers.perplexity", "Perplexity")
    assert rehost.Perplexity is Perplexity
    assert redirect.style_for("api.perplexity.ai", None) == "perplexity"
    assert rehost.catalog().host_entry("sonar-pro", "perplexity").id == "sonar-pro"
    assert isinstance(rehost.client("perplexity/sonar").provider, Perplexity)


def test_citations_and_search_results_are_kept_on_the_completion():
    provider = Perplexity("k", transport=httpx.MockTransport(lambda r: httpx.Response(200, json=_answer("4 [1]"))))
    done = provider.send(_request("sonar"))
    assert done.text == "4 [1]"
    assert citations(done) == tuple(_CITED)
    assert search_results(done) == (SearchResult("https://example.com/a", "A", "about a", "2026-01-02"),
                                    SearchResult("https://example.com/b", "B"))
    assert done.host_cost == 0.005


def test_a_stream_keeps_them_too_and_the_done_object_ends_it():
    chunk = {"id": "r1", "model": "sonar", "object": "chat.completion.chunk", "citations": _CITED,
             "search_results": _RESULTS, "choices": [{"index": 0, "delta": {"content": "4"}, "finish_reason": None}]}
    last = {**chunk, "object": "chat.completion.done",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
    body = _sse(chunk, {**chunk, "choices": [{"index": 0, "delta": {"content": " [1]"}, "finish_reason": None}]}, last)
    provider = Perplexity("k", transport=httpx.MockTransport(
        lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)))
    events = list(provider.stream(_request("sonar", stream=True)))
    assert isinstance(events[-1], rehost.Done)
    done = events[-1].completion
    assert done.text == "4 [1]"
    assert done.finish_reason == "stop"
    assert citations(done) == tuple(_CITED)
    assert [r.url for r in search_results(done)] == _CITED


def test_a_completion_from_another_host_has_no_citations():
    assert citations(rehost.Completion()) == ()
    assert search_results(rehost.Completion()) == ()


def test_the_reasoning_models_think_inline_and_it_is_split_out():
    answer = _answer("<think>search first</think>The answer is 4.", model="sonar-reasoning-pro")
    sent: list[dict] = []

    def reply(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=answer)

    provider = Perplexity("k", transport=httpx.MockTransport(reply))
    done = provider.send(_request("sonar-reasoning-pro", ThinkingPlan(effort="high")))
    assert done.text == "The answer is 4."
    assert done.reasoning == "search first"
    assert sent[0]["reasoning_effort"] == "high"
    # a non-reasoning Sonar model's content is taken as it comes
    answer = _answer("<think>not a tag here</think>", model="sonar")
    assert provider.send(_request("sonar")).text == "<think>not a tag here</think>"


@pytest.mark.parametrize(("model", "plan", "match"), [
    ("sonar", ThinkingPlan(effort="high"), "does not reason"),
    ("sonar-pro", ThinkingPlan(budget=1000), "budget"),
    ("sonar-reasoning-pro", ThinkingPlan(effort="max"), r"minimal\|low\|medium\|high"),
    ("sonar-reasoning", ThinkingPlan(enabled=False), "cannot turn"),
    ("sonar-deep-research", ThinkingPlan(budget=1000), "budget"),
])
def test_a_reasoning_setting_the_model_rejects_is_refused_before_the_network(model, plan, match):
    calls: list[httpx.Request] = []
    provider = Perplexity("k", transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(rehost.errors.UnsupportedFeature, match=match):
        provider.send(_request(model, plan))
    assert calls == []


def test_sonar_turned_off_sends_nothing_extra():
    body = Perplexity("k").chat.prepare(_request("sonar", ThinkingPlan(enabled=False))).call.body
    assert "reasoning_effort" not in body


def test_a_chat_and_a_stream_through_the_emulator_at_the_root_path():
    with Emulator() as emu:
        client = rehost.client("perplexity/sonar", bound_to=emu.provider("perplexity"))
        assert client.complete("hi").text
        stream = client.stream("hi")
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        paths = [r.path for r in emu.requests if r.method == "POST"]
    assert paths == ["/perplexity/chat/completions"] * 2


@pytest.mark.parametrize(("fault", "error"), [("401", rehost.errors.AuthenticationError),
                                              ("429", rehost.errors.RateLimited),
                                              ("400", rehost.errors.InvalidRequest)])
def test_host_errors_map_to_typed_exceptions(fault, error):
    with Emulator() as emu:
        emu.script("perplexity", fault=fault)
        with pytest.raises(error) as caught:
            emu.provider("perplexity", retry=RetryPolicy(max_retries=0)).send(_request("sonar"))
    assert caught.value.host == "perplexity"
    assert "emulator-key" not in str(caught.value)


def test_a_numeric_error_code_is_read():
    body = {"error": {"code": 401, "message": "Invalid API key", "type": "invalid_api_key"}}
    provider = Perplexity("pplx-secret", transport=httpx.MockTransport(lambda r: httpx.Response(401, json=body)))
    with pytest.raises(rehost.errors.AuthenticationError) as caught:
        provider.send(_request("sonar"))
    assert caught.value.code == "401"
    assert "pplx-secret" not in str(caught.value)
    assert "pplx-secret" not in repr(provider)


def test_the_key_comes_from_perplexity_api_key_or_litellms_name(monkeypatch):
    monkeypatch.delenv("PERPLEXITY_API_KEY", raising=False)
    monkeypatch.delenv("PERPLEXITYAI_API_KEY", raising=False)
    with pytest.raises(rehost.errors.MissingAPIKey, match="PERPLEXITY_API_KEY"):
        Perplexity().auth_headers()
    monkeypatch.setenv("PERPLEXITYAI_API_KEY", "pplx-2")
    assert Perplexity().auth_headers() == {"Authorization": "Bearer pplx-2"}
    monkeypatch.setenv("PERPLEXITY_API_KEY", "pplx-1")
    assert Perplexity().auth_headers() == {"Authorization": "Bearer pplx-1"}
