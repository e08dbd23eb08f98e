"""OpenAI, Fireworks, Maritaca, Sarvam and Mistral-on-Vertex: requests in each host's documented shape, its
thinking spelling, errors, and the earlier issue's tool-loop and structured-output tests run on them."""

from __future__ import annotations

import json

import httpx
import pytest

from rehost import (
    Fireworks,
    GenericClient,
    GPTClient,
    Groq,
    Maritaca,
    MistralClient,
    OpenAI,
    OpenAICompatible,
    QwenClient,
    Sarvam,
    Together,
    Vertex,
)
from rehost.errors import ContextWindowExceeded, PaymentRequired, RateLimited, UnsupportedFeature
from rehost.shared.request import Request, Sampling, ThinkingPlan
from rehost.shared.types import Message
from rehost.testing.replay import ReplayServer

from .test_structured_output import ANSWER, Person, chat
from .test_tools import exchange, get_weather, openai_loop


def body_of(provider, request):
    return provider.prepare(request).call.body


def req(**kw):
    kw.setdefault("messages", (Message.user("hi"),))
    return Request(model="m", host_model_id="m", **kw)


# ------------------------------------------------------------------------------------------ URLs and auth


@pytest.mark.parametrize(("provider", "url", "header", "value"), [
    (OpenAI("sk-1"), "https://api.openai.com/v1/chat/completions", "Authorization", "Bearer sk-1"),
    (Fireworks("fw-1"), "https://api.fireworks.ai/inference/v1/chat/completions", "Authorization", "Bearer fw-1"),
    (Maritaca("mk-1"), "https://chat.maritaca.ai/api/chat/completions", "Authorization", "Bearer mk-1"),
    (Sarvam("sk_1"), "https://api.sarvam.ai/v1/chat/completions", "api-subscription-key", "sk_1"),
])
def test_urls_and_auth(provider, url, header, value):
    assert provider.prepare(req()).call.url == url
    assert provider.auth_headers() == {header: value}


@pytest.mark.parametrize(("cls", "var"), [(OpenAI, "OPENAI_API_KEY"), (Fireworks, "FIREWORKS_API_KEY"),
                                          (Maritaca, "MARITACA_API_KEY"), (Sarvam, "SARVAM_API_KEY")])
def test_key_variables(cls, var, monkeypatch):
    monkeypatch.delenv(var, raising=False)
    assert var in (cls().missing_key_reason or "")
    monkeypatch.setenv(var, "from-env")
    assert cls().has_key


# ------------------------------------------------------------------------------------------ OpenAI


def test_openai_sends_max_completion_tokens_and_efforts():
    body = body_of(OpenAI("k"), req(sampling=Sampling(max_tokens=50), thinking=ThinkingPlan(effort="high")))
    assert body["max_completion_tokens"] == 50
    assert "max_tokens" not in body
    assert body["reasoning_effort"] == "high"
    assert body_of(OpenAI("k"), req(thinking=ThinkingPlan(enabled=False, include_reasoning=False)))[
        "reasoning_effort"] == "none"
    with pytest.raises(UnsupportedFeature, match="budget"):
        OpenAI("k").prepare(req(thinking=ThinkingPlan(budget=100)))


def test_openai_developer_role_is_optional():
    request = req(messages=(Message.system("Be terse."), Message.user("hi")))
    assert body_of(OpenAI("k"), request)["messages"][0]["role"] == "system"
    assert body_of(OpenAI("k", developer_role=True), request)["messages"][0]["role"] == "developer"


def test_openai_insufficient_quota_is_payment_required():
    err = OpenAI("k").error_from_body(429, {}, {"error": {"message": "You exceeded your current quota",
                                                         "type": "insufficient_quota", "code": "insufficient_quota"}})
    assert isinstance(err, PaymentRequired)
    err = OpenAI("k").error_from_body(429, {}, {"error": {"message": "Rate limit reached", "type": "requests",
                                                         "code": "rate_limit_exceeded"}})
    assert isinstance(err, RateLimited)
    err = OpenAI("k").error_from_body(400, {}, {"error": {"message": "This model's maximum context length is 128000",
                                                         "code": "context_length_exceeded"}})
    assert isinstance(err, ContextWindowExceeded)


def test_gpt_on_openai_end_to_end():
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={
        "id": "c", "model": "o3", "choices": [{"index": 0, "message": {"role": "assistant", "content": "4"},
                                               "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 30, "completion_tokens_details": {"reasoning_tokens": 28}}}))
    done = GPTClient("o3", provider=OpenAI("k", transport=transport), thinking="low").complete("2+2?")
    assert done.text == "4"
    assert done.usage.reasoning_tokens == 28


# ------------------------------------------------------------------------------------------ Fireworks


@pytest.mark.parametrize(("plan", "fields"), [
    (ThinkingPlan(effort="low"), {"reasoning_effort": "low"}),
    (ThinkingPlan(budget=2048), {"thinking": {"type": "enabled", "budget_tokens": 2048}}),
    (ThinkingPlan(enabled=False, include_reasoning=False), {"thinking": {"type": "disabled"}}),
    (ThinkingPlan(always_on=True), {}),
])
def test_fireworks_thinking(plan, fields):
    body = body_of(Fireworks("k"), req(thinking=plan))
    assert {k: body[k] for k in ("reasoning_effort", "thinking") if k in body} == fields


def test_fireworks_refuses_small_budgets_and_takes_top_k():
    with pytest.raises(UnsupportedFeature, match="1024"):
        Fireworks("k").prepare(req(thinking=ThinkingPlan(budget=100)))
    assert body_of(Fireworks("k"), req(sampling=Sampling(top_k=20)))["top_k"] == 20


def test_fireworks_reads_reasoning_content():
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"id": "c", "choices": [{
        "index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": "Paris", "reasoning_content": "France's capital."}}]}))
    done = GenericClient("x", provider=Fireworks("k", transport=transport)).complete("Capital of France?")
    assert (done.reasoning, done.text) == ("France's capital.", "Paris")


# ------------------------------------------------------------------------------------------ regional hosts


def test_maritaca_and_sarvam_take_text_only():
    from rehost.shared.types import ImagePart

    image = req(messages=(Message.user("what?", ImagePart(url="https://x/p.png")),))
    for provider in (Maritaca("k"), Sarvam("k")):
        with pytest.raises(UnsupportedFeature, match="image"):
            provider.prepare(image)


def test_sarvam_effort_and_no_documented_off_switch():
    assert body_of(Sarvam("k"), req(thinking=ThinkingPlan(effort="medium")))["reasoning_effort"] == "medium"
    with pytest.raises(UnsupportedFeature):
        Sarvam("k").prepare(req(thinking=ThinkingPlan(enabled=False, include_reasoning=False)))


def test_maritaca_structured_output_goes_in_the_prompt():
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=chat(json.dumps(ANSWER))))
    client = GenericClient("sabia-4", provider=Maritaca("k", transport=transport))
    assert client.complete("Who is Ada?", output=Person).name == "Ada"
    with pytest.raises(UnsupportedFeature, match="prompt"):
        Maritaca("k").prepare(client.prepare("x", output=Person, output_mode="native"))


# ------------------------------------------------------------------------------------------ earlier tests, new hosts

NEW_HOSTS = {
    "openai": lambda url: OpenAI("k", base_url=url),
    "fireworks": lambda url: Fireworks("k", base_url=url),
    "maritaca": lambda url: Maritaca("k", base_url=url),
    "sarvam": lambda url: Sarvam("k", base_url=url),
}


@pytest.mark.parametrize("host", sorted(NEW_HOSTS))
def test_two_turn_tool_loop_on_the_new_openai_dialect_hosts(host):
    with ReplayServer(openai_loop("/chat/completions", {})) as server:
        result = GenericClient("m", provider=NEW_HOSTS[host](server.url)).run("Weather in Paris?",
                                                                            tools=[get_weather])
    assert result.text == "It is sunny in Paris."
    second = server.received[1].json()
    assert second["messages"][-1] == {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 22C in Paris"}


@pytest.mark.parametrize(("host", "mode"), [("openai", "native"), ("fireworks", "native"), ("sarvam", "tool"),
                                            ("maritaca", "prompt")])
def test_structured_output_on_the_new_hosts(host, mode):
    if mode == "tool":
        answer = chat(None, [{"id": "c", "type": "function", "function": {"name": "Person",
                                                                          "arguments": json.dumps(ANSWER)}}])
    else:
        answer = chat(json.dumps(ANSWER))
    with ReplayServer([exchange("/chat/completions", json.dumps(answer).encode())]) as server:
        value = GenericClient("m", provider=NEW_HOSTS[host](server.url)).complete("Who is Ada?", output=Person)
    assert value == Person.model_validate(ANSWER)
    body = server.received[0].json()
    if mode == "native":
        assert body["response_format"]["type"] == "json_schema"
        assert ("strict" in body["response_format"]["json_schema"]) == (host == "openai")
    elif mode == "tool":
        assert body["tool_choice"] == {"type": "function", "function": {"name": "Person"}}
    else:
        assert "Reply with a single JSON object" in body["messages"][-1]["content"]


# ------------------------------------------------------------------------------------------ Mistral on Vertex


def test_mistral_on_vertex_raw_predict():
    target = "/v1beta1/projects/p/locations/europe-west4/publishers/mistralai/models/mistral-small-2503:rawPredict"
    answer = json.dumps(chat("Bonjour")).encode()
    with ReplayServer([exchange(target, answer)]) as server:
        provider = Vertex("p", "europe-west4", access_token="t", base_url=server.url)
        done = MistralClient("small-3.1", provider=provider).complete("Salut", seed=3)
    assert done.text == "Bonjour"
    body = server.received[0].json()
    assert body["model"] == "mistral-small-2503"
    assert body["random_seed"] == 3
    assert server.received[0].headers["authorization"] == "Bearer t"


def test_mistral_on_vertex_drops_the_version_from_the_body_and_streams():
    request = Request(model="x", host_model_id="mistral-medium-3@001", messages=(Message.user("hi"),), stream=True)
    call = Vertex("p", "us-central1", access_token="t").prepare(request).call
    assert call.url.endswith("/publishers/mistralai/models/mistral-medium-3@001:streamRawPredict")
    assert call.body["model"] == "mistral-medium-3"
    assert "stream_options" not in call.body


def test_vertex_still_sends_gemini_to_google():
    call = Vertex("p", "global", access_token="t").prepare(
        Request(model="gemini-3.5-flash", messages=(Message.user("hi"),))).call
    assert "/publishers/google/models/gemini-3.5-flash:generateContent" in call.url


# ------------------------------------------------------------------------------------------ hybrid thinking switches


def qwen_off(provider):
    return provider.prepare(QwenClient("3-32b", thinking=False).prepare("Count to 3")).call.body


def test_qwen_off_is_spelled_by_each_host():
    assert qwen_off(Groq("k"))["reasoning_effort"] == "none"
    assert qwen_off(Together("k", models={"qwen3-32b": "q"}))["reasoning"] == {"enabled": False}
    assert qwen_off(Fireworks("k", models={"qwen3-32b": "q"}))["thinking"] == {"type": "disabled"}
    vllm = OpenAICompatible(base_url="http://localhost:8000/v1", template_kwargs=True, models={"qwen3-32b": "q"})
    body = qwen_off(vllm)
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert body["messages"][-1]["content"] == "Count to 3"
    plain = OpenAICompatible(base_url="http://localhost:8080/v1", models={"qwen3-32b": "q"})
    assert qwen_off(plain)["messages"][-1]["content"] == "Count to 3 /no_think"
    assert "chat_template_kwargs" not in qwen_off(plain)
