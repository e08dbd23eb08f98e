"""Stream decoding across dialects: reasoning in every place hosts put it, tool-call assembly, and the
same Completion whatever the network's chunk boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehost import (
    DeepSeek,
    DeepSeekClient,
    GenericClient,
    Google,
    Groq,
    Mistral,
    OpenRouter,
    ReasoningDelta,
    ReasoningPart,
    TextDelta,
    Together,
    ToolCallDelta,
)

from .conformance.test_cassettes import CASSETTES


class Chunks(httpx.SyncByteStream):
    def __init__(self, pieces):
        self.pieces = pieces

    def __iter__(self):
        yield from self.pieces


def provider_streaming(cls, pieces, **kwargs):
    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                             stream=Chunks(pieces)))
    return cls("k", transport=transport, **kwargs)


def sse(*payloads) -> bytes:
    return b"".join(b"data: " + (p if isinstance(p, bytes) else json.dumps(p).encode()) + b"\n\n" for p in payloads)


def delta(d, finish=None, **top):
    return {"id": "x", "choices": [{"index": 0, "delta": d, "finish_reason": finish}], **top}


def run(client, **kw):
    stream = client.stream("hi", **kw)
    events = list(stream)
    return events, stream.final()


def test_openrouter_reasoning_details_are_merged_and_kept_verbatim():
    body = sse(
        delta({"reasoning": "Thi", "reasoning_details": [{"type": "reasoning.text", "text": "Thi", "index": 0,
                                                          "format": "anthropic-claude-v1"}]}),
        delta({"reasoning": "nk.", "reasoning_details": [{"type": "reasoning.text", "text": "nk.", "index": 0}]}),
        delta({"reasoning_details": [{"type": "reasoning.text", "signature": "SIG", "index": 0}]}),
        delta({"content": "4"}, "stop"),
        b"[DONE]",
    )
    _events, done = run(GenericClient("m", provider=provider_streaming(OpenRouter, [body])))
    part = done.parts[0]
    assert isinstance(part, ReasoningPart)
    assert part.text == "Think."
    assert part.details == ({"type": "reasoning.text", "text": "Think.", "index": 0,
                             "format": "anthropic-claude-v1", "signature": "SIG"},)
    assert done.text == "4"


def test_mistral_thinking_chunks_then_plain_strings():
    body = sse(
        delta({"role": "assistant", "content": [{"type": "thinking", "thinking": [{"type": "text", "text": "Ok"}]}]}),
        delta({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": ", so"}]},
                           {"type": "text", "text": "John"}]}),
        delta({"content": " is 22."}, "stop", usage={"prompt_tokens": 5, "completion_tokens": 9}),
        b"[DONE]",
    )
    events, done = run(GenericClient("m", provider=provider_streaming(Mistral, [body])))
    assert [type(e).__name__ for e in events[:4]] == ["ReasoningDelta", "ReasoningDelta", "TextDelta", "TextDelta"]
    assert (done.reasoning, done.text) == ("Ok, so", "John is 22.")
    assert done.usage.output_tokens == 9


def test_r1_think_tags_inline_in_content_split_anywhere():
    pieces = ["<th", "ink>\nI think", " hard.\n</", "think>\n\nThe ans", "wer."]
    body = sse(*[delta({"content": p}) for p in pieces], delta({}, "stop"), b"[DONE]")
    client = DeepSeekClient("r1", provider=provider_streaming(Together, [body]))
    events, done = run(client)
    assert "".join(e.text for e in events if isinstance(e, ReasoningDelta)) == "I think hard."
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "The answer."
    assert (done.reasoning, done.text) == ("I think hard.", "The answer.")


def test_think_tags_are_left_alone_for_models_that_do_not_write_them():
    body = sse(delta({"content": "<think>literal</think> text"}, "stop"), b"[DONE]")
    _, done = run(GenericClient("m", provider=provider_streaming(Groq, [body])))
    assert done.text == "<think>literal</think> text"
    assert done.reasoning == ""


def test_interleaved_tool_call_fragments_by_index():
    body = sse(
        delta({"tool_calls": [{"index": 0, "id": "a", "type": "function", "function": {"name": "f",
                                                                                       "arguments": ""}}]}),
        delta({"tool_calls": [{"index": 1, "id": "b", "type": "function", "function": {"name": "g",
                                                                                       "arguments": "{\"y\""}}]}),
        delta({"tool_calls": [{"index": 0, "function": {"arguments": "{\"x\": 1"}}]}),
        delta({"tool_calls": [{"index": 1, "function": {"arguments": ": 2}"}}]}),
        delta({"tool_calls": [{"index": 0, "function": {"arguments": "}"}}]}, "tool_calls"),
        b"[DONE]",
    )
    events, done = run(GenericClient("m", provider=provider_streaming(Groq, [body])))
    assert [(c.id, c.name, c.arguments) for c in done.tool_calls] == [("a", "f", {"x": 1}), ("b", "g", {"y": 2})]
    assert done.finish_reason == "tool_calls"
    assert [e.index for e in events if isinstance(e, ToolCallDelta)] == [0, 1, 0, 1, 0]


def test_whole_tool_calls_reusing_one_index_stay_separate():
    body = sse(
        delta({"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]}),
        delta({"tool_calls": [{"index": 0, "id": "c2", "function": {"name": "f", "arguments": "{\"a\": 2}"}}]},
              "tool_calls"),
        b"[DONE]",
    )
    _, done = run(GenericClient("m", provider=provider_streaming(Mistral, [body])))
    assert [(c.id, c.arguments) for c in done.tool_calls] == [("c1", {"a": 1}), ("c2", {"a": 2})]


def test_tool_calls_without_ids_or_indexes():
    body = sse(
        delta({"tool_calls": [{"function": {"name": "f", "arguments": "{\"a\""}}]}),
        delta({"tool_calls": [{"function": {"arguments": ": 1}"}}]}, "tool_calls"),
        b"[DONE]",
    )
    _, done = run(GenericClient("m", provider=provider_streaming(Groq, [body])))
    assert [(c.id, c.name, c.arguments) for c in done.tool_calls] == [(None, "f", {"a": 1})]


def test_gemini_thoughts_text_and_a_late_signature():
    def chunk(parts, finish=None, usage=None):
        cand = {"content": {"role": "model", "parts": parts}}
        if finish:
            cand["finishReason"] = finish
        return {"candidates": [cand], "usageMetadata": usage or {"promptTokenCount": 5}}

    body = sse(
        chunk([{"text": "Plan: ", "thought": True}]),
        chunk([{"text": "add.", "thought": True}]),
        chunk([{"text": "2+2"}]),
        chunk([{"text": " = 4"}]),
        chunk([{"text": "", "thoughtSignature": "SIG"}], "STOP",
              {"promptTokenCount": 5, "candidatesTokenCount": 4, "thoughtsTokenCount": 7}),
    )
    _events, done = run(GenericClient("gemini-x", provider=provider_streaming(Google, [body])), thinking=True)
    assert [(p.type, p.text, p.signature) for p in done.parts] == [
        ("reasoning", "Plan: add.", None), ("text", "2+2 = 4", "SIG")]
    assert (done.usage.input_tokens, done.usage.output_tokens, done.usage.reasoning_tokens) == (5, 11, 7)


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"])
def test_gemini_runs_of_one_kind_end_where_a_flag_or_signature_comes_with_the_text(line_end):
    # one event per network chunk (as hosts write them): a text piece that carries a thought flag or a signature
    # is not one more piece of the run before it
    def chunk(*parts, finish=None):
        cand = {"content": {"role": "model", "parts": list(parts)}, **({"finishReason": finish} if finish else {})}
        return b"data: " + json.dumps({"candidates": [cand]}).encode() + line_end + line_end

    pieces = [chunk({"text": "Hel"}), chunk({"text": "lo"}), chunk({"text": " world", "thoughtSignature": "S1"}),
              chunk({"text": "again"}), chunk({"text": "hmm", "thought": True}), chunk({"text": "so"}),
              chunk({"text": "!"}, finish="STOP")]
    events, done = run(GenericClient("gemini-x", provider=provider_streaming(Google, pieces)), thinking=True)
    assert [(p.type, p.text, p.signature) for p in done.parts] == [
        ("text", "Hello world", "S1"), ("text", "again", None), ("reasoning", "hmm", None), ("text", "so!", None)]
    assert [(type(e).__name__, e.text) for e in events if isinstance(e, TextDelta | ReasoningDelta)] == [
        ("TextDelta", "Hel"), ("TextDelta", "lo"), ("TextDelta", " world"), ("TextDelta", "again"),
        ("ReasoningDelta", "hmm"), ("TextDelta", "so"), ("TextDelta", "!")]


def test_gemini_function_calls_stream_whole():
    body = sse({"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"name": "f", "args": {"a": 1}}, "thoughtSignature": "S1"},
        {"functionCall": {"name": "g", "args": {}}}]}, "finishReason": "STOP"}]})
    events, done = run(GenericClient("gemini-x", provider=provider_streaming(Google, [body])))
    assert [(c.name, c.arguments, c.signature) for c in done.tool_calls] == [("f", {"a": 1}, "S1"), ("g", {}, None)]
    assert done.finish_reason == "tool_calls"
    assert [e.name for e in events if isinstance(e, ToolCallDelta)] == ["f", "g"]


# ------------------------------------------------------------------------------------------ any chunking

STREAMS = {
    "deepseek/chat_stream_reasoning_content_reasoner.yaml": (DeepSeek, {}),
    "openrouter/stream_reasoning_claude.yaml": (OpenRouter, {}),
    "gemini/stream_text_sse.yaml": (Google, {}),
    "gemini/stream_tools_function_calls.yaml": (Google, {}),
    "vertex/stream_text_flex_tier_gemini3.yaml": (Google, {}),
    "deepseek/responses_stream_function_tool_v4_flash.yaml": (DeepSeek, {"api": "responses"}),
}


def recorded_stream(name: str, index: int = 0) -> bytes:
    data = yaml.safe_load(Path(CASSETTES, name).read_text("utf-8"))
    return data["interactions"][index]["response"]["body"]["string"].encode()


def summary(completion):
    return (completion.text, completion.reasoning, [(c.name, c.arguments) for c in completion.tool_calls],
            completion.finish_reason, completion.usage)


@pytest.mark.parametrize("name", sorted(STREAMS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_chunking_of_a_recorded_stream_gives_the_same_completion(name, data):
    cls, kwargs = STREAMS[name]
    raw = recorded_stream(name)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=30, unique=True)))
    pieces = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True) if b > a]
    whole = run(GenericClient("m", provider=provider_streaming(cls, [raw], **kwargs)))[1]
    split = run(GenericClient("m", provider=provider_streaming(cls, pieces, **kwargs)))[1]
    assert summary(split) == summary(whole)
    assert whole.text or whole.tool_calls


# ------------------------------------------------------------------------------------------ every byte offset

TOOL_STREAMS = {
    "openai": (Groq, sse(
        delta({"role": "assistant", "content": None}),
        delta({"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                               "function": {"name": "get_weather", "arguments": ""}}]}),
        delta({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\": \"Par"}}]}),
        delta({"tool_calls": [{"index": 1, "id": "call_b", "type": "function",
                               "function": {"name": "get_time", "arguments": "{\"tz\": \"Europe/Pa"}}]}),
        delta({"tool_calls": [{"index": 0, "function": {"arguments": "is\"}"}}]}),
        delta({"tool_calls": [{"index": 1, "function": {"arguments": "ris\"}"}}]}),
        delta({"tool_calls": [{"function": {"name": "no_id", "arguments": "{}"}}]}),
        delta({}, "tool_calls"),
        b"[DONE]",
    )),
    "gemini": (Google, sse({"candidates": [{"content": {"role": "model", "parts": [
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}, "thoughtSignature": "U0lH"},
        {"functionCall": {"name": "get_time", "args": {"tz": "Europe/Paris"}}},
        {"functionCall": {"name": "no_id", "args": {}}}]}, "finishReason": "STOP"}]})),
}
EXPECTED_CALLS = [("get_weather", {"city": "Paris"}), ("get_time", {"tz": "Europe/Paris"}), ("no_id", {})]


@pytest.mark.parametrize("dialect", sorted(TOOL_STREAMS))
def test_streamed_tool_calls_split_at_every_byte_offset(dialect):
    cls, raw = TOOL_STREAMS[dialect]
    for cut in range(len(raw) + 1):
        _, done = run(GenericClient("m", provider=provider_streaming(cls, [raw[:cut], raw[cut:]])))
        assert [(c.name, c.arguments) for c in done.tool_calls] == EXPECTED_CALLS, cut
        assert done.finish_reason == "tool_calls"


@pytest.mark.parametrize("dialect", sorted(TOOL_STREAMS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_streamed_tool_calls_any_chunking(dialect, data):
    cls, raw = TOOL_STREAMS[dialect]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=40, unique=True)))
    pieces = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    _, done = run(GenericClient("m", provider=provider_streaming(cls, pieces)))
    assert [(c.name, c.arguments) for c in done.tool_calls] == EXPECTED_CALLS
