"""Issue 13 for Anthropic, Google, Vertex, the in-process llama.cpp and Fallback: each is a Host with a chat
endpoint (or a sender of its own), Vertex picks each model's publisher from its catalogue row, and clients
send through ``endpoint("chat")``."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from rehost import Anthropic, ClaudeClient, Fallback, GeminiClient, GenericClient, Google, RetryPolicy, Vertex
from rehost.clients.base import _as_provider
from rehost.errors import ConfigurationError, RateLimited, UnsupportedFeature
from rehost.providers.anthropic import AnthropicChat
from rehost.providers.base import ChatSender, Host, Routable
from rehost.providers.google import GoogleChat
from rehost.providers.llamacpp import LlamaCpp, LocalCall
from rehost.providers.vertex_partner import ClaudeOnVertex, GeminiOnVertex, MistralOnVertex, VertexChat
from rehost.routing import Fallback as RoutingFallback
from rehost.shared.catalog import Catalog, default_catalog
from rehost.shared.chat.request import Request
from rehost.shared.chat.types import Message
from rehost.testing.emulator import Emulator

NO_WAIT = RetryPolicy(initial_delay=0.0, max_delay=0.0, jitter=False)


def request(model: str, **kw) -> Request:
    return Request(model=model, messages=(Message.user("hi"),), **kw)


def vertex(**kw) -> Vertex:
    return Vertex("p", "us-east5", access_token="t", **kw)


# ---------------------------------------------------------------------------------------------- hosts + endpoints

@pytest.mark.parametrize(("host", "endpoint"), [(Anthropic, AnthropicChat), (Google, GoogleChat)])
def test_anthropic_and_google_are_hosts_whose_chat_is_an_endpoint(host, endpoint):
    h = host(api_key="k")
    assert isinstance(h, Host)
    # Google: embeddings, Veo, Gemini Live (issue 15)
    assert h.kinds == ({"chat", "embed", "video", "realtime"} if host is Google else {"chat"})
    assert type(h.endpoint("chat")) is endpoint
    assert h.endpoint("chat") is h.chat
    missing = "transcribe" if host is Google else "realtime"  # a kind the host does not serve
    with pytest.raises(UnsupportedFeature, match=f"no {missing} endpoint"):
        h.endpoint(missing)


def test_google_counts_tokens_on_its_chat_endpoint_and_the_host_forwards():
    google = Google(api_key="k")
    assert callable(google.chat.count_tokens)
    assert google.counts_tokens(request("gemini-2.5-flash"))
    assert not hasattr(Anthropic(api_key="k").chat, "count_tokens")
    assert not Anthropic(api_key="k").counts_tokens(request("claude-sonnet-4-5-20250929"))


# ---------------------------------------------------------------------------------------------- Vertex publishers

def test_the_catalogue_rows_name_the_vertex_publisher():
    cat = default_catalog()
    assert cat.host_entry("claude-sonnet-4-5-20250929", "vertex").publisher == "anthropic"
    assert cat.host_entry("mistral-small-2503", "vertex").publisher == "mistralai"
    assert cat.host_entry("gemini-3-flash-preview", "vertex").publisher is None  # Vertex's default: google
    parsed = Catalog.from_toml('[models."m"]\nfamily = "x"\n[models."m".hosts.vertex]\nid = "m-1"\n'
                               'publisher = "anthropic"\n')
    assert parsed.host_entry("m", "vertex").publisher == "anthropic"
    assert "publisher" not in parsed.host_entry("m", "vertex").extra


def test_vertex_takes_the_publisher_from_the_row_not_from_the_id():
    cat = Catalog.load()
    # a Claude served under an id that does not say so, and a Gemini-like id whose row says anthropic
    cat.register("claude-renamed", "vertex", "house-model@2026", family="claude", publisher="anthropic")
    cat.register("claude-looking", "vertex", "claude-but-gemini", family="gemini")  # no publisher: google
    v = vertex(catalog=cat)
    claude = v.prepare(request("claude-renamed"))
    assert "/publishers/anthropic/models/house-model@2026:rawPredict" in claude.call.url
    assert claude.call.body["anthropic_version"] == "vertex-2023-10-16"
    assert isinstance(claude.endpoint, ClaudeOnVertex)
    gemini = v.prepare(request("claude-looking"))
    assert "/publishers/google/models/claude-but-gemini:generateContent" in gemini.call.url
    assert isinstance(gemini.endpoint, GeminiOnVertex)


def test_a_model_without_a_vertex_row_is_guessed_from_the_id_it_is_sent_by():
    v = vertex()
    claude = v.prepare(request("my-claude", host_model_id="claude-sonnet-4-5@20250929"))
    assert "/publishers/anthropic/" in claude.call.url
    assert isinstance(claude.endpoint, ClaudeOnVertex)
    mistral = v.prepare(request("my-mistral", host_model_id="mistral-small-2503"))
    assert "/publishers/mistralai/" in mistral.call.url
    assert isinstance(mistral.endpoint, MistralOnVertex)
    gemini = v.prepare(request("my-model", host_model_id="some-tuned-gemini"))
    assert "/publishers/google/" in gemini.call.url


def test_a_publisher_vertex_cannot_call_is_refused_before_sending():
    cat = Catalog.load()
    cat.register("llama-x", "vertex", "meta/llama-x-maas", family="llama", publisher="meta")
    with pytest.raises(ConfigurationError, match="publisher 'meta'"):
        vertex(catalog=cat).prepare(request("llama-x"))


def test_vertex_chat_routes_and_the_deployed_endpoint_replaces_it():
    v = vertex()
    assert isinstance(v.chat, VertexChat)
    assert v.publisher_endpoint("anthropic") is v.publisher_endpoint("anthropic")  # made once
    deployed = vertex(endpoint="123")
    assert type(deployed.chat).__name__ == "VertexEndpoint"
    assert deployed.prepare(request("anything")).call.url.endswith("/endpoints/123/chat/completions")
    assert deployed.deployed_endpoint == "123"
    assert callable(deployed.endpoint)


# ---------------------------------------------------------------------------------------------- in-process llama.cpp

def test_llamacpp_is_a_chat_sender_of_its_own(tmp_path):
    engine = LlamaCpp(tmp_path / "m.gguf")
    assert isinstance(engine, ChatSender)
    assert isinstance(engine, Routable)
    assert engine.endpoint("chat") is engine
    assert engine.kinds == {"chat"}
    with pytest.raises(UnsupportedFeature):
        engine.endpoint("embed")
    prepared = engine.prepare(request("qwen3-32b", extra_body={"min_p": 0.1}))
    assert isinstance(prepared, LocalCall)
    assert prepared.args == {"messages": [{"role": "user", "content": "hi"}], "min_p": 0.1}
    for hook in ("build_call", "decode", "open_stream", "finish_stream"):
        assert not hasattr(engine, hook)


def test_llamacpp_still_refuses_what_it_cannot_do_before_loading(tmp_path):
    engine = LlamaCpp(tmp_path / "missing.gguf")
    from rehost.shared.chat.types import ImagePart

    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
    with pytest.raises(UnsupportedFeature, match="image"):
        engine.prepare(Request(model="m", messages=(Message(role="user", parts=(ImagePart(data=png),)),)))


# ---------------------------------------------------------------------------------------------- Fallback

def test_fallback_is_its_own_chat_endpoint_and_routes_no_other_kind():
    fb = Fallback([Anthropic(api_key="k"), Google(api_key="k")])
    assert fb.endpoint("chat") is fb
    assert fb.kinds == {"chat"}
    assert isinstance(fb, ChatSender)
    assert isinstance(fb, Routable)
    assert RoutingFallback is Fallback
    with pytest.raises(UnsupportedFeature, match="chat only"):
        fb.endpoint("embed")
    for hook in ("build_call", "decode", "open_stream", "finish_stream", "error_from_body"):
        assert not hasattr(fb, hook)


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


def test_fallback_routes_between_converted_hosts_through_their_endpoints(emu):
    emu.reset()
    with Fallback([emu.provider("anthropic"), emu.provider("google")], retry=NO_WAIT) as fb:
        emu.inject("429", times=1, host="anthropic")
        done = GenericClient("m", provider=fb).complete("hi")
        assert done.host == "google"
        assert [(a.host, a.outcome) for a in done.attempts] == [("anthropic", RateLimited.__name__), ("google", "ok")]
        assert Counter(r.host for r in emu.requests) == {"anthropic": 1, "google": 1}


def test_a_fallback_of_fallbacks_and_of_a_callers_own_sender(emu):
    emu.reset()
    inner = Fallback([emu.provider("google")], retry=NO_WAIT, max_attempts=1)  # no second round of its own

    class Mine:  # a sender of the caller's own: no endpoint(), only the chat sender methods
        name = "mine"

        def __init__(self, host):
            self.host = host

        def prepare(self, req):
            return self.host.prepare(req)

        def send(self, req):
            return self.host.send(req)

        def send_prepared(self, prepared):
            return self.host.send_prepared(prepared)

        async def asend_prepared(self, prepared):
            return await self.host.asend_prepared(prepared)

        def stream_prepared(self, prepared):
            return self.host.stream_prepared(prepared)

        def astream_prepared(self, prepared):
            return self.host.astream_prepared(prepared)

    anthropic = emu.provider("anthropic")
    with Fallback([inner, Mine(anthropic)], retry=NO_WAIT) as fb:
        emu.inject("500", times=1, host="google")
        client = GenericClient("m", provider=fb)
        assert client.complete("hi").host == "anthropic"
        assert asyncio.run(client.acomplete("hi")).host == "google"
    anthropic.close()


# ---------------------------------------------------------------------------------------------- clients bind to senders

def test_a_client_sends_through_endpoint_chat(emu):
    emu.reset()
    google = emu.provider("google")
    seen = []
    real = google.endpoint

    def spy(kind):
        seen.append(kind)
        return real(kind)

    google.endpoint = spy
    GeminiClient("2.5-flash", provider=google, host_model_id="gemini-2.5-flash").complete("hi")
    assert seen
    assert set(seen) == {"chat"}
    google.close()


def test_as_provider_takes_anything_routable_and_refuses_the_rest():
    class OnlyEndpoints:
        name = "x"

        def endpoint(self, kind):
            raise UnsupportedFeature("nothing", host="x")

    thing = OnlyEndpoints()
    assert _as_provider(thing) is thing
    with pytest.raises(ConfigurationError, match="must be a provider"):
        _as_provider(object())
    with pytest.raises(UnsupportedFeature):  # bound fine; the first call says the host serves no chat
        ClaudeClient("sonnet-4.5", provider=thing).complete("hi")
