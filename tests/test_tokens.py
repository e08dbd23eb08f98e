"""Offline token counting: exact tokenizers load from their packages with no network, estimates say they are
estimates, counts follow the family's prompt rules, and Gemini asks the host only when told to."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import httpx
import pytest

from rehost import DeepSeekClient, GeminiClient, GenericClient, Google, Message, MistralClient, Tool, Vertex
from rehost.shared import tokens
from rehost.shared.tokens import TOKENIZERS, count_tokens, estimate, tokenizer_available

NO_NETWORK = """
import socket
def refuse(*a, **k):
    raise OSError("network used")
socket.socket.connect = refuse
socket.create_connection = refuse
"""


@pytest.mark.parametrize("name", sorted(TOKENIZERS))
def test_every_exact_tokenizer_is_installed_and_loads_without_the_network(name):
    """Each tokenizer's data ships in its package: a fresh interpreter with sockets disabled can count."""
    assert tokenizer_available(name), f"{name}: its package is missing (pip install 'rehost[tokens]')"
    code = NO_NETWORK + textwrap.dedent(f"""
        from rehost import Message
        from rehost.shared.tokens import TOKENIZERS
        result = TOKENIZERS[{name!r}][1]([Message.user("Hello there, how are you?")], [])
        print(result.count, result.exact)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    count, exact = out.stdout.split()
    assert int(count) > 5
    assert exact == "True"


def test_the_estimate_encoding_ships_in_a_package_and_needs_no_network():
    code = NO_NETWORK + textwrap.dedent("""
        from rehost import Message
        from rehost.shared.tokens import estimate
        print(estimate([Message.user("Hello there, how are you?")]).method)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "cl100k_base" in out.stdout


def test_an_estimate_is_labelled_and_scaled_by_the_family_ratio():
    msgs = [Message.user("The quick brown fox jumps over the lazy dog. " * 20)]
    one = estimate(msgs, ratio=1.0, overhead=0)
    half = estimate(msgs, ratio=0.5, overhead=0)
    assert not one.exact
    assert "estimate: cl100k_base x 1" in one.method
    assert half.count == round(one.count * 0.5)
    assert estimate(msgs, ratio=1.0, overhead=3).count == one.count + 3 + tokens.REQUEST_OVERHEAD


def test_without_any_tokenizer_the_estimate_is_characters_over_four(monkeypatch):
    monkeypatch.setattr(tokens, "_cl100k", lambda: None)
    result = estimate([Message.user("a" * 40)], ratio=3.0, overhead=0)
    assert (result.count, result.exact) == (10, False)
    assert "characters / 4" in result.method


def test_a_missing_exact_tokenizer_falls_back_to_a_labelled_estimate(monkeypatch):
    monkeypatch.setattr(tokens, "tokenizer_available", lambda name: False)
    result = count_tokens([Message.user("hello")], tokenizer="deepseek-v4")
    assert not result.exact
    assert "deepseek-v4 not installed" in result.method


def test_tools_and_tool_turns_are_counted_but_deepseek_does_not_claim_exactness():
    tool = Tool(name="get_weather", description="Weather for a city.",
                parameters={"type": "object", "properties": {"city": {"type": "string"}}})
    v4 = DeepSeekClient("v4-flash")
    plain = v4.count_tokens("What is the weather in Paris?")
    with_tool = v4.count_tokens("What is the weather in Paris?", tools=[tool])
    assert plain.exact
    assert not with_tool.exact
    assert with_tool.count > plain.count + 10


def test_mistral_counts_tools_exactly_through_its_own_template():
    tool = Tool(name="get_weather", description="Weather for a city.",
                parameters={"type": "object", "properties": {"city": {"type": "string"}}})
    small = MistralClient("ministral-8b")
    plain, with_tool = small.count_tokens("Weather in Paris?"), small.count_tokens("Weather in Paris?", tools=[tool])
    assert plain.exact
    assert with_tool.exact
    assert with_tool.count > plain.count + 10
    assert "tekken" in plain.method


def test_counts_follow_the_family_prompt_rules():
    """R1 takes no system prompt: its text is folded into the user turn, and counted where it goes."""
    r1 = DeepSeekClient("r1")
    folded = r1.count_tokens([{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi"}])
    assert not folded.exact  # R1's V3 vocabulary ships in no package: an estimate
    assert folded.count == r1.count_request(r1.prepare("Be terse.\n\nHi")).count


def test_models_without_a_shipped_tokenizer_say_so():
    assert not GeminiClient("2.5-flash").count_tokens("Hello").exact
    assert not MistralClient("large").count_tokens("Hello").exact
    assert not GenericClient("some/model").count_tokens("Hello").exact


def _count_server(total: int):
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"totalTokens": total})

    return httpx.MockTransport(handler), sent


def test_gemini_asks_ai_studio_countTokens_for_an_exact_count_when_a_key_is_there():
    transport, sent = _count_server(42)
    flash = GeminiClient("2.5-flash", provider=Google("key-0123456789", transport=transport))
    tool = Tool(name="f", parameters={"type": "object", "properties": {}})
    result = flash.count_tokens([Message.system("Be brief."), Message.user("Hi")], tools=[tool], exact=True)
    assert (result.count, result.exact, result.method) == (42, True, "google countTokens")
    (request,) = sent
    assert request.url.path.endswith("/models/gemini-2.5-flash:countTokens")
    body = json.loads(request.content)["generateContentRequest"]
    assert body["model"] == "models/gemini-2.5-flash"
    assert body["systemInstruction"]["parts"][0]["text"] == "Be brief."
    assert body["tools"][0]["functionDeclarations"][0]["name"] == "f"
    assert request.headers["x-goog-api-key"] == "key-0123456789"


def test_vertex_countTokens_takes_the_contents_directly():
    transport, sent = _count_server(7)
    flash = GeminiClient("3-flash-preview", provider=Vertex("p", "global", access_token="tok", transport=transport))
    assert flash.count_tokens("Hi", exact=True).count == 7
    body = json.loads(sent[0].content)
    assert set(body) == {"contents"}
    assert sent[0].url.path.endswith("/models/gemini-3-flash-preview:countTokens")


async def test_the_async_count_asks_the_host_too():
    transport, _sent = _count_server(9)

    async def handler(request: httpx.Request) -> httpx.Response:
        return transport.handle_request(request)

    provider = Google("key-0123456789", async_transport=httpx.MockTransport(handler))
    assert (await GeminiClient("2.5-flash", provider=provider).acount_tokens("Hi", exact=True)).count == 9


def test_without_a_key_or_without_exact_no_request_is_made(monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    transport, sent = _count_server(1)
    assert not GeminiClient("2.5-flash", provider=Google(transport=transport)).count_tokens("Hi", exact=True).exact
    keyed = GeminiClient("2.5-flash", provider=Google("key-0123456789", transport=transport))
    assert not keyed.count_tokens("Hi").exact
    assert sent == []
