"""Issue 12 trust pass, keys and the provider base: keys are sent as meant and never shown, headers and base
URLs are checked before anything is sent, a caller's own auth header replaces the provider's."""

from __future__ import annotations

import logging

import httpx
import pytest

from rehost import Anthropic, Fallback, GenericClient, Google, Groq, OpenRouter, RetryPolicy, Vertex
from rehost.errors import ConfigurationError, RehostError
from rehost.providers.sarvam import Sarvam

OK = {"id": "r", "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                              "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}
GEMINI_OK = {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}],
             "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1}}
ANTHROPIC_OK = {"id": "m", "type": "message", "role": "assistant", "content": [{"type": "text", "text": "ok"}],
                "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}

KEY = "gsk_live_0123456789abcdefABCDEF"
NO_RETRY = RetryPolicy(max_retries=0)


def recording(body=OK):
    sent: list[httpx.Request] = []

    def handler(request):
        sent.append(request)
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handler), sent


#: (make a provider from a key and a transport, the header the key travels in, its prefix, model, answer)
HOSTS = {
    "groq": (lambda key, t: Groq(key, transport=t), "authorization", "Bearer ", "m", OK),
    "openrouter": (lambda key, t: OpenRouter(key, transport=t), "authorization", "Bearer ", "m", OK),
    "google": (lambda key, t: Google(key, transport=t), "x-goog-api-key", "", "gemini-x", GEMINI_OK),
    "anthropic": (lambda key, t: Anthropic(key, transport=t), "x-api-key", "", "m", ANTHROPIC_OK),
    "sarvam": (lambda key, t: Sarvam(key, transport=t), "api-subscription-key", "", "m", OK),
    "vertex": (lambda key, t: Vertex("p", "global", access_token=key, transport=t), "authorization", "Bearer ",
               "gemini-x", GEMINI_OK),
}

ENV = {"groq": ("GROQ_API_KEY", Groq, "m", OK), "google": ("GEMINI_API_KEY", Google, "gemini-x", GEMINI_OK),
       "anthropic": ("ANTHROPIC_API_KEY", Anthropic, "m", ANTHROPIC_OK),
       "sarvam": ("SARVAM_API_KEY", Sarvam, "m", OK)}

AROUND = ["\n", "\r\n", " ", "\t", "\n\n"]


# ---------------------------------------------------------------------------------------------- item 1


@pytest.mark.parametrize("host", list(HOSTS))
@pytest.mark.parametrize("around", AROUND)
def test_surrounding_whitespace_is_stripped_from_a_key(host, around):
    """A key read from a file ends in a newline; it was sent whole (and refused by h11 with the key in the
    message)."""
    make, header, prefix, model, body = HOSTS[host]
    transport, sent = recording(body)
    GenericClient(model, provider=make(around + KEY + around, transport)).complete("hi")
    assert sent[0].headers[header] == prefix + KEY


@pytest.mark.parametrize("host", list(ENV))
@pytest.mark.parametrize("around", AROUND)
def test_surrounding_whitespace_is_stripped_from_a_key_in_the_environment(host, around, monkeypatch):
    var, cls, model, body = ENV[host]
    monkeypatch.setenv(var, KEY + around)
    transport, sent = recording(body)
    GenericClient(model, provider=cls(transport=transport)).complete("hi")
    assert KEY in sent[0].headers.get("authorization", "") + "".join(sent[0].headers.values())
    assert all(KEY + around not in v for v in sent[0].headers.values())


INNER = ["\n", "\r", "\x00", "\x1b", "\x7f", "\u2028", "é", "\u200b"]


def _assert_hidden(text: str) -> None:
    assert KEY not in text
    assert KEY[:12] not in text
    assert KEY[-12:] not in text


@pytest.mark.parametrize("host", list(HOSTS))
@pytest.mark.parametrize("inner", INNER)
def test_a_key_with_a_character_no_header_can_carry_is_refused_at_construction(host, inner):
    make, *_ = HOSTS[host]
    transport, sent = recording()
    with pytest.raises(ConfigurationError) as caught:
        make(KEY[:10] + inner + KEY[10:], transport)
    _assert_hidden(str(caught.value))
    _assert_hidden(repr(caught.value))
    assert "key" in str(caught.value)
    assert sent == []


@pytest.mark.parametrize("host", list(ENV))
@pytest.mark.parametrize("inner", ["\n", "\r", "\x1b", "é"])
def test_a_bad_key_in_the_environment_is_refused_before_sending(host, inner, monkeypatch):
    var, cls, model, body = ENV[host]
    monkeypatch.setenv(var, KEY[:10] + inner + KEY[10:])
    transport, sent = recording(body)
    with pytest.raises(ConfigurationError, match=var) as caught:
        GenericClient(model, provider=cls(transport=transport, retry=NO_RETRY)).complete("hi")
    _assert_hidden(str(caught.value))
    assert sent == []


@pytest.mark.parametrize("value", [b"gsk_bytes_key_0123456789", 12345678901234])
def test_a_key_that_is_not_text_is_refused(value):
    with pytest.raises(ConfigurationError, match="str"):
        Groq(value)


def test_a_vertex_token_callable_that_returns_a_line_is_stripped_and_a_bad_one_refused():
    transport, sent = recording(GEMINI_OK)
    tokens = iter([KEY + "\n", KEY[:5] + "\n" + KEY[5:]])
    provider = Vertex("p", "global", access_token=lambda: next(tokens), transport=transport, retry=NO_RETRY)
    client = GenericClient("gemini-x", provider=provider)
    client.complete("hi")
    assert sent[0].headers["authorization"] == "Bearer " + KEY
    with pytest.raises(ConfigurationError) as caught:
        client.complete("hi")
    _assert_hidden(str(caught.value))
    assert len(sent) == 1


def _raising(message_for):
    """A transport failing the way h11 does for a header it cannot send: quoting the value."""
    sent: list[httpx.Request] = []

    def handler(request):
        sent.append(request)
        raise httpx.LocalProtocolError(message_for(request))

    return httpx.MockTransport(handler), sent


SHOWN = {
    "auth header": lambda r: f"Illegal header value {r.headers['authorization'].encode()!r}",
    "bare key": lambda r: f"cannot send key {r.headers['authorization'].removeprefix('Bearer ')}",
}


@pytest.mark.parametrize("shown", list(SHOWN))
def test_whatever_httpx_says_about_a_header_never_carries_the_key(shown):
    transport, sent = _raising(SHOWN[shown])
    provider = Groq(KEY, transport=transport, retry=RetryPolicy(max_retries=2, initial_delay=0.001))
    with pytest.raises(RehostError) as caught:
        GenericClient("m", provider=provider).complete("hi")
    _assert_hidden(str(caught.value))
    _assert_hidden(repr(caught.value))
    assert len(sent) == 1, "a request the client could not send is not retried"


def test_a_fallback_records_no_key_in_its_attempts():
    transport, _ = _raising(SHOWN["auth header"])
    good, _ = recording()
    fallback = Fallback([Groq(KEY, transport=transport), OpenRouter("other-key-0123456789", transport=good)])
    done = GenericClient("m", provider=fallback).complete("hi")
    assert done.text == "ok"
    for attempt in done.attempts:
        _assert_hidden(attempt.detail or "")


def test_a_callers_own_auth_header_is_never_shown_either():
    transport, _ = _raising(SHOWN["auth header"])
    provider = Groq("k" * 20, transport=transport, retry=NO_RETRY)
    with pytest.raises(RehostError) as caught:
        GenericClient("m", provider=provider).complete("hi", extra_headers={"Authorization": f"Bearer {KEY}"})
    _assert_hidden(str(caught.value))


CREDENTIALED = "https://alice:hunter2-s3cret@proxy.example/v1"


def test_a_base_url_with_credentials_hides_the_password_in_repr():
    for provider in (Groq("k", base_url=CREDENTIALED), OpenRouter("k", base_url=CREDENTIALED)):
        assert "hunter2" not in repr(provider)
        assert "proxy.example" in repr(provider)


def test_a_base_url_with_credentials_hides_the_password_in_errors_and_logs(caplog):
    def handler(request):
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    provider = Groq("k" * 20, base_url=CREDENTIALED, transport=httpx.MockTransport(handler), retry=NO_RETRY)
    with caplog.at_level(logging.DEBUG, logger="rehost"), pytest.raises(RehostError) as caught:
        GenericClient("m", provider=provider).complete("hi")
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in caplog.text


# ------------------------------------------------------------------------------ item 21 (headers, base_url)

BAD_HEADERS = {
    "line break in the value": {"X-Trace": "a\nb"},
    "header injection": {"X-Trace": "a\r\nX-Injected: 1"},
    "carriage return": {"X-Trace": "a\rb"},
    "NUL in the value": {"X-Trace": "a\x00b"},
    "escape in the value": {"X-Trace": "a\x1bb"},
    "non-ASCII value": {"X-Trace": "café"},
    "value not a str": {"X-Trace": 42},
    "space in the name": {"X Trace": "1"},
    "colon in the name": {"X-Trace:": "1"},
    "empty name": {"": "1"},
    "non-ASCII name": {"X-Tracé": "1"},
    "line break in the name": {"X-Trace\n": "1"},
}


@pytest.mark.parametrize("case", list(BAD_HEADERS))
def test_a_provider_header_that_cannot_be_sent_is_refused_at_construction(case):
    transport, sent = recording()
    with pytest.raises(ConfigurationError, match="header") as caught:
        Groq("k" * 20, headers=BAD_HEADERS[case], transport=transport)
    assert "X-Injected" not in str(caught.value)  # a value is never shown (it may be a credential)
    assert sent == []


@pytest.mark.parametrize("case", list(BAD_HEADERS))
def test_a_call_header_that_cannot_be_sent_is_refused_before_sending(case):
    from rehost.errors import InvalidRequest

    transport, sent = recording()
    client = GenericClient("m", provider=Groq("k" * 20, transport=transport))
    with pytest.raises(InvalidRequest, match="header"):
        client.complete("hi", extra_headers=BAD_HEADERS[case])
    with pytest.raises(InvalidRequest, match="header"):
        client.stream("hi", extra_headers=BAD_HEADERS[case])
    assert sent == []


def test_extra_headers_must_be_a_mapping():
    from rehost.errors import InvalidRequest

    client = GenericClient("m", provider=Groq("k" * 20, transport=recording()[0]))
    with pytest.raises(InvalidRequest, match="extra_headers"):
        client.complete("hi", extra_headers=[("X-Trace", "1")])


def test_good_headers_still_go_out():
    transport, sent = recording()
    client = GenericClient("m", provider=Groq("k" * 20, transport=transport, headers={"X-Team": "a b\tc"}))
    client.complete("hi", extra_headers={"X-Trace": "t-1", "x-custom_name.v2": "~!#"})
    assert sent[0].headers["x-team"] == "a b\tc"
    assert sent[0].headers["x-trace"] == "t-1"


BAD_URLS = ["not a url", "ftp://x", "ftp://example.com/v1", "http://", "://x", "localhost:8000/v1",
            "http://exa mple.com/v1", "https://host\n/v1", "https://host/v1\r\n", "http://:80/v1",
            "http://host:99999/v1", "file:///etc/passwd", "https://alice:pw-s3cret@/v1"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_base_url_that_is_not_an_http_url_is_refused_at_construction(url):
    """It used to be accepted, then every call failed as a retried ConnectionFailed (UnsupportedProtocol)."""
    transport, sent = recording()
    with pytest.raises(ConfigurationError, match="base_url") as caught:
        Groq("k" * 20, base_url=url, transport=transport)
    assert "pw-s3cret" not in str(caught.value)
    assert sent == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/v1", "https://api.groq.com/openai/v1/",
                                 "http://[::1]:8080/v1", "HTTPS://Example.COM/v1", "http://localhost:11434",
                                 "https://alice:pw@proxy.example/v1"])
def test_an_http_base_url_is_taken(url):
    assert Groq("k" * 20, base_url=url).base_url == url.rstrip("/")


# ------------------------------------------------------------------------------ item 19 (a caller's auth header)


def _send(client, how, **options):
    import asyncio

    if how == "complete":
        return client.complete("hi", **options)
    if how == "stream":
        return client.stream("hi", **options).final()
    return asyncio.run(client.acomplete("hi", **options))


def _answering(body=OK):
    """Whole answers, or a short stream when the call asks for one."""
    sent: list[httpx.Request] = []

    def handler(request):
        sent.append(request)
        if b'"stream":true' in request.content:
            data = (b'data: {"id":"c","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\n'
                    b"data: [DONE]\n\n")
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=data)
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handler), sent


@pytest.mark.parametrize("how", ["complete", "stream", "acomplete"])
@pytest.mark.parametrize("spelling", ["authorization", "Authorization", "AUTHORIZATION"])
def test_a_callers_authorization_header_replaces_the_providers_once(how, spelling):
    transport, sent = _answering()
    client = GenericClient("m", provider=Groq(KEY, transport=transport, async_transport=transport))
    _send(client, how, extra_headers={spelling: "Bearer mine-0123456789"})
    assert sent[0].headers.get_list("authorization") == ["Bearer mine-0123456789"]


@pytest.mark.parametrize("spelling", ["authorization", "Authorization"])
def test_a_providers_own_headers_replace_its_auth_once_too(spelling):
    transport, sent = _answering()
    GenericClient("m", provider=Groq(KEY, transport=transport,
                                     headers={spelling: "Bearer team-0123456789"})).complete("hi")
    assert sent[0].headers.get_list("authorization") == ["Bearer team-0123456789"]


@pytest.mark.parametrize(("make", "header", "model", "body"), [
    (lambda t: Google(KEY, transport=t), "X-Goog-Api-Key", "gemini-x", GEMINI_OK),
    (lambda t: Anthropic(KEY, transport=t), "X-API-KEY", "m", ANTHROPIC_OK),
    (lambda t: Sarvam(KEY, transport=t), "API-Subscription-Key", "m", OK),
])
def test_a_callers_key_header_replaces_the_providers_in_any_spelling(make, header, model, body):
    transport, sent = _answering(body)
    GenericClient(model, provider=make(transport)).complete("hi", extra_headers={header: "mine-0123456789"})
    assert sent[0].headers.get_list(header) == ["mine-0123456789"]


def test_any_header_a_caller_sets_is_sent_once_in_any_spelling():
    transport, sent = _answering()
    GenericClient("m", provider=Groq(KEY, transport=transport, headers={"accept": "application/json"})).complete(
        "hi", extra_headers={"CONTENT-TYPE": "application/json; charset=utf-8"})
    assert sent[0].headers.get_list("content-type") == ["application/json; charset=utf-8"]
    assert sent[0].headers.get_list("accept") == ["application/json"]


def test_a_callers_own_authorization_needs_no_provider_key(monkeypatch):
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    transport, sent = _answering()
    GenericClient("m", provider=Groq(transport=transport)).complete(
        "hi", extra_headers={"Authorization": "Bearer mine-0123456789"})
    assert sent[0].headers.get_list("authorization") == ["Bearer mine-0123456789"]


@pytest.mark.parametrize(("cls", "header", "var"), [(Google, "x-goog-api-key", "GEMINI_API_KEY"),
                                                    (Anthropic, "x-api-key", "ANTHROPIC_API_KEY")])
def test_a_callers_own_key_header_needs_no_provider_key(cls, header, var, monkeypatch):
    from rehost.errors import MissingAPIKey

    for name in (var, "GOOGLE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    transport, sent = _answering(GEMINI_OK if cls is Google else ANTHROPIC_OK)
    client = GenericClient("gemini-x" if cls is Google else "m", provider=cls(transport=transport))
    with pytest.raises(MissingAPIKey):  # a header that is not the host's key header is no key
        client.complete("hi", extra_headers={"Idempotency-Key": "abc-0123456789"})
    client.complete("hi", extra_headers={header.upper(): "mine-0123456789"})
    assert sent[0].headers.get_list(header) == ["mine-0123456789"]
