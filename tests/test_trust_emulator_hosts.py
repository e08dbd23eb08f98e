"""The emulator speaks each host style faithfully (issue 12, item 32): every fault does something on every
route (or is refused by name where the host has no form for it, never silently ignored); Google's errors
carry Google's status names and the Google provider decides from the HTTP status; Ollama's native API
honours the 400 fault; countTokens answers in Google's shape; Anthropic's Messages API and the Responses API
(DeepSeek's ``api="responses"``) are served, streamed and not, with faults; the reply text is scriptable."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from rehost import (
    Anthropic,
    ClaudeClient,
    DeepSeek,
    GeminiClient,
    GenericClient,
    ReasoningDelta,
    ReasoningPart,
    RetryPolicy,
    TextDelta,
    Thinking,
    Timeouts,
    ToolCallDelta,
    Vertex,
)
from rehost.errors import (
    AuthenticationError,
    ConnectionFailed,
    ContentBlocked,
    InvalidRequest,
    Overloaded,
    ProtocolError,
    RateLimited,
    ServerError,
)
from rehost.testing.emulator import FAULTS, Emulator, emulator_process

from .test_tools import get_weather

ANSWER = "Hello w1 w2 w3 w4 w5 w6 w7"
FAST = {"timeouts": Timeouts(read=2, stream_idle=1, total=10), "retry": RetryPolicy(max_retries=0)}
RETRY = {"timeouts": Timeouts(read=2, stream_idle=1, total=10),
         "retry": RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.02)}


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


OPENED: list = []


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.reset()
    yield
    while OPENED:
        OPENED.pop().close()


def provider(emu, style, **kwargs):
    for key, value in FAST.items():
        kwargs.setdefault(key, value)
    p = emu.provider(style, **kwargs)
    OPENED.append(p)
    return p


# ------------------------------------------------------------------------------------------ every fault, every route

HI = [{"role": "user", "content": "hi"}]


def _chat(style):
    return lambda emu, stream: (emu.base_url(style) + "/chat/completions",
                                {"model": "m", "messages": HI, "stream": stream})


def _gemini(style, method):
    def route(emu, stream):
        base = emu.base_url(style)
        if style == "vertex":
            base += "/v1/projects/p/locations/global/publishers/google"
        verb = method if method != "generate" else ("streamGenerateContent?alt=sse" if stream else "generateContent")
        return f"{base}/models/g:{verb}", {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    return route


ROUTES = {
    **{f"{style}-chat": _chat(style) for style in ("groq", "openrouter", "deepseek", "mistral", "vllm", "ollama")},
    "google-generate": _gemini("google", "generate"),
    "vertex-generate": _gemini("vertex", "generate"),
    "google-countTokens": _gemini("google", "countTokens"),
    "vertex-countTokens": _gemini("vertex", "countTokens"),
    "anthropic-messages": lambda emu, stream: (emu.base_url("anthropic") + "/messages",
                                               {"model": "m", "max_tokens": 64, "messages": HI, "stream": stream}),
    "deepseek-responses": lambda emu, stream: (emu.base_url("deepseek") + "/responses",
                                               {"model": "m", "input": HI, "stream": stream}),
    "openai-responses": lambda emu, stream: (emu.base_url("openai") + "/responses",
                                             {"model": "m", "input": HI, "stream": stream}),
    "ollama-native-chat": lambda emu, stream: (emu.url + "/ollama/api/chat",
                                               {"model": "m", "messages": HI, "stream": stream}),
    "ollama-native-generate": lambda emu, stream: (emu.url + "/ollama/api/generate",
                                                   {"model": "m", "prompt": "hi", "stream": stream}),
}

#: faults a route has no form for: the emulator refuses them by name (HTTP 501), so a test asking for one fails
#: loudly instead of passing on an ordinary answer. Ollama has no moderation and no keep-alive frames; Anthropic
#: and the Responses API send pings only inside streams; a token count has no stream and no answer to block.
NO_FORM = {
    "ollama-native-chat": {"blocked", "keepalive"},
    "ollama-native-generate": {"blocked", "keepalive"},
    "anthropic-messages/whole": {"keepalive"},
    "google-countTokens": {"blocked", "inband_error", "keepalive"},
    "vertex-countTokens": {"blocked", "inband_error", "keepalive"},
}
COUNT_ONLY = {"google-countTokens", "vertex-countTokens"}


_HTTP = httpx.Client(timeout=httpx.Timeout(5, read=0.3))  # one client for the hundreds of raw exchanges below


@pytest.fixture(scope="module", autouse=True)
def _close_http():
    yield
    _HTTP.close()


def _exchange(url, body, fault=None):
    """(status, body) of one raw exchange, or the name of the exception the client met."""
    headers = {"x-rehost-fault": fault} if fault else {}
    try:
        response = _HTTP.post(url, json=body, headers=headers)
        return response.status_code, response.content
    except httpx.HTTPError as exc:
        return type(exc).__name__, b""


_PLAIN: dict = {}


CASES = [(route, stream, fault) for route in ROUTES for stream in (False, True) for fault in FAULTS
         if not (stream and route in COUNT_ONLY)]


@pytest.mark.parametrize(("route", "stream", "fault"), CASES,
                         ids=[f"{r}-{'stream' if s else 'whole'}-{f}" for r, s, f in CASES])
def test_no_fault_is_silently_ignored(emu, route, stream, fault):
    url, body = ROUTES[route](emu, stream)
    if (route, stream) not in _PLAIN:
        _PLAIN[route, stream] = _exchange(url, body)
    plain = _PLAIN[route, stream]
    assert plain[0] == 200, plain  # the route exists and answers
    if fault == "oversize":
        emu.inject("oversize", oversize_bytes=1 << 20)
        faulted = _exchange(url, body)
    else:
        faulted = _exchange(url, body, fault)
    no_form = NO_FORM.get(route, set()) | NO_FORM.get(f"{route}/{'stream' if stream else 'whole'}", set())
    if fault in no_form:
        assert faulted[0] == 501
        assert f"no form for the {fault} fault" in faulted[1].decode()
    else:
        assert faulted != plain, f"the {fault} fault changed nothing"
        assert faulted[0] != 501, faulted


def test_an_unknown_fault_header_is_refused_by_name(emu):
    url, body = ROUTES["groq-chat"](emu, False)
    status, content = _exchange(url, body, "nosuchfault")
    assert status == 501
    assert "unknown fault 'nosuchfault'" in content.decode()


def test_an_unknown_route_is_a_404_not_a_chat_answer(emu):
    for url in (emu.base_url("groq") + "/embeddings", emu.base_url("google") + "/models/g:embedContent",
                emu.base_url("anthropic") + "/complete", emu.url + "/ollama/api/embeddings"):
        status, content = _exchange(url, {"model": "m", "input": "hi"})
        assert status == 404, url
        assert b"emulator: no route" in content


# ------------------------------------------------------------------------------------------ Google's errors


def test_the_gemini_400_fault_carries_invalid_argument(emu):
    url, body = ROUTES["google-generate"](emu, False)
    status, content = _exchange(url, body, "400")
    assert status == 400
    assert json.loads(content)["error"]["status"] == "INVALID_ARGUMENT"


@pytest.mark.parametrize("style", ["google", "vertex"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_a_gemini_400_is_an_invalid_request_and_not_retried(emu, style, stream):
    client = GenericClient("gemini-x", provider=provider(emu, style, **RETRY))
    emu.inject("400", times=5)
    with pytest.raises(InvalidRequest) as caught:
        client.stream("hi").final() if stream else client.complete("hi")
    assert caught.value.status == 400
    assert len(emu.requests) == 1  # a 400 is the caller's mistake: retrying it cannot help


# ------------------------------------------------------------------------------------------ Ollama native


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_the_ollama_native_400_fault_is_an_invalid_request(emu, stream):
    emu.inject("400", times=3, host="ollama")
    client = GenericClient("llama3.2", provider=provider(emu, "ollama", **RETRY))
    with pytest.raises(InvalidRequest) as caught:
        client.stream("hi").final() if stream else client.complete("hi")
    assert caught.value.status == 400
    assert "emulated 400" in str(caught.value)
    assert len(emu.requests) == 1
    assert emu.requests[0].path == "/ollama/api/chat"


def test_a_fault_the_host_has_no_form_for_is_refused_through_the_library(emu):
    emu.inject("blocked", times=5, host="ollama")
    with pytest.raises(ServerError, match="no form for the blocked fault"):
        GenericClient("llama3.2", provider=provider(emu, "ollama")).complete("hi")


# ------------------------------------------------------------------------------------------ countTokens


@pytest.mark.parametrize("style", ["google", "vertex"])
def test_count_tokens_is_answered_in_googles_shape(emu, style):
    emu.script(style, prompt_tokens=42)
    flash = GeminiClient("3-flash-preview", provider=provider(emu, style))
    counted = flash.count_tokens("How many tokens is this?", exact=True)
    assert (counted.count, counted.exact) == (42, True)
    seen = emu.requests[-1]
    assert seen.path.endswith(":countTokens")
    url, body = ROUTES[f"{style}-countTokens"](emu, False)
    answer = json.loads(_exchange(url, body)[1])
    assert answer["totalTokens"] == 42
    assert answer["promptTokensDetails"] == [{"modality": "TEXT", "tokenCount": 42}]
    assert ("totalBillableCharacters" in answer) is (style == "vertex")  # Vertex also counts characters


def test_count_tokens_refuses_contents_and_a_whole_request_together(emu):
    url = emu.base_url("google") + "/models/g:countTokens"
    contents = [{"role": "user", "parts": [{"text": "hi"}]}]
    status, content = _exchange(url, {"contents": contents, "generateContentRequest": {"contents": contents}})
    assert status == 400
    assert json.loads(content)["error"]["status"] == "INVALID_ARGUMENT"


# ------------------------------------------------------------------------------------------ Anthropic Messages


def claude(emu, **kwargs):
    return GenericClient("claude-x", provider=provider(emu, "anthropic", **kwargs))


def test_anthropic_messages_whole_and_streamed(emu):
    c = claude(emu)
    done = c.complete("hi", max_tokens=100)
    assert done.text == ANSWER
    assert done.finish_reason == "stop"
    assert done.usage.input_tokens > 0
    assert done.usage.output_tokens == 8
    seen = emu.requests[-1]
    assert seen.path == "/anthropic/v1/messages"
    assert seen.headers["x-api-key"] == "emulator-key"
    assert seen.headers["anthropic-version"] == "2023-06-01"
    stream = c.stream("hi")
    events = list(stream)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == ANSWER
    assert stream.final().text == ANSWER
    assert stream.final().usage.output_tokens == 8


def test_anthropic_thinking_and_tool_use_streamed_and_not(emu):
    emu.script("anthropic", reasoning_tokens=3, tool_call=("get_weather", {"city": "Paris"}))
    c = ClaudeClient("sonnet-4.5", provider=provider(emu, "anthropic"))
    whole = c.complete("Weather in Paris?", tools=[get_weather], thinking=Thinking(budget=2048), max_tokens=4096)
    assert whole.reasoning == "Thinking t1 t2"
    signed = [p for p in whole.parts if isinstance(p, ReasoningPart)]
    assert signed[0].signature  # signed, as Claude's thinking blocks are
    assert [(t.name, t.arguments) for t in whole.tool_calls] == [("get_weather", {"city": "Paris"})]
    assert whole.finish_reason == "tool_calls"
    stream = c.stream("Weather in Paris?", tools=[get_weather], thinking=Thinking(budget=2048), max_tokens=4096)
    events = list(stream)
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Thinking t1 t2"
    assert [e.name for e in events if isinstance(e, ToolCallDelta) and e.name] == ["get_weather"]
    final = stream.final()
    assert final.tool_calls[0].arguments == {"city": "Paris"}
    assert [p.signature for p in final.parts if isinstance(p, ReasoningPart)] == [signed[0].signature]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize(("fault", "error"), [
    ("400", InvalidRequest), ("401", AuthenticationError), ("429", RateLimited), ("500", ServerError),
    ("529", Overloaded), ("blocked", ContentBlocked), ("malformed_chunk", ProtocolError),
    ("wrong_content_type", ProtocolError),
])
def test_anthropic_faults_are_typed(emu, fault, error, stream):
    emu.inject(fault, times=5, host="anthropic", retry_after="7")
    c = claude(emu)
    with pytest.raises(error) as caught:
        c.stream("hi").final() if stream else c.complete("hi")
    if fault.isdigit():
        assert caught.value.status == int(fault)
        assert caught.value.request_id == "req_emu"
    if fault == "429":
        assert caught.value.retry_after == 7


def test_anthropic_overload_inside_a_stream_and_a_retried_529(emu):
    emu.inject("inband_error", host="anthropic")
    c = claude(emu, **RETRY)
    events = []
    with pytest.raises(Overloaded, match="Overloaded"):
        for event in c.stream("hi"):
            events.append(event)
    assert any(isinstance(e, TextDelta) for e in events)  # the error came after some text
    emu.inject("529", times=1, host="anthropic")
    assert c.complete("hi").text == ANSWER
    emu.inject("keepalive", host="anthropic")
    assert c.stream("hi").final().text == ANSWER  # pings are skipped
    assert b"event: ping" in _exchange(*ROUTES["anthropic-messages"](emu, True), "keepalive")[1]


def test_claude_on_vertex_is_answered_in_the_messages_dialect(emu):
    emu.script("vertex", reasoning_tokens=2)
    c = ClaudeClient("sonnet-4.5", provider=provider(emu, "vertex"))
    done = c.complete("hi", max_tokens=100)
    assert (done.text, done.reasoning) == (ANSWER, "Thinking t1")
    assert emu.requests[-1].path.endswith("/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict")
    assert c.stream("hi", max_tokens=100).final().text == ANSWER
    assert emu.requests[-1].path.endswith(":streamRawPredict")
    emu.inject("529", times=3)
    with pytest.raises(Overloaded, match="overloaded_error"):
        c.complete("hi")


# ------------------------------------------------------------------------------------------ the Responses API


def responses(emu, **kwargs):
    return GenericClient("deepseek-x", provider=provider(emu, "deepseek", api="responses", **kwargs))


def test_deepseek_responses_whole_and_streamed(emu):
    emu.script("deepseek", reasoning_tokens=2)
    c = responses(emu)
    done = c.complete("hi")
    assert (done.text, done.reasoning) == (ANSWER, "Thinking t1")
    assert (done.usage.output_tokens, done.usage.reasoning_tokens) == (10, 2)
    assert emu.requests[-1].path == "/deepseek/responses"
    stream = c.stream("hi")
    events = list(stream)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == ANSWER
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "Thinking t1"
    assert stream.final().text == ANSWER
    assert stream.final().usage.output_tokens == 10


def test_deepseek_responses_tool_calls_streamed_and_not(emu):
    emu.script("deepseek", tool_call=("get_weather", {"city": "Paris"}))
    c = responses(emu)
    whole = c.complete("Weather?", tools=[get_weather])
    streamed = c.stream("Weather?", tools=[get_weather]).final()
    for done in (whole, streamed):
        assert [(t.name, t.arguments) for t in done.tool_calls] == [("get_weather", {"city": "Paris"})]
        assert done.finish_reason == "tool_calls"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize(("fault", "error"), [
    ("400", InvalidRequest), ("401", AuthenticationError), ("429", RateLimited), ("503", Overloaded),
    ("blocked", ContentBlocked), ("inband_error", ServerError), ("truncated", ProtocolError),
])
def test_responses_faults_are_typed(emu, fault, error, stream):
    if fault == "truncated" and not stream:
        error = ConnectionFailed  # a body cut short of its content-length: the connection failed
    emu.inject(fault, times=5, host="deepseek")
    c = responses(emu)
    with pytest.raises(error):
        c.stream("hi").final() if stream else c.complete("hi")


def test_a_responses_503_once_is_retried(emu):
    emu.inject("503", times=1, host="deepseek")
    assert responses(emu, **RETRY).stream("hi").final().text == ANSWER
    assert len(emu.requests) == 2


# ------------------------------------------------------------------------------------------ scripted reply text

TEXT = "Bonjour, le monde !"


@pytest.mark.parametrize(("style", "model", "kwargs"), [
    ("groq", "m", {}), ("openrouter", "m", {}), ("mistral", "m", {}), ("google", "gemini-x", {}),
    ("vertex", "gemini-x", {}), ("anthropic", "claude-x", {}), ("deepseek", "m", {"api": "responses"}),
    ("ollama", "llama3.2", {}), ("ollama", "llama3.2", {"api": "openai"}),
])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_the_reply_text_is_scriptable_per_host(emu, style, model, kwargs, stream):
    emu.script(style, text=TEXT)
    c = GenericClient(model, provider=provider(emu, style, **kwargs))
    if stream:
        s = c.stream("hi")
        pieces = [e.text for e in s if isinstance(e, TextDelta)]
        assert len(pieces) > 1  # streamed piece by piece, as a host would
        assert "".join(pieces) == TEXT
        done = s.final()
    else:
        done = c.complete("hi")
    assert done.text == TEXT
    assert done.usage.output_tokens == 4  # the host counts what it said: "Bonjour," " le" " monde" " !"
    other = "groq" if style != "groq" else "openrouter"
    assert GenericClient("m", provider=provider(emu, other)).complete("hi").text == ANSWER  # only that host


def test_scripted_text_with_reasoning_and_an_empty_reply(emu):
    emu.script("groq", text="", reasoning_tokens=2)
    done = GenericClient("m", provider=provider(emu, "groq")).complete("hi")
    assert (done.text, done.reasoning) == ("", "Thinking t1")


def test_the_reply_text_is_scriptable_from_the_command_line():
    with emulator_process(text="From the command line.", hosts={"openrouter": {"text": "Hosts, too: commas."}}) as url:
        from rehost import Groq, OpenRouter

        groq = Groq("k", base_url=url + "/groq/openai/v1")
        openrouter = OpenRouter("k", base_url=url + "/openrouter/api/v1")
        assert GenericClient("m", provider=groq).complete("hi").text == "From the command line."
        assert GenericClient("m", provider=openrouter).stream("hi").final().text == "Hosts, too: commas."
        groq.close()
        openrouter.close()


def test_rehost_emulate_takes_text():
    process = subprocess.Popen([sys.executable, "-m", "rehost.cli", "emulate", "--port", "0", "--text", "Hi there",
                                "--script", "anthropic:text=Claude here"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        url = process.stdout.readline().strip()
        groq = GenericClient("m", provider=__import__("rehost").Groq("k", base_url=url + "/groq/openai/v1"))
        assert groq.complete("hi").text == "Hi there"
        claude_host = GenericClient("c", provider=Anthropic("k", base_url=url + "/anthropic/v1"))
        assert claude_host.complete("hi").text == "Claude here"
    finally:
        process.terminate()
        process.wait(5)


def test_emulator_providers_for_the_new_styles(emu):
    assert isinstance(emu.provider("anthropic"), Anthropic)
    deepseek = emu.provider("deepseek", api="responses")
    assert isinstance(deepseek, DeepSeek)
    assert deepseek.api == "responses"
    assert isinstance(emu.provider("vertex"), Vertex)
