"""Host error bodies map to the taxonomy, per host, with host, status, request id, code and retry-after."""

from __future__ import annotations

import json
import time
from email.utils import formatdate

import httpx
import pytest

from rehost import DeepSeek, GenericClient, Google, Groq, Mistral, OpenRouter, Together, Vertex
from rehost.errors import (
    AuthenticationError,
    ContentBlocked,
    ContextWindowExceeded,
    InvalidRequest,
    ModelNotFound,
    Overloaded,
    PaymentRequired,
    ProtocolError,
    RateLimited,
    ServerError,
)
from rehost.shared.transport import RetryPolicy, parse_retry_after


def mapped(provider, status, body, headers=None):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return provider.map_http_error(status, httpx.Headers(headers or {}), content)


def oai(message, type_=None, code=None, **extra):
    return {"error": {"message": message, "type": type_, "code": code, **extra}}


@pytest.mark.parametrize(
    ("provider", "status", "body", "cls", "code"),
    [
        (Groq("k"), 400, oai("Please reduce the length of the messages or completion.", "invalid_request_error",
                             "context_length_exceeded", param="messages"), ContextWindowExceeded,
         "context_length_exceeded"),
        (Groq("k"), 400, oai("Tool call validation failed", "invalid_request_error", "tool_use_failed",
                             failed_generation="{}"), InvalidRequest, "tool_use_failed"),
        (Groq("k"), 404, oai("The model `x` does not exist", "invalid_request_error", "model_not_found"),
         ModelNotFound, "model_not_found"),
        (Groq("k"), 498, oai("flex capacity exceeded", code="capacity_exceeded"), Overloaded, "capacity_exceeded"),
        (Groq("k"), 503, oai("Service Unavailable"), Overloaded, None),
        (DeepSeek("k"), 400, oai("This model's maximum context length is 131072 tokens. However, you requested "
                                 "131134 tokens", "invalid_request_error", "invalid_request_error"),
         ContextWindowExceeded, "invalid_request_error"),
        (DeepSeek("k"), 402, oai("Insufficient Balance", "unknown_error"), PaymentRequired, "unknown_error"),
        (DeepSeek("k"), 503, oai("Server overloaded"), Overloaded, None),
        (DeepSeek("k"), 422, oai("Invalid parameter: temperature"), InvalidRequest, None),
        (Mistral("k"), 401, {"message": "Unauthorized", "request_id": "abc"}, AuthenticationError, None),
        (Mistral("k"), 400, {"object": "error", "message": "Invalid model: x", "type": "invalid_request_error",
                             "param": "model", "code": "unknown_model"}, ModelNotFound, "unknown_model"),
        (Mistral("k"), 422, {"detail": [{"loc": ["body", "messages"], "msg": "field required", "type": "missing"}]},
         InvalidRequest, None),
        (Together("k"), 403, oai("Input validation error: inputs tokens + max_new_tokens must be <= 8193"),
         ContextWindowExceeded, None),
        (OpenRouter("k"), 402, {"error": {"code": 402, "message": "Insufficient credits"}}, PaymentRequired, "402"),
        (OpenRouter("k"), 400, {"error": {"code": 400, "message": "This endpoint's maximum context length is 131072 "
                                          "tokens.", "metadata": {"error_type": "context_length_exceeded"}}},
         ContextWindowExceeded, "400"),
        (OpenRouter("k"), 403, {"error": {"code": 403, "message": "Input was flagged by moderation",
                                          "metadata": {"reasons": ["violence"], "flagged_input": "..."}}},
         ContentBlocked, "403"),
        (OpenRouter("k"), 503, {"error": {"code": 503, "message": "No instances available",
                                          "availability": {"code": "capacity_exhausted", "retry_after": 7}}},
         Overloaded, "503"),
        (Google("k"), 400, {"error": {"code": 400, "message": "The input token count (1200293) exceeds the maximum "
                                      "number of tokens allowed (1048576).", "status": "INVALID_ARGUMENT"}},
         ContextWindowExceeded, "INVALID_ARGUMENT"),
        (Google("k"), 400, {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                      "status": "INVALID_ARGUMENT", "details": [
                                          {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                           "reason": "API_KEY_INVALID"}]}}, AuthenticationError, "INVALID_ARGUMENT"),
        (Vertex("p", access_token="t"), 503, [{"error": {"code": 503, "message": "The model is overloaded.",
                                                          "status": "UNAVAILABLE"}}], Overloaded, "UNAVAILABLE"),
        (Vertex("p", access_token="t"), 500, {"error": {"code": 500, "message": "Internal error", "status":
                                                        "INTERNAL"}}, ServerError, "INTERNAL"),
    ],
)
def test_error_bodies_map_to_classes(provider, status, body, cls, code):
    err = mapped(provider, status, body)
    assert type(err) is cls
    assert err.host == provider.name
    assert err.status == status
    assert err.code == code
    assert err.message  # the host's own words, never empty


def test_mistral_request_id_comes_from_body_or_header():
    assert mapped(Mistral("k"), 401, {"message": "Unauthorized", "request_id": "abc"}).request_id == "abc"
    err = mapped(Mistral("k"), 500, {"message": "boom"}, {"mistral-correlation-id": "corr-1"})
    assert err.request_id == "corr-1"


def test_fastapi_detail_becomes_the_message():
    err = mapped(Mistral("k"), 422, {"detail": [{"loc": ["body"], "msg": "field required", "type": "missing"}]})
    assert "field required" in err.message


def test_openrouter_shows_the_upstream_message():
    raw = json.dumps({"error": {"message": "Unsupported value: 'none'", "type": "invalid_request_error"}})
    err = mapped(OpenRouter("k"), 400, {"error": {"code": 400, "message": "Provider returned error",
                                                  "metadata": {"provider_name": "OpenAI", "raw": raw}}})
    assert "Unsupported value: 'none'" in str(err)
    assert "OpenAI" in str(err)


def test_openrouter_availability_retry_after():
    err = mapped(OpenRouter("k"), 503, {"error": {"code": 503, "message": "busy",
                                                  "availability": {"code": "temporarily_unavailable",
                                                                   "retry_after": 7}}})
    assert err.retry_after == 7


def test_google_retry_info_and_daily_quota():
    per_minute = {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED", "details": [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "19s"}]}}
    err = mapped(Google("k"), 429, per_minute)
    assert isinstance(err, RateLimited)
    assert err.retry_after == 19
    assert err.retryable
    per_day = {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED", "details": [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
         "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]}}
    assert not mapped(Google("k"), 429, per_day).retryable


def test_retry_after_header_seconds_and_date():
    assert mapped(Groq("k"), 429, oai("slow down"), {"retry-after": "5"}).retry_after == 5
    date = formatdate(time.time() + 30, usegmt=True)
    after = mapped(Groq("k"), 429, oai("slow down"), {"retry-after": date}).retry_after
    assert after is not None
    assert 25 <= after <= 31
    assert parse_retry_after("garbage") is None


def test_non_json_error_body_still_gives_a_typed_error():
    err = mapped(Groq("k"), 502, b"<html>Bad gateway</html>")
    assert isinstance(err, ServerError)
    assert err.status == 502
    err = mapped(Google("k"), 502, b"<html>Bad gateway</html>")
    assert isinstance(err, ServerError)
    assert "Bad gateway" in err.message


def test_the_key_is_redacted_from_error_text():
    key = "gsk_live_abcdefghijklmnop"
    err = mapped(Groq(key), 401, oai(f"Invalid API Key: {key}", "invalid_request_error", "invalid_api_key"))
    assert key not in str(err)
    assert key not in repr(err)
    assert key not in (err.body or "")


# ------------------------------------------------------------------------------------------ in-band errors


def sse(*events: str) -> bytes:
    return "".join(f"{e}\n\n" for e in events).encode()


def streaming(provider_cls, body: bytes, **kwargs):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers={"content-type":
                                                                                 "text/event-stream"},
                                                                   content=body))
    return provider_cls("k", transport=transport, retry=RetryPolicy(max_retries=0), **kwargs)


def test_groq_error_event_inside_a_200_stream():
    chunk = {"choices": [{"index": 0, "delta": {"content": "Hel"}}]}
    body = sse(f"data: {json.dumps(chunk)}",
               'event: error\ndata: {"error":{"message":"Tool call validation failed","type":"invalid_request_error",'
               '"code":"tool_use_failed","status_code":400}}')
    client = GenericClient("m", provider=streaming(Groq, body))
    seen = []
    with pytest.raises(InvalidRequest, match="Tool call validation failed") as caught:
        for event in client.stream("hi"):
            seen.append(event)
    assert caught.value.status == 400
    assert caught.value.code == "tool_use_failed"
    assert [e.text for e in seen] == ["Hel"]  # what came before the error was delivered


def test_openrouter_error_chunk_inside_a_200_stream():
    err = {"id": "gen-1", "object": "chat.completion.chunk", "error": {"code": 429, "message": "Rate limit exceeded",
                                                                       "metadata": {"error_type":
                                                                                    "rate_limit_exceeded"}},
           "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}
    client = GenericClient("m", provider=streaming(OpenRouter, sse(": OPENROUTER PROCESSING",
                                                                   f"data: {json.dumps(err)}")))
    with pytest.raises(RateLimited) as caught:
        list(client.stream("hi"))
    assert caught.value.status == 429


def test_malformed_chunk_is_a_protocol_error():
    client = GenericClient("m", provider=streaming(Groq, sse('data: {"choices": [')))
    with pytest.raises(ProtocolError, match="not JSON"):
        list(client.stream("hi"))


def test_truncated_stream_is_a_protocol_error():
    chunk = {"choices": [{"index": 0, "delta": {"content": "partial"}}]}
    client = GenericClient("m", provider=streaming(Groq, sse(f"data: {json.dumps(chunk)}")))
    with pytest.raises(ProtocolError, match="truncated"):
        list(client.stream("hi"))


def test_gemini_stream_without_finish_reason_is_truncated():
    chunk = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}}]}
    client = GenericClient("gemini-x", provider=streaming(Google, sse(f"data: {json.dumps(chunk)}")))
    with pytest.raises(ProtocolError, match="truncated"):
        list(client.stream("hi"))


def test_wrong_content_type_on_a_stream():
    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers={"content-type": "text/html"},
                                                             content=b"<html>hi</html>"))
    client = GenericClient("m", provider=Groq("k", transport=transport))
    with pytest.raises(ProtocolError, match="content type"):
        list(client.stream("hi"))


def test_json_error_with_status_200_on_a_stream():
    transport = httpx.MockTransport(lambda r: httpx.Response(
        200, headers={"content-type": "application/json"},
        content=json.dumps({"error": {"code": 503, "message": "overloaded"}}).encode()))
    client = GenericClient("m", provider=OpenRouter("k", transport=transport))
    with pytest.raises(Overloaded):
        list(client.stream("hi"))


def test_blocked_answer_with_http_200():
    blocked = {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {"promptTokenCount": 3}}
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=blocked))
    client = GenericClient("gemini-x", provider=Google("k", transport=transport))
    with pytest.raises(ContentBlocked, match="PROHIBITED_CONTENT"):
        client.complete("hi")
    filtered = {"choices": [{"index": 0, "message": {"role": "assistant", "content": ""},
                             "finish_reason": "content_filter"}]}
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=filtered))
    with pytest.raises(ContentBlocked):
        GenericClient("m", provider=Groq("k", transport=transport)).complete("hi")
