"""DashScope international (HOSTS-MORE §17): one provider file; enable_thinking / thinking_budget, an effort or
turning a thinking-only model off refused before the network; reasoning_content; regions; errors; the key."""

from __future__ import annotations

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.providers.dashscope import DashScope
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message
from rehost.testing import redirect
from rehost.testing.emulator import Emulator


def _request(model: str, thinking: ThinkingPlan | None = None) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user("hi"),), thinking=thinking)


def test_it_is_known_everywhere_by_one_row():
    row = _registry.HOSTS["dashscope"]
    assert row.spec == ("rehost.providers.dashscope", "DashScope")
    assert rehost.DashScope is DashScope
    assert redirect.style_for("dashscope-intl.aliyuncs.com", None) == "dashscope"
    assert rehost.catalog().host_entry("qwen3-32b", "dashscope").id == "qwen3-32b"
    assert isinstance(rehost.client("dashscope/qwen3-32b").provider, DashScope)


def test_the_region_picks_the_base_url():
    assert DashScope("k").base_url == "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    assert DashScope("k", region="cn").base_url == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    with pytest.raises(rehost.errors.ConfigurationError, match="intl or cn"):
        DashScope("k", region="us")  # type: ignore[arg-type]


@pytest.mark.parametrize(("model", "plan", "fields"), [
    ("qwen3-32b", None, {}),
    ("qwen3-32b", ThinkingPlan(), {"enable_thinking": True}),
    ("qwen3-32b", ThinkingPlan(enabled=False, include_reasoning=False), {"enable_thinking": False}),
    ("qwen3-32b", ThinkingPlan(budget=4096), {"enable_thinking": True, "thinking_budget": 4096}),
    ("qwen3-235b-a22b-thinking-2507", ThinkingPlan(budget=1000), {"thinking_budget": 1000}),
    ("qwen3-235b-a22b-thinking-2507", ThinkingPlan(), {}),
])
def test_the_thinking_table_per_model(model, plan, fields):
    body = DashScope("k").chat.prepare(_request(model, plan)).call.body
    assert {k: body[k] for k in ("enable_thinking", "thinking_budget") if k in body} == fields


@pytest.mark.parametrize(("model", "plan", "match"), [
    ("qwen3-32b", ThinkingPlan(effort="high"), "budget"),
    ("qwen3-235b-a22b-thinking-2507", ThinkingPlan(enabled=False), "always reasons"),
    ("qwen3-32b", ThinkingPlan(budget=0), "positive"),
])
def test_a_reasoning_setting_the_model_rejects_is_refused_before_the_network(model, plan, match):
    calls: list[httpx.Request] = []
    provider = DashScope("k", transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(rehost.errors.UnsupportedFeature, match=match):
        provider.send(_request(model, plan))
    assert calls == []


def test_a_chat_and_a_stream_through_the_emulator():
    with Emulator() as emu:
        emu.script("dashscope", reasoning_tokens=2)
        client = rehost.client("dashscope/qwen3-32b", bound_to=emu.provider("dashscope"))
        done = client.complete("hi", thinking=rehost.Thinking())
        assert done.reasoning == "Thinking t1"
        stream = client.stream("hi", thinking=False)
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        posts = [r for r in emu.requests if r.method == "POST"]
    assert [r.path for r in posts] == ["/dashscope/compatible-mode/v1/chat/completions"] * 2
    assert posts[0].json()["enable_thinking"] is True
    assert posts[1].json()["enable_thinking"] is False


@pytest.mark.parametrize(("fault", "error"), [("401", rehost.errors.AuthenticationError),
                                              ("429", rehost.errors.RateLimited),
                                              ("500", rehost.errors.ServerError)])
def test_host_errors_map_to_typed_exceptions(fault, error):
    with Emulator() as emu:
        emu.script("dashscope", fault=fault)
        with pytest.raises(error) as caught:
            emu.provider("dashscope", retry=RetryPolicy(max_retries=0)).send(_request("qwen3-32b"))
    assert caught.value.host == "dashscope"
    assert "emulator-key" not in str(caught.value)


def test_the_key_comes_from_dashscope_api_key_or_alibaba_api_key(monkeypatch):
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    monkeypatch.delenv("ALIBABA_API_KEY", raising=False)
    with pytest.raises(rehost.errors.MissingAPIKey, match="DASHSCOPE_API_KEY"):
        DashScope().auth_headers()
    monkeypatch.setenv("ALIBABA_API_KEY", "sk-ali")
    provider = DashScope()
    assert provider.auth_headers() == {"Authorization": "Bearer sk-ali"}
    assert "sk-ali" not in repr(provider)
