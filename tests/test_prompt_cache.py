"""Prompt-caching controls (issue 19): the neutral ``PromptCache`` spelled by the hosts that have each control
(Anthropic ``cache_control`` breakpoints, OpenAI ``prompt_cache_key`` / ``prompt_cache_retention``, Gemini
``cachedContent``), refused before the network where a host has none, and cache reads and writes decoded
into ``Usage`` and priced where the catalogue has cache prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rehost import Anthropic, ClaudeClient, GenericClient, Google, Groq, Message, OpenAI, PromptCache, Vertex
from rehost.errors import ConfigurationError, UnsupportedFeature
from rehost.providers.dialects import anthropic as messages
from rehost.providers.dialects.common import CallInfo
from rehost.shared.catalog import default_catalog
from rehost.shared.pricing import cost_of
from rehost.shared.request import Request
from rehost.testing.emulator import Emulator

from .test_tools import get_weather

OPUS = "claude-opus-4-6"


def _request(model: str, cache: PromptCache, *, system: str | None = "Be brief.", tools: bool = False) -> Request:
    req = GenericClient(model).prepare("What is the weather in Paris?", system=system,
                                       tools=[get_weather] if tools else None)
    return Request(**{**{f: getattr(req, f) for f in req.__dataclass_fields__}, "prompt_cache": cache})


# ------------------------------------------------------------------------------------------ the neutral value


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"ttl": "2h", "breakpoints": ("system",)}, "'5m' or '1h'"),
    ({"ttl": "1h"}, "give breakpoints"),
    ({"breakpoints": ("nowhere",)}, "'tools', 'system' or 'messages'"),
    ({"breakpoints": (3,)}, "'tools', 'system' or 'messages'"),
    ({"breakpoints": ("system", "system")}, "twice"),
    ({"retention": "forever"}, "'in_memory' or '24h'"),
    ({"key": ""}, "non-empty"),
    ({"cached_content": 7}, "non-empty"),
])
def test_bad_controls_are_refused_at_once(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        PromptCache(**kwargs)  # type: ignore[arg-type]


def test_a_single_breakpoint_may_be_given_bare() -> None:
    assert PromptCache(breakpoints="system").breakpoints == ("system",)  # type: ignore[arg-type]
    assert PromptCache(key="k", retention="24h").controls() == {"key", "retention"}


# ------------------------------------------------------------------------------------------ Anthropic


def test_anthropic_marks_each_breakpoint_with_its_ttl() -> None:
    cache = PromptCache(breakpoints=("tools", "system", "messages"), ttl="1h")
    body = Anthropic("k").prepare(_request(OPUS, cache, tools=True)).call.body
    mark = {"type": "ephemeral", "ttl": "1h"}
    assert body["tools"][-1]["cache_control"] == mark
    assert body["system"] == [{"type": "text", "text": "Be brief.", "cache_control": mark}]
    assert body["messages"][-1]["content"][-1]["cache_control"] == mark
    assert body["messages"][-1]["content"][-1]["text"] == "What is the weather in Paris?"


def test_anthropic_default_ttl_is_left_to_the_api() -> None:
    body = Anthropic("k").prepare(_request(OPUS, PromptCache(breakpoints=("system",)))).call.body
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in str(body["messages"])


def test_claude_on_vertex_takes_the_same_breakpoints() -> None:
    vertex = Vertex(project="p", location="us-east5", access_token="t")
    body = vertex.prepare(_request(OPUS, PromptCache(breakpoints=("messages",), ttl="5m"))).call.body
    assert body["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}


@pytest.mark.parametrize(("point", "kwargs"), [("tools", {}), ("system", {"system": ""})])
def test_anthropic_refuses_a_breakpoint_with_nothing_to_cache(point: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match=f"'{point}' cache breakpoint needs"):
        Anthropic("k").prepare(_request(OPUS, PromptCache(breakpoints=(point,)), **kwargs))  # type: ignore[arg-type]


def test_anthropic_refuses_openai_and_gemini_controls() -> None:
    with pytest.raises(UnsupportedFeature, match=r"key.*it has breakpoints, ttl"):
        Anthropic("k").prepare(_request(OPUS, PromptCache(key="user-7")))


def test_breakpoints_reach_the_wire_through_a_client() -> None:
    with Emulator() as emu:
        client = ClaudeClient(OPUS, provider=emu.provider("anthropic"))
        client.complete([Message.user("hi")], system="Be brief.", max_tokens=50,
                        prompt_cache=PromptCache(breakpoints=("system",)))
        sent = emu.requests[-1].json()
    assert sent["system"][-1]["cache_control"] == {"type": "ephemeral"}


# ------------------------------------------------------------------------------------------ OpenAI, Gemini


def test_openai_sends_the_key_and_its_spelling_of_retention() -> None:
    body = OpenAI("k").prepare(_request("gpt-4.1", PromptCache(key="user-7", retention="in_memory"))).call.body
    assert body["prompt_cache_key"] == "user-7"
    assert body["prompt_cache_retention"] == "in-memory"
    body = OpenAI("k").prepare(_request("gpt-4.1", PromptCache(retention="24h"))).call.body
    assert body["prompt_cache_retention"] == "24h"
    assert "prompt_cache_key" not in body


def test_openai_refuses_breakpoints() -> None:
    with pytest.raises(UnsupportedFeature, match=r"breakpoints.*it has key, retention"):
        OpenAI("k").prepare(_request("gpt-4.1", PromptCache(breakpoints=("system",))))


def test_gemini_names_the_cached_content() -> None:
    req = _request("gemini-2.5-pro", PromptCache(cached_content="cachedContents/abc123"), system=None)
    body = Google("k").prepare(req).call.body
    assert body["cachedContent"] == "cachedContents/abc123"


def test_gemini_refuses_a_system_prompt_beside_cached_content() -> None:
    req = _request("gemini-2.5-pro", PromptCache(cached_content="cachedContents/abc123"))
    with pytest.raises(ConfigurationError, match="systemInstruction"):
        Google("k").prepare(req)


def test_a_host_without_controls_refuses_them_before_the_network() -> None:
    with pytest.raises(UnsupportedFeature, match=r"no prompt-caching controls.*cached_input_tokens"):
        Groq("k", base_url="http://127.0.0.1:9").prepare(_request("llama-3.3-70b", PromptCache(key="k")))


def test_no_prompt_cache_sends_nothing_new() -> None:
    req = GenericClient("gpt-4.1").prepare("hi")
    body = OpenAI("k").prepare(req).call.body
    assert "prompt_cache_key" not in body
    assert "prompt_cache_retention" not in body


# ------------------------------------------------------------------------------------------ usage and price


def test_anthropic_cache_usage_is_decoded_and_priced_with_the_write_premium() -> None:
    answer = {"id": "msg_1", "type": "message", "role": "assistant", "model": OPUS,
              "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
              "usage": {"input_tokens": 10, "cache_creation_input_tokens": 2000, "cache_read_input_tokens": 3000,
                        "output_tokens": 100}}
    done = messages.decode_response(answer, CallInfo(host="anthropic", model=OPUS, host_model_id=OPUS))
    usage = done.usage
    assert usage is not None
    assert (usage.input_tokens, usage.cached_input_tokens, usage.cache_write_tokens) == (5010, 3000, 2000)
    prices = default_catalog().prices(OPUS, "anthropic")
    assert prices is not None
    assert prices.cache_write == Decimal("6.25")
    cost = cost_of(usage, prices)
    million = Decimal(1_000_000)
    assert cost.input == Decimal(10) * 5 / million
    assert cost.cached_input == Decimal(3000) * Decimal("0.5") / million
    assert cost.cache_write == Decimal(2000) * Decimal("6.25") / million
    assert cost.total == cost.input + cost.cached_input + cost.cache_write + cost.output


def test_without_a_write_price_cache_writes_stay_in_input() -> None:
    from rehost.shared.pricing import Prices
    from rehost.shared.types import Usage

    usage = Usage(input_tokens=1000, output_tokens=0, cache_write_tokens=400)
    cost = cost_of(usage, Prices(input=Decimal(1), output=Decimal(2)))
    assert cost.cache_write is None
    assert cost.input == Decimal(1000) / Decimal(1_000_000)


def test_a_write_price_can_be_set_and_is_kept() -> None:
    from rehost.shared.catalog import Catalog

    cat = Catalog.load()
    cat.set_prices(OPUS, "anthropic", cache_write=7)
    kept = cat.set_prices(OPUS, "anthropic", input=6)
    assert kept.cache_write == Decimal(7)
    assert kept.input == Decimal(6)


# ------------------------------------------------------------------------------------------ the openai facade


def test_the_openai_facade_takes_the_cache_arguments() -> None:
    from rehost.openai import OpenAI as Facade

    with Emulator() as emu:
        facade = Facade(hosts={"openai": {"api_key": "emulator-key", "base_url": emu.base_url("openai")},
                               "groq": {"api_key": "emulator-key", "base_url": emu.base_url("groq")}})
        try:
            facade.chat.completions.create(model="openai/gpt-4.1", messages=[{"role": "user", "content": "hi"}],
                                           prompt_cache_key="user-7", prompt_cache_retention="in-memory")
            sent = emu.requests[-1].json()
            assert sent["prompt_cache_key"] == "user-7"
            assert sent["prompt_cache_retention"] == "in-memory"
            seen = len(emu.requests)
            with pytest.raises(UnsupportedFeature, match="no prompt-caching controls"):
                facade.chat.completions.create(model="groq/llama-3.3-70b", prompt_cache_key="user-7",
                                               messages=[{"role": "user", "content": "hi"}])
            assert len(emu.requests) == seen
        finally:
            facade.close()
