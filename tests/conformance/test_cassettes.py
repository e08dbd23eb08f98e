"""Conformance: every recorded exchange in the cassette folder, replayed over real sockets.

For each interaction the test rebuilds, from the recorded request, the call a rehost user would make; makes it
through a GenericClient bound to the right provider pointed at a local replay server; then checks

* what rehost sent against what the real host accepted, on the fields that matter (model, messages, thinking
  fields, tools, sampling, stream flags), and
* what rehost decoded against what the recorded response says, read by the independent reader in
  ``reader.py`` (text, reasoning, tool calls, finish reason, usage, or the error class for an error status).
  An HTTP 200 stream that carries an error (Groq's ``event: error``, OpenRouter's error chunk) is an error
  case: the error class its own code calls for, with what streamed before it delivered and nothing after.

The folder comes from ``REHOST_CASSETTES`` (default ``../shared/conformance/cassettes``); ``built/`` adds
exchanges no recording covers, written from the shapes HOSTS.md documents (its README says which). A cassette this suite
cannot interpret fails; features rehost cannot express yet are named in KNOWN_INEXPRESSIBLE with the reason,
and only their own fields are left out of the request comparison.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from rehost import (
    DeepSeek,
    Done,
    GenericClient,
    Google,
    Groq,
    Mistral,
    OpenRouter,
    ReasoningDelta,
    RetryPolicy,
    TextDelta,
    Together,
    ToolCallDelta,
    Usage,
    Vertex,
)
from rehost.errors import AuthenticationError, InvalidRequest, NotFound, Overloaded, RateLimited, ServerError
from rehost.testing.replay import ReplayServer

from . import reader

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = Path(os.environ.get("REHOST_CASSETTES") or ROOT.parent / "shared" / "conformance" / "cassettes")
RECORDED = sorted(CASSETTES.glob("*/*.yaml")) if CASSETTES.is_dir() else []
#: exchanges no recording covers, built from the shapes HOSTS.md documents (see built/README.md)
BUILT_DIR = Path(__file__).resolve().parent / "built"
BUILT = sorted(BUILT_DIR.glob("*/*.yaml"))
FILES = RECORDED + BUILT
KEY = "test-key-0123456789"

EXPECTED_ERROR = {400: InvalidRequest, 401: AuthenticationError, 404: NotFound, 429: RateLimited,
                  500: ServerError, 502: ServerError, 503: Overloaded}

KNOWN_INEXPRESSIBLE = {
    "an assistant tool call (get_weather) sent without arguments":
        "rehost always sends a call's arguments; the recorded request is the malformed one the host answered 500",
}


def test_cassette_folder_is_there():
    assert CASSETTES.is_dir(), f"no cassette folder at {CASSETTES} (set REHOST_CASSETTES)"
    assert RECORDED, f"no cassettes under {CASSETTES}"


def test_the_suite_has_in_band_errors_and_streamed_thinking_to_check():
    """The error and reasoning paths below are not vacuous: the built exchanges hold Groq's error event,
    OpenRouter's error chunk (two forms) and Mistral's streamed thinking, and the reader sees each."""
    raws = {_id(p): _recorded_response(yaml.safe_load(p.read_text("utf-8"))["interactions"][0]["response"])[1]
            for p in BUILT}
    errors = {name: reader.stream_error(raw) for name, raw in raws.items()}
    assert errors["built/groq/stream_inband_error_tool_use_failed"].status == 400
    assert errors["built/openrouter/stream_inband_error_chunk_rate_limited"].status == 429
    assert errors["built/openrouter/stream_inband_error_chunk_with_usage"].status == 502
    assert errors["built/mistral/stream_thinking_chunks_small"] is None
    thinking = reader.openai_stream_expected(raws["built/mistral/stream_thinking_chunks_small"])
    assert thinking.reasoning.startswith("Okay, the first sister is 4.")
    assert thinking.reasoning.endswith(" the third is 11, John 22.")
    assert thinking.text == "John is 22."  # the text chunk in the transition chunk counts too
    assert reader.openai_stream_expected(raws["built/groq/stream_inband_error_tool_use_failed"]).reasoning == (
        "The user wants a failing call.")


def _is_hub_lookup(url: str, method: str) -> bool:
    """The Hugging Face client's model-mapping lookup before a router call: not a model call."""
    parts = urlsplit(url)
    return method == "GET" and parts.hostname == "huggingface.co" and parts.path.startswith("/api/models/")


def _provider(url: str, server: str) -> tuple[Any, str]:
    parts = urlsplit(url)
    host, path = parts.hostname, parts.path
    retry = RetryPolicy(max_retries=0)
    if host == "api.groq.com":
        return Groq(KEY, base_url=server + "/openai/v1", retry=retry), "openai"
    if host == "openrouter.ai":
        return OpenRouter(KEY, base_url=server + "/api/v1", retry=retry), "openai"
    if host == "api.deepseek.com":
        if path.endswith("/responses"):
            return DeepSeek(KEY, base_url=server, api="responses", retry=retry), "responses"
        return DeepSeek(KEY, base_url=server, retry=retry), "openai"
    if host == "api.mistral.ai":
        return Mistral(KEY, base_url=server + "/v1", retry=retry), "openai"
    if host == "router.huggingface.co" and path.startswith("/together/"):
        return Together(KEY, base_url=server + "/together/v1", retry=retry), "openai"
    if host == "generativelanguage.googleapis.com":
        return Google(KEY, base_url=server + "/" + path.split("/")[1], retry=retry), "gemini"
    if host and host.endswith("aiplatform.googleapis.com"):
        seg = path.split("/")
        version, project, location = seg[1], seg[seg.index("projects") + 1], seg[seg.index("locations") + 1]
        return Vertex(project, location, access_token=KEY, api_version=version, base_url=server,
                      retry=retry), "gemini"
    raise AssertionError(f"this suite cannot interpret a call to {url}")


def _recorded_request_body(request: dict[str, Any]) -> Any:
    if "parsed_body" in request:
        return request["parsed_body"]
    body = request.get("body")
    return json.loads(body) if isinstance(body, str) else body


def _recorded_response(response: dict[str, Any]) -> tuple[Any, str | None]:
    if "parsed_body" in response:
        return response["parsed_body"], None
    body = response.get("body")
    return None, body["string"] if isinstance(body, dict) else body


def _call_for(dialect: str, url: str, body: Any, provider: Any) -> reader.Call:
    if dialect == "openai":
        return reader.openai_call(body)
    if dialect == "responses":
        return reader.responses_call(body)
    return reader.gemini_call(url, body, provider.name)


def _expected_for(dialect: str, body: Any, raw: str | None) -> reader.Expected:
    if dialect == "openai":
        return reader.openai_expected(body) if raw is None else reader.openai_stream_expected(raw)
    if dialect == "responses":
        return reader.responses_expected(body, raw)
    return reader.gemini_expected(body, raw)


def _kwargs(call: reader.Call) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(call.sampling)
    if call.thinking is not None:
        kwargs["thinking"] = call.thinking
    if call.tools:
        kwargs["tools"] = call.tools
    if call.tool_choice is not None:
        kwargs["tool_choice"] = call.tool_choice
    if call.output is not None:
        kwargs["output"] = call.output
        kwargs["output_mode"] = call.output_mode
    return kwargs


def _make_call(client: GenericClient, call: reader.Call):
    kwargs = _kwargs(call)
    if not call.stream:
        return client.provider.send(client.prepare(call.messages, **kwargs)), None
    stream = client.stream(call.messages, **kwargs)
    events = list(stream)
    return stream.final(), events


def _stream_until_error(client: GenericClient, call: reader.Call, error: type[Exception]) -> tuple[list[Any], Any]:
    """The events a stream delivered before it raised ``error`` (which it must), and the error."""
    events: list[Any] = []
    with pytest.raises(error) as caught:
        for event in client.stream(call.messages, **_kwargs(call)):
            events.append(event)
    return events, caught.value


def _check_events(events: list[Any], completion: Any) -> None:
    assert isinstance(events[-1], Done)
    assert events[-1].completion is completion
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == completion.text
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == completion.reasoning
    usage = [e for e in events if isinstance(e, Usage)]
    assert usage == ([completion.usage] if completion.usage is not None else [])
    names = [e.name for e in events if isinstance(e, ToolCallDelta) and e.name]
    assert names == [c.name for c in completion.tool_calls]


def _check_error(error: Any, status: int, message: str, provider: Any) -> None:
    assert error.status == status
    assert error.host == provider.name
    assert message[:60] in str(error)
    assert KEY not in str(error)
    assert KEY not in repr(error)


def _check_decoded(completion: Any, exp: reader.Expected) -> None:
    assert completion.text == exp.text
    assert completion.reasoning == exp.reasoning
    assert [(c.name, c.arguments) for c in completion.tool_calls] == exp.tool_calls
    assert completion.finish_reason == exp.finish
    assert completion.response_id == exp.response_id
    if exp.input_tokens is not None:
        u = completion.usage
        assert u is not None
        assert (u.input_tokens, u.output_tokens) == (exp.input_tokens, exp.output_tokens)
        assert u.reasoning_tokens == exp.reasoning_tokens
        assert u.cached_input_tokens == exp.cached_tokens


def _align_missing(sent: dict[str, Any], recorded: dict[str, Any]) -> None:
    """Where the recorded call left a tool call's arguments out, do not compare ours."""
    for m_sent, m_rec in zip(sent["messages"], recorded["messages"], strict=False):
        m_sent["tool_calls"] = [
            (s[0], s[1], reader.MISSING) if r[2] == reader.MISSING else s
            for s, r in zip(m_sent["tool_calls"], m_rec["tool_calls"], strict=False)
        ]


def _check_request(dialect: str, sent_target: str, sent: Any, url: str, recorded: Any, call: reader.Call) -> None:
    if dialect == "openai":
        a, b = reader.canonical_openai(sent), reader.canonical_openai(recorded)
        _align_missing(a, b)
    elif dialect == "responses":
        a, b = reader.canonical_responses(sent), reader.canonical_responses(recorded)
    else:
        a = reader.canonical_gemini(sent_target, sent, drop=set())
        b = reader.canonical_gemini(_target(url), recorded, drop=set())
    assert a == b


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _id(path: Path) -> str:
    return ("built/" if BUILT_DIR in path.parents else "") + f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_cassette(path: Path):
    interactions = yaml.safe_load(path.read_text("utf-8"))["interactions"]
    model_calls = 0
    with ReplayServer.from_cassettes([path], chunk_size=7) as server:
        for item in interactions:
            request, response = item["request"], item["response"]
            url = request["uri"].split("#", 1)[0]
            if _is_hub_lookup(url, request["method"]):
                continue
            model_calls += 1
            provider, dialect = _provider(url, server.url)
            recorded = _recorded_request_body(request)
            call = _call_for(dialect, url, recorded, provider)
            unknown = [f for f in call.inexpressible if f not in KNOWN_INEXPRESSIBLE]
            assert not unknown, f"cannot express: {unknown}"
            client = GenericClient(call.model, provider=provider, host_model_id=call.model)
            before = len(server.received)
            status = response["status"]["code"]
            body, raw = _recorded_response(response)
            inband = reader.stream_error(raw) if status < 400 else None
            if status >= 400:
                with pytest.raises(EXPECTED_ERROR[status]) as caught:
                    _make_call(client, call)
                _check_error(caught.value, status, reader.error_message(body, raw), provider)
            elif inband is not None:  # an error inside a 200 stream is an error case, not a success
                assert call.stream, "an in-band error in an answer that was not streamed"
                assert inband.status in EXPECTED_ERROR, f"no expected error class for in-band {inband}"
                events, error = _stream_until_error(client, call, EXPECTED_ERROR[inband.status])
                _check_error(error, inband.status, inband.message, provider)
                if dialect == "openai":  # what arrived before the error was delivered, and nothing else
                    partial = reader.openai_stream_expected(raw)
                    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == partial.text
                    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == partial.reasoning
                    assert not any(isinstance(e, Done) for e in events)
            else:
                completion, events = _make_call(client, call)
                if events is not None:
                    _check_events(events, completion)
                _check_decoded(completion, _expected_for(dialect, body, raw))
                if call.output is not None:
                    assert completion.output == json.loads(completion.text)
                assert completion.host == provider.name
                assert completion.host_model_id == call.model
            assert len(server.received) == before + 1, "exactly one HTTP request per recorded interaction"
            sent = server.received[before]
            _check_request(dialect, sent.target, sent.json(), url, recorded, call)
            assert KEY in (sent.headers.get("authorization", "") + sent.headers.get("x-goog-api-key", ""))
        assert not server.unmatched
        assert all(_is_hub_lookup(i.url, i.method) for i in server.remaining)
    assert model_calls > 0, f"{path.name} holds no model call"
