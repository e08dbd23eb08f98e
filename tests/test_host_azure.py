"""Azure OpenAI / AI Foundry (HOSTS-MORE §3): the v1 surface and the deployment URLs with ``api-version``, the
``api-key`` header or an Entra ID token, chat completions and the Responses API, the Foundry inference endpoint,
content-filter results kept on the Completion, Azure's error bodies as typed errors; and the generic
``OpenAICompatible`` host taking its key in a caller's ``api-key`` header."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

import rehost
from rehost import _registry
from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    ContentBlocked,
    ModelNotFound,
    RateLimited,
    ServerError,
    UnsupportedFeature,
)
from rehost.providers.azure import Azure
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.transport import RetryPolicy
from rehost.shared.types import Message, ReasoningPart, TextPart
from rehost.testing import redirect
from rehost.testing.emulator import Emulator

from .servers import ScriptedServer


@pytest.fixture(autouse=True)
def _no_azure_environment(monkeypatch):
    """The URL a test expects must not depend on the machine's AZURE_OPENAI_ENDPOINT or OPENAI_API_VERSION."""
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)


def _request(model: str = "m", text: str = "hi", **kwargs) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user(text),), **kwargs)


def test_the_generic_host_takes_its_key_in_a_callers_api_key_header(monkeypatch):
    """``OpenAICompatible(headers={"api-key": ...})`` needs no ``api_key``: the header is the credential (an
    Azure gateway, an APIM front door), and no ``Authorization`` of ours is added beside it."""
    monkeypatch.delenv("GATEWAY_KEY", raising=False)
    with Emulator() as emu:
        host = rehost.OpenAICompatible(name="gateway", api_key_env="GATEWAY_KEY", base_url=emu.base_url("openai"),
                                       headers={"api-key": "k-0123456789"})
        assert host.has_key
        assert host.missing_key_reason is None
        completion = host.send(_request())
        seen = emu.requests[-1]
    assert completion.text
    assert seen.headers.get("api-key") == "k-0123456789"
    assert "authorization" not in seen.headers
    assert "k-0123456789" not in repr(host)



NO_RETRY = RetryPolicy(max_retries=0)
KEY = "az-key-0123456789abcdef"
ROOT = "https://res.openai.azure.com"


def test_it_is_known_everywhere_by_one_row():
    row = _registry.HOSTS["azure"]
    assert row.spec == ("rehost.providers.azure", "Azure")
    assert rehost.Azure is Azure
    assert redirect.style_for("myres.openai.azure.com", None) == "azure"
    assert redirect.style_for("myres.services.ai.azure.com", None) == "azure"
    assert rehost.catalog().host_entry("deepseek-r1", "azure").id == "DeepSeek-R1"
    assert isinstance(rehost.client("azure/gpt-4o", provider_options={"api_key": "k", "resource": "r"}).provider,
                      Azure)


@pytest.mark.parametrize(("options", "url"), [
    ({"resource": "res"}, f"{ROOT}/openai/v1/chat/completions"),
    ({"endpoint": "https://res.services.ai.azure.com"}, "https://res.services.ai.azure.com/openai/v1/chat/completions"),
    ({"base_url": f"{ROOT}/openai/v1"}, f"{ROOT}/openai/v1/chat/completions"),
    ({"base_url": "https://m.eastus.models.ai.azure.com/v1"}, "https://m.eastus.models.ai.azure.com/v1/chat/completions"),
    ({"resource": "res", "surface": "deployments"},
     f"{ROOT}/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21"),
    ({"resource": "res", "surface": "deployments", "api_version": "2024-12-01-preview"},
     f"{ROOT}/openai/deployments/my-gpt4o/chat/completions?api-version=2024-12-01-preview"),
    ({"endpoint": "https://res.services.ai.azure.com", "surface": "models"},
     "https://res.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview"),
    ({"resource": "res", "api": "responses"}, f"{ROOT}/openai/v1/responses"),
    ({"resource": "res", "api": "responses", "surface": "deployments"},
     f"{ROOT}/openai/responses?api-version=2025-04-01-preview"),
])
def test_the_url_styles(options, url):
    call = Azure(KEY, **options).prepare(_request("my-gpt4o")).call
    assert call.url == url
    assert call.body["model"] == "my-gpt4o"  # the deployment, in the body on every style


def test_the_legacy_styles_take_the_sdks_api_version_variable(monkeypatch):
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-01-01-preview")
    assert Azure(KEY, resource="r", surface="deployments").prepare(_request("d")).call.url.endswith(
        "?api-version=2025-01-01-preview")
    assert "api-version" not in Azure(KEY, resource="r").prepare(_request("d")).call.url


def test_max_tokens_is_spelled_per_surface():
    request = _request("d", sampling=rehost.shared.chat.sampling.Sampling(max_tokens=50))
    assert Azure(KEY, resource="r").prepare(request).call.body["max_completion_tokens"] == 50
    foundry = Azure(KEY, resource="r", surface="models").prepare(request).call.body
    assert foundry["max_tokens"] == 50  # Foundry's Mistral gateway answers 422 to max_completion_tokens
    assert "max_completion_tokens" not in foundry


def test_no_endpoint_is_refused_before_the_network(monkeypatch):
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    with pytest.raises(ConfigurationError, match="AZURE_OPENAI_ENDPOINT"):
        Azure(KEY).prepare(_request())
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://env-res.openai.azure.com")
    assert Azure(KEY).prepare(_request()).call.url == "https://env-res.openai.azure.com/openai/v1/chat/completions"
    with pytest.raises(ConfigurationError, match="surface"):
        Azure(KEY, surface="legacy")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="no Responses API"):
        Azure(KEY, surface="models", api="responses")
    with pytest.raises(ConfigurationError, match="resource name"):
        Azure(KEY, resource="evil.example.com/x")


@pytest.mark.parametrize(("plan", "fields"), [
    (None, {}),
    (ThinkingPlan(effort="high"), {"reasoning_effort": "high"}),
    (ThinkingPlan(effort="minimal"), {"reasoning_effort": "minimal"}),
    (ThinkingPlan(enabled=False, include_reasoning=False), {"reasoning_effort": "none"}),
    (ThinkingPlan(), {}),
])
def test_the_thinking_encoding_table(plan, fields):
    body = Azure(KEY, resource="r").prepare(_request("d", thinking=plan)).call.body
    assert {k: body[k] for k in ("reasoning_effort",) if k in body} == fields
    responses = Azure(KEY, resource="r", api="responses").prepare(_request("d", thinking=plan)).call.body
    assert responses["include"] == ["reasoning.encrypted_content"]
    if fields:
        assert responses["reasoning"] == {"effort": fields["reasoning_effort"]}


@pytest.mark.parametrize(("plan", "match"), [(ThinkingPlan(budget=1024), "budget"),
                                             (ThinkingPlan(effort="max"), "max")])
def test_a_reasoning_setting_azure_rejects_is_refused_before_the_network(plan, match):
    for options in ({}, {"api": "responses"}):
        with pytest.raises(UnsupportedFeature, match=match):
            Azure(KEY, resource="r", **options).prepare(_request("d", thinking=plan))


def test_a_model_the_catalogue_does_not_serve_on_azure_is_refused_before_the_network():
    with pytest.raises(rehost.errors.ModelNotServed, match="google"):
        rehost.client("azure/gemini-2.5-flash", provider_options={"api_key": "k", "resource": "r"}).complete("hi")


def test_the_key_goes_in_api_key_and_is_never_shown(monkeypatch):
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("AZURE_API_KEY", KEY)
    host = Azure(resource="r")
    assert host.auth_headers() == {"api-key": KEY}
    assert KEY not in repr(host)
    with Emulator() as emu:
        emu.script("azure", fault="401")  # the emulator quotes the key back, as some hosts do
        with pytest.raises(AuthenticationError) as caught:
            Azure(KEY, base_url=emu.base_url("azure"), retry=NO_RETRY).send(_request())
        assert emu.requests[-1].headers["api-key"] == KEY
        assert "authorization" not in emu.requests[-1].headers
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)
    monkeypatch.delenv("AZURE_API_KEY")
    with pytest.raises(rehost.errors.MissingAPIKey, match="AZURE_OPENAI_API_KEY"):
        Azure(resource="r").send(_request())


def test_an_entra_token_provider_sends_a_bearer_token_sync_and_async():
    tokens = iter(["tok-1", "tok-2"])
    with Emulator() as emu:
        host = Azure(base_url=emu.base_url("azure"), token_provider=lambda: next(tokens))
        assert host.has_key
        host.send(_request())
        assert emu.requests[-1].headers["authorization"] == "Bearer tok-1"
        assert "api-key" not in emu.requests[-1].headers
        host.send(_request())
        assert emu.requests[-1].headers["authorization"] == "Bearer tok-2"  # asked again each call: it refreshes

        async def token() -> str:
            return "async-tok"

        ahost = Azure(base_url=emu.base_url("azure"), token_provider=token)
        asyncio.run(ahost.asend(_request()))
        assert emu.requests[-1].headers["authorization"] == "Bearer async-tok"
        with pytest.raises(ConfigurationError, match="async"):
            ahost.send(_request())
    with pytest.raises(ConfigurationError, match="no token"):
        Azure(resource="r", token_provider=lambda: "").auth_headers()


def test_entra_true_takes_default_azure_credential_from_the_azure_extra(monkeypatch):
    import azure.identity

    seen = {}

    def fake_provider(credential, scope):
        seen["scope"] = scope
        return lambda: "entra-token"

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", object)
    monkeypatch.setattr(azure.identity, "get_bearer_token_provider", fake_provider)
    host = Azure(resource="r", entra=True)
    assert host.auth_headers() == {"Authorization": "Bearer entra-token"}
    assert seen["scope"] == "https://cognitiveservices.azure.com/.default"
    monkeypatch.setitem(sys.modules, "azure.identity", None)
    with pytest.raises(ConfigurationError, match=r"rehost\[azure\]"):
        Azure(resource="r", entra=True)


def test_content_filter_results_are_kept_whole_and_streamed():
    with Emulator() as emu:
        host = emu.provider("azure")
        done = host.send(_request("gpt-4o"))
        events = list(host.stream(_request("gpt-4o", stream=True)))
    streamed = events[-1].completion
    for completion in (done, streamed):
        prompt = [f for f in completion.content_filters if f.source == "prompt"]
        answer = [f for f in completion.content_filters if f.source == "completion"]
        assert {f.category for f in prompt} == {"hate", "self_harm", "sexual", "violence", "jailbreak"}
        assert {f.category for f in answer} == {"hate", "self_harm", "sexual", "violence"}
        assert not any(f.filtered for f in completion.content_filters)
        assert next(f for f in prompt if f.category == "jailbreak").detected is False
    assert streamed.response_id == "chatcmpl-emu"  # not the empty id of the prompt-filter chunk
    assert streamed.text == done.text


FILTERED = {"id": "c1", "model": "gpt-4o", "choices": [{
    "index": 0, "finish_reason": "content_filter", "message": {"role": "assistant", "content": None},
    "content_filter_results": {"violence": {"filtered": True, "severity": "high"},
                               "hate": {"filtered": False, "severity": "safe"}}}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 0}}


def test_a_filtered_answer_raises_content_blocked_naming_the_category():
    with ScriptedServer(lambda h: h.send_json(200, FILTERED)) as server, pytest.raises(ContentBlocked) as caught:
        Azure(KEY, base_url=server.url, retry=NO_RETRY).send(_request("gpt-4o"))
    assert "violence" in str(caught.value)
    assert "hate" not in str(caught.value)


def test_a_partly_filtered_answer_keeps_its_text_and_the_verdict():
    body = json.loads(json.dumps(FILTERED))
    body["choices"][0]["message"]["content"] = "Part of the answer"
    with ScriptedServer(lambda h: h.send_json(200, body)) as server:
        done = Azure(KEY, base_url=server.url, retry=NO_RETRY).send(_request("gpt-4o"))
    assert done.finish_reason == "content_filter"
    assert done.text == "Part of the answer"
    assert [(f.category, f.filtered, f.severity) for f in done.content_filters] == [
        ("violence", True, "high"), ("hate", False, "safe")]


def _error(status: int, body: dict, headers: dict | None = None):
    def script(handler) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)
    return script


@pytest.mark.parametrize(("status", "body", "error"), [
    (400, {"error": {"message": "The response was filtered due to the prompt triggering Azure OpenAI's content "
                                "management policy.", "type": None, "param": "prompt", "code": "content_filter",
                     "status": 400}}, ContentBlocked),
    (400, {"error": {"message": "The prompt was blocked.", "code": "invalid_prompt",
                     "innererror": {"code": "ResponsibleAIPolicyViolation",
                                    "content_filter_result": {"jailbreak": {"filtered": True, "detected": True}}}}},
     ContentBlocked),
    (404, {"error": {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not "
                                                              "exist."}}, ModelNotFound),
    (500, {"error": {"code": "InternalServerError", "message": "The server had an error."}}, ServerError),
])
def test_azure_error_bodies_map_to_typed_errors(status, body, error):
    with ScriptedServer(_error(status, body, {"apim-request-id": "apim-1"})) as server, \
            pytest.raises(error) as caught:
        Azure(KEY, base_url=server.url, retry=NO_RETRY).send(_request())
    assert caught.value.status == status
    assert caught.value.request_id == "apim-1"
    assert caught.value.host == "azure"


def test_a_429_names_its_wait_in_the_message():
    body = {"error": {"code": "429", "message": "Requests to the ChatCompletions_Create Operation under Azure OpenAI "
                                                "API version 2024-10-21 have exceeded token rate limit. Please retry "
                                                "after 7 seconds."}}
    with ScriptedServer(_error(429, body)) as server, pytest.raises(RateLimited) as caught:
        Azure(KEY, base_url=server.url, retry=NO_RETRY).send(_request())
    assert caught.value.retry_after == 7


ENCRYPTED = {"id": "resp_1", "model": "gpt-5.5", "status": "completed", "output": [
    {"id": "rs_1", "type": "reasoning", "summary": [], "content": [], "encrypted_content": "gAAAA-opaque",
     "status": "completed"},
    {"id": "msg_1", "type": "message", "role": "assistant",
     "content": [{"type": "output_text", "text": "Paris", "annotations": []}]}],
    "content_filters": [{"source_type": "completion", "blocked": False,
                         "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}}}],
    "usage": {"input_tokens": 18, "output_tokens": 16, "output_tokens_details": {"reasoning_tokens": 9}}}


def test_responses_encrypted_reasoning_goes_back_on_the_next_turn():
    with ScriptedServer(lambda h: h.send_json(200, ENCRYPTED)) as server:
        host = Azure(KEY, base_url=server.url, api="responses", retry=NO_RETRY)
        first = host.send(_request("gpt-5.5", "Capital of France?"))
        part = next(p for p in first.parts if isinstance(p, ReasoningPart))
        assert part.redacted == "gAAAA-opaque"
        assert first.text == "Paris"
        assert first.usage.reasoning_tokens == 9
        assert [(f.source, f.category) for f in first.content_filters] == [("completion", "hate")]
        history = (Message.user("Capital of France?"), first.message,
                   Message(role="assistant", parts=(ReasoningPart(text="elsewhere", source="openrouter"),
                                                    TextPart(text="x"))),
                   Message.user("And of Spain?"))
        host.send(Request(model="gpt-5.5", host_model_id="gpt-5.5", messages=history))
        sent = json.loads(server.requests[-1][1])
    assert server.requests[-1][0] == "/openai/v1/responses"
    assert sent["input"][1] == {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAAA-opaque"}
    assert sent["input"][2] == {"role": "assistant", "content": "Paris"}
    assert not any(i.get("type") == "reasoning" and "elsewhere" in json.dumps(i) for i in sent["input"])
    assert sent["include"] == ["reasoning.encrypted_content"]


def test_foundry_deepseek_reasoning_content_and_older_think_tags():
    with Emulator() as emu:
        emu.script("azure", reasoning_tokens=3)
        done = emu.provider("azure").send(_request("deepseek-v4-pro"))
    assert done.reasoning == "Thinking t1 t2"
    r1 = {"id": "c", "choices": [{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "<think>Paris is it.</think>The capital is Paris."}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 9}}
    with ScriptedServer(lambda h: h.send_json(200, r1)) as server:
        host = Azure(KEY, base_url=server.url, surface="models", retry=NO_RETRY)
        done = rehost.client("azure/deepseek-r1", bound_to=host).complete("Capital of France?")
        sent = json.loads(server.requests[-1][1])
    assert server.requests[-1][0] == "/models/chat/completions?api-version=2024-05-01-preview"
    assert sent["model"] == "DeepSeek-R1"
    assert done.reasoning == "Paris is it."
    assert done.text == "The capital is Paris."


def test_a_streamed_responses_answer_keeps_the_encrypted_item_and_the_filters():
    frames = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress", "output": []}},
        {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1, "delta": "Par"},
        {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1, "delta": "is"},
        {"type": "response.completed", "response": ENCRYPTED},
    ]
    stream = b"".join(f"event: {f['type']}\ndata: {json.dumps(f)}\n\n".encode() for f in frames)

    def script(handler) -> None:
        handler.start_stream()
        for i in range(0, len(stream), 13):
            handler.write_chunk(stream[i:i + 13])
        handler.end_stream()

    with ScriptedServer(script) as server:
        events = list(Azure(KEY, base_url=server.url, api="responses", retry=NO_RETRY).stream(
            _request("gpt-5.5", stream=True)))
        sent = json.loads(server.requests[-1][1])
    done = events[-1].completion
    assert sent["stream"] is True
    assert "".join(e.text for e in events if isinstance(e, rehost.TextDelta)) == done.text == "Paris"
    assert [p.redacted for p in done.parts if isinstance(p, ReasoningPart)] == ["gAAAA-opaque"]
    assert [(f.source, f.category) for f in done.content_filters] == [("completion", "hate")]


def test_code_written_for_a_real_resource_runs_against_the_emulator():
    from rehost.testing.redirect import redirect_to

    with Emulator() as emu, redirect_to(emu):
        done = rehost.client("azure/gpt-4o", provider_options={"api_key": "k", "resource": "myres"}).complete("hi")
        assert emu.requests[-1].path == "/azure/openai/v1/chat/completions"
        rehost.client("azure/llama-3.3-70b-instruct", provider_options={
            "api_key": "k", "endpoint": "https://myres.services.ai.azure.com", "surface": "models"}).complete("hi")
        assert emu.requests[-1].path == "/azure/models/chat/completions?api-version=2024-05-01-preview"
        assert emu.requests[-1].json()["model"] == "Llama-3.3-70B-Instruct"
    assert done.text


def test_a_streamed_verdict_stays_filtered_once_a_chunk_said_so():
    def chunk(body: dict) -> bytes:
        return f"data: {json.dumps(body)}\n\n".encode()

    def verdict(filtered: bool) -> dict:
        return {"violence": {"filtered": filtered, "severity": "medium" if filtered else "safe"}}

    frames = [
        chunk({"id": "", "choices": [], "created": 0, "model": "",
               "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": verdict(False)}]}),
        chunk({"id": "c9", "model": "gpt-4o", "choices": [{"index": 0, "delta": {"content": "Some "},
                                                           "content_filter_results": verdict(False)}]}),
        chunk({"id": "c9", "model": "gpt-4o", "choices": [{"index": 0, "delta": {"content": "text"},
                                                           "content_filter_results": verdict(True)}]}),
        chunk({"id": "c9", "model": "gpt-4o", "choices": [{"index": 0, "delta": {}, "finish_reason": "content_filter",
                                                           "content_filter_results": {}}]}),
        chunk({"id": "c9", "model": "gpt-4o", "choices": [{"index": 0, "content_filter_offsets": {"end_offset": 9},
                                                           "content_filter_results": verdict(False)}]}),
        b"data: [DONE]\n\n",
    ]

    def script(handler) -> None:
        handler.start_stream()
        for frame in frames:
            handler.write_chunk(frame)
        handler.end_stream()

    with ScriptedServer(script) as server:
        events = list(Azure(KEY, base_url=server.url, retry=NO_RETRY).stream(_request("gpt-4o", stream=True)))
    done = events[-1].completion
    assert done.text == "Some text"
    assert done.finish_reason == "content_filter"
    assert done.response_id == "c9"
    assert [(f.source, f.category, f.filtered, f.severity) for f in done.content_filters] == [
        ("prompt", "violence", False, "safe"), ("completion", "violence", True, "medium")]


def test_a_pdf_is_refused_before_the_network():
    pdf = rehost.shared.types.DocumentPart(data=b"%PDF-1.4\n%%EOF\n", media_type="application/pdf")
    with Emulator() as emu:
        with pytest.raises(UnsupportedFeature, match="document"):
            emu.provider("azure").send(Request(model="gpt-4o", messages=(Message.user("read", pdf),)))
        assert emu.requests == []


def test_embeddings_on_a_resource():
    with Emulator() as emu:
        embedder = rehost.client("azure/text-embedding-3-small", bound_to=emu.provider("azure"))
        done = embedder.embed(["a", "b"], dimensions=256)
        seen = emu.requests[-1]
    assert seen.path == "/azure/openai/v1/embeddings"
    assert seen.json()["model"] == "text-embedding-3-small"
    assert seen.headers["api-key"] == "emulator-key"
    assert len(done.vectors) == 2
    assert len(done.vectors[0]) == 256
    url = Azure(KEY, resource="res", surface="deployments").endpoint("embed").build_call(
        rehost.EmbedRequest(model="m", inputs=("a",)), "my-embed").url
    assert url == f"{ROOT}/openai/deployments/my-embed/embeddings?api-version=2024-10-21"
