"""The regional hosts (HOSTS-MORE §11-13, §18): SEA-LION, LightOn Paradigm, Upstage Solar, Naver CLOVA Studio and
Cloudflare Workers AI, each one provider file. Every one is known by its registry row, answers through the
emulator at its own path, spells thinking only as a source documents it (and refuses the rest before the
network), reads reasoning only from a field a source confirms, maps errors to typed exceptions and takes its
key from its own variable without ever showing it."""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message, Tool
from rehost.testing import redirect
from rehost.testing.emulator import Emulator

#: name, module, class, key variables, model (catalogue name), the host's id for it, reasoning fields
REGIONAL = [
    ("sealion", "sealion", "SeaLion", ("SEA_LION_API_KEY",), "gemma-sea-lion-v4-27b-it",
     "aisingapore/Gemma-SEA-LION-v4-27B-IT", ()),
    ("lighton", "lighton", "LightOn", ("LIGHTON_API_KEY", "PARADIGM_API_KEY"), "alfred-4.2", "alfred-4.2", ()),
    ("upstage", "upstage", "Upstage", ("UPSTAGE_API_KEY",), "solar-pro3", "solar-pro3", ("reasoning",)),
    ("clova", "clova", "Clova", ("CLOVASTUDIO_API_KEY",), "hcx-007", "HCX-007", ()),
    ("cloudflare", "cloudflare", "Cloudflare", ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY"),
     "gemma-sea-lion-v4-27b-it", "@cf/aisingapore/gemma-sea-lion-v4-27b-it", ("reasoning_content",)),
]
HOSTS = [pytest.param(*row, id=row[0]) for row in REGIONAL]
ALL_KEYS = [var for row in REGIONAL for var in row[3]]


def _cls(module: str, cls: str):
    return getattr(importlib.import_module(f"rehost.providers.{module}"), cls)


def _make(module: str, cls: str, *args, **kwargs):
    host = _cls(module, cls)
    if cls == "Cloudflare":
        kwargs.setdefault("account_id", "acct123")
    return host(*args, **kwargs)


def _request(model: str, thinking: ThinkingPlan | None = None, **fields) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user("hi"),), thinking=thinking, **fields)


def _refusing() -> tuple[list[httpx.Request], httpx.MockTransport]:
    calls: list[httpx.Request] = []
    return calls, httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500))


# ---------------------------------------------------------------------------------------------- known everywhere
@pytest.mark.parametrize(("name", "module", "cls", "keys", "model", "host_id", "fields"), HOSTS)
def test_each_is_one_file_of_a_host_and_its_chat_endpoint_on_the_shared_base(name, module, cls, keys, model,
                                                                              host_id, fields):
    import ast
    import inspect
    from pathlib import Path

    mod = importlib.import_module(f"rehost.providers.{module}")
    defined = {n for n, c in inspect.getmembers(mod, inspect.isclass) if c.__module__ == mod.__name__}
    assert defined == {cls, f"{cls}Chat"}
    assert _cls(module, cls).chat_endpoint is getattr(mod, f"{cls}Chat")
    tree = ast.parse(Path(str(mod.__file__)).read_text())
    imported = {"." * n.level + (n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert ".openai_compatible" in imported
    assert all(i in {"__future__", "typing"} or i.startswith(("..shared.", ".openai_compatible")) for i in imported), \
        imported  # nothing of another host's


@pytest.mark.parametrize(("name", "module", "cls", "keys", "model", "host_id", "fields"), HOSTS)
def test_one_row_makes_it_known_everywhere(name, module, cls, keys, model, host_id, fields):
    host = _cls(module, cls)
    row = _registry.HOSTS[name]
    assert row.spec == (f"rehost.providers.{module}", cls)
    assert row.kinds == frozenset({"chat"})
    assert getattr(rehost, cls) is host
    assert host.api_key_env == keys
    hostname = urlsplit(host.default_base_url).hostname
    assert hostname in row.real_hosts
    assert redirect.style_for(hostname, None) == name
    assert _make(module, cls, "k").chat.reasoning_fields == fields
    entry = rehost.catalog().host_entry(model, name)
    assert entry.id == host_id
    assert entry.read
    assert entry.source
    assert isinstance(rehost.client(f"{name}/{model}").provider, host)


def test_ids_no_source_confirms_are_marked_unconfirmed():
    catalog = rehost.catalog()
    assert catalog.host_entry("gemma-sea-lion-v4-27b-it", "sealion").status == "unconfirmed"
    assert catalog.host_entry("solar-pro4", "upstage").status == "unconfirmed"
    assert catalog.host_entry("alfred-4.2", "lighton").status == "unconfirmed"
    # read from Cloudflare's own model page, with its price
    row = catalog.host_entry("gemma-sea-lion-v4-27b-it", "cloudflare")
    assert row.status != "unconfirmed"
    assert catalog.host_entry("hcx-007", "clova").status != "unconfirmed"


@pytest.mark.parametrize(("name", "module", "cls", "keys", "model", "host_id", "fields"), HOSTS)
def test_a_chat_and_a_stream_through_the_emulator(name, module, cls, keys, model, host_id, fields):
    with Emulator() as emu:
        provider = emu.provider(name)
        assert type(provider) is _cls(module, cls)
        client = rehost.client(f"{name}/{model}", bound_to=provider)
        done = client.complete("hi")
        assert done.text
        assert done.host == name
        stream = client.stream("hi")
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        posts = [r for r in emu.requests if r.method == "POST"]
    from rehost.testing.emulator.quirks import STYLES

    assert [r.path for r in posts] == [f"/{name}{STYLES[name]['prefix']}/chat/completions"] * 2
    assert [r.json()["model"] for r in posts] == [host_id, host_id]
    assert all(r.headers["authorization"] == "Bearer emulator-key" for r in posts)


@pytest.mark.parametrize(("name", "module", "cls", "keys", "model", "host_id", "fields"), HOSTS)
def test_code_written_for_the_real_host_reaches_the_emulator_under_redirect(name, module, cls, keys, model,
                                                                              host_id, fields):
    with Emulator() as emu, redirect.redirect_to(emu):
        done = rehost.client(f"{name}/{model}", bound_to=_make(module, cls, "k")).complete("hi")
        assert done.text
        posts = [r for r in emu.requests if r.method == "POST"]
    path = urlsplit(_make(module, cls, "k").base_url).path
    assert [r.path for r in posts] == [f"/{name}{path}/chat/completions"]


@pytest.mark.parametrize(("name", "fault", "error"), [
    (name, fault, error) for name in [r[0] for r in REGIONAL]
    for fault, error in (("401", rehost.errors.AuthenticationError), ("429", rehost.errors.RateLimited),
                         ("500", rehost.errors.ServerError))])
def test_host_errors_map_to_typed_exceptions(name, fault, error):
    row = next(r for r in REGIONAL if r[0] == name)
    with Emulator() as emu:
        emu.script(name, fault=fault)
        with pytest.raises(error) as caught:
            emu.provider(name, retry=RetryPolicy(max_retries=0)).send(_request(row[5]))
    assert caught.value.host == name
    assert "emulator-key" not in str(caught.value)


@pytest.mark.parametrize(("name", "module", "cls", "keys", "model", "host_id", "fields"), HOSTS)
def test_the_key_comes_from_its_own_variables_and_is_never_shown(monkeypatch, name, module, cls, keys, model,
                                                                  host_id, fields):
    for var in ALL_KEYS:
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(rehost.errors.MissingAPIKey, match=keys[0]):
        _make(module, cls).auth_headers()
    for var in keys:
        monkeypatch.setenv(var, f"sk-{var.lower()}-secret")
        provider = _make(module, cls)
        assert provider.auth_headers() == {"Authorization": f"Bearer sk-{keys[0].lower()}-secret"}
        assert "secret" not in repr(provider)


@pytest.mark.parametrize(("name", "module", "cls", "keys", "model", "host_id", "fields"), HOSTS)
def test_a_model_the_host_does_not_serve_is_refused_before_the_network(name, module, cls, keys, model, host_id,
                                                                        fields):
    calls, transport = _refusing()
    provider = _make(module, cls, "k", transport=transport)
    with pytest.raises(rehost.errors.ConfigurationError):
        provider.send(Request(model="claude-opus-4.7", messages=(Message.user("hi"),)))
    assert calls == []


@pytest.mark.parametrize(("name", "module", "cls", "keys", "model", "host_id", "fields"), HOSTS)
def test_reasoning_is_read_only_from_the_confirmed_field(name, module, cls, keys, model, host_id, fields):
    answer = {"id": "x", "model": host_id, "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "4", "reasoning": "r-field", "reasoning_content": "rc-field"}}]}
    provider = _make(module, cls, "k", transport=httpx.MockTransport(lambda r: httpx.Response(200, json=answer)))
    done = provider.send(_request(host_id))
    assert done.text == "4"
    expected = {(): "", ("reasoning",): "r-field", ("reasoning_content",): "rc-field"}[fields]
    assert done.reasoning == expected


@pytest.mark.parametrize("name", ["upstage", "cloudflare"])
def test_the_emulated_reasoning_comes_back_in_the_hosts_field(name):
    row = next(r for r in REGIONAL if r[0] == name)
    with Emulator() as emu:
        emu.script(name, reasoning_tokens=2)
        client = rehost.client(f"{name}/{row[4]}", bound_to=emu.provider(name))
        done = client.complete("hi")
        stream = client.stream("hi")
        list(stream)
    assert done.reasoning == "Thinking t1"
    assert stream.final().reasoning == "Thinking t1"


# ---------------------------------------------------------------------------------------------- thinking tables
def _thinking(provider, model: str, plan: ThinkingPlan | None) -> dict:
    body = provider.chat.prepare(_request(model, plan)).call.body
    return {k: body[k] for k in ("thinking", "reasoning_effort", "chat_template_kwargs") if k in body}


@pytest.mark.parametrize(("model", "plan", "fields"), [
    ("solar-pro3", None, {}),
    ("solar-pro3", ThinkingPlan(), {}),
    ("solar-pro3", ThinkingPlan(effort="high"), {"reasoning_effort": "high"}),
    ("solar-pro2", ThinkingPlan(effort="low"), {"reasoning_effort": "low"}),
    ("solar-pro4", ThinkingPlan(), {"reasoning_effort": "high"}),  # off by default: on by asking
    ("solar-pro4", ThinkingPlan(effort="medium"), {"reasoning_effort": "medium"}),
    ("solar-pro4", ThinkingPlan(enabled=False), {}),  # already off
    ("solar-mini", ThinkingPlan(enabled=False), {}),
])
def test_upstage_thinking_table(model, plan, fields):
    from rehost.providers.upstage import Upstage

    assert _thinking(Upstage("k"), model, plan) == fields


@pytest.mark.parametrize(("model", "plan", "fields"), [
    ("HCX-007", None, {}),
    ("HCX-007", ThinkingPlan(), {}),  # the host's default depth (low)
    ("HCX-007", ThinkingPlan(enabled=False), {"thinking": {"effort": "none"}}),
    ("HCX-007", ThinkingPlan(effort="high"), {"thinking": {"effort": "high"}}),
    ("HCX-007", ThinkingPlan(effort="medium"), {"thinking": {"effort": "medium"}}),
    ("HCX-005", ThinkingPlan(enabled=False), {}),
])
def test_clova_thinking_table(model, plan, fields):
    from rehost.providers.clova import Clova

    assert _thinking(Clova("k"), model, plan) == fields


@pytest.mark.parametrize(("name", "model", "plan", "match"), [
    ("upstage", "solar-pro3", ThinkingPlan(effort="max"), r"low\|medium\|high"),
    ("upstage", "solar-pro3", ThinkingPlan(budget=2048), "no thinking budget"),
    ("upstage", "solar-pro3", ThinkingPlan(enabled=False), "no switch"),
    ("upstage", "solar-pro3", ThinkingPlan(include_reasoning=False), "keep reasoning out"),
    ("upstage", "solar-mini", ThinkingPlan(effort="high"), "does not reason"),
    ("clova", "HCX-007", ThinkingPlan(effort="max"), r"low\|medium\|high"),
    ("clova", "HCX-007", ThinkingPlan(budget=1024), "no thinking budget"),
    ("clova", "HCX-005", ThinkingPlan(effort="high"), "does not reason"),
    ("sealion", "aisingapore/Gemma-SEA-LION-v4-27B-IT", ThinkingPlan(enabled=False), "thinking_mode"),
    ("sealion", "aisingapore/Gemma-SEA-LION-v4-27B-IT", ThinkingPlan(effort="high"), "no documented thinking"),
    ("lighton", "alfred-4.2", ThinkingPlan(effort="high"), "no documented thinking controls"),
    ("lighton", "alfred-4.2", ThinkingPlan(enabled=False), "no documented thinking controls"),
    ("cloudflare", "@cf/qwen/qwq-32b", ThinkingPlan(budget=2048), "no documented thinking controls"),
    ("cloudflare", "@cf/qwen/qwq-32b", ThinkingPlan(effort="low"), "no documented thinking controls"),
])
def test_a_reasoning_setting_the_host_or_model_rejects_is_refused_before_the_network(name, model, plan, match):
    row = next(r for r in REGIONAL if r[0] == name)
    calls, transport = _refusing()
    provider = _make(row[1], row[2], "k", transport=transport)
    with pytest.raises(rehost.errors.UnsupportedFeature, match=match):
        provider.send(_request(model, plan))
    assert calls == []


def test_a_client_asking_for_thinking_on_clova_sends_the_effort_through_the_emulator():
    with Emulator() as emu:
        client = rehost.client("clova/hcx-007", bound_to=emu.provider("clova"))
        client.complete("hi", thinking=rehost.Thinking(effort="high"))
        client.complete("hi", thinking=rehost.Thinking(enabled=False))
        bodies = [r.json() for r in emu.requests if r.method == "POST"]
    assert [b["thinking"] for b in bodies] == [{"effort": "high"}, {"effort": "none"}]


# ---------------------------------------------------------------------------------------------- per-host quirks
def test_lighton_refuses_tools_before_the_network_and_sends_a_schema_as_an_instruction():
    from rehost.providers.lighton import LightOn

    calls, transport = _refusing()
    provider = LightOn("k", transport=transport)
    with pytest.raises(rehost.errors.UnsupportedFeature, match="tools"):
        provider.send(_request("alfred-4.2", tools=(Tool(name="get_weather"),)))
    assert calls == []
    assert provider.chat.output_modes == ("prompt",)


def test_cloudflare_builds_its_url_from_the_account_id(monkeypatch):
    from rehost.providers.cloudflare import Cloudflare

    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)
    assert Cloudflare("k", account_id="abc").base_url == \
        "https://api.cloudflare.com/client/v4/accounts/abc/ai/v1"
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "fromenv")
    assert Cloudflare("k").base_url == "https://api.cloudflare.com/client/v4/accounts/fromenv/ai/v1"
    gateway = "https://gateway.ai.cloudflare.com/v1/abc/gw/workers-ai/v1"
    assert Cloudflare("k", base_url=gateway).base_url == gateway
    with pytest.raises(rehost.errors.ConfigurationError, match="account_id"):
        Cloudflare("k", account_id="a/b")


def test_cloudflare_without_an_account_fails_before_the_network(monkeypatch):
    from rehost.providers.cloudflare import Cloudflare

    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)
    calls, transport = _refusing()
    provider = Cloudflare("k", transport=transport)
    with pytest.raises(rehost.errors.ConfigurationError, match="CLOUDFLARE_ACCOUNT_ID"):
        provider.send(_request("@cf/meta/llama-3.1-8b-instruct"))
    assert calls == []


def test_clova_serves_the_government_cloud_by_region():
    from rehost.providers.clova import Clova

    assert Clova("k", region="gov").base_url == "https://clovastudio.stream.gov-ntruss.com/v1/openai"
    assert redirect.style_for("clovastudio.stream.gov-ntruss.com", None) == "clova"
    with pytest.raises(rehost.errors.ConfigurationError, match="public or gov"):
        Clova("k", region="eu")  # type: ignore[arg-type]


def test_clova_reads_its_request_id_header():
    from rehost.providers.clova import Clova

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"x-ncp-clovastudio-request-id": "req-7"}, json={
            "id": "c", "model": "HCX-005", "choices": [{"index": 0, "finish_reason": "stop",
                                                        "message": {"role": "assistant", "content": "ok"}}]})

    done = Clova("k", transport=httpx.MockTransport(answer)).send(_request("HCX-005"))
    assert done.request_id == "req-7"


def test_rehost_hosts_says_a_cloudflare_key_without_an_account_is_not_ready(monkeypatch):
    from rehost.providers.cloudflare import Cloudflare

    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "cf-secret")
    assert "CLOUDFLARE_ACCOUNT_ID" in (Cloudflare().missing_key_reason or "")
    assert Cloudflare(account_id="a").missing_key_reason is None
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    assert "CLOUDFLARE_API_TOKEN" in (Cloudflare(account_id="a").missing_key_reason or "")
