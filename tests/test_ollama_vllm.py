"""Ollama (native ``/api/chat`` + ``/api/generate`` and the ``/v1`` OpenAI surface) and vLLM, against the host
emulator: text, streaming, reasoning, thinking encodings, errors, structured output, plain prompts, and the
NDJSON framing of Ollama's native streams split at every byte."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import rehost
from rehost import VLLM, GenericClient, Ollama, QwenClient, RetryPolicy, Thinking, Timeouts
from rehost.entry import provider as host_provider
from rehost.errors import (
    ConnectionFailed,
    ContextWindowExceeded,
    InvalidRequest,
    ModelNotFound,
    Overloaded,
    ProtocolError,
    RateLimited,
    RehostError,
    ServerError,
    UnsupportedFeature,
)
from rehost.providers.dialects import ollama_native
from rehost.providers.dialects.common import CallInfo
from rehost.shared.ndjson import NDJSONDecoder
from rehost.shared.request import Request, Sampling, ThinkingPlan
from rehost.shared.types import (
    Done,
    ImagePart,
    Message,
    ReasoningDelta,
    ReasoningPart,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    Usage,
)
from rehost.testing.emulator import Emulator

TEXT = "Hello w1 w2 w3 w4 w5 w6 w7"
THOUGHT = "Thinking t1 t2"
FAST = {"timeouts": Timeouts(read=2, stream_idle=1, total=10),
        "retry": RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05)}
NO_RETRY = {"timeouts": Timeouts(read=2, stream_idle=1, total=10), "retry": RetryPolicy(max_retries=0)}

OPENED: list = []


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


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


def client(emu, style, model="llama3.2", **kwargs):
    return GenericClient(model, provider=provider(emu, style, **kwargs))


def last_body(emu):
    return emu.requests[-1].json()


def req(**kw):
    kw.setdefault("messages", (Message.user("hi"),))
    return Request(model="m", host_model_id="m", **kw)


def body_of(p, request):
    return p.prepare(request).call.body


# ------------------------------------------------------------------------------------------ identity


def test_defaults_registry_and_auth(monkeypatch):
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    monkeypatch.delenv("VLLM_API_KEY", raising=False)
    assert host_provider("ollama").base_url == "http://localhost:11434"
    assert isinstance(host_provider("vllm"), VLLM)
    assert VLLM().base_url == "http://127.0.0.1:8000/v1"
    assert Ollama(base_url="http://box:11434/v1/").base_url == "http://box:11434"  # the /v1 URL is accepted
    # local servers need no key: no auth header, and nothing (bench, CLI) counts them as unconfigured
    for p in (Ollama(), Ollama(api="openai"), VLLM()):
        assert p.auth_headers() == {}
        assert p.missing_key_reason is None
    assert VLLM("sk-v").auth_headers() == {"Authorization": "Bearer sk-v"}
    monkeypatch.setenv("OLLAMA_API_KEY", "ol-1")
    assert Ollama().auth_headers() == {"Authorization": "Bearer ol-1"}
    assert "ol-1" not in repr(Ollama())
    with pytest.raises(ValueError, match="native"):
        Ollama(api="ollama")  # type: ignore[arg-type]
    bound = rehost.client("ollama/my-model:7b", raw=True)
    assert isinstance(bound.provider, Ollama)


def test_urls_and_accept_headers():
    native = Ollama().prepare(req(stream=True)).call
    assert native.url == "http://localhost:11434/api/chat"
    assert native.headers["Accept"] == "application/x-ndjson"
    assert Ollama(api="openai").prepare(req()).call.url == "http://localhost:11434/v1/chat/completions"
    v1 = Ollama(api="openai").prepare(req(stream=True)).call
    assert v1.headers["Accept"] == "text/event-stream"
    assert VLLM().prepare(req()).call.url == "http://127.0.0.1:8000/v1/chat/completions"


# ------------------------------------------------------------------------------------------ text and streaming


@pytest.mark.parametrize(("style", "api"), [("ollama", "native"), ("ollama", "openai"), ("vllm", None)])
def test_text_whole_and_streamed(emu, style, api):
    kwargs = {"api": api} if api else {}
    c = client(emu, style, **kwargs)
    done = c.complete("hi")
    assert done.text == TEXT
    assert done.reasoning in ("", None)
    assert done.host == style
    assert done.finish_reason == "stop"
    assert done.usage.input_tokens > 0
    assert done.usage.output_tokens == 8
    sent = last_body(emu)
    assert sent["stream"] is False
    assert sent["model"] == "llama3.2"

    events = list(c.stream("hi"))
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    final = events[-1]
    assert isinstance(final, Done)
    assert final.completion.text == text == TEXT
    usage = [e for e in events if isinstance(e, Usage)]
    assert usage
    assert usage[0].output_tokens == 8
    assert final.completion.usage == usage[0]
    assert last_body(emu)["stream"] is True


def test_native_wire_shape_and_host_timing(emu):
    done = client(emu, "ollama").complete("hi")
    seen = emu.requests[-1]
    assert seen.path == "/ollama/api/chat"
    assert "authorization" not in seen.headers
    assert seen.json() == {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}], "stream": False}
    assert done.served_model == "llama3.2"
    assert done.host_timing == {"total": 0.005, "load": 0.001, "prompt_eval": 0.001, "eval": 0.003}
    streamed = client(emu, "ollama").stream("hi").final()
    assert streamed.host_timing == done.host_timing
    assert streamed.usage == done.usage


def test_native_async_stream(emu):
    emu.script("ollama", reasoning_tokens=3)
    p = provider(emu, "ollama")

    async def run():
        events = [e async for e in p.astream(req(stream=True, thinking=ThinkingPlan()))]
        await p.aclose()
        return events

    events = asyncio.run(run())
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == THOUGHT
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == TEXT
    assert isinstance(events[-1], Done)
    assert events[-1].completion.usage.output_tokens == 11


def test_native_sampling_options_images_and_history():
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    call = ToolCall(id="c1", name="get_weather", arguments={"city": "Paris"})
    messages = (
        Message.system("be brief"),
        Message(role="user", parts=(TextPart(text="what is this?"), ImagePart(data=png))),
        Message(role="assistant", parts=(ReasoningPart(text="look"), TextPart(text="a png"), call)),
        Message(role="tool", parts=(ToolResult(call_id="c1", name="get_weather", content="sunny"),)),
    )
    sampling = Sampling(temperature=0.2, top_p=0.9, top_k=40, max_tokens=64, stop=("END",), seed=7)
    body = body_of(Ollama(), req(messages=messages, sampling=sampling))
    assert body["options"] == {"temperature": 0.2, "top_p": 0.9, "top_k": 40, "num_predict": 64, "stop": ["END"],
                               "seed": 7}
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "what is this?", "images": [ImagePart(data=png).base64]},
        {"role": "assistant", "content": "a png", "thinking": "look",
         "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
        {"role": "tool", "content": "sunny", "tool_name": "get_weather"},
    ]
    with pytest.raises(UnsupportedFeature, match="URLs"):
        body_of(Ollama(), req(messages=(Message(role="user", parts=(ImagePart(url="https://x/y.png"),)),)))
    # the /v1 surface takes no top_k; tool_choice exists on neither surface
    with pytest.raises(UnsupportedFeature, match="top_k"):
        body_of(Ollama(api="openai"), req(sampling=Sampling(top_k=4)))
    for api in ("native", "openai"):
        with pytest.raises(UnsupportedFeature, match="tool_choice"):
            body_of(Ollama(api=api), req(tools=(rehost.Tool(name="f", parameters={"type": "object"}),),
                                         tool_choice="required"))


def test_native_tool_calls(emu):
    emu.script("ollama", tool_call=("get_weather", {"city": "Paris"}))
    c = client(emu, "ollama")
    tool = rehost.Tool(name="get_weather", description="weather", parameters={
        "type": "object", "properties": {"city": {"type": "string"}}})
    done = c.complete("weather?", tools=[tool])
    assert done.finish_reason == "tool_calls"
    assert [(t.name, t.arguments) for t in done.tool_calls] == [("get_weather", {"city": "Paris"})]
    assert last_body(emu)["tools"][0]["function"]["name"] == "get_weather"
    events = list(c.stream("weather?", tools=[tool]))
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert len(deltas) == 1
    assert json.loads(deltas[0].arguments) == {"city": "Paris"}
    assert events[-1].completion.tool_calls[0].arguments == {"city": "Paris"}


# ------------------------------------------------------------------------------------------ reasoning


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize(("style", "api", "base"), [
    ("ollama", "native", None),          # message.thinking
    ("ollama", "openai", None),          # message.reasoning / delta.reasoning
    ("vllm", None, None),                # reasoning
    ("vllm", None, "llamacpp"),          # reasoning_content, as older vLLM sends it
])
def test_reasoning_comes_back(emu, style, api, base, stream):
    emu.script(base or style, reasoning_tokens=3)
    if base:  # vLLM's class pointed at a server that answers in reasoning_content
        p = VLLM(base_url=emu.base_url(base), **FAST)
        OPENED.append(p)
        c = GenericClient("llama3.2", provider=p)
    else:
        c = client(emu, style, **({"api": api} if api else {}))
    if stream:
        events = list(c.stream("why?", thinking=Thinking()))
        assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == THOUGHT
        done = events[-1].completion
    else:
        done = c.complete("why?", thinking=Thinking())
    assert done.reasoning == THOUGHT
    assert done.text == TEXT
    assert done.usage.output_tokens == 11


def test_reasoning_not_returned_when_not_asked(emu):
    emu.script("ollama", reasoning_tokens=3)
    done = client(emu, "ollama").complete("why?", thinking=Thinking.on(include=False))
    assert last_body(emu)["think"] is True
    assert not done.reasoning
    assert done.text == TEXT


def test_think_false_gets_no_thinking_from_the_emulated_host(emu):
    emu.script("ollama", reasoning_tokens=3)
    done = client(emu, "ollama").complete("why?", thinking=Thinking.off())
    assert last_body(emu)["think"] is False
    assert not done.reasoning


# ------------------------------------------------------------------------------------------ thinking encodings


@pytest.mark.parametrize(("thinking", "think"), [
    (Thinking.off(), False),
    (Thinking(), True),
    (Thinking(effort="minimal"), "low"),
    (Thinking(effort="low"), "low"),
    (Thinking(effort="medium"), "medium"),
    (Thinking(effort="high"), "high"),
    (Thinking(effort="xhigh"), "max"),
    (Thinking(effort="max"), "max"),
])
def test_native_think_values(thinking, think):
    request = GenericClient("m").prepare("hi", thinking=thinking)
    assert body_of(Ollama(), request)["think"] == think


@pytest.mark.parametrize(("thinking", "effort"), [
    (Thinking.off(), "none"),
    (Thinking(), None),
    (Thinking(effort="minimal"), "low"),
    (Thinking(effort="medium"), "medium"),
    (Thinking(effort="high"), "high"),
    (Thinking(effort="xhigh"), "max"),
    (Thinking(effort="max"), "max"),
])
def test_openai_surface_reasoning_effort(thinking, effort):
    body = body_of(Ollama(api="openai"), GenericClient("m").prepare("hi", thinking=thinking))
    assert body.get("reasoning_effort") == effort
    assert "think" not in body
    assert "chat_template_kwargs" not in body


def test_ollama_thinking_edges():
    for api in ("native", "openai"):
        with pytest.raises(UnsupportedFeature, match="budget"):
            body_of(Ollama(api=api), GenericClient("m").prepare("hi", thinking=Thinking(budget=1024)))
    # a model that always thinks (R1) needs no switch: nothing is sent
    assert "think" not in body_of(Ollama(), req(thinking=ThinkingPlan(always_on=True)))
    assert "think" not in body_of(Ollama(), req())


def test_vllm_thinking_encodings(emu):
    qwen_off = QwenClient("3-32b", thinking=False).prepare("Count to 3")
    body = body_of(VLLM(models={"qwen3-32b": "Qwen/Qwen3-32B"}), qwen_off)
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert body["messages"][-1]["content"] == "Count to 3"  # no soft switch in the prompt
    qwen_on = QwenClient("3-32b", thinking=True).prepare("Count to 3")
    assert body_of(VLLM(models={"qwen3-32b": "q"}), qwen_on)["chat_template_kwargs"] == {"enable_thinking": True}
    budget = body_of(VLLM(), GenericClient("m").prepare("hi", thinking=Thinking(budget=512)))
    assert budget["thinking_token_budget"] == 512
    assert "chat_template_kwargs" not in body_of(VLLM(), GenericClient("m").prepare("hi", thinking=Thinking()))
    with pytest.raises(UnsupportedFeature, match="effort"):
        body_of(VLLM(), GenericClient("m").prepare("hi", thinking=Thinking(effort="high")))
    with pytest.raises(UnsupportedFeature, match="chat_template_kwargs"):
        body_of(VLLM(), GenericClient("m").prepare("hi", thinking=Thinking.off()))
    # and end to end: the switch reaches the emulated server
    c = QwenClient("3-32b", thinking=False, provider=provider(emu, "vllm", models={"qwen3-32b": "Qwen/Qwen3-32B"}))
    assert c.complete("Count to 3").text == TEXT
    sent = last_body(emu)
    assert sent["model"] == "Qwen/Qwen3-32B"
    assert sent["chat_template_kwargs"] == {"enable_thinking": False}


# ------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize(("fault", "error"), [("429", RateLimited), ("500", ServerError), ("503", Overloaded)])
@pytest.mark.parametrize("api", ["native", "openai"])
def test_ollama_status_faults_are_typed(emu, api, fault, error, stream):
    emu.inject(fault, times=5, host="ollama", retry_after="2")
    c = client(emu, "ollama", api=api, **NO_RETRY)
    with pytest.raises(error) as info:
        c.stream("hi").final() if stream else c.complete("hi")
    assert info.value.status == int(fault)
    assert info.value.host == "ollama"
    assert f"emulated {fault}" in str(info.value)
    if fault == "429":
        assert info.value.retry_after == 2


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("fault", ["429", "503"])
def test_vllm_status_faults_are_typed_and_retried(emu, fault, stream):
    emu.inject(fault, times=5, host="vllm", retry_after="0")
    with pytest.raises(RateLimited if fault == "429" else Overloaded):
        c = client(emu, "vllm", **NO_RETRY)
        c.stream("hi").final() if stream else c.complete("hi")
    emu.reset()
    emu.inject(fault, times=1, host="vllm", retry_after="0")
    c = client(emu, "vllm")
    assert (c.stream("hi").final() if stream else c.complete("hi")).text == TEXT


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_native_status_fault_once_is_retried(emu, stream):
    emu.inject("503", times=1, host="ollama")
    c = client(emu, "ollama")
    assert (c.stream("hi").final() if stream else c.complete("hi")).text == TEXT
    assert len(emu.requests) == 2


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_native_inband_error(emu, stream):
    emu.inject("inband_error", host="ollama")
    c = client(emu, "ollama")
    with pytest.raises(ServerError, match="emulated runner failure") as info:
        if stream:
            events = []
            for e in c.stream("hi"):
                events.append(e)
        else:
            c.complete("hi")
    assert info.value.status is None
    if stream:
        assert "".join(e.text for e in events if isinstance(e, TextDelta))  # deltas arrived before the error


@pytest.mark.parametrize(("fault", "error"), [
    ("truncated", ProtocolError),
    ("malformed_chunk", ProtocolError),
    ("reset_mid_stream", ConnectionFailed),
    ("wrong_content_type", ProtocolError),
])
def test_native_broken_streams(emu, fault, error):
    emu.inject(fault, host="ollama")
    with pytest.raises(error) as info:
        client(emu, "ollama").stream("hi").final()
    if fault == "truncated":
        assert "truncated" in str(info.value)


def test_native_malformed_whole_answer(emu):
    emu.inject("malformed_chunk", times=3, host="ollama")
    with pytest.raises(ProtocolError):
        client(emu, "ollama").complete("hi")


def test_vllm_inband_and_truncated_streams(emu):
    emu.inject("truncated", host="vllm")
    with pytest.raises(ProtocolError, match="truncated"):
        client(emu, "vllm").stream("hi").final()
    emu.inject("malformed_chunk", host="ollama")
    with pytest.raises(ProtocolError):
        client(emu, "ollama", api="openai").stream("hi").final()


def mock(status, body):
    def handler(request):
        return httpx.Response(status, json=body)
    return httpx.MockTransport(handler)


def test_error_bodies_from_the_docs():
    missing = Ollama(transport=mock(404, {"error": 'model "llama9" not found, try pulling it first'}),
                     retry=RetryPolicy(max_retries=0))
    with pytest.raises(ModelNotFound, match="pulling"):
        missing.send(req())
    bad = Ollama(transport=mock(400, {"error": "invalid format"}), retry=RetryPolicy(max_retries=0))
    with pytest.raises(InvalidRequest, match="invalid format"):
        bad.send(req())
    v1 = Ollama(api="openai", transport=mock(400, {"error": {"message": "invalid reasoning_effort", "type":
                                                             "invalid_request_error", "param": None, "code": None}}))
    with pytest.raises(InvalidRequest, match="reasoning_effort"):
        v1.send(req())
    long = {"object": "error", "message": "This model's maximum context length is 4096 tokens. However, you "
            "requested 5000 tokens.", "type": "BadRequestError", "param": None, "code": 400}
    with pytest.raises(ContextWindowExceeded):
        VLLM(transport=mock(400, long)).send(req())
    new_style = {"error": {"message": "The model `x` does not exist.", "type": "NotFoundError", "code": 404}}
    with pytest.raises(ModelNotFound):
        VLLM(transport=mock(404, new_style)).send(req())


# ------------------------------------------------------------------------------------------ structured output


class City(BaseModel):
    name: str
    population: int


def test_native_structured_output_goes_in_format(emu):
    emu.script("ollama", echo=True)  # the emulated model answers with the user's text: here, the JSON
    c = client(emu, "ollama")
    city = c.complete(json.dumps({"name": "Lyon", "population": 522000}), output=City)
    assert city == City(name="Lyon", population=522000)
    fmt = last_body(emu)["format"]
    assert fmt["type"] == "object"
    assert set(fmt["properties"]) == {"name", "population"}
    assert "title" not in fmt
    json_mode = body_of(Ollama(), GenericClient("m").prepare("x", output=City, output_mode="json"))
    assert json_mode["format"] == "json"
    assert '"population"' in json_mode["messages"][-1]["content"]  # JSON mode: the schema goes in the prompt
    with pytest.raises(UnsupportedFeature, match="tool"):
        Ollama().prepare(GenericClient("m").prepare("x", output=City, output_mode="tool"))
    v1 = body_of(Ollama(api="openai"), GenericClient("m").prepare("x", output=City))
    assert v1["response_format"]["type"] == "json_schema"
    assert "strict" not in v1["response_format"]["json_schema"]


# ------------------------------------------------------------------------------------------ plain prompts


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize(("style", "api", "path"), [
    ("ollama", "native", "/ollama/api/generate"),
    ("ollama", "openai", "/ollama/v1/completions"),
    ("vllm", None, "/vllm/v1/completions"),
])
def test_plain_prompt_completions(emu, style, api, path, stream):
    p = provider(emu, style, **({"api": api} if api else {}))
    request = Request(model="base", host_model_id="llama3.2:1b-text", messages=(Message.user("Once upon"),),
                      prompt="Once upon", sampling=Sampling(max_tokens=16), stream=stream)
    if stream:
        events = list(p.stream(request))
        assert "".join(e.text for e in events if isinstance(e, TextDelta)) == TEXT
        done = events[-1].completion
    else:
        done = p.send(request)
    assert done.text == TEXT
    assert done.usage.output_tokens == 8
    seen = emu.requests[-1]
    assert seen.path == path
    body = seen.json()
    assert body["prompt"] == "Once upon"
    assert "messages" not in body
    if api == "native":
        assert body["raw"] is True
        assert body["options"] == {"num_predict": 16}
    else:
        assert body["max_tokens"] == 16
    with pytest.raises(UnsupportedFeature, match="plain prompt"):
        p.prepare(Request(model="base", host_model_id="b", messages=(Message.user("x"),), prompt="x",
                          thinking=ThinkingPlan()))


# ------------------------------------------------------------------------------------------ NDJSON framing


def native_stream_bytes(emu):
    emu.script("ollama", reasoning_tokens=3, echo=True)
    with httpx.Client() as http:
        r = http.post(emu.url + "/ollama/api/chat", json={
            "model": "m", "stream": True, "think": True,
            "messages": [{"role": "user", "content": "héllo ✓ 🌍\nnext line"}]})
    assert r.headers["content-type"] == "application/x-ndjson"
    return r.content


def decode_all(pieces):
    info = CallInfo(host="ollama", model="m", host_model_id="m")
    decoder = NDJSONDecoder()
    state = ollama_native.NativeStream(info, AssertionError)
    events = []
    for piece in pieces:
        for ev in decoder.feed(piece):
            events.extend(state.on_event(ev))
    for ev in decoder.close():
        events.extend(state.on_event(ev))
    assert state.finished
    assert decoder.ended_cleanly
    return events, state.completion()


def test_ndjson_stream_split_at_every_byte(emu):
    data = native_stream_bytes(emu)
    assert data.count(b"\n") == 5
    assert b"[DONE]" not in data
    assert b"data:" not in data
    events, whole = decode_all([data])
    assert whole.text == "héllo ✓ 🌍\nnext line"
    assert whole.reasoning == THOUGHT
    assert whole.usage.output_tokens == 11
    expected = ("".join(e.text for e in events if isinstance(e, TextDelta)), whole.text, whole.reasoning,
                whole.usage)
    for cut in range(len(data) + 1):
        ev2, done = decode_all([data[:cut], data[cut:]])
        got = ("".join(e.text for e in ev2 if isinstance(e, TextDelta)), done.text, done.reasoning, done.usage)
        assert got == expected, cut
    _ev3, done = decode_all([data[i:i + 1] for i in range(len(data))])
    assert done.text == whole.text
    assert done.reasoning == whole.reasoning


def test_ndjson_through_the_provider_one_byte_at_a_time(emu):
    data = native_stream_bytes(emu) .replace(b"\n", b"\r\n")  # CRLF line ends are tolerated too

    def handler(request):
        return httpx.Response(200, headers={"content-type": "application/x-ndjson"},
                              content=iter([data[i:i + 1] for i in range(len(data))]))

    p = Ollama(transport=httpx.MockTransport(handler))
    done = list(p.stream(req(stream=True)))[-1].completion
    assert done.text == "héllo ✓ 🌍\nnext line"
    assert done.reasoning == THOUGHT


def test_ndjson_decoder_edges():
    d = NDJSONDecoder(max_event_bytes=64)
    assert d.feed(b"\xef\xbb") == []
    assert [e.data for e in d.feed(b'\xbf{"a":1}\n\n  \n{"b"')] == ['{"a":1}']
    assert [e.data for e in d.feed(b':2}\n')] == ['{"b":2}']
    assert [e.data for e in d.close()] == []
    assert d.ended_cleanly
    cut = NDJSONDecoder()
    cut.feed(b'{"a":1}\n{"b":')
    assert [e.data for e in cut.close()] == ['{"b":']
    assert not cut.ended_cleanly
    big = NDJSONDecoder(max_event_bytes=64)
    with pytest.raises(ProtocolError, match="longer"):
        for _ in range(10):
            big.feed(b"x" * 10)
    with pytest.raises(ProtocolError, match="UTF-8"):
        NDJSONDecoder().feed(b'{"a":"\xff"}\n')


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_native_oversize_answer_is_cut_off(emu, stream):
    emu.inject("oversize", host="ollama", oversize_bytes=4 * 1024 * 1024)
    c = client(emu, "ollama", timeouts=Timeouts(read=2, stream_idle=1, total=10, max_body_bytes=1024 * 1024))
    with pytest.raises(ProtocolError):
        c.stream("hi").final() if stream else c.complete("hi")


NDJSON_GARBAGE = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"{", b"[1, 2]", b"42", b"null", b'"text"', b'{"message": 3}', b'{"message": {"content": 5}}',
                     b'{"message": {"tool_calls": 3}}', b'{"message": {"tool_calls": [1]}}', b'{"error": 7}',
                     b'{"message": {"tool_calls": [{"function": {"arguments": [1]}}]}}', b"\xff\xfe",
                     b'{"done": true, "eval_count": "many"}', b'{"response": ["x"]}', b"data: {}"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_ndjson_garbage_and_any_chunking_end_in_a_typed_error_or_an_answer(emu, data):
    emu.script("ollama", reasoning_tokens=2, tool_call=None)
    raw = native_stream_bytes(emu)
    lines = raw.split(b"\n")
    for _ in range(data.draw(st.integers(0, 3))):
        lines.insert(data.draw(st.integers(0, len(lines))), data.draw(NDJSON_GARBAGE))
    body = b"\n".join(lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=20, unique=True)))
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]

    def handler(request):
        return httpx.Response(200, headers={"content-type": "application/x-ndjson"}, content=iter(pieces))

    p = Ollama(transport=httpx.MockTransport(handler))
    with contextlib.suppress(RehostError):  # a typed error is a documented outcome; anything else fails the test
        GenericClient("m", provider=p).stream("hi").final()
    with contextlib.suppress(RehostError):  # and one garbage object as a whole answer
        bad = data.draw(NDJSON_GARBAGE)
        Ollama(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=bad))).send(req())
