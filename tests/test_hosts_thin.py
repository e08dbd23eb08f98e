"""The thin OpenAI-compatible hosts of HOSTS-MORE §8, each one provider file: every one is known by its registry
row, answers through the emulator at its own path, reads reasoning only from a field a source confirms, refuses a
thinking setting it has no documented control for before the network, maps errors to typed exceptions and takes
its key from its own variable without ever showing it."""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message
from rehost.testing import redirect
from rehost.testing.emulator import Emulator

#: name, class, key variable, model (catalogue name), the host's id for it, reasoning fields
THIN = [
    ("sambanova", "SambaNova", "SAMBANOVA_API_KEY", "gpt-oss-120b", "gpt-oss-120b", ()),
    ("nebius", "Nebius", "NEBIUS_API_KEY", "gpt-oss-120b", "openai/gpt-oss-120b", ("reasoning_content",)),
    ("deepinfra", "DeepInfra", "DEEPINFRA_API_KEY", "llama-3.3-70b-instruct",
     "meta-llama/Llama-3.3-70B-Instruct-Turbo", ()),
    ("novita", "Novita", "NOVITA_API_KEY", "gpt-oss-120b", "openai/gpt-oss-120b", ()),
    ("hyperbolic", "Hyperbolic", "HYPERBOLIC_API_KEY", "llama-3.3-70b-instruct",
     "meta-llama/Llama-3.3-70B-Instruct", ()),
    ("baseten", "Baseten", "BASETEN_API_KEY", "gpt-oss-120b", "openai/gpt-oss-120b", ()),
]
HOSTS = [pytest.param(*row, id=row[0]) for row in THIN]


def _cls(name: str, cls: str):
    return getattr(importlib.import_module(f"rehost.providers.{name}"), cls)


def _request(model: str, thinking: ThinkingPlan | None = None, **fields) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user("hi"),), thinking=thinking, **fields)


@pytest.mark.parametrize(("name", "cls", "key_env", "model", "host_id", "fields"), HOSTS)
def test_one_row_makes_it_known_everywhere(name, cls, key_env, model, host_id, fields):
    host = _cls(name, cls)
    row = _registry.HOSTS[name]
    assert row.spec == (f"rehost.providers.{name}", cls)
    assert getattr(rehost, cls) is host
    assert host.api_key_env == (key_env,)
    hostname = urlsplit(host.default_base_url).hostname
    assert hostname in row.real_hosts
    assert redirect.style_for(hostname, None) == name
    assert host("k").chat.reasoning_fields == fields
    assert rehost.catalog().host_entry(model, name).id == host_id
    assert isinstance(rehost.client(f"{name}/{model}").provider, host)


@pytest.mark.parametrize(("name", "cls", "key_env", "model", "host_id", "fields"), HOSTS)
def test_a_chat_and_a_stream_through_the_emulator(name, cls, key_env, model, host_id, fields):
    with Emulator() as emu:
        provider = emu.provider(name)
        assert isinstance(provider, _cls(name, cls))
        client = rehost.client(f"{name}/{model}", bound_to=provider)
        done = client.complete("hi")
        assert done.text
        assert done.host == name
        stream = client.stream("hi")
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        posts = [r for r in emu.requests if r.method == "POST"]
    prefix = urlsplit(_cls(name, cls).default_base_url).path.rstrip("/")
    assert [r.path for r in posts] == [f"/{name}{prefix}/chat/completions"] * 2
    assert [r.json()["model"] for r in posts] == [host_id, host_id]


@pytest.mark.parametrize(("name", "cls", "key_env", "model", "host_id", "fields"), HOSTS)
@pytest.mark.parametrize("plan", [ThinkingPlan(effort="high"), ThinkingPlan(budget=2048),
                                  ThinkingPlan(include_reasoning=False)])
def test_a_thinking_setting_without_a_documented_control_is_refused_before_the_network(
        name, cls, key_env, model, host_id, fields, plan):
    calls: list[httpx.Request] = []
    provider = _cls(name, cls)("k", transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(rehost.errors.UnsupportedFeature, match="no documented thinking controls"):
        provider.send(_request(host_id, plan))
    assert calls == []
    assert "reasoning_effort" not in provider.chat.prepare(_request(host_id, ThinkingPlan())).call.body


@pytest.mark.parametrize(("name", "cls", "key_env", "model", "host_id", "fields"), HOSTS)
@pytest.mark.parametrize(("fault", "error"), [("401", rehost.errors.AuthenticationError),
                                              ("429", rehost.errors.RateLimited),
                                              ("500", rehost.errors.ServerError)])
def test_host_errors_map_to_typed_exceptions(name, cls, key_env, model, host_id, fields, fault, error):
    with Emulator() as emu:
        emu.script(name, fault=fault)
        with pytest.raises(error) as caught:
            emu.provider(name, retry=RetryPolicy(max_retries=0)).send(_request(host_id))
    assert caught.value.host == name
    assert "emulator-key" not in str(caught.value)


@pytest.mark.parametrize(("name", "cls", "key_env", "model", "host_id", "fields"), HOSTS)
def test_the_key_comes_from_its_own_variable_and_is_never_shown(monkeypatch, name, cls, key_env, model, host_id,
                                                                 fields):
    host = _cls(name, cls)
    for other in THIN:
        monkeypatch.delenv(other[2], raising=False)
    with pytest.raises(rehost.errors.MissingAPIKey, match=key_env):
        host().auth_headers()
    monkeypatch.setenv(key_env, "sk-thin-secret")
    provider = host()
    assert provider.auth_headers() == {"Authorization": "Bearer sk-thin-secret"}
    assert "sk-thin-secret" not in repr(provider)


def test_nebius_reads_reasoning_from_reasoning_content():
    from rehost.providers.nebius import Nebius

    with Emulator() as emu:
        emu.script("nebius", reasoning_tokens=2)
        client = rehost.client("nebius/gpt-oss-120b", bound_to=emu.provider("nebius"))
        done = client.complete("hi")
        stream = client.stream("hi")
        list(stream)
    assert done.reasoning == "Thinking t1"
    assert stream.final().reasoning == "Thinking t1"
    # a reasoning field no source confirms for Nebius is not read as reasoning
    answer = {"id": "x", "model": "m", "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "4", "reasoning": "not nebius' field", "reasoning_content": None}}]}
    provider = Nebius("k", transport=httpx.MockTransport(lambda r: httpx.Response(200, json=answer)))
    done = provider.send(_request("m"))
    assert done.text == "4"
    assert done.reasoning == ""


@pytest.mark.parametrize("choice", ["required", "get_weather"])
def test_deepinfra_refuses_a_tool_choice_other_than_auto_or_none_before_the_network(choice):
    from rehost.providers.deepinfra import DeepInfra
    from rehost.shared.types import Tool

    calls: list[httpx.Request] = []
    provider = DeepInfra("k", transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    tools = (Tool(name="get_weather"),)
    with pytest.raises(rehost.errors.UnsupportedFeature, match=r"auto\|none"):
        provider.send(_request("m", tools=tools, tool_choice=choice))
    assert calls == []
    for allowed in ("auto", "none"):
        body = provider.chat.prepare(_request("m", tools=tools, tool_choice=allowed)).call.body
        assert body["tool_choice"] == allowed
