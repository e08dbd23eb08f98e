"""ClaudeClient, GPTClient, LlamaClient, QwenClient and the Mixtral variants: thinking semantics, prompt and
sampling rules, inputs, reasoning history; every variant has dated catalogue rows."""

from __future__ import annotations

import pytest

from rehost import Catalog, ClaudeClient, GPTClient, LlamaClient, MistralClient, QwenClient, ReasoningPart
from rehost.errors import UnsupportedFeature
from rehost.shared.types import ImagePart, Message, TextPart, ToolCall


@pytest.mark.parametrize("client", [ClaudeClient, GPTClient, LlamaClient, QwenClient, MistralClient])
def test_every_variant_has_dated_catalogue_rows(client):
    shipped = Catalog.load()
    for name, variant in client.variants.items():
        entry = shipped.model(variant.model)
        assert entry.family == client.family, name
        assert entry.hosts, variant.model
        for row in entry.hosts.values():
            assert row.read, f"{variant.model}@{row.host}"
            assert row.source, f"{variant.model}@{row.host}"


# ------------------------------------------------------------------------------------------ Claude


def plan(client, **kw):
    return client.prepare("hi", **kw)


def test_claude_budget_models_map_efforts_to_budgets_and_size_max_tokens():
    sonnet = ClaudeClient("sonnet-4.5")
    assert plan(sonnet, thinking=True).thinking.budget == 4096
    request = plan(sonnet, thinking="high")
    assert request.thinking.budget == 16384
    assert request.sampling.max_tokens == 16384 + 4096
    maxed = plan(sonnet, thinking="max")
    assert maxed.sampling.max_tokens == 64000
    assert maxed.thinking.budget < maxed.sampling.max_tokens
    assert plan(sonnet, thinking=2048, max_tokens=3000).sampling.max_tokens == 3000


def test_claude_budget_rules():
    sonnet = ClaudeClient("sonnet-4.5")
    with pytest.raises(UnsupportedFeature, match="1024"):
        plan(sonnet, thinking=512)
    with pytest.raises(UnsupportedFeature, match="below max_tokens"):
        plan(sonnet, thinking=2048, max_tokens=2048)
    with pytest.raises(UnsupportedFeature, match=r"32000|31999"):
        ClaudeClient("opus-4.1", thinking=40000)


def test_claude_adaptive_models_take_efforts_and_opus_47_refuses_budgets():
    opus = ClaudeClient("opus-4.6")
    request = plan(opus, thinking="max")
    assert (request.thinking.effort, request.thinking.budget) == ("max", None)
    assert plan(opus, thinking=True).thinking.default_depth
    assert plan(opus, thinking=8000).thinking.budget == 8000  # deprecated on 4.6, still accepted
    with pytest.raises(UnsupportedFeature, match="adaptively only"):
        ClaudeClient("opus-4.7", thinking=8000)
    with pytest.raises(UnsupportedFeature, match=r"low\|medium\|high"):
        ClaudeClient("sonnet-4.6", thinking="max")  # max is Opus-only


def test_claude_thinking_forbids_temperature_and_top_k():
    with pytest.raises(UnsupportedFeature, match="temperature"):
        plan(ClaudeClient("sonnet-4.5"), thinking=True, temperature=0.3)
    with pytest.raises(UnsupportedFeature, match="top_p"):
        plan(ClaudeClient("sonnet-4.5"), thinking=True, top_p=0.5)
    assert plan(ClaudeClient("sonnet-4.5"), temperature=0.3).sampling.temperature == 0.3


def test_claude_off_and_non_thinking_models():
    assert plan(ClaudeClient("sonnet-4.5"), thinking=False).thinking.enabled is False
    assert plan(ClaudeClient("sonnet-4.5")).thinking is None  # Claude does not think unless asked
    with pytest.raises(UnsupportedFeature, match="does not think"):
        ClaudeClient("haiku-3.5", thinking=True)


def test_claude_keeps_all_signed_reasoning_and_reads_images_and_pdfs():
    history = [Message.user("hi"), Message(role="assistant", parts=(ReasoningPart(text="t", signature="s"),
                                                                      TextPart(text="hello"))),
               Message.user("look", ImagePart(url="https://x/p.png"))]
    request = ClaudeClient("sonnet-4").prepare(history)
    assert request.messages[1].parts[0].signature == "s"


# ------------------------------------------------------------------------------------------ GPT


def test_gpt_4_class_models_do_not_think():
    with pytest.raises(UnsupportedFeature, match="does not think"):
        GPTClient("4o", thinking="high")
    assert GPTClient("4.1").prepare("hi", temperature=0.2).sampling.temperature == 0.2


def test_o_series_efforts_and_sampling_refusals():
    assert plan(GPTClient("o3"), thinking="high").thinking.effort == "high"
    with pytest.raises(UnsupportedFeature, match=r"low\|medium\|high"):
        GPTClient("o3", thinking="minimal")
    with pytest.raises(UnsupportedFeature, match="cannot turn thinking off"):
        GPTClient("o4-mini", thinking=False)
    with pytest.raises(UnsupportedFeature, match="temperature"):
        plan(GPTClient("o3"), temperature=0.5)
    assert plan(GPTClient("5"), thinking="minimal").thinking.effort == "minimal"
    assert plan(GPTClient("5.1"), thinking=False).thinking.enabled is False


def test_gpt_oss_takes_sampling_and_keeps_reasoning_only_on_tool_turns():
    call = ToolCall(id="c", name="f")
    history = [Message.user("a"), Message(role="assistant", parts=(ReasoningPart(text="r1"), TextPart(text="x"))),
               Message.user("b"), Message(role="assistant", parts=(ReasoningPart(text="r2"), call)),
               Message.tool(call, "ok")]
    request = GPTClient("oss-120b").prepare(history, temperature=0.7)
    assert [m.reasoning for m in request.messages if m.role == "assistant"] == ["", "r2"]
    with pytest.raises(UnsupportedFeature, match="image"):
        GPTClient("oss-20b").prepare(Message.user("see", ImagePart(url="https://x/p.png")))


# ------------------------------------------------------------------------------------------ Llama


def test_llama_does_not_think_and_only_llama_4_reads_images():
    with pytest.raises(UnsupportedFeature):
        LlamaClient("3.3-70b", thinking=True)
    image = Message.user("see", ImagePart(url="https://x/p.png"))
    with pytest.raises(UnsupportedFeature, match="image"):
        LlamaClient("3.3-70b").prepare(image)
    assert LlamaClient("4-maverick").prepare(image).messages[0].parts[1].type == "image"


# ------------------------------------------------------------------------------------------ Qwen


def test_qwen3_hybrid_switches_and_sampling():
    on = plan(QwenClient("3-32b"), thinking=True)
    assert on.thinking.template_switch == "enable_thinking"
    assert on.thinking.prompt_switch == ("/think", "/no_think")
    assert on.reasoning_tags is not None
    assert (on.sampling.temperature, on.sampling.top_p) == (0.6, 0.95)
    off = QwenClient("3-32b", thinking=False).prepare("hi")
    assert off.thinking.enabled is False
    assert (off.sampling.temperature, off.sampling.top_p) == (0.7, 0.8)
    with pytest.raises(UnsupportedFeature):
        QwenClient("3-32b", thinking="high")


def test_qwen_thinking_only_and_instruct_only_models():
    with pytest.raises(UnsupportedFeature, match="always thinks"):
        QwenClient("3-235b-a22b-thinking", thinking=False)
    with pytest.raises(UnsupportedFeature, match="does not think"):
        QwenClient("3-235b-a22b-instruct", thinking=True)
    assert plan(QwenClient("qwq-32b")).thinking.always_on


def test_qwen_drops_earlier_thinking():
    history = [Message.user("a"), Message(role="assistant", parts=(ReasoningPart(text="r"), TextPart(text="x"))),
               Message.user("b")]
    assert QwenClient("3-32b").prepare(history).messages[1].reasoning == ""


# ------------------------------------------------------------------------------------------ Mixtral


def test_mixtral_folds_the_system_prompt_and_reads_text_only():
    request = MistralClient("mixtral-8x7b", system="Be brief.").prepare("hi")
    assert [m.role for m in request.messages] == ["user"]
    assert request.messages[0].text == "Be brief.\n\nhi"
    assert MistralClient("open-mixtral-8x22b").variant_name == "mixtral-8x22b"
    with pytest.raises(UnsupportedFeature):
        MistralClient("mixtral-8x22b", thinking=True)
