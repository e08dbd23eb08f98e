"""Domain presets on the emulator: what each one sends.

The medical preset (MedGemma) on a Vertex Model Garden endpoint of one's own (``Vertex(endpoint=...)``) and on a
local vLLM; the scientific-reasoning preset (DeepSeek-R1 with its card's settings) on every host that serves R1."""

from __future__ import annotations

import pytest

import rehost
from rehost import GemmaClient, Message, Vertex
from rehost.errors import ConfigurationError, ModelNotServed, UnsupportedFeature
from rehost.presets import MATH_DIRECTIVE, MEDGEMMA_SYSTEM, ScientificReasoner, boxed_answer, medgemma, medical
from rehost.shared.types import ImagePart
from rehost.testing.emulator import Emulator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(emu):
    emu.reset()


def endpoint_provider(emu, endpoint="4567", **kwargs):
    return Vertex("emu-project", "us-central1", access_token="emulator-token", base_url=emu.base_url("vertex"),
                  endpoint=endpoint, **kwargs)


# ---------------------------------------------------------------------------------------------- medical


def test_medgemma_on_a_vertex_endpoint_of_ones_own(emu):
    med = medgemma(provider=endpoint_provider(emu))
    assert isinstance(med, GemmaClient)
    done = med.complete("What is hypertension?", max_tokens=40)
    assert done.text == "Hello w1 w2 w3 w4 w5 w6 w7"
    seen = emu.requests[-1]
    assert seen.path == "/vertex/v1beta1/projects/emu-project/locations/us-central1/endpoints/4567/chat/completions"
    assert seen.headers["authorization"] == "Bearer emulator-token"
    body = seen.json()
    assert body["model"] == "medgemma-4b-it"
    # Gemma 3's template has no system role: the model card's system prompt is folded into the first user turn
    assert body["messages"] == [{"role": "user", "content": f"{MEDGEMMA_SYSTEM}\n\nWhat is hypertension?"}]
    assert body["max_tokens"] == 40
    stream = med.stream("What is hypertension?")
    assert "".join(stream.text()) == "Hello w1 w2 w3 w4 w5 w6 w7"
    assert stream.final().usage.output_tokens == 8
    assert emu.requests[-1].json()["stream"] is True


def test_the_endpoint_takes_a_full_resource_name_and_a_served_name(emu):
    provider = endpoint_provider(emu, endpoint="projects/p2/locations/europe-west4/endpoints/9",
                                 models={"medgemma-27b-text-it": "medgemma-27b"})
    medgemma("27b-text-it", provider=provider, system=None).complete("Define sepsis.")
    seen = emu.requests[-1]
    assert seen.path == "/vertex/v1beta1/projects/p2/locations/europe-west4/endpoints/9/chat/completions"
    assert seen.json()["model"] == "medgemma-27b"
    assert seen.json()["messages"] == [{"role": "user", "content": "Define sepsis."}]


def test_images_go_to_the_multimodal_medgemma_only(emu):
    question = Message.user("Describe this X-ray.", ImagePart(data=PNG))
    medgemma("4b-it", provider=endpoint_provider(emu)).complete(question)
    content = emu.requests[-1].json()["messages"][0]["content"]
    assert content[-1]["type"] == "image_url"
    assert content[-1]["image_url"]["url"].startswith("data:image/png;base64,")
    before = len(emu.requests)
    with pytest.raises(UnsupportedFeature, match="image"):
        medgemma("27b-text-it", provider=endpoint_provider(emu)).complete(question)
    assert len(emu.requests) == before


def test_medgemma_on_a_local_vllm(emu):
    medgemma("27b-text-it", provider=emu.provider("vllm")).complete("Define sepsis.")
    assert emu.requests[-1].json()["model"] == "google/medgemma-27b-text-it"
    assert isinstance(rehost.client("vllm/medgemma-1.5-4b-it", provider_options={"api_key": "k"}), GemmaClient)


def test_vertex_without_an_endpoint_does_not_serve_medgemma(emu):
    plain = Vertex("emu-project", "us-central1", access_token="t", base_url=emu.base_url("vertex"))
    with pytest.raises(ModelNotServed, match="vllm"):
        medgemma(provider=plain).complete("hi")
    assert emu.requests == []
    rehost.GeminiClient("3.5-flash", provider=plain).complete("hi")  # Google's own models keep their own path
    assert emu.requests[-1].path.endswith("/publishers/google/models/gemini-3.5-flash:generateContent")


def test_an_endpoint_without_a_project_is_refused_before_sending(emu, monkeypatch):
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    provider = Vertex(None, "us-central1", access_token="t", base_url=emu.base_url("vertex"), endpoint="4567")
    with pytest.raises(ConfigurationError, match="project"):
        medgemma(provider=provider).complete("hi")
    assert emu.requests == []
    assert "4567" in repr(provider)
    assert "emulator-token" not in repr(endpoint_provider(emu))


def test_medgemma_variants_and_its_stated_limits():
    with pytest.raises(ConfigurationError, match="medgemma-27b-text-it"):
        medgemma("9b")
    assert medgemma("medgemma-1.5-4b-it").model == "medgemma-1.5-4b-it"
    with pytest.raises(UnsupportedFeature, match="do not think"):
        medgemma().prepare("hi", thinking=True)
    doc = " ".join(medical.__doc__.split())
    assert "not intended to directly inform clinical diagnosis" in doc
    assert "HAI-DEF" in doc
    assert "shut down in 2025" in doc


# ---------------------------------------------------------------------------------------------- science


@pytest.mark.parametrize(("style", "model_id"), [
    ("openrouter", "deepseek/deepseek-r1"),
    ("together", "deepseek-ai/DeepSeek-R1"),
    ("fireworks", "accounts/fireworks/models/deepseek-r1"),
])
def test_r1_with_its_recommended_settings_on_every_host_that_serves_it(emu, style, model_id):
    reasoner = ScientificReasoner(provider=emu.provider(style))
    reasoner.complete("What is the sum of the first 100 positive integers?")
    body = emu.requests[-1].json()
    assert body["model"] == model_id
    assert body["messages"] == [{"role": "user", "content": "What is the sum of the first 100 positive integers?"
                                                            f"\n\n{MATH_DIRECTIVE}"}]
    assert (body["temperature"], body["top_p"]) == (0.6, 0.95)


def test_no_system_prompt_is_ever_sent(emu):
    reasoner = ScientificReasoner("r1-0528", provider=emu.provider("openrouter"), system="You are a chemist.")
    reasoner.complete("Balance H2 + O2 -> H2O.")
    messages = emu.requests[-1].json()["messages"]
    assert [m["role"] for m in messages] == ["user"]
    assert messages[0]["content"].startswith("You are a chemist.\n\nBalance H2 + O2 -> H2O.")
    assert messages[0]["content"].endswith(MATH_DIRECTIVE)


def test_the_directive_goes_once_on_the_last_turn_and_can_be_left_out(emu):
    reasoner = ScientificReasoner(provider=emu.provider("together"))
    history = ["What is 2+2?", Message.assistant("\\boxed{4}"), f"And 3+3?\n\n{MATH_DIRECTIVE}"]
    reasoner.complete(history)
    sent = [m["content"] for m in emu.requests[-1].json()["messages"]]
    assert sent == ["What is 2+2?", "\\boxed{4}", f"And 3+3?\n\n{MATH_DIRECTIVE}"]
    ScientificReasoner(provider=emu.provider("together"), math=False).complete("Why is the sky blue?")
    assert emu.requests[-1].json()["messages"] == [{"role": "user", "content": "Why is the sky blue?"}]


def test_a_distill_on_groq_and_a_host_that_does_not_serve_r1(emu):
    ScientificReasoner("r1-distill-llama-70b", provider=emu.provider("groq")).complete("Is 97 prime?")
    assert emu.requests[-1].json()["model"] == "deepseek-r1-distill-llama-70b"
    before = len(emu.requests)
    with pytest.raises(ModelNotServed, match="openrouter"):
        ScientificReasoner("r1", provider=emu.provider("groq")).complete("Is 97 prime?")
    assert len(emu.requests) == before


def test_only_r1_models_take_the_preset():
    with pytest.raises(ConfigurationError, match="DeepSeek-R1"):
        ScientificReasoner("v3.2")
    assert ScientificReasoner("r1-distill-qwen-7b").model == "deepseek-r1-distill-qwen-7b"


def test_boxed_answer():
    assert boxed_answer("so the sum is \\boxed{5050}.") == "5050"
    assert boxed_answer("first \\boxed{1}, then \\boxed{\\frac{1}{2}}") == "\\frac{1}{2}"
    assert boxed_answer("no box here") is None
    assert boxed_answer("\\boxed{unclosed") is None

