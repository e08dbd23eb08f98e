"""rehost.client("host/model"): the family client and the provider from one string, and clear errors."""

from __future__ import annotations

import httpx
import pytest

import rehost
from rehost import (
    ClaudeClient,
    DeepSeekClient,
    GenericClient,
    Groq,
    LlamaClient,
    OpenRouter,
    QwenClient,
    Vertex,
)
from rehost.errors import ConfigurationError, ModelNotServed


def test_canonical_id_picks_the_family_client_and_the_host():
    client = rehost.client("groq/deepseek-r1", provider_options={"api_key": "k"})
    assert isinstance(client, DeepSeekClient)
    assert client.model == "deepseek-r1"
    assert isinstance(client.provider, Groq)
    # Groq does not serve R1 itself: the first call says so, naming the hosts that do
    with pytest.raises(ModelNotServed, match="openrouter") as caught:
        client.complete("hi")
    assert "deepseek-r1-distill-llama-70b" in str(caught.value)


def test_a_hosts_own_id_with_slashes():
    client = rehost.client("openrouter/deepseek/deepseek-r1", provider_options={"api_key": "k"})
    assert isinstance(client, DeepSeekClient)
    assert client.model == "deepseek-r1"
    assert isinstance(client.provider, OpenRouter)
    assert client.provider.prepare(client.prepare("hi")).call.body["model"] == "deepseek/deepseek-r1"


def test_variant_names_and_host_ids_of_other_families():
    assert isinstance(rehost.client("anthropic/sonnet-4.5"), ClaudeClient)
    assert isinstance(rehost.client("groq/qwen/qwen3-32b"), QwenClient)
    assert isinstance(rehost.client("groq/llama-3.3-70b-versatile"), LlamaClient)
    vertex = rehost.client("vertex/claude-sonnet-4-5@20250929", provider_options={"project": "p",
                                                                                   "access_token": "t"})
    assert isinstance(vertex, ClaudeClient)
    assert isinstance(vertex.provider, Vertex)


def test_client_options_pass_through():
    client = rehost.client("anthropic/claude-sonnet-4-5-20250929", thinking=2048, system="Be brief.")
    request = client.prepare("hi")
    assert request.thinking.budget == 2048
    assert request.messages[0].role == "system"


def test_a_family_without_a_client_gets_the_generic_client():
    client = rehost.client("maritaca/sabia-4", provider_options={"api_key": "k"})
    assert isinstance(client, GenericClient)
    assert client.provider.prepare(client.prepare("Oi")).call.body["model"] == "sabia-4"


def test_typos_get_close_matches_for_host_and_model():
    with pytest.raises(ConfigurationError, match="Did you mean groq"):
        rehost.client("grok/deepseek-r1")
    with pytest.raises(ConfigurationError, match=r"Did you mean .*deepseek-r1"):
        rehost.client("openrouter/deepseek-r11")
    with pytest.raises(ConfigurationError, match="raw=True"):
        rehost.client("groq/some-new-model")
    with pytest.raises(ConfigurationError, match="host/model"):
        rehost.client("deepseek-r1")


def test_raw_ids_go_through_the_generic_client():
    sent = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={
        "id": "c", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                                "finish_reason": "stop"}]}))
    client = rehost.client("groq/brand-new-model", raw=True, provider_options={"api_key": "k",
                                                                              "transport": transport})
    assert isinstance(client, GenericClient)
    assert client.complete("hi").text == "ok"
    assert b'"model":"brand-new-model"' in sent[0].content.replace(b" ", b"")
