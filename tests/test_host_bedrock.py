"""AWS Bedrock: the thinking encoding per model family, error mapping (HTTP and inside a stream), key and
credential handling (bearer key, SigV4 through botocore checked against AWS's published test vectors and an
independent signer), bad input refused before anything is sent, the second surface (OpenAI-compatible runtime
and Mantle), and chat, streams and CountTokens through the emulator. The recorded exchanges are replayed in
tests/conformance/test_cassettes_more_bedrock.py."""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    ContextWindowExceeded,
    InvalidRequest,
    MissingAPIKey,
    ModelNotFound,
    ModelNotServed,
    NotFound,
    Overloaded,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ServerError,
    UnsupportedFeature,
)
from rehost.providers.bedrock import Bedrock, BedrockConverse, Guardrail, family
from rehost.providers.bedrock_auth import SigV4Signer
from rehost.providers.bedrock_eventstream import EventStreamDecoder, encode_message, event_frame, exception_frame
from rehost.providers.bedrock_openai import BedrockOpenAIChat
from rehost.shared.output import Output
from rehost.shared.request import Request, Sampling, ThinkingPlan
from rehost.shared.types import ImagePart, Message, ReasoningPart, TextPart, Tool
from rehost.testing.emulator import Emulator

KEY = "bedrock-api-key-ABCDEFGHIJ0123456789"
AKID, SECRET, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-SECRET-0123456789"


@pytest.fixture(autouse=True)
def _no_aws_environment(monkeypatch, tmp_path):
    """No real AWS settings leak in: no key, no profile, no region, no instance metadata."""
    for var in ("AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("HOME", str(tmp_path))


def _request(model_id: str, thinking: ThinkingPlan | None = None, **kw: Any) -> Request:
    return Request(model=kw.pop("model", "m"), host_model_id=model_id,
                   messages=kw.pop("messages", (Message.user("hi"),)), thinking=thinking, **kw)


def _body(host: Bedrock, request: Request) -> dict[str, Any]:
    body: dict[str, Any] = host.chat.prepare(request).call.body
    return body


def _refused_transport() -> httpx.MockTransport:
    def fail(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing should have been sent: {request.url}")

    return httpx.MockTransport(fail)


# ---------------------------------------------------------------------------------------------- identity


def test_one_registry_row_makes_it_known():
    row = _registry.HOSTS["bedrock"]
    assert row.spec == ("rehost.providers.bedrock", "Bedrock")
    assert row.style == "bedrock"
    assert "bedrock-runtime.us-east-1.amazonaws.com" in row.real_hosts
    assert "bedrock-mantle.us-east-2.api.aws" in row.real_hosts
    assert rehost.Bedrock is Bedrock
    assert isinstance(rehost.client("bedrock/nova-micro").provider, Bedrock)
    assert rehost.catalog().host_entry("claude-sonnet-4-6", "bedrock").id == "us.anthropic.claude-sonnet-4-6"


def test_region_from_argument_then_environment(monkeypatch):
    assert Bedrock(KEY).base_url == "https://bedrock-runtime.us-east-1.amazonaws.com"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert Bedrock(KEY).base_url == "https://bedrock-runtime.eu-west-1.amazonaws.com"
    monkeypatch.setenv("AWS_REGION", "us-east-2")
    assert Bedrock(KEY).region == "us-east-2"
    assert Bedrock(KEY, region="ap-northeast-1").base_url == "https://bedrock-runtime.ap-northeast-1.amazonaws.com"
    assert Bedrock(KEY, api="mantle", region="us-west-2").base_url == "https://bedrock-mantle.us-west-2.api.aws"


@pytest.mark.parametrize("kwargs", [{"api": "invoke"}, {"auth": "iam"}, {"cache": ["prompt"]},
                                    {"service_tier": "gold"}, {"latency": "fast"}])
def test_bad_options_are_refused_at_construction(kwargs):
    with pytest.raises(ConfigurationError):
        Bedrock(KEY, **kwargs)


# ---------------------------------------------------------------------------------------------- thinking table

#: (model id, plan, the additionalModelRequestFields expected, or the refusal's words)
THINKING = [
    ("us.anthropic.claude-sonnet-4-20250514-v1:0", ThinkingPlan(budget=1024),
     {"thinking": {"type": "enabled", "budget_tokens": 1024}}),
    ("us.anthropic.claude-sonnet-4-20250514-v1:0", ThinkingPlan(enabled=False), {"thinking": {"type": "disabled"}}),
    ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", ThinkingPlan(effort="high"), "takes a thinking budget"),
    ("us.anthropic.claude-sonnet-4-20250514-v1:0", ThinkingPlan(budget=512), "at least 1024"),
    ("us.anthropic.claude-sonnet-4-20250514-v1:0", ThinkingPlan(budget=2048, include_reasoning=False),
     "cannot be hidden"),
    ("us.anthropic.claude-sonnet-4-6", ThinkingPlan(effort="high"),
     {"thinking": {"type": "adaptive"}, "output_config": {"effort": "high"}}),
    ("us.anthropic.claude-sonnet-4-6", ThinkingPlan(), {"thinking": {"type": "adaptive"}}),
    ("openai.gpt-oss-120b-1:0", ThinkingPlan(effort="high"), {"reasoning_effort": "high"}),
    ("openai.gpt-oss-120b-1:0", ThinkingPlan(), None),
    ("openai.gpt-oss-120b-1:0", ThinkingPlan(enabled=False), "always reasons"),
    ("openai.gpt-oss-120b-1:0", ThinkingPlan(effort="max"), "low|medium|high"),
    ("openai.gpt-oss-20b-1:0", ThinkingPlan(budget=2000), "no thinking budget"),
    ("qwen.qwen3-32b-v1:0", ThinkingPlan(), {"reasoning_config": "high"}),
    ("qwen.qwen3-32b-v1:0", ThinkingPlan(effort="low"), {"reasoning_config": "low"}),
    ("qwen.qwen3-32b-v1:0", ThinkingPlan(enabled=False), None),
    ("qwen.qwen3-32b-v1:0", ThinkingPlan(effort="medium"), "low|high"),
    ("us.deepseek.r1-v1:0", ThinkingPlan(always_on=True), None),
    ("us.deepseek.r1-v1:0", ThinkingPlan(enabled=False), "cannot be turned off"),
    ("us.deepseek.r1-v1:0", ThinkingPlan(effort="high"), "no reasoning effort"),
    ("moonshot.kimi-k2-thinking", ThinkingPlan(), None),
    ("us.amazon.nova-2-lite-v1:0", ThinkingPlan(effort="low"),
     {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}}),
    ("us.amazon.nova-micro-v1:0", ThinkingPlan(effort="low"), "no reasoning setting"),
    ("us.amazon.nova-micro-v1:0", ThinkingPlan(enabled=False), None),
    ("us.meta.llama3-3-70b-instruct-v1:0", ThinkingPlan(), "no reasoning setting"),
]


@pytest.mark.parametrize(("model_id", "plan", "expected"), THINKING,
                         ids=[f"{m}-{i}" for i, (m, _p, _e) in enumerate(THINKING)])
def test_thinking_is_spelled_per_family(model_id, plan, expected):
    host = Bedrock(KEY, transport=_refused_transport())
    request = _request(model_id, plan)
    if isinstance(expected, str):
        with pytest.raises(UnsupportedFeature, match=re.escape(expected)):
            host.chat.prepare(request)
        with pytest.raises(UnsupportedFeature):  # refused before the network: the transport would fail
            host.send(request)
        return
    assert _body(host, request).get("additionalModelRequestFields") == expected


def test_a_budget_must_stay_below_max_tokens():
    host = Bedrock(KEY)
    with pytest.raises(UnsupportedFeature, match="below max_tokens"):
        host.chat.prepare(_request("anthropic.claude-sonnet-4-20250514-v1:0", ThinkingPlan(budget=4096),
                                   sampling=Sampling(max_tokens=2048)))


def test_families_are_read_from_the_id_or_the_model_name():
    assert family("us.anthropic.claude-sonnet-4-6") == "claude"
    assert family("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x", "claude-sonnet-4-6") == \
        "claude"
    assert family("global.amazon.nova-2-lite-v1:0") == "nova-2"
    assert family("us.deepseek.r1-v1:0") == "deepseek-r1"
    assert family("mistral.magistral-small-2509") == "other"


def test_signed_and_redacted_reasoning_go_back_verbatim_and_only_to_bedrock():
    turn = Message(role="assistant", parts=(
        ReasoningPart(text="why", signature="sig==", source="bedrock"),
        ReasoningPart(redacted="opaque==", source="bedrock"),
        ReasoningPart(text="elsewhere", signature="other", source="anthropic"),
        TextPart(text="answer")))
    body = _body(Bedrock(KEY), _request("us.anthropic.claude-sonnet-4-20250514-v1:0", ThinkingPlan(budget=1024),
                                        messages=(Message.user("q"), turn, Message.user("again"))))
    assert body["messages"][1]["content"] == [
        {"reasoningContent": {"reasoningText": {"text": "why", "signature": "sig=="}}},
        {"reasoningContent": {"redactedContent": "opaque=="}},
        {"text": "answer"}]
    r1 = _body(Bedrock(KEY), _request("us.deepseek.r1-v1:0", messages=(
        Message.user("q"), Message(role="assistant", parts=(ReasoningPart(text="hmm", source="bedrock"),
                                                         TextPart(text="a"))), Message.user("more"))))
    assert r1["messages"][1]["content"] == [{"text": "<think>\nhmm\n</think>"}, {"text": "a"}]


def test_deepseek_r1_answers_text_before_reasoning_and_it_is_put_back_in_order():
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"output": {"message": {"role": "assistant", "content": [
            {"text": "4"}, {"reasoningContent": {"reasoningText": {"text": "2+2"}}}]}}, "stopReason": "end_turn",
            "usage": {"inputTokens": 3, "outputTokens": 5, "totalTokens": 8}})

    done = Bedrock(KEY, transport=httpx.MockTransport(answer)).send(_request("us.deepseek.r1-v1:0"))
    assert [p.type for p in done.parts] == ["reasoning", "text"]
    assert (done.reasoning, done.text) == ("2+2", "4")


# ---------------------------------------------------------------------------------------------- request fields


def test_host_options_and_native_output_reach_the_body():
    host = Bedrock(KEY, guardrail=Guardrail("gr-1", "2", "enabled"), service_tier="flex", latency="optimized",
                   cache=("system", "tools", "messages"))
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    body = _body(host, _request("us.amazon.nova-pro-v1:0", messages=(Message.system("be brief"), Message.user("q")),
                                tools=(Tool(name="f", parameters={"type": "object", "properties": {}}),),
                                tool_choice="required", output=Output(schema=schema, name="City"),
                                output_mode="native", sampling=Sampling(max_tokens=10, top_k=5, stop=("x",))))
    assert body["guardrailConfig"] == {"guardrailIdentifier": "gr-1", "guardrailVersion": "2", "trace": "enabled"}
    assert body["serviceTier"] == {"type": "flex"}
    assert body["performanceConfig"] == {"latency": "optimized"}
    assert body["system"] == [{"text": "be brief"}, {"cachePoint": {"type": "default"}}]
    assert body["toolConfig"]["tools"][-1] == {"cachePoint": {"type": "default"}}
    assert body["toolConfig"]["toolChoice"] == {"any": {}}
    assert body["messages"][-1]["content"][-1] == {"cachePoint": {"type": "default"}}
    assert body["inferenceConfig"] == {"maxTokens": 10, "stopSequences": ["x"]}
    assert body["additionalModelRequestFields"] == {"inferenceConfig": {"topK": 5}}
    text_format = body["outputConfig"]["textFormat"]
    assert text_format["type"] == "json_schema"
    assert json.loads(text_format["structure"]["jsonSchema"]["schema"]) == schema  # a string, as Converse wants
    assert text_format["structure"]["jsonSchema"]["name"] == "City"


def test_the_model_id_is_percent_encoded_whole_in_the_path():
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
    call = Bedrock(KEY).chat.prepare(_request(arn)).call
    assert call.url.endswith("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3A"
                             "application-inference-profile%2Fabc/converse")
    stream = Bedrock(KEY).chat.prepare(_request("us.amazon.nova-micro-v1:0", stream=True)).call
    assert stream.url.endswith("/model/us.amazon.nova-micro-v1%3A0/converse-stream")
    assert stream.headers["Accept"] == "application/vnd.amazon.eventstream"


# ---------------------------------------------------------------------------------------------- bad input


def test_a_model_bedrock_does_not_serve_is_refused_before_the_network():
    client = rehost.client("bedrock/gpt-4o", bound_to=Bedrock(KEY, transport=_refused_transport()))
    with pytest.raises(ModelNotServed, match="bedrock does not serve gpt-4o"):
        client.complete("hi")


@pytest.mark.parametrize(("request_kw", "words"), [
    ({"tools": (Tool(name="f"),), "tool_choice": "none"}, "no tool_choice 'none'"),
    ({"tool_choice": "auto"}, "without any tools"),
    ({"sampling": Sampling(top_k=3)}, "'top_k'"),
    ({"sampling": Sampling(seed=3)}, "'seed'"),
    ({"messages": (Message.user("look", ImagePart(url="https://example.com/a.png")),)}, "not a web URL"),
])
def test_what_converse_cannot_take_is_refused_before_the_network(request_kw, words):
    host = Bedrock(KEY, transport=_refused_transport())
    with pytest.raises(UnsupportedFeature, match=re.escape(words)):
        host.send(_request("us.meta.llama3-3-70b-instruct-v1:0", **request_kw))


def test_claude_thinking_with_a_forced_tool_is_refused():
    with pytest.raises(UnsupportedFeature, match="tool_choice auto"):
        Bedrock(KEY).chat.prepare(_request("us.anthropic.claude-sonnet-4-20250514-v1:0", ThinkingPlan(budget=1024),
                                           tools=(Tool(name="f"),), tool_choice="f"))


# ---------------------------------------------------------------------------------------------- errors

ERRORS = [
    (400, "ValidationException", "Malformed input request", InvalidRequest),
    (400, "ValidationException", "Input is too long for requested model.", ContextWindowExceeded),
    (400, "ValidationException", "The provided model identifier is invalid.", ModelNotFound),
    (400, "ServiceQuotaExceededException", "quota", RateLimited),
    (403, "AccessDeniedException", "You don't have access to the model", PermissionDenied),
    (403, "UnrecognizedClientException", "The security token included in the request is invalid.",
     AuthenticationError),
    (403, "InvalidSignatureException", "signature does not match", AuthenticationError),
    (404, "ResourceNotFoundException", "no such guardrail", NotFound),
    (408, "ModelTimeoutException", "timed out", ServerError),
    (424, "ModelErrorException", "the model failed", ServerError),
    (429, "ThrottlingException", "Too many requests", RateLimited),
    (429, "ModelNotReadyException", "not ready", Overloaded),
    (500, "InternalServerException", "oops", ServerError),
    (503, "ServiceUnavailableException", "busy", Overloaded),
]


@pytest.mark.parametrize(("status", "name", "message", "cls"), ERRORS, ids=[f"{e[1]}-{e[0]}" for e in ERRORS])
def test_http_errors_map_by_exception_name(status, name, message, cls):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"message": message},
                              headers={"x-amzn-ErrorType": f"{name}:http://internal.amazon.com/coral/",
                                       "x-amzn-RequestId": "req-123"})

    host = Bedrock(KEY, transport=httpx.MockTransport(answer), retry=rehost.RetryPolicy(max_retries=0))
    with pytest.raises(cls) as caught:
        host.send(_request("us.amazon.nova-micro-v1:0"))
    err = caught.value
    assert type(err) is cls
    assert err.status == status
    assert err.code == name
    assert err.request_id == "req-123"
    assert err.message == message


def _stream_transport(*frames: bytes) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"".join(frames),
                              headers={"content-type": "application/vnd.amazon.eventstream"})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(("name", "cls", "status"), [
    ("throttlingException", RateLimited, 429), ("validationException", InvalidRequest, 400),
    ("modelStreamErrorException", ServerError, 424), ("internalServerException", ServerError, 500),
    ("serviceUnavailableException", Overloaded, 503)])
def test_exceptions_inside_a_stream_are_typed(name, cls, status):
    start = event_frame("messageStart", b'{"role":"assistant","p":"ab"}')
    delta = event_frame("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":"Hi"},"p":"abc"}')
    exc = exception_frame(name, json.dumps({"message": f"{name} happened {KEY}"}).encode())
    host = Bedrock(KEY, transport=_stream_transport(start, delta, exc))
    seen = []
    with pytest.raises(cls) as caught:
        for event in host.stream(_request("us.amazon.nova-micro-v1:0", stream=True)):
            seen.append(event)
    assert [e.text for e in seen] == ["Hi"]
    assert caught.value.status == status
    assert KEY not in str(caught.value)
    assert KEY not in (caught.value.body or "")


def test_a_stream_that_stops_mid_message_or_with_a_bad_crc_is_a_protocol_error():
    whole = event_frame("messageStart", b'{"role":"assistant"}')
    with pytest.raises(ProtocolError, match="inside a message"):
        list(Bedrock(KEY, transport=_stream_transport(whole[:-3])).stream(_request("m", stream=True)))
    bad = bytearray(whole)
    bad[20] ^= 1
    with pytest.raises(ProtocolError, match="CRC"):
        list(Bedrock(KEY, transport=_stream_transport(bytes(bad))).stream(_request("m", stream=True)))


def test_the_decoder_reads_every_header_type():
    headers = {":message-type": "event", ":event-type": "x", "flag": True, "off": False, "n": 7, "raw": b"\x00\x01"}
    decoder = EventStreamDecoder()
    [message] = decoder.feed(encode_message(headers, b"{}"))
    assert message.headers == headers
    assert message.event == "x"


# ---------------------------------------------------------------------------------------------- keys and SigV4


def test_the_bearer_key_comes_from_its_variable_and_never_shows(monkeypatch):
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", KEY)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(403, json={"message": f"The key {KEY} is not valid"},
                              headers={"x-amzn-ErrorType": "AccessDeniedException"})

    host = Bedrock(transport=httpx.MockTransport(answer))
    assert host.has_key
    assert KEY not in repr(host)
    assert "auth='bearer'" in repr(host)
    with pytest.raises(PermissionDenied) as caught:
        host.send(_request("us.amazon.nova-micro-v1:0"))
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in str(caught.value)
    assert KEY not in (caught.value.body or "")


def test_without_any_credentials_nothing_is_sent():
    host = Bedrock(transport=_refused_transport())
    assert not host.has_key
    assert "AWS_BEARER_TOKEN_BEDROCK" in (host.missing_key_reason or "")
    with pytest.raises(MissingAPIKey, match="AWS_BEARER_TOKEN_BEDROCK"):
        host.send(_request("us.amazon.nova-micro-v1:0"))
    with pytest.raises(MissingAPIKey):
        Bedrock(auth="bearer", transport=_refused_transport()).send(_request("us.amazon.nova-micro-v1:0"))


def _credentials(token: str | None = None) -> Any:
    from botocore.credentials import Credentials

    return Credentials(AKID, SECRET, token)


@pytest.fixture
def aws_vector_time(monkeypatch):
    import botocore.auth

    monkeypatch.setattr(botocore.auth, "get_current_datetime",
                        lambda *a, **k: datetime.datetime(2015, 8, 30, 12, 36, 0))


@pytest.mark.parametrize(("method", "signature"), [
    ("GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("POST", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
])
def test_the_signer_gives_the_published_sigv4_test_vectors(aws_vector_time, method, signature):
    """AWS's SigV4 test suite, ``get-vanilla`` and ``post-vanilla``: fixed credentials and time, expected header."""
    signer = SigV4Signer("us-east-1", service="service", credentials=_credentials())
    headers = signer.headers(method, "https://example.amazonaws.com/", {}, None)
    assert headers["X-Amz-Date"] == "20150830T123600Z"
    assert headers["Authorization"] == ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                                        f"aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}")
    assert SECRET not in repr(signer)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def independent_signature(request: httpx.Request, *, region: str, service: str, double_encode: bool) -> str:
    """SigV4 written out from AWS's documentation, to check what botocore signed against what was sent."""
    auth = request.headers["authorization"]
    signed = re.search(r"SignedHeaders=([^,]+)", auth).group(1).split(";")  # type: ignore[union-attr]
    stamp = request.headers["x-amz-date"]
    raw_path = request.url.raw_path.decode().split("?", 1)[0]
    path = quote(raw_path, safe="/~") if double_encode else raw_path
    canonical = "\n".join([request.method, path, "", *(f"{h}:{' '.join(request.headers[h].split())}" for h in signed),
                           "", ";".join(signed), hashlib.sha256(request.content).hexdigest()])
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{SECRET}".encode(), stamp[:8]), region), service), "aws4_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_a_converse_call_is_signed_over_the_bytes_sent_with_the_path_encoded_twice():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
                                         "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1}})

    host = Bedrock(auth="sigv4", credentials=_credentials(TOKEN), region="us-west-2",
                   transport=httpx.MockTransport(answer))
    assert host.has_key
    assert SECRET not in repr(host)
    assert TOKEN not in repr(host)
    done = host.send(_request("us.anthropic.claude-sonnet-4-20250514-v1:0"))
    assert done.text == "ok"
    [request] = seen
    auth = request.headers["authorization"]
    assert auth.startswith(f"AWS4-HMAC-SHA256 Credential={AKID}/")
    assert "/us-west-2/bedrock/aws4_request" in auth  # the signing name is bedrock, not bedrock-runtime
    assert "x-amz-security-token" in auth
    assert request.headers["x-amz-security-token"] == TOKEN
    assert request.url.raw_path.endswith(b"/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse")
    signature = auth.rsplit("Signature=", 1)[1]
    assert signature == independent_signature(request, region="us-west-2", service="bedrock", double_encode=True)
    assert signature != independent_signature(request, region="us-west-2", service="bedrock", double_encode=False)


def test_async_calls_are_signed_too_and_mantle_signs_as_bedrock_mantle():
    seen: list[httpx.Request] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "chatcmpl-1", "model": "m", "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok",
                                                              "reasoning": "thought"}}]})

    host = Bedrock(api="mantle", auth="sigv4", credentials=_credentials(), region="us-east-2",
                   async_transport=httpx.MockTransport(answer))
    assert isinstance(host.chat, BedrockOpenAIChat)
    done = asyncio.run(host.asend(Request(model="gpt-oss-120b", messages=(Message.user("hi"),),
                                          thinking=ThinkingPlan(effort="low"))))
    assert (done.text, done.reasoning) == ("ok", "thought")
    [request] = seen
    assert str(request.url) == "https://bedrock-mantle.us-east-2.api.aws/v1/chat/completions"
    body = json.loads(request.content)
    assert body["model"] == "openai.gpt-oss-120b"  # Mantle's id has no -1:0
    assert body["reasoning_effort"] == "low"
    assert "/us-east-2/bedrock-mantle/aws4_request" in request.headers["authorization"]
    assert request.headers["authorization"].rsplit("Signature=", 1)[1] == independent_signature(
        request, region="us-east-2", service="bedrock-mantle", double_encode=True)


def test_sigv4_without_credentials_says_where_they_are_looked_for():
    host = Bedrock(auth="sigv4", transport=_refused_transport())
    with pytest.raises(MissingAPIKey, match="AWS_ACCESS_KEY_ID"):
        host.send(_request("us.amazon.nova-micro-v1:0"))


def test_the_environment_credential_chain_is_botocore_s(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"inputTokens": 12})

    host = Bedrock(transport=httpx.MockTransport(answer))
    assert host.has_key
    assert "auth='sigv4'" in repr(host)
    count = host.count_tokens(_request("us.anthropic.claude-sonnet-4-20250514-v1:0"))
    assert (count.count, count.exact) == (12, True)
    assert seen[0].url.path.endswith("/count-tokens")
    assert json.loads(seen[0].content) == {"input": {"converse": {"messages": [{"role": "user", "content": [
        {"text": "hi"}]}], "system": []}}}
    assert seen[0].headers["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={AKID}/")


# ---------------------------------------------------------------------------------------------- the emulator


def test_chat_stream_tools_and_count_through_the_emulator():
    with Emulator() as emu:
        provider = emu.provider("bedrock")
        assert isinstance(provider, Bedrock)
        client = rehost.client("bedrock/claude-sonnet-4-5-20250929", bound_to=provider)
        done = client.complete("hi")
        assert done.text
        assert done.host == "bedrock"
        assert done.request_id == "emu-0b1e6d3c-bedrock"
        emu.script("bedrock", reasoning_tokens=3)
        stream = client.stream("hi", thinking=rehost.Thinking(budget=2048), max_tokens=4096)
        texts = [e.text for e in stream if isinstance(e, rehost.TextDelta)]
        final = stream.final()
        assert "".join(texts) == final.text
        assert final.reasoning == "Thinking t1 t2"
        assert [p.signature for p in final.parts if isinstance(p, ReasoningPart)] == [
            "RW11bGF0ZWQgQmVkcm9jayBzaWduYXR1cmU="]
        emu.script("bedrock", reasoning_tokens=0, tool_call=("get_weather", {"city": "Paris"}))
        streamed = client.stream("weather?", tools=[Tool(name="get_weather")])
        list(streamed)
        assert [(c.name, c.arguments) for c in streamed.final().tool_calls] == [("get_weather", {"city": "Paris"})]
        count = client.count_tokens("hello there", exact=True)
        assert count.exact
        assert count.method == "bedrock CountTokens"
        paths = [r.path for r in emu.requests if r.method == "POST"]
    assert paths[0] == "/bedrock/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse"
    assert paths[1].endswith("/converse-stream")
    assert paths[-1].endswith("/count-tokens")


def test_the_openai_compatible_runtime_surface_through_the_emulator():
    with Emulator() as emu:
        provider = emu.provider("bedrock", api="openai")
        done = rehost.client("bedrock/gpt-oss-120b", bound_to=provider).complete(
            "hi", thinking=rehost.Thinking(effort="medium"))
        assert done.text
        [seen] = [r for r in emu.requests if r.method == "POST"]
    assert seen.path == "/bedrock/openai/v1/chat/completions"
    assert seen.json()["model"] == "openai.gpt-oss-120b-1:0"
    assert seen.json()["reasoning_effort"] == "medium"


def test_emulated_faults_come_back_typed():
    with Emulator() as emu:
        host = emu.provider("bedrock", retry=rehost.RetryPolicy(max_retries=0))
        client = rehost.client("bedrock/nova-micro", bound_to=host)
        emu.inject("429")
        with pytest.raises(RateLimited, match="Too many requests"):
            client.complete("x")
        emu.inject("inband_error")
        with pytest.raises(RateLimited):
            list(client.stream("x"))
        emu.inject("blocked")
        with pytest.raises(rehost.errors.ContentBlocked):
            client.complete("x")
        emu.inject("malformed_chunk")
        with pytest.raises(ProtocolError):
            list(client.stream("x"))


def test_converse_endpoint_is_the_default_surface():
    assert isinstance(Bedrock(KEY).chat, BedrockConverse)
    assert isinstance(Bedrock(KEY, api="openai").chat, BedrockOpenAIChat)
    assert urlsplit(Bedrock(KEY, api="openai").chat.prepare(
        _request("openai.gpt-oss-20b-1:0")).call.url).path == "/openai/v1/chat/completions"


def test_code_written_for_the_real_host_reaches_the_emulator_under_redirect():
    from rehost.testing import redirect

    assert redirect.style_for("bedrock-runtime.us-east-1.amazonaws.com", None) == "bedrock"
    with Emulator() as emu, redirect.redirect_to(emu):
        done = rehost.client("bedrock/nova-micro", bound_to=Bedrock(KEY)).complete("hi")
        assert done.text
        assert [r.path for r in emu.requests if r.method == "POST"] == [
            "/bedrock/model/us.amazon.nova-micro-v1%3A0/converse"]


def test_rehost_bench_r1_on_bedrock_against_the_emulator(tmp_path):
    import os
    import subprocess
    import sys

    with Emulator() as emu:
        spec = f"bedrock:base_url={emu.base_url('bedrock')},api_key=k"
        out = tmp_path / "r.json"
        done = subprocess.run([sys.executable, "-m", "rehost.cli", "bench", "r1", "--hosts", spec, "--runs", "2",
                               "--prompts", "short", "--json", str(out)], capture_output=True, text=True,
                              timeout=180, check=False, env={**os.environ})
        streamed = [r.path for r in emu.requests if r.method == "POST"]
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert [h["host"] for h in report["hosts"]] == ["bedrock"]
    assert report["samples"]
    assert all(not s.get("error") for s in report["samples"])
    assert streamed
    assert all(p == "/bedrock/model/us.deepseek.r1-v1%3A0/converse-stream" for p in streamed)


def test_the_session_token_stays_out_of_botocore_debug_logs(caplog):
    import logging

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
                                         "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1}})

    host = Bedrock(auth="sigv4", credentials=_credentials(TOKEN), transport=httpx.MockTransport(answer))
    with caplog.at_level(logging.DEBUG):
        host.send(_request("us.amazon.nova-micro-v1:0"))
    assert "Calculating signature using v4 auth." in caplog.text  # botocore did log at DEBUG
    assert TOKEN not in caplog.text
    assert SECRET not in caplog.text


def test_an_error_message_in_a_stream_carries_its_code_and_message():
    start = event_frame("messageStart", b'{"role":"assistant"}')
    error = encode_message({":message-type": "error", ":error-code": "InternalFailure",
                            ":error-message": "something broke"}, b"")
    with pytest.raises(ServerError, match="something broke") as caught:
        list(Bedrock(KEY, transport=_stream_transport(start, error)).stream(_request("m", stream=True)))
    assert caught.value.code == "InternalFailure"
