"""Z.ai (HOSTS-MORE §16): one provider file; the ``thinking`` object and reasoning_effort per model (refused
before the network where no source confirms it), preserved thinking, reasoning_content; the recorded Z.ai
exchanges (../shared/conformance/cassettes-more/zai) replay, sent body against recorded body."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.providers.zai import ZAI
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message
from rehost.testing import redirect
from rehost.testing.emulator import Emulator
from rehost.testing.replay import ReplayServer, load_cassette

CASSETTES = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance" / "cassettes-more" / "zai"


def _request(model: str, thinking: ThinkingPlan | None = None, text: str = "hi") -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user(text),), thinking=thinking)


def test_it_is_known_everywhere_by_one_row():
    row = _registry.HOSTS["zai"]
    assert row.spec == ("rehost.providers.zai", "ZAI")
    assert rehost.ZAI is ZAI
    assert redirect.style_for("api.z.ai", None) == "zai"
    assert rehost.catalog().host_entry("glm-5.3", "zai").id == "glm-5.3"
    assert isinstance(rehost.client("zai/glm-4.7").provider, ZAI)


@pytest.mark.parametrize(("model", "plan", "fields"), [
    ("glm-4.7", None, {}),
    ("glm-4.7", ThinkingPlan(), {"thinking": {"type": "enabled"}}),
    ("glm-4.7", ThinkingPlan(enabled=False, include_reasoning=False), {"thinking": {"type": "disabled"}}),
    ("glm-5.2", ThinkingPlan(effort="high"), {"thinking": {"type": "enabled"}, "reasoning_effort": "high"}),
    ("glm-5.3", ThinkingPlan(effort="max"), {"thinking": {"type": "enabled"}, "reasoning_effort": "max"}),
])
def test_the_thinking_table_per_model(model, plan, fields):
    body = ZAI("k").chat.prepare(_request(model, plan)).call.body
    assert {k: body[k] for k in ("thinking", "reasoning_effort") if k in body} == fields


@pytest.mark.parametrize(("model", "plan", "match"), [
    ("glm-4.7", ThinkingPlan(effort="high"), "GLM-5"),
    ("glm-5.2", ThinkingPlan(effort="low"), r"high\|max"),
    ("glm-5.3", ThinkingPlan(budget=4096), "budget"),
])
def test_a_reasoning_setting_the_model_rejects_is_refused_before_the_network(model, plan, match):
    calls: list[httpx.Request] = []
    provider = ZAI("k", transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(rehost.errors.UnsupportedFeature, match=match):
        provider.send(_request(model, plan))
    assert calls == []


def test_preserve_thinking_sends_clear_thinking():
    body = ZAI("k", preserve_thinking=True).chat.prepare(_request("glm-4.7", ThinkingPlan())).call.body
    assert body["thinking"] == {"type": "enabled", "clear_thinking": False}
    assert ZAI("k", preserve_thinking=False).chat.prepare(_request("glm-4.7")).call.body["thinking"] == {
        "clear_thinking": True}
    assert "thinking" not in ZAI("k").chat.prepare(_request("glm-4.7")).call.body


def test_a_chat_and_a_stream_through_the_emulator():
    with Emulator() as emu:
        emu.script("zai", reasoning_tokens=2)
        client = rehost.client("zai/glm-5.3", bound_to=emu.provider("zai"))
        done = client.complete("hi", thinking=rehost.Thinking(effort="max"))
        assert done.reasoning == "Thinking t1"
        assert done.host == "zai"
        stream = client.stream("hi")
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        assert stream.final().reasoning == "Thinking t1"
        posts = [r for r in emu.requests if r.method == "POST"]
    assert [r.path for r in posts] == ["/zai/api/paas/v4/chat/completions"] * 2
    assert posts[0].json()["reasoning_effort"] == "max"


@pytest.mark.parametrize(("fault", "error"), [("401", rehost.errors.AuthenticationError),
                                              ("429", rehost.errors.RateLimited),
                                              ("500", rehost.errors.ServerError)])
def test_host_errors_map_to_typed_exceptions(fault, error):
    with Emulator() as emu:
        emu.script("zai", fault=fault)
        with pytest.raises(error) as caught:
            emu.provider("zai", retry=RetryPolicy(max_retries=0)).send(_request("glm-4.7"))
    assert caught.value.host == "zai"
    assert "emulator-key" not in str(caught.value)


def test_the_key_comes_from_zai_api_key_and_is_never_shown(monkeypatch):
    monkeypatch.delenv("ZAI_API_KEY", raising=False)
    with pytest.raises(rehost.errors.MissingAPIKey, match="ZAI_API_KEY"):
        ZAI().auth_headers()
    monkeypatch.setenv("ZAI_API_KEY", "zai-secret")
    provider = ZAI()
    assert provider.auth_headers() == {"Authorization": "Bearer zai-secret"}
    assert "zai-secret" not in repr(provider)


def _plan(recorded: dict) -> ThinkingPlan | None:
    kind = recorded.get("thinking", {}).get("type")
    if "reasoning_effort" in recorded:
        return ThinkingPlan(effort=recorded["reasoning_effort"])
    return ThinkingPlan() if kind == "enabled" else None


@pytest.mark.parametrize("name", ["chat_text_glm47.yaml", "chat_thinking_enabled_glm47.yaml",
                                  "chat_reasoning_effort_glm52.yaml", "chat_reasoning_effort_max_glm53_two_turns.yaml"])
def test_the_recorded_exchanges_replay(name):
    path = CASSETTES / name
    if not path.exists():
        pytest.skip(f"no recording {path}")
    interactions = load_cassette(path)
    recorded = [i.request_body for i in interactions]
    with ReplayServer(interactions) as server:
        # the recording client (pydantic-ai) keeps earlier reasoning: clear_thinking false on every call
        provider = ZAI("k", base_url=server.url + "/api/paas/v4", preserve_thinking=True)
        done = [provider.send(_request(r["model"], _plan(r), r["messages"][0]["content"])) for r in recorded]
        sent = [r.json() for r in server.received]
        assert server.unmatched == []
    assert sent == recorded
    for completion, interaction in zip(done, interactions, strict=True):
        body = json.loads(interaction.response_body)
        message = body["choices"][0]["message"]
        assert completion.text == message["content"]
        assert completion.reasoning == message["reasoning_content"]
        assert completion.usage.reasoning_tokens == body["usage"]["completion_tokens_details"]["reasoning_tokens"]
        assert completion.request_id == body["request_id"]
