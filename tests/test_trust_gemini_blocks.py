"""A Gemini candidate stopped by a block (``finishReason`` SAFETY, RECITATION, MODEL_ARMOR, ...) raises
ContentBlocked, as a blocked prompt (``promptFeedback``) does: the same on AI Studio and Vertex, streamed and
not, with the host's reason and ``finishMessage`` kept and any text written before the block on the error."""

from __future__ import annotations

import json

import httpx
import pytest

from rehost import GeminiClient, Google, TextDelta, Vertex
from rehost.errors import ContentBlocked

BLOCKS = ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "MODEL_ARMOR", "IMAGE_SAFETY",
          "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "LANGUAGE"]
MESSAGE = "The response was blocked by the host's policy."


def _candidate(reason: str, text: str, *, message: str | None = MESSAGE) -> dict:
    cand: dict = {"finishReason": reason, "index": 0}
    if text:
        cand["content"] = {"role": "model", "parts": [{"text": text}]}
    if message is not None:
        cand["finishMessage"] = message
    return cand


def _events(reason: str, text: str, message: str | None) -> list[dict]:
    """How Gemini streams a block: the text so far, then a last event with the reason and empty content."""
    events = [{"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}]}] if text else []
    events.append({"candidates": [_candidate(reason, "", message=message)],
                   "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 2}})
    return events


def _client(host: str, body: dict, events: list[dict]) -> GeminiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if "streamGenerateContent" in str(request.url):
            data = b"".join(b"data: " + json.dumps(e).encode() + b"\r\n\r\n" for e in events)
            return httpx.Response(200, content=data, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=body)

    transport = httpx.MockTransport(handler)
    provider = (Vertex("p", "global", access_token="t", transport=transport) if host == "vertex"
                else Google("k", transport=transport))
    return GeminiClient("2.0-flash", provider=provider)


def _call(client: GeminiClient, stream: bool) -> tuple[list, BaseException | None]:
    seen: list = []
    try:
        if stream:
            for event in client.stream("Tell me."):
                seen.append(event)
        else:
            seen.append(client.complete("Tell me."))
    except ContentBlocked as exc:
        return seen, exc
    return seen, None


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("host", ["google", "vertex"])
@pytest.mark.parametrize("text", ["", "Once upon a time"], ids=["nothing", "partial"])
@pytest.mark.parametrize("reason", BLOCKS)
def test_a_blocked_candidate_raises_content_blocked(reason, text, host, stream):
    body = {"candidates": [_candidate(reason, text)], "usageMetadata": {"promptTokenCount": 4}}
    seen, exc = _call(_client(host, body, _events(reason, text, MESSAGE)), stream)
    assert isinstance(exc, ContentBlocked), f"returned {seen[-1] if seen else None!r}"
    assert exc.code == reason
    assert MESSAGE in str(exc)
    assert exc.host == host
    assert exc.text == text  # what the model wrote before the block is not lost
    if stream and text:
        assert [e.text for e in seen if isinstance(e, TextDelta)] == [text]  # delivered as it came


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("reason", ["SAFETY", "MODEL_ARMOR"])
def test_a_block_without_a_finish_message_still_names_its_reason(reason, stream):
    body = {"candidates": [_candidate(reason, "", message=None)]}
    _, exc = _call(_client("google", body, _events(reason, "", None)), stream)
    assert isinstance(exc, ContentBlocked)
    assert reason in str(exc)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_a_blocked_prompt_keeps_the_hosts_explanation(stream):
    feedback = {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT", "blockReasonMessage": "Not allowed here."}}
    _, exc = _call(_client("vertex", feedback, [feedback]), stream)
    assert isinstance(exc, ContentBlocked)
    assert exc.code == "PROHIBITED_CONTENT"
    assert "Not allowed here." in str(exc)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize(("reason", "finish"), [
    ("MALFORMED_FUNCTION_CALL", "error"), ("MISSING_THOUGHT_SIGNATURE", "error"), ("MALFORMED_RESPONSE", "error"),
    ("OTHER", "other"), ("NO_IMAGE", "other"), ("MAX_TOKENS", "length")])
def test_other_finishes_are_answers_that_keep_the_finish_message(reason, finish, stream):
    body = {"candidates": [_candidate(reason, "partial")]}
    seen, exc = _call(_client("google", body, _events(reason, "partial", MESSAGE)), stream)
    assert exc is None
    done = seen[-1].completion if stream else seen[-1]
    assert (done.finish_reason, done.native_finish_reason, done.finish_message) == (finish, reason, MESSAGE)
    assert done.text == "partial"
