"""Each family client's prompt rules and thinking plans (model knowledge, no host involved)."""

from __future__ import annotations

import warnings

import pytest

from rehost import DeepSeekClient, GeminiClient, GenericClient, Message, MistralClient, Thinking
from rehost.errors import ConfigurationError, UnsupportedFeature
from rehost.shared.request import ThinkingPlan


def plan(client, thinking):
    return client.prepare("hi", thinking=thinking).thinking


# ------------------------------------------------------------------------------------------ DeepSeek


def test_r1_folds_the_system_prompt_into_the_first_user_turn():
    req = DeepSeekClient("r1").prepare([Message.system("Be terse."), Message.user("Why is the sky blue?")])
    assert [m.role for m in req.messages] == ["user"]
    assert req.messages[0].text == "Be terse.\n\nWhy is the sky blue?"


def test_r1_0528_keeps_the_system_prompt():
    req = DeepSeekClient("r1-0528").prepare("hi", system="Be terse.")
    assert [m.role for m in req.messages] == ["system", "user"]


def test_r1_sampling_defaults_and_user_override():
    req = DeepSeekClient("r1").prepare("hi")
    assert (req.sampling.temperature, req.sampling.top_p) == (0.6, 0.95)
    req = DeepSeekClient("r1", temperature=0.3).prepare("hi", top_p=0.5)
    assert (req.sampling.temperature, req.sampling.top_p) == (0.3, 0.5)


def test_r1_always_thinks_and_declares_its_tags():
    client = DeepSeekClient("r1")
    assert plan(client, None) == ThinkingPlan(enabled=True, always_on=True)
    assert plan(client, Thinking(include=False)) == ThinkingPlan(enabled=True, include_reasoning=False, always_on=True)
    assert client.prepare("hi").reasoning_tags is not None
    with pytest.raises(UnsupportedFeature, match="cannot be turned off"):
        plan(client, Thinking.off())
    with pytest.raises(UnsupportedFeature, match="no effort or budget"):
        plan(client, Thinking(effort="high"))
    with pytest.raises(UnsupportedFeature):
        plan(client, Thinking(budget=100))


def test_v4_efforts_are_high_and_max_only():
    client = DeepSeekClient("v4-flash")
    assert plan(client, Thinking(effort="max")) == ThinkingPlan(enabled=True, effort="max")
    assert plan(client, True) == ThinkingPlan(enabled=True)
    assert plan(client, False) == ThinkingPlan(enabled=False, include_reasoning=False)
    assert plan(client, None) is None
    with pytest.raises(UnsupportedFeature, match="high\\|max"):
        plan(client, Thinking(effort="low"))
    with pytest.raises(UnsupportedFeature, match="no thinking budget"):
        plan(client, 2048)


def test_v3_does_not_think_and_v31_only_toggles():
    with pytest.raises(UnsupportedFeature, match="does not think"):
        plan(DeepSeekClient("v3"), True)
    assert plan(DeepSeekClient("v3"), False) is None
    assert plan(DeepSeekClient("v3.1"), True) == ThinkingPlan(enabled=True)
    with pytest.raises(UnsupportedFeature):
        plan(DeepSeekClient("v3.1"), "high")


def test_v4_warns_that_temperature_is_ignored_while_thinking():
    with pytest.warns(UserWarning, match="ignores temperature"):
        DeepSeekClient("v4-pro").prepare("hi", temperature=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DeepSeekClient("v4-pro", thinking=False).prepare("hi", temperature=0.2)


def test_deprecated_alias_warns():
    with pytest.warns(DeprecationWarning, match="2026-07-24"):
        DeepSeekClient("reasoner")


def test_unknown_variant_suggests_close_names():
    with pytest.raises(ConfigurationError, match="Did you mean r1"):
        DeepSeekClient("r2")


def test_bad_thinking_fails_at_construction():
    with pytest.raises(UnsupportedFeature):
        DeepSeekClient("r1", thinking=False)


# ------------------------------------------------------------------------------------------ Gemini


def test_gemini_25_efforts_become_budgets():
    flash = GeminiClient("2.5-flash")
    assert plan(flash, "low").budget == 1024
    assert plan(flash, "medium").budget == 8192
    assert plan(flash, "high").budget == 24576
    assert plan(flash, "max").budget == 24576
    assert plan(GeminiClient("2.5-pro"), "max").budget == 32768
    with pytest.raises(UnsupportedFeature, match="has no budget"):
        plan(flash, "minimal")


def test_gemini_25_budget_ranges_and_off():
    assert plan(GeminiClient("2.5-flash"), Thinking.off()) == ThinkingPlan(enabled=False, include_reasoning=False)
    with pytest.raises(UnsupportedFeature, match="cannot turn thinking off"):
        plan(GeminiClient("2.5-pro"), Thinking.off())
    with pytest.raises(UnsupportedFeature, match=r"128\.\.32768"):
        plan(GeminiClient("2.5-pro"), 64)
    with pytest.raises(UnsupportedFeature, match=r"512\.\.24576"):
        plan(GeminiClient("2.5-flash-lite"), 100)
    assert plan(GeminiClient("2.5-pro"), 128).budget == 128


def test_gemini_3_takes_levels_not_budgets_and_cannot_stop():
    flash3 = GeminiClient("3-flash-preview")
    assert plan(flash3, "minimal") == ThinkingPlan(enabled=True, effort="minimal")
    with pytest.raises(UnsupportedFeature, match="level"):
        plan(flash3, 1024)
    with pytest.raises(UnsupportedFeature, match="cannot turn thinking off"):
        plan(flash3, False)
    with pytest.raises(UnsupportedFeature, match="low\\|medium\\|high"):
        plan(GeminiClient("3.1-pro-preview"), "minimal")


def test_gemini_3_warns_on_low_temperature():
    with pytest.warns(UserWarning, match="temperature at 1.0"):
        GeminiClient("3-flash-preview").prepare("hi", temperature=0.2)


def test_gemini_20_does_not_think():
    with pytest.raises(UnsupportedFeature):
        plan(GeminiClient("2.0-flash"), True)


def test_gemini_variant_accepts_full_model_ids():
    assert GeminiClient("gemini-2.5-pro").model == "gemini-2.5-pro"


# ------------------------------------------------------------------------------------------ Mistral


def test_mistral_reasoning_models_take_only_high():
    small = MistralClient("small")
    assert plan(small, True) == ThinkingPlan(enabled=True)
    assert plan(small, "high") == ThinkingPlan(enabled=True, effort="high")
    assert plan(small, False).enabled is False
    with pytest.raises(UnsupportedFeature, match="high"):
        plan(small, "low")
    with pytest.raises(UnsupportedFeature):
        plan(MistralClient("large"), True)


def test_magistral_always_thinks():
    with pytest.warns(DeprecationWarning, match="deprecated"):
        client = MistralClient("magistral-medium")
    assert plan(client, None).always_on
    with pytest.raises(UnsupportedFeature):
        plan(client, False)


# ------------------------------------------------------------------------------------------ shared rules


def test_generic_client_passes_thinking_through_and_uses_raw_ids():
    client = GenericClient("openai/gpt-oss-120b")
    req = client.prepare("hi", thinking="low")
    assert req.host_model_id == "openai/gpt-oss-120b"
    assert req.thinking == ThinkingPlan(enabled=True, effort="low")


@pytest.mark.parametrize(
    ("messages", "match"),
    [
        ([], "no messages"),
        ([{"role": "robot", "content": "x"}], "role"),
        ([{"role": "user", "content": ""}], "empty user message"),
        ([{"role": "user", "content": "   "}], "blank"),
        ([{"role": "system", "content": "only a system prompt"}], "only system"),
    ],
)
def test_bad_messages_fail_before_any_request(messages, match):
    with pytest.raises((ValueError, ConfigurationError), match=match):
        GenericClient("m").prepare(messages)


@pytest.mark.parametrize(
    "kwargs",
    [{"temperature": 3.0}, {"top_p": 0.0}, {"max_tokens": 0}, {"top_k": 0}, {"presence_penalty": 5}],
)
def test_bad_sampling_fails_before_any_request(kwargs):
    with pytest.raises(ConfigurationError, match="invalid"):
        GenericClient("m").prepare("hi", **kwargs)


def test_unknown_options_are_refused():
    with pytest.raises(TypeError, match="temprature"):
        GenericClient("m").prepare("hi", temprature=0.5)


@pytest.mark.parametrize(
    ("value", "error"),
    [({"effort": "extreme"}, "effort"), ({"budget": -1}, "budget"), ({"effort": "high", "budget": 10}, "either")],
)
def test_thinking_validates_itself(value, error):
    with pytest.raises(ValueError, match=error):
        Thinking(**value)


def test_thinking_shorthands():
    assert Thinking.coerce(True) == Thinking()
    assert Thinking.coerce(False) == Thinking.off()
    assert Thinking.coerce("none") == Thinking.off()
    assert Thinking.coerce("high") == Thinking(effort="high")
    assert Thinking.coerce(512) == Thinking(budget=512)


def test_unbound_client_says_so():
    with pytest.raises(ConfigurationError, match="not bound to a provider"):
        DeepSeekClient("r1").complete("hi")
