"""xAI (HOSTS-MORE §5): one provider file; reasoning_effort accepted per model id, refused before the network
where the model rejects it; reasoning_content read back; errors typed; the key never shown."""

from __future__ import annotations

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.providers.xai import XAI, XAIChat
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message
from rehost.testing import redirect
from rehost.testing.emulator import Emulator


def _request(model: str, thinking: ThinkingPlan | None = None) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user("hi"),), thinking=thinking)


def _body(model: str, plan: ThinkingPlan | None) -> dict:
    return XAI("k").chat.prepare(_request(model, plan)).call.body


def test_it_is_known_everywhere_by_one_row():
    row = _registry.HOSTS["xai"]
    assert row.spec == ("rehost.providers.xai", "XAI")
    assert rehost.XAI is XAI
    assert XAI.chat_endpoint is XAIChat
    assert redirect.style_for("api.x.ai", None) == "xai"
    assert isinstance(rehost.client("xai/grok-3-mini").provider, XAI)
    assert rehost.catalog().host_entry("grok-4.3", "xai").id == "grok-4.3"


@pytest.mark.parametrize(("model", "plan", "sent"), [
    ("grok-3-mini", ThinkingPlan(effort="low"), "low"),
    ("grok-3-mini", ThinkingPlan(effort="high"), "high"),
    ("grok-3-mini-fast", ThinkingPlan(effort="high"), "high"),
    ("grok-4.3", ThinkingPlan(effort="medium"), "medium"),
    ("grok-4.3", ThinkingPlan(enabled=False, include_reasoning=False), "none"),
    ("grok-4.6", ThinkingPlan(effort="xhigh"), "xhigh"),
    ("grok-4.6", ThinkingPlan(enabled=False), "none"),
    ("grok-4.5", ThinkingPlan(effort="high"), "high"),
    ("grok-4.20-reasoning", ThinkingPlan(), None),
    ("grok-4.20-non-reasoning", ThinkingPlan(enabled=False), None),
    ("grok-4-0709", None, None),
    ("grok-latest", ThinkingPlan(), None),
])
def test_the_thinking_table_per_model(model, plan, sent):
    body = _body(model, plan)
    assert body.get("reasoning_effort") == sent
    assert "reasoning_effort" in body or sent is None


@pytest.mark.parametrize(("model", "plan", "match"), [
    ("grok-3-mini", ThinkingPlan(effort="medium"), r"low\|high"),
    ("grok-3-mini", ThinkingPlan(enabled=False), "cannot turn"),
    ("grok-4.3", ThinkingPlan(effort="xhigh"), r"low\|medium\|high"),
    ("grok-4.5", ThinkingPlan(enabled=False), "cannot turn"),
    ("grok-4.20-reasoning", ThinkingPlan(effort="low"), "rejects reasoning_effort"),
    ("grok-4.20-0309-reasoning", ThinkingPlan(effort="high"), "rejects reasoning_effort"),
    ("grok-4-fast-reasoning", ThinkingPlan(effort="high"), "rejects reasoning_effort"),
    ("grok-3", ThinkingPlan(effort="high"), "rejects reasoning_effort"),
    ("grok-4.3", ThinkingPlan(budget=1000), "budget"),
    ("grok-code-fast-1", ThinkingPlan(effort="high"), "not known to take reasoning_effort"),
])
def test_a_setting_the_model_rejects_is_refused_before_the_network(model, plan, match):
    calls: list[httpx.Request] = []
    provider = XAI("k", transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(rehost.errors.UnsupportedFeature, match=match):
        provider.send(_request(model, plan))
    assert calls == []


def test_a_chat_and_a_stream_through_the_emulator_read_reasoning_content():
    with Emulator() as emu:
        emu.script("xai", reasoning_tokens=3)
        provider = emu.provider("xai")
        assert isinstance(provider, XAI)
        client = rehost.client("xai/grok-3-mini", bound_to=provider)
        done = client.complete("hi", thinking=rehost.Thinking(effort="high"))
        assert done.text
        assert done.host == "xai"
        assert done.reasoning == "Thinking t1 t2"
        stream = client.stream("hi", thinking=rehost.Thinking(effort="low"))
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        assert stream.final().reasoning == "Thinking t1 t2"
        bodies = [r.json() for r in emu.requests if r.method == "POST"]
        paths = [r.path for r in emu.requests if r.method == "POST"]
    assert [b["reasoning_effort"] for b in bodies] == ["high", "low"]
    assert paths == ["/xai/v1/chat/completions"] * 2


@pytest.mark.parametrize(("fault", "error"), [
    ("401", rehost.errors.AuthenticationError), ("429", rehost.errors.RateLimited),
    ("400", rehost.errors.InvalidRequest),
])
def test_host_errors_map_to_typed_exceptions(fault, error):
    with Emulator() as emu:
        emu.script("xai", fault=fault)
        provider = emu.provider("xai", retry=RetryPolicy(max_retries=0))
        with pytest.raises(error) as caught:
            provider.send(_request("grok-3-mini"))
    assert caught.value.host == "xai"
    assert "emulator-key" not in str(caught.value)


def test_the_key_comes_from_xai_api_key_and_is_never_shown(monkeypatch):
    monkeypatch.setenv("XAI_API_KEY", "xai-secret-123")
    provider = XAI()
    assert provider.auth_headers() == {"Authorization": "Bearer xai-secret-123"}
    assert "xai-secret-123" not in repr(provider)
    monkeypatch.delenv("XAI_API_KEY")
    with pytest.raises(rehost.errors.MissingAPIKey, match="XAI_API_KEY"):
        XAI().auth_headers()
