"""rehost.openai: an OpenAI-shaped facade over rehost's clients, tested by feeding its results to code written
for the openai SDK (its attribute names read from openai-python's types), against the host emulator."""

from __future__ import annotations

import rehost
from rehost import LlamaClient


def test_the_short_llama_names_resolve():
    client = rehost.client("groq/llama-3.3-70b", provider_options={"api_key": "k"})
    assert isinstance(client, LlamaClient)
    assert client.model == "llama-3.3-70b-instruct"
