"""The Google provider (AI Studio and Vertex) decides an error's class from the HTTP status and uses the
body's status name only to refine it (issue 12, item 32): a 400 whose body says ``INTERNAL`` is the caller's
invalid request, not a retryable server error."""

from __future__ import annotations

import httpx
import pytest

from rehost import GenericClient, Google, RetryPolicy
from rehost.errors import (
    AuthenticationError,
    ContextWindowExceeded,
    InvalidRequest,
    ModelNotFound,
    NotFound,
    Overloaded,
    PermissionDenied,
    RateLimited,
    ServerError,
)


def _google_error(status, body):
    return Google("k", transport=httpx.MockTransport(lambda r: httpx.Response(status, json=body)),
                  retry=RetryPolicy(max_retries=0))


def _body(name, message="m", details=()):
    return {"error": {"code": 0, "message": message, "status": name, "details": list(details)}}


KEY_INVALID = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]


@pytest.mark.parametrize(("status", "body", "error"), [
    # the HTTP status decides ...
    (400, _body("INTERNAL"), InvalidRequest),
    (400, _body("UNAVAILABLE"), InvalidRequest),
    (400, _body("RESOURCE_EXHAUSTED"), InvalidRequest),
    (429, _body("INTERNAL"), RateLimited),
    (503, _body("INTERNAL"), Overloaded),
    (500, _body("INVALID_ARGUMENT"), ServerError),
    (404, _body("INVALID_ARGUMENT"), NotFound),
    (403, _body("UNAVAILABLE"), PermissionDenied),
    # ... and the body only refines it
    (400, _body("INVALID_ARGUMENT", "The input token count (2000000) exceeds the maximum"), ContextWindowExceeded),
    (404, _body("NOT_FOUND", "models/gemini-9 is not found for API version v1beta"), ModelNotFound),
    (400, _body("INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", KEY_INVALID),
     AuthenticationError),
    (401, _body("UNAUTHENTICATED"), AuthenticationError),
    (429, _body("RESOURCE_EXHAUSTED"), RateLimited),
    (503, _body("UNAVAILABLE"), Overloaded),
    (504, _body("DEADLINE_EXCEEDED"), ServerError),
])
def test_google_errors_are_decided_by_the_http_status(status, body, error):
    with pytest.raises(error) as caught:
        GenericClient("gemini-x", provider=_google_error(status, body)).complete("hi")
    assert type(caught.value) is error
    assert caught.value.status == status


def test_an_error_inside_a_gemini_stream_is_typed_from_its_body():
    """HTTP 200 says nothing there, so the body's status is all there is."""
    stream = (b'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hi"}]}}]}\r\n\r\n'
              b'data: {"error":{"message":"busy","status":"UNAVAILABLE"}}\r\n\r\n')
    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers={"content-type": "text/event-stream"},
                                                             content=stream))
    client = GenericClient("gemini-x", provider=Google("k", transport=transport, retry=RetryPolicy(max_retries=0)))
    with pytest.raises(Overloaded):
        client.stream("hi").final()
