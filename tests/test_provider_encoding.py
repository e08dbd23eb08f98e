"""Each provider's spelling of a request (HOSTS.md §11.1 and the per-host sections), with no network."""

from __future__ import annotations

import pytest

from rehost import DeepSeek, Google, Groq, Message, Mistral, OpenRouter, ReasoningPart, Together, Tool, ToolCall, Vertex
from rehost.errors import ConfigurationError, ModelNotServed, UnsupportedFeature
from rehost.shared.request import Request, Sampling, ThinkingPlan

ON = ThinkingPlan(enabled=True)
OFF = ThinkingPlan(enabled=False, include_reasoning=False)
ALWAYS = ThinkingPlan(enabled=True, always_on=True)


def body(provider, thinking=None, *, stream=False, sampling=None, messages=None, **kw):
    req = Request(model="m", host_model_id="host-model", messages=messages or (Message.user("hi"),),
                  thinking=thinking, stream=stream, sampling=sampling or Sampling(), **kw)
    return provider.prepare(req).call.body


THINKING_FIELDS = ("reasoning_effort", "reasoning_format", "reasoning", "thinking", "include_reasoning")


def thinking_fields(b):
    return {k: b[k] for k in THINKING_FIELDS if k in b}


@pytest.mark.parametrize(
    ("provider", "plan", "expected"),
    [
        (Groq("k"), ON, {"reasoning_format": "parsed"}),
        (Groq("k"), ThinkingPlan(effort="high"), {"reasoning_effort": "high", "reasoning_format": "parsed"}),
        (Groq("k"), ThinkingPlan(effort="low", include_reasoning=False),
         {"reasoning_effort": "low", "reasoning_format": "hidden"}),
        (Groq("k"), OFF, {"reasoning_effort": "none"}),
        (Groq("k"), ALWAYS, {"reasoning_format": "parsed"}),
        (OpenRouter("k"), ON, {"reasoning": {"enabled": True}}),
        (OpenRouter("k"), ThinkingPlan(effort="high"), {"reasoning": {"effort": "high", "enabled": True}}),
        (OpenRouter("k"), ThinkingPlan(effort="xhigh"), {"reasoning": {"effort": "xhigh", "enabled": True}}),
        (OpenRouter("k"), ThinkingPlan(budget=2000), {"reasoning": {"max_tokens": 2000}}),
        (OpenRouter("k"), OFF, {"reasoning": {"effort": "none"}}),
        (OpenRouter("k"), ThinkingPlan(include_reasoning=False), {"reasoning": {"enabled": True, "exclude": True}}),
        (DeepSeek("k"), ON, {"thinking": {"type": "enabled"}}),
        (DeepSeek("k"), OFF, {"thinking": {"type": "disabled"}}),
        (DeepSeek("k"), ThinkingPlan(effort="max"), {"thinking": {"type": "enabled"}, "reasoning_effort": "max"}),
        (DeepSeek("k"), ALWAYS, {}),
        (Mistral("k"), ON, {"reasoning_effort": "high"}),
        (Mistral("k"), ThinkingPlan(effort="high"), {"reasoning_effort": "high"}),
        (Mistral("k"), OFF, {"reasoning_effort": "none"}),
        (Mistral("k"), ALWAYS, {}),
        (Together("k"), ON, {"reasoning": {"enabled": True}}),
        (Together("k"), OFF, {"reasoning": {"enabled": False}}),
        (Together("k"), ThinkingPlan(effort="medium"), {"reasoning_effort": "medium"}),
        (Together("k"), ALWAYS, {}),
    ],
    ids=lambda v: type(v).__name__ if hasattr(v, "name") else None,
)
def test_openai_dialect_thinking_fields(provider, plan, expected):
    assert thinking_fields(body(provider, plan)) == expected


@pytest.mark.parametrize(
    ("provider", "plan", "match"),
    [
        (Groq("k"), ThinkingPlan(budget=1024), "no thinking budget"),
        (Groq("k"), ThinkingPlan(effort="max"), "low\\|medium\\|high"),
        (DeepSeek("k"), ThinkingPlan(effort="low"), "high\\|max"),
        (DeepSeek("k"), ThinkingPlan(budget=10), "no thinking budget"),
        (Mistral("k"), ThinkingPlan(effort="low"), "high or none"),
        (Mistral("k"), ThinkingPlan(budget=10), "no thinking budget"),
        (Together("k"), ThinkingPlan(budget=10), "no thinking budget"),
        (OpenRouter("k"), ThinkingPlan(effort="ultra"), "effort"),
    ],
)
def test_what_a_host_cannot_spell_fails_before_sending(provider, plan, match):
    with pytest.raises(UnsupportedFeature, match=match):
        body(provider, plan)


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (ON, {"includeThoughts": True}),
        (OFF, {"thinkingBudget": 0}),
        (ThinkingPlan(budget=1024), {"thinkingBudget": 1024, "includeThoughts": True}),
        (ThinkingPlan(effort="low", include_reasoning=False), {"thinkingLevel": "LOW"}),
        (ThinkingPlan(effort="minimal"), {"thinkingLevel": "MINIMAL", "includeThoughts": True}),
    ],
)
@pytest.mark.parametrize("provider", [Google("k"), Vertex("p", access_token="t")], ids=["google", "vertex"])
def test_gemini_thinking_config(provider, plan, expected):
    assert body(provider, plan)["generationConfig"]["thinkingConfig"] == expected


def test_gemini_rejects_an_effort_that_is_not_a_level():
    with pytest.raises(UnsupportedFeature, match="minimal\\|low\\|medium\\|high"):
        body(Google("k"), ThinkingPlan(effort="max"))


def test_sampling_field_names_per_host():
    s = Sampling(temperature=0.5, max_tokens=100, seed=7, stop=("END",))
    groq = body(Groq("k"), sampling=s)
    assert {k: groq[k] for k in ("max_completion_tokens", "seed", "stop")} == {
        "max_completion_tokens": 100, "seed": 7, "stop": ["END"]}
    assert "max_tokens" not in groq
    assert body(Mistral("k"), sampling=s)["random_seed"] == 7
    g = body(Google("k"), sampling=s)["generationConfig"]
    assert g == {"temperature": 0.5, "maxOutputTokens": 100, "seed": 7, "stopSequences": ["END"]}
    assert body(OpenRouter("k"), sampling=Sampling(top_k=40))["top_k"] == 40


@pytest.mark.parametrize(
    ("provider", "sampling", "name"),
    [
        (Groq("k"), Sampling(presence_penalty=0.5), "presence_penalty"),
        (Groq("k"), Sampling(top_k=5), "top_k"),
        (DeepSeek("k"), Sampling(seed=1), "seed"),
        (Mistral("k"), Sampling(top_k=5), "top_k"),
    ],
)
def test_unsupported_sampling_is_refused_not_dropped(provider, sampling, name):
    with pytest.raises(UnsupportedFeature, match=name):
        body(provider, sampling=sampling)


def test_stream_flags():
    assert body(Groq("k"), stream=True)["stream_options"] == {"include_usage": True}
    assert "stream_options" not in body(Mistral("k"), stream=True)
    assert body(Groq("k"))["stream"] is False
    g = Google("k").prepare(Request(model="m", host_model_id="gemini-x", messages=(Message.user("hi"),), stream=True))
    assert g.call.url.endswith("/models/gemini-x:streamGenerateContent?alt=sse")


def test_urls_and_auth_headers():
    assert Groq("k").prepare(Request(model="m", host_model_id="x", messages=(Message.user("hi"),))).call.url == \
        "https://api.groq.com/openai/v1/chat/completions"
    assert Mistral("k", region="eu").base_url == "https://api.eu.mistral.ai/v1"
    assert Google("gk").auth_headers() == {"x-goog-api-key": "gk"}
    assert Vertex("p", "europe-west4", access_token="t").model_url("gemini-2.5-flash", "generateContent") == (
        "https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/p/locations/europe-west4"
        "/publishers/google/models/gemini-2.5-flash:generateContent")
    assert Vertex("p", "global", access_token="t").base_url == "https://aiplatform.googleapis.com"
    assert Vertex("p", "eu", access_token="t").base_url == "https://aiplatform.eu.rep.googleapis.com"
    tokens = iter(["t1", "t2"])
    v = Vertex("p", access_token=lambda: next(tokens), quota_project="billing")
    assert v.auth_headers() == {"Authorization": "Bearer t1", "x-goog-user-project": "billing"}
    assert v.auth_headers()["Authorization"] == "Bearer t2"
    assert DeepSeek("k", api="responses").prepare(
        Request(model="m", host_model_id="x", messages=(Message.user("hi"),))).call.url == \
        "https://api.deepseek.com/responses"


def test_missing_key_names_the_variable(monkeypatch):
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="GROQ_API_KEY"):
        Groq().auth_headers()
    monkeypatch.setenv("GROQ_API_KEY", "from-env")
    assert Groq().auth_headers() == {"Authorization": "Bearer from-env"}
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="GEMINI_API_KEY or GOOGLE_API_KEY"):
        Google().auth_headers()


def test_vertex_without_project_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    with pytest.raises(ConfigurationError, match="GOOGLE_CLOUD_PROJECT"):
        body(Vertex(access_token="t"))


def test_keys_stay_out_of_repr():
    secret = "sk-very-secret-key-123"
    for provider in (Groq(secret), OpenRouter(secret), Google(secret), Vertex("p", access_token=secret)):
        assert secret not in repr(provider)
        assert secret not in str(provider)


def test_reasoning_send_back_spelling_per_host():
    turn = Message(role="assistant", parts=(
        ReasoningPart(text="I should call f.", source="deepseek"),
        ToolCall(id="c1", name="f", arguments={"x": 1}),
    ))
    msgs = (Message.user("go"), turn, Message.tool(turn.tool_calls[0], "done"))
    ds = body(DeepSeek("k"), messages=msgs, tools=(Tool(name="f"),))["messages"][1]
    assert ds["reasoning_content"] == "I should call f."
    assert "content" not in ds
    gq = body(Groq("k"), messages=msgs, tools=(Tool(name="f"),))["messages"][1]
    assert gq == {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                                                       "function": {"name": "f", "arguments": '{"x": 1}'}}]}
    ms = body(Mistral("k"), messages=msgs, tools=(Tool(name="f"),))["messages"][1]
    assert ms["content"] == [{"type": "thinking", "thinking": [{"type": "text", "text": "I should call f."}]}]
    orr = body(OpenRouter("k"), messages=msgs, tools=(Tool(name="f"),))["messages"][1]
    assert orr["reasoning"] == "I should call f."
    signed = Message(role="assistant", parts=(ReasoningPart(text="t", source="openrouter",
                                                            details=({"type": "reasoning.text", "text": "t",
                                                                      "signature": "sig"},)),
                                              ToolCall(id="c1", name="f")))
    orr = body(OpenRouter("k"), messages=(Message.user("go"), signed), tools=(Tool(name="f"),))["messages"][1]
    assert orr["reasoning_details"][0]["signature"] == "sig"


def test_gemini_echoes_only_its_own_thoughts_with_signatures():
    turn = Message(role="assistant", parts=(
        ReasoningPart(text="foreign", source="deepseek"),
        ReasoningPart(text="mine", signature="s1", source="google"),
        ToolCall(id="c1", name="f", arguments={"x": 1}, signature="s2"),
    ))
    contents = body(Google("k"), messages=(Message.user("go"), turn, Message.tool(turn.tool_calls[0], {"ok": 1})),
                    tools=(Tool(name="f"),))["contents"]
    assert contents[1] == {"role": "model", "parts": [
        {"text": "mine", "thought": True, "thoughtSignature": "s1"},
        {"functionCall": {"name": "f", "args": {"x": 1}, "id": "c1"}, "thoughtSignature": "s2"},
    ]}
    assert contents[2] == {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {"ok": 1},
                                                                           "id": "c1"}}]}


def test_catalogue_resolution_and_the_hosts_that_serve():
    req = Request(model="deepseek-r1", messages=(Message.user("hi"),))
    assert OpenRouter("k").prepare(req).call.body["model"] == "deepseek/deepseek-r1"
    assert Together("k").prepare(req).call.body["model"] == "deepseek-ai/DeepSeek-R1"
    with pytest.raises(ModelNotServed, match="openrouter, together") as caught:
        Groq("k").prepare(req)
    assert "openrouter" in caught.value.serving_hosts
    assert OpenRouter("k", models={"deepseek-r1": "deepseek/deepseek-r1:free"}).prepare(req).call.body["model"] == \
        "deepseek/deepseek-r1:free"


def test_extra_body_and_routing_are_merged():
    req = Request(model="m", host_model_id="x", messages=(Message.user("hi"),),
                  extra_body={"provider": {"sort": "latency"}, "top_a": 0.1})
    b = OpenRouter("k", routing={"order": ["groq"]}).prepare(req).call.body
    assert b["provider"] == {"order": ["groq"], "sort": "latency"}
    assert b["top_a"] == 0.1


class _FakeCredentials:
    """Stands in for google-auth credentials: expired until refreshed."""

    def __init__(self):
        self.valid = False
        self.expired = True
        self.token = None
        self.refreshes = 0

    def refresh(self, request):
        self.refreshes += 1
        self.token = f"ya29.token-{self.refreshes}"
        self.valid, self.expired = True, False


def test_vertex_refreshes_credentials_only_when_needed():
    creds = _FakeCredentials()
    vertex = Vertex("p", credentials=creds)
    assert vertex.auth_headers() == {"Authorization": "Bearer ya29.token-1"}
    assert vertex.auth_headers() == {"Authorization": "Bearer ya29.token-1"}
    creds.expired = True
    assert vertex.auth_headers() == {"Authorization": "Bearer ya29.token-2"}


def test_vertex_without_google_auth_says_how_to_get_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_google(name, *args, **kwargs):
        if name.startswith("google"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_google)
    with pytest.raises(ConfigurationError, match=r"rehost\[vertex\]"):
        Vertex("p").auth_headers()
