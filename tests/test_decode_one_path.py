"""A whole answer and the same answer streamed decode to the same parts (issue 13: one decoding path).

The OpenAI-dialect decoder feeds a whole answer's message through the stream's state machine, so reasoning
fields, ``<think>`` tags (split anywhere across chunks, or opened implicitly by the template), typed thinking
chunks, ``reasoning_details`` and tool calls come out the same either way. And the shared codec knows no host:
where reasoning comes back is each host's chat endpoint's ``reasoning_fields`` (a field another host uses is
ordinary noise here).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehost import DeepSeek, Groq, Mistral, OpenAICompatible, OpenRouter
from rehost.providers.dialects import openai_chat
from rehost.providers.dialects.common import CallInfo
from rehost.shared.request import ReasoningTags
from rehost.shared.sse import SSEEvent

R1 = ReasoningTags()
V31 = ReasoningTags(implicit_open=True)


def _info(tags: ReasoningTags | None) -> CallInfo:
    return CallInfo(host="h", model="m", host_model_id="m", tags=tags)


def _whole(chat: Any, message: dict[str, Any], tags: ReasoningTags | None, finish: str = "stop") -> Any:
    body = {"id": "x", "model": "m", "choices": [{"index": 0, "message": message, "finish_reason": finish}]}
    return chat.decode(body, httpx.Headers(), _info(tags))


def _streamed(chat: Any, deltas: list[dict[str, Any]], tags: ReasoningTags | None, finish: str = "stop") -> Any:
    info = _info(tags)
    state = chat.open_stream(info)
    for i, d in enumerate(deltas):
        last = i == len(deltas) - 1
        chunk = {"id": "x", "model": "m", "choices": [{"index": 0, "delta": d, "finish_reason": finish if last
                                                        else None}]}
        state.on_event(SSEEvent(data=json.dumps(chunk)))
    state.on_event(SSEEvent(data="[DONE]"))
    state.flush()
    return chat.finish_stream(state, info)


def _pieces(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(points) if text[a:b]]


def _same(a: Any, b: Any) -> None:
    assert a.parts == b.parts
    assert (a.text, a.reasoning, a.finish_reason) == (b.text, b.reasoning, b.finish_reason)


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8),
       tags=st.sampled_from([None, R1, V31]),
       content=st.sampled_from(["<think>\nweigh it up\n</think>\n\nThe answer is 4.", "  <think>a</think>b",
                                "plan first</think>then answer", "no tags at all", "4 <think>late</think> is text"]))
def test_think_tags_split_the_same_whole_and_streamed(cuts, tags, content):
    chat = OpenAICompatible("k").chat
    whole = _whole(chat, {"role": "assistant", "content": content}, tags)
    streamed = _streamed(chat, [{"content": p} for p in _pieces(content, cuts)], tags)
    _same(whole, streamed)


@pytest.mark.parametrize("tags", [None, R1, V31])
def test_a_reasoning_field_means_the_content_is_the_answer_whole_and_streamed(tags):
    """A host that split the reasoning out itself: the content is the answer, whatever tags the model's client
    names (before, a streamed answer with an implicitly opened block read the whole answer as reasoning)."""
    chat = DeepSeek("k").chat
    message = {"role": "assistant", "reasoning_content": "I add.", "content": "The answer is 4."}
    whole = _whole(chat, message, tags)
    streamed = _streamed(chat, [{"reasoning_content": "I "}, {"reasoning_content": "add."},
                                {"content": "The answer"}, {"content": " is 4."}], tags)
    _same(whole, streamed)
    assert (whole.reasoning, whole.text) == ("I add.", "The answer is 4.")


def test_tool_calls_and_details_decode_the_same_whole_and_streamed():
    chat = OpenRouter("k").chat
    details = [{"type": "reasoning.text", "text": "Look it up.", "signature": "sig", "index": 0}]
    message = {"role": "assistant", "content": "", "reasoning": "Look it up.", "reasoning_details": details,
               "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
                              {"id": "c2", "type": "function", "function": {"name": "g", "arguments": "{}"}}]}
    whole = _whole(chat, message, None, "tool_calls")
    streamed = _streamed(chat, [
        {"reasoning": "Look it up.", "reasoning_details": details},
        {"tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a"'}}]},
        {"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]},
        {"tool_calls": [{"index": 1, "id": "c2", "type": "function", "function": {"name": "g", "arguments": "{}"}}]},
    ], None, "tool_calls")
    _same(whole, streamed)
    assert [c.arguments for c in whole.tool_calls] == [{"a": 1}, {}]
    assert whole.parts[0].details == tuple(details)


def test_mistral_thinking_chunks_decode_the_same_whole_and_streamed():
    chat = Mistral("k").chat
    thinking = {"type": "thinking", "thinking": [{"type": "text", "text": "Two and two."}]}
    whole = _whole(chat, {"role": "assistant", "content": [thinking, {"type": "text", "text": "Four."}]}, None)
    streamed = _streamed(chat, [{"content": [thinking]}, {"content": "Four."}], None)
    _same(whole, streamed)
    assert (whole.reasoning, whole.text) == ("Two and two.", "Four.")


def test_where_reasoning_comes_back_is_the_hosts_declaration_not_the_codecs():
    message = {"role": "assistant", "reasoning": "r", "reasoning_content": "rc", "content": "a"}
    assert _whole(Groq("k").chat, message, None).reasoning == "r"
    assert _whole(DeepSeek("k").chat, message, None).reasoning == "rc"
    assert _whole(Mistral("k").chat, message, None).reasoning == ""  # Mistral's reasoning is typed chunks only
    # the dialect alone reads no host's field
    plain = openai_chat.decode_completion({"choices": [{"message": message, "finish_reason": "stop"}]}, _info(None))
    assert plain.reasoning == ""
    assert plain.text == "a"
    reading = openai_chat.Reading(reasoning_fields=("reasoning_content",))
    assert openai_chat.decode_completion({"choices": [{"message": message, "finish_reason": "stop"}]}, _info(None),
                                         reading=reading).reasoning == "rc"


def test_finish_reasons_are_the_hosts_declaration():
    message = {"role": "assistant", "content": "a"}
    assert _whole(Mistral("k").chat, message, None, "model_length").finish_reason == "length"
    assert _whole(Groq("k").chat, message, None, "length").finish_reason == "length"
    plain = openai_chat.decode_completion({"choices": [{"message": message, "finish_reason": "model_length"}]},
                                          _info(None))
    assert plain.finish_reason == "other"  # OpenAI documents no such reason
