"""The Hugging Face router (HOSTS-MORE §9): one provider file; ``:provider`` / ``:fastest`` / ``:cheapest``
suffixes (added by ``provider=``, checked before the network), the per-provider proxy (``proxy=``), billing to an
organisation; the recorded exchanges through the together and nebius proxies replay."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.providers.huggingface import HuggingFace
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message
from rehost.testing import redirect
from rehost.testing.emulator import Emulator
from rehost.testing.replay import ReplayServer, load_cassette

CASSETTES = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance" / "cassettes-more" / "huggingface"


def _request(model: str, thinking: ThinkingPlan | None = None, **fields) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user("hi"),), thinking=thinking, **fields)


def _sent_model(provider: HuggingFace, model: str) -> str:
    return provider.chat.prepare(_request(model)).call.body["model"]


def test_it_is_known_everywhere_by_one_row():
    row = _registry.HOSTS["huggingface"]
    assert row.spec == ("rehost.providers.huggingface", "HuggingFace")
    assert rehost.HuggingFace is HuggingFace
    assert redirect.style_for("router.huggingface.co", None) == "huggingface"
    assert rehost.catalog().host_entry("deepseek-r1", "huggingface").id == "deepseek-ai/DeepSeek-R1"
    assert isinstance(rehost.client("huggingface/gpt-oss-120b").provider, HuggingFace)


@pytest.mark.parametrize(("provider", "model", "sent"), [
    (None, "openai/gpt-oss-120b", "openai/gpt-oss-120b"),
    ("groq", "openai/gpt-oss-120b", "openai/gpt-oss-120b:groq"),
    ("fastest", "openai/gpt-oss-120b", "openai/gpt-oss-120b:fastest"),
    ("cheapest", "deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-R1:cheapest"),
    ("cheapest", "openai/gpt-oss-120b:together", "openai/gpt-oss-120b:together"),  # the id's own suffix wins
    (None, "openai/gpt-oss-120b:preferred", "openai/gpt-oss-120b:preferred"),
])
def test_the_model_suffix_picks_the_provider(provider, model, sent):
    assert _sent_model(HuggingFace("hf_k", provider=provider), model) == sent


def test_an_unknown_suffix_is_refused_before_the_network():
    calls: list[httpx.Request] = []
    provider = HuggingFace("hf_k", transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(rehost.errors.InvalidRequest, match="'gorq'"):
        provider.send(_request("openai/gpt-oss-120b:gorq"))
    assert calls == []
    with pytest.raises(rehost.errors.ConfigurationError, match="'slowest'"):
        HuggingFace("hf_k", provider="slowest")
    with pytest.raises(rehost.errors.ConfigurationError, match="not both"):
        HuggingFace("hf_k", provider="groq", proxy="groq")
    with pytest.raises(rehost.errors.ConfigurationError, match="policy"):
        HuggingFace("hf_k", proxy="fastest")


def test_a_thinking_control_is_refused_before_the_network():
    calls: list[httpx.Request] = []
    provider = HuggingFace("hf_k", transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(rehost.errors.UnsupportedFeature, match="no documented thinking controls"):
        provider.send(_request("openai/gpt-oss-120b", ThinkingPlan(effort="high")))
    assert calls == []


@pytest.mark.parametrize(("proxy", "url"), [
    ("together", "https://router.huggingface.co/together/v1"),
    ("groq", "https://router.huggingface.co/groq/openai/v1"),
    ("novita", "https://router.huggingface.co/novita/v3/openai"),
    ("zai-org", "https://router.huggingface.co/zai-org/api/paas/v4"),
])
def test_the_per_provider_proxy_takes_the_providers_route(proxy, url):
    provider = HuggingFace("hf_k", proxy=proxy)
    assert provider.base_url == url
    assert _sent_model(provider, "deepseek-ai/DeepSeek-R1") == "deepseek-ai/DeepSeek-R1"
    with pytest.raises(rehost.errors.InvalidRequest, match="proxy"):
        provider.chat.prepare(_request("deepseek-ai/DeepSeek-R1:groq"))


def test_bill_to_sends_the_org_header_and_the_key_is_never_shown(monkeypatch):
    seen: list[httpx.Request] = []
    answer = {"id": "x", "model": "m", "choices": [{"index": 0, "finish_reason": "stop",
                                                    "message": {"role": "assistant", "content": "4"}}]}
    monkeypatch.setenv("HF_TOKEN", "hf_secret_token")
    provider = HuggingFace(bill_to="my-org", transport=httpx.MockTransport(
        lambda r: seen.append(r) or httpx.Response(200, json=answer)))
    assert provider.send(_request("m")).text == "4"
    assert seen[0].headers["X-HF-Bill-To"] == "my-org"
    assert seen[0].headers["Authorization"] == "Bearer hf_secret_token"
    assert "hf_secret_token" not in repr(provider)
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.setenv("HUGGINGFACE_API_KEY", "hf_other")
    assert HuggingFace().auth_headers() == {"Authorization": "Bearer hf_other"}
    monkeypatch.delenv("HUGGINGFACE_API_KEY")
    with pytest.raises(rehost.errors.MissingAPIKey, match="HF_TOKEN"):
        HuggingFace().auth_headers()
    with pytest.raises(rehost.errors.ConfigurationError, match="bill_to"):
        HuggingFace("k", bill_to="org\r\nX-Evil: 1")


def test_a_chat_and_a_stream_through_the_emulator():
    with Emulator() as emu:
        emu.script("huggingface", reasoning_tokens=2)
        client = rehost.client("huggingface/gpt-oss-120b", bound_to=emu.provider("huggingface", provider="cerebras"))
        done = client.complete("hi")
        assert done.text
        assert done.reasoning == "Thinking t1"
        stream = client.stream("hi")
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        posts = [r for r in emu.requests if r.method == "POST"]
    assert [r.path for r in posts] == ["/huggingface/v1/chat/completions"] * 2
    assert [r.json()["model"] for r in posts] == ["openai/gpt-oss-120b:cerebras"] * 2


@pytest.mark.parametrize(("fault", "error"), [("401", rehost.errors.AuthenticationError),
                                              ("429", rehost.errors.RateLimited),
                                              ("500", rehost.errors.ServerError)])
def test_host_errors_map_to_typed_exceptions(fault, error):
    with Emulator() as emu:
        emu.script("huggingface", fault=fault)
        with pytest.raises(error) as caught:
            emu.provider("huggingface", retry=RetryPolicy(max_retries=0)).send(_request("openai/gpt-oss-120b"))
    assert caught.value.host == "huggingface"
    assert "emulator-key" not in str(caught.value)


def _cassette(name: str):
    path = CASSETTES / name
    if not path.exists():
        pytest.skip(f"no recording {path}")
    return load_cassette(path)


def _replay(name: str, proxy: str, model: str, text: str, **options):
    interactions = _cassette(name)
    with ReplayServer(interactions) as server:
        provider = HuggingFace("hf_k", proxy=proxy, base_url=f"{server.url}/{proxy}/v1")
        done = rehost.client(model, bound_to=provider).complete(text, **options)
        sent = [r.json() for r in server.received]
        assert server.unmatched == []
    return json.loads(interactions[0].response_body), done, sent


@pytest.mark.parametrize("name", ["together_r1_usage.yaml", "together_r1_max_tokens.yaml"])
def test_the_recorded_r1_answers_through_the_together_proxy_replay(name):
    recorded = _cassette(name)[0].request_body
    options = {"max_tokens": recorded["max_tokens"]} if "max_tokens" in recorded else {}
    body, done, sent = _replay(name, "together", "huggingface/deepseek-r1", recorded["messages"][0]["content"],
                               **options)
    assert sent[0]["model"] == recorded["model"] == "deepseek-ai/DeepSeek-R1"
    assert [(m["role"], m["content"]) for m in sent[0]["messages"]] == [
        (m["role"], m["content"]) for m in recorded["messages"]]
    assert sent[0].get("max_tokens") == recorded.get("max_tokens")
    content = body["choices"][0]["message"]["content"]
    thought, _, answer = content.partition("</think>")
    assert done.reasoning.strip() == thought.removeprefix("<think>").strip()
    assert done.text.strip() == answer.strip()
    assert done.finish_reason == body["choices"][0]["finish_reason"]
    assert done.usage.input_tokens == body["usage"]["prompt_tokens"]
    assert done.usage.output_tokens == body["usage"]["completion_tokens"]


def test_the_recorded_nebius_answer_with_a_null_reasoning_content_replays():
    recorded = _cassette("nebius_qwen25_vl_image_url.yaml")[0]
    body = json.loads(recorded.response_body)
    interactions = [recorded]
    with ReplayServer(interactions) as server:
        provider = HuggingFace("hf_k", proxy="nebius", base_url=f"{server.url}/nebius/v1")
        done = provider.send(_request(recorded.request_body["model"]))
        assert server.unmatched == []
    assert done.text == body["choices"][0]["message"]["content"]
    assert done.reasoning == ""
