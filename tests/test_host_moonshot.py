"""Moonshot / Kimi (HOSTS-MORE §15): one provider file; the thinking object, reasoning_effort and keep per model,
refused before the network where the model cannot take them; reasoning_content; errors typed; the key hidden."""

from __future__ import annotations

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.providers.moonshot import Moonshot
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message
from rehost.testing import redirect
from rehost.testing.emulator import Emulator


def _request(model: str, thinking: ThinkingPlan | None = None) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user("hi"),), thinking=thinking)


def test_it_is_known_everywhere_by_one_row():
    row = _registry.HOSTS["moonshot"]
    assert row.spec == ("rehost.providers.moonshot", "Moonshot")
    assert rehost.Moonshot is Moonshot
    assert redirect.style_for("api.moonshot.ai", None) == "moonshot"
    assert isinstance(rehost.client("moonshot/kimi-k2.6").provider, Moonshot)


@pytest.mark.parametrize(("model", "plan", "preserve", "fields"), [
    ("kimi-k2.6", None, False, {}),
    ("kimi-k2.6", ThinkingPlan(), False, {"thinking": {"type": "enabled"}}),
    ("kimi-k2.5", ThinkingPlan(enabled=False), False, {"thinking": {"type": "disabled"}}),
    ("kimi-k2.6", ThinkingPlan(effort="max"), False, {"thinking": {"type": "enabled"}, "reasoning_effort": "max"}),
    ("kimi-k2.6", ThinkingPlan(budget=2048), False, {"thinking": {"type": "enabled", "budget_tokens": 2048}}),
    ("kimi-k3", ThinkingPlan(effort="low"), True,
     {"thinking": {"type": "enabled", "keep": "all"}, "reasoning_effort": "low"}),
    ("kimi-k2.7-code-highspeed", ThinkingPlan(), True, {"thinking": {"type": "enabled", "keep": "all"}}),
    ("moonshot-v1-8k", ThinkingPlan(enabled=False), False, {}),
])
def test_the_thinking_table_per_model(model, plan, preserve, fields):
    body = Moonshot("k", preserve_thinking=preserve).chat.prepare(_request(model, plan)).call.body
    assert {k: body[k] for k in ("thinking", "reasoning_effort") if k in body} == fields


@pytest.mark.parametrize(("model", "plan", "preserve", "match"), [
    ("kimi-k2.6", ThinkingPlan(effort="medium"), False, r"low\|high\|max"),
    ("kimi-k2.6", ThinkingPlan(budget=512), False, "at least 1024"),
    ("kimi-k2-thinking", ThinkingPlan(enabled=False), False, "always reasons"),
    ("moonshot-v1-32k", ThinkingPlan(effort="high"), False, "does not reason"),
    ("kimi-k2.5", ThinkingPlan(), True, "keep: all"),
])
def test_a_reasoning_setting_the_model_rejects_is_refused_before_the_network(model, plan, preserve, match):
    calls: list[httpx.Request] = []
    provider = Moonshot("k", preserve_thinking=preserve,
                        transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(rehost.errors.UnsupportedFeature, match=match):
        provider.send(_request(model, plan))
    assert calls == []


def test_a_chat_and_a_stream_through_the_emulator():
    with Emulator() as emu:
        emu.script("moonshot", reasoning_tokens=2)
        client = rehost.client("moonshot/kimi-k2.6", bound_to=emu.provider("moonshot"))
        done = client.complete("hi", thinking=rehost.Thinking(effort="high"))
        assert done.reasoning == "Thinking t1"
        stream = client.stream("hi")
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        assert stream.final().reasoning == "Thinking t1"
        posts = [r for r in emu.requests if r.method == "POST"]
    assert [r.path for r in posts] == ["/moonshot/v1/chat/completions"] * 2
    assert posts[0].json()["reasoning_effort"] == "high"


@pytest.mark.parametrize(("fault", "error"), [("401", rehost.errors.AuthenticationError),
                                              ("429", rehost.errors.RateLimited),
                                              ("400", rehost.errors.InvalidRequest)])
def test_host_errors_map_to_typed_exceptions(fault, error):
    with Emulator() as emu:
        emu.script("moonshot", fault=fault)
        with pytest.raises(error) as caught:
            emu.provider("moonshot", retry=RetryPolicy(max_retries=0)).send(_request("kimi-k2.6"))
    assert caught.value.host == "moonshot"
    assert "emulator-key" not in str(caught.value)


def test_the_key_comes_from_moonshot_api_key_or_pydantic_ais_name(monkeypatch):
    monkeypatch.delenv("MOONSHOT_API_KEY", raising=False)
    monkeypatch.delenv("MOONSHOTAI_API_KEY", raising=False)
    with pytest.raises(rehost.errors.MissingAPIKey, match="MOONSHOT_API_KEY"):
        Moonshot().auth_headers()
    monkeypatch.setenv("MOONSHOTAI_API_KEY", "ms-secret")
    provider = Moonshot()
    assert provider.auth_headers() == {"Authorization": "Bearer ms-secret"}
    assert "ms-secret" not in repr(provider)
