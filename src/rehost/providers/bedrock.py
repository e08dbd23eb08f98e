"""AWS Bedrock (``bedrock-runtime.{region}.amazonaws.com``): Converse and ConverseStream, CountTokens, and the
OpenAI-compatible endpoints as a second surface. Facts: ../shared/HOSTS-MORE.md §1-2.

Surfaces, chosen per instance with ``api=``:

* ``"converse"`` (the default): ``POST /model/{modelId}/converse`` and ``/converse-stream``, the model id (a base
  id, an inference profile such as ``us.amazon.nova-micro-v1:0``, or an ARN) percent-encoded whole in the path.
  Streams are AWS's binary event stream (``bedrock_eventstream``); the codec is ``dialects/converse``.
* ``"openai"``: the runtime's Chat Completions at ``/openai/v1``; ``"mantle"``: Bedrock Mantle
  (``bedrock-mantle.{region}.api.aws/v1``). Both in ``bedrock_openai``.

Auth: a Bedrock API key (``api_key=`` or ``AWS_BEARER_TOKEN_BEDROCK``) as a bearer token, needing nothing more;
else SigV4 through botocore and its whole credential chain (the ``bedrock`` extra; ``bedrock_auth``). ``auth=``
forces one. The region is ``region=``, else ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else the botocore profile's,
else ``us-east-1``.

Thinking is model-native, inside ``additionalModelRequestFields``, and differs per family (§1.8): Claude's
``thinking`` (a budget, or adaptive with ``output_config.effort`` on 4.6 and later) with signed reasoning and
redacted reasoning sent back verbatim; gpt-oss ``reasoning_effort`` (always reasoning: it cannot be turned off);
Qwen3 ``reasoning_config`` ``low|high``; DeepSeek R1 and Kimi K2 Thinking always reason and answer text before
reasoning (R1), so the answer is put back in reasoning-first order; Nova 2 ``reasoningConfig`` (UNCONFIRMED
outside third-party code). A setting a family does not take is refused before anything is sent.

Host options: ``guardrail=`` (``guardrailConfig``), ``service_tier=`` (``serviceTier.type``), ``latency=``
(``performanceConfig.latency``), ``cache=`` (where to put cache points: ``"system"``, ``"tools"``,
``"messages"``, the last at the end of the last user turn). Per call, ``extra_body`` merges into the Converse
body (``requestMetadata``, ``additionalModelResponseFieldPaths`` ...). Errors: ``{"message"}`` bodies with the
exception name in ``x-amzn-ErrorType`` (§1.7), and exception messages inside a stream, both typed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import quote

import httpx

from ..shared.errors import ConfigurationError, HostError, MissingAPIKey, UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import Request, ThinkingPlan
from ..shared.transport import HttpCall
from ..shared.types import Completion, ReasoningPart
from .base import ChatEndpoint, Host, Kind, error_class_for_status
from .base.chat import StreamDecoder
from .base.counting import HostCounted
from .bedrock_auth import SigV4Signer, has_aws_credentials_hint, resolve_region
from .bedrock_eventstream import EventStreamDecoder
from .dialects import anthropic as messages
from .dialects import converse
from .dialects.common import CallInfo

__all__ = ["Bedrock", "BedrockConverse", "Guardrail"]

BedrockAPI = Literal["converse", "openai", "mantle"]
BedrockAuth = Literal["auto", "bearer", "sigv4"]
_CACHE_PLACES = frozenset({"system", "tools", "messages"})
_SERVICE_TIERS = frozenset({"priority", "default", "flex", "reserved"})
_LATENCIES = frozenset({"standard", "optimized"})
#: Claude models that take adaptive thinking and ``output_config.effort`` (4.6 and later), by id fragment
_ADAPTIVE_CLAUDE = ("claude-sonnet-4-6", "claude-opus-4-6", "claude-opus-4-7", "claude-opus-4-8", "claude-opus-5",
                    "claude-sonnet-5", "claude-fable-5")
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class Guardrail:
    """A Bedrock guardrail to apply to every call (``guardrailConfig``)."""

    identifier: str
    version: str = "DRAFT"
    #: ``enabled``, ``disabled`` or ``enabled_full`` (the guardrail's trace comes back in ``Completion.raw``)
    trace: str | None = None

    def wire(self) -> dict[str, str]:
        out = {"guardrailIdentifier": self.identifier, "guardrailVersion": self.version}
        if self.trace is not None:
            out["trace"] = self.trace
        return out


def family(model_id: str, model: str = "") -> str:
    """The model family a Bedrock id belongs to (the publisher part of ``[region.]publisher.model``), read from
    the id and, for ARNs and ids that do not say, the canonical model name."""
    for text in (model_id.lower(), model.lower()):
        if "anthropic." in text or "claude" in text:
            return "claude"
        if "gpt-oss" in text:
            return "gpt-oss"
        if "qwen" in text:
            return "qwen"
        if "deepseek.r1" in text or "deepseek-r1" in text:
            return "deepseek-r1"
        if "kimi-k2-thinking" in text:
            return "kimi-thinking"
        if "nova-2" in text:
            return "nova-2"
        if "amazon.nova" in text or text.startswith("nova"):
            return "nova"
    return "other"


class BedrockConverse(HostCounted, ChatEndpoint):
    """Converse and ConverseStream: the Converse codec plus Bedrock's per-family model fields."""

    stream_content_types: tuple[str, ...] = ("application/vnd.amazon.eventstream",)
    accepts: frozenset[str] = frozenset({"text", "image", "document"})
    # a forced tool works on every Converse model; ``outputConfig.textFormat`` (native) on those that take it
    output_modes: tuple[OutputMode, ...] = ("tool", "native", "prompt")
    count_field = "inputTokens"  # CountTokens answers ``{"inputTokens": N}``
    count_label = "CountTokens"

    @property
    def bedrock(self) -> Bedrock:
        host = self.host
        assert isinstance(host, Bedrock)
        return host

    def model_url(self, model_id: str, operation: str) -> str:
        """``/model/{modelId}/{operation}`` with the id encoded whole (``:`` and an ARN's ``/`` included)."""
        return f"{self.base_url}/model/{quote(model_id, safe='')}/{operation}"

    # ------------------------------------------------------------------------------------------ encoding
    def plan_output(self, request: Request) -> Request:
        thinking = request.thinking
        if (request.output_mode == "auto" and thinking is not None and thinking.enabled
                and family(self.host_model_id(request), request.model) == "claude"):
            import dataclasses  # Claude refuses a forced tool while thinking: the native format instead

            request = dataclasses.replace(request, output_mode="native")
        return super().plan_output(request)

    def encode(self, request: Request, model_id: str) -> dict[str, Any]:
        fam = family(model_id, request.model)
        msgs, system = converse.encode_messages(request.messages, host=self.name,
                                                reasoning=lambda part: self.encode_reasoning(part, fam))
        host = self.bedrock
        if "messages" in host.cache and msgs and msgs[-1]["role"] == "user":
            msgs[-1]["content"].append(dict(converse.CACHE_POINT))
        if "system" in host.cache and system:
            system.append(dict(converse.CACHE_POINT))
        body: dict[str, Any] = {"messages": msgs, "system": system}
        extra: dict[str, Any] = {}
        body["inferenceConfig"] = self.inference_config(request, fam, extra)
        tools = converse.encode_tools(request, host=self.name)
        if tools is not None:
            if "tools" in host.cache:
                tools["tools"].append(dict(converse.CACHE_POINT))
            body["toolConfig"] = tools
        if request.thinking is not None:
            self.encode_thinking(request.thinking, model_id, extra, body["inferenceConfig"], model=request.model)
            if fam == "claude" and request.tool_choice not in (None, "auto") and extra.get("thinking", {}).get(
                    "type") in ("enabled", "adaptive"):
                raise UnsupportedFeature(f"{self.name}: with thinking on, Claude takes tool_choice auto only (a "
                                         "forced tool is refused)", host=self.name)
        if extra:
            body["additionalModelRequestFields"] = extra
        if request.output is not None and request.output_mode == "native":
            body["outputConfig"] = converse.output_config(request.output, host=self.name)
        if host.guardrail is not None:
            body["guardrailConfig"] = host.guardrail.wire()
        if host.latency is not None:
            body["performanceConfig"] = {"latency": host.latency}
        if host.service_tier is not None:
            body["serviceTier"] = {"type": host.service_tier}
        return body

    def inference_config(self, request: Request, fam: str, extra: dict[str, Any]) -> dict[str, Any]:
        """``inferenceConfig``; ``top_k``, which it lacks, goes where the family reads it (Claude's
        ``top_k``, Nova's ``inferenceConfig.topK`` in the model fields) or is refused."""
        config: dict[str, Any] = {}
        for name, value in request.sampling.items():
            if name == "max_tokens":
                config["maxTokens"] = value
            elif name == "temperature":
                config["temperature"] = value
            elif name == "top_p":
                config["topP"] = value
            elif name == "stop":
                config["stopSequences"] = list(value)
            elif name == "top_k" and fam == "claude":
                extra["top_k"] = value
            elif name == "top_k" and fam in ("nova", "nova-2"):
                extra.setdefault("inferenceConfig", {})["topK"] = value
            else:
                raise UnsupportedFeature(f"{self.name} does not accept the sampling setting {name!r} for "
                                         f"{request.model}", host=self.name)
        return config

    def encode_thinking(self, plan: ThinkingPlan, model_id: str, extra: dict[str, Any],
                        inference: dict[str, Any], *, model: str = "") -> None:
        """The family's thinking fields, into ``additionalModelRequestFields`` (HOSTS-MORE §1.8)."""
        name = self.name
        fam = family(model_id, model)

        def refuse(why: str) -> UnsupportedFeature:
            return UnsupportedFeature(f"{name}: {why}", host=name)

        if fam == "claude":
            if plan.always_on and plan.effort is None and plan.budget is None:
                return
            if plan.enabled and not plan.include_reasoning:
                raise refuse("Claude's reasoning comes back signed and must be sent back on tool turns, so it "
                             "cannot be hidden; use Thinking(include=True)")
            adaptive = any(m in f"{model_id} {model}" for m in _ADAPTIVE_CLAUDE)
            if plan.enabled and plan.budget is None and not adaptive:
                raise refuse("this Claude model takes a thinking budget (budget_tokens), not an effort or "
                             "adaptive thinking (Claude 4.6 and later)")
            fields = messages.thinking_fields(plan, host=name)
            budget = fields["thinking"].get("budget_tokens")
            if budget is not None and budget >= inference.get("maxTokens", budget + 1):
                raise refuse(f"the thinking budget ({budget}) must be below max_tokens ({inference['maxTokens']})")
            extra.update(fields)
        elif fam == "gpt-oss":
            if not plan.enabled:
                raise refuse("gpt-oss always reasons on Bedrock; reasoning_effort 'none' is rejected")
            if plan.budget is not None:
                raise refuse("gpt-oss has no thinking budget; ask for an effort (low|medium|high)")
            if plan.effort is not None:
                if plan.effort not in ("low", "medium", "high"):
                    raise refuse(f"gpt-oss takes reasoning_effort low|medium|high, not {plan.effort!r}")
                extra["reasoning_effort"] = plan.effort
        elif fam == "qwen":
            if not plan.enabled:
                return  # no field, no reasoning block (observed)
            if plan.budget is not None:
                raise refuse("Qwen3 on Bedrock has no thinking budget; ask for effort low or high")
            effort = plan.effort or "high"
            if effort not in ("low", "high"):
                raise refuse(f"Qwen3 on Bedrock takes reasoning_config low|high, not {effort!r}")
            extra["reasoning_config"] = effort
        elif fam in ("deepseek-r1", "kimi-thinking"):
            if not plan.enabled:
                raise refuse(f"{model_id} always reasons; it cannot be turned off")
            if plan.effort is not None or plan.budget is not None:
                raise refuse(f"{model_id} takes no reasoning effort or budget (it always reasons)")
        elif fam == "nova-2":
            if not plan.enabled:
                return
            if plan.budget is not None:
                raise refuse("Nova 2 has no thinking budget; ask for an effort (low|medium|high)")
            effort = plan.effort or "medium"
            if effort not in ("low", "medium", "high"):
                raise refuse(f"Nova 2 takes maxReasoningEffort low|medium|high, not {effort!r}")
            extra["reasoningConfig"] = {"type": "enabled", "maxReasoningEffort": effort}
        elif plan.enabled and not plan.always_on:
            raise refuse(f"{model_id} has no reasoning setting on Bedrock")

    def encode_reasoning(self, part: ReasoningPart, fam: str) -> dict[str, Any] | None:
        """An earlier answer's reasoning as it goes back: signed or redacted blocks verbatim, and only to the
        host that produced them; DeepSeek's and Kimi's unsigned reasoning as ``<think>`` text (observed
        accepted); other unsigned reasoning is not sent back (no family needs it)."""
        if part.source != self.name:
            return None
        if part.redacted is not None:
            return {"reasoningContent": {"redactedContent": part.redacted}}
        if part.signature is not None:
            return {"reasoningContent": {"reasoningText": {"text": part.text, "signature": part.signature}}}
        if fam in ("deepseek-r1", "kimi-thinking") and part.text:
            return {"text": f"<think>\n{part.text}\n</think>"}
        return None

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        body = self.encode(request, model_id)
        operation = "converse-stream" if request.stream else "converse"
        accept = "application/vnd.amazon.eventstream" if request.stream else "application/json"
        return HttpCall("POST", self.model_url(model_id, operation), body=body, stream=request.stream,
                        headers={"Accept": accept})

    # ------------------------------------------------------------------------------------------ decoding
    def _reasoning_first(self, info: CallInfo) -> bool:
        return family(info.host_model_id, info.model) == "deepseek-r1"

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        return converse.decode_response(body, info, reasoning_first=self._reasoning_first(info))

    def stream_decoder(self) -> StreamDecoder:
        return EventStreamDecoder(self.name)

    def open_stream(self, info: CallInfo) -> converse.ConverseStream:
        def on_error(exception_type: str, payload: Mapping[str, Any]) -> HostError:
            err = converse.error_from_body(self.name, 200, exception_type, dict(payload), error_class_for_status)
            err.request_id = info.request_id
            err.redact(self.host._known_key())
            return err

        return converse.ConverseStream(info, on_error, reasoning_first=self._reasoning_first(info))

    def finish_stream(self, state: converse.ConverseStream, info: CallInfo) -> Completion:
        return state.completion()

    def is_error_body(self, body: Mapping[str, Any]) -> bool:
        return "output" not in body and isinstance(body.get("message"), str)

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return self.host.error_from_body(status, headers, body)

    # ------------------------------------------------------------------------------------------ CountTokens
    def counts_tokens(self, request: Request) -> bool:
        """CountTokens serves Anthropic's models (the only ones AWS lists and the ones recorded)."""
        return family(self.host_model_id(request), request.model) == "claude"

    def count_call(self, request: Request) -> HttpCall:
        prepared = self.prepare(request)
        body = prepared.call.body
        keep = {k: body[k] for k in ("messages", "system", "toolConfig", "additionalModelRequestFields") if k in body}
        return HttpCall("POST", self.model_url(prepared.info.host_model_id, "count-tokens"),
                        body={"input": {"converse": keep}},
                        headers={"Content-Type": "application/json", "Accept": "application/json",
                                 **self.host._headers})

class Bedrock(Host):
    name: ClassVar[str] = "bedrock"
    default_base_url: ClassVar[str] = f"https://bedrock-runtime.{DEFAULT_REGION}.amazonaws.com"
    api_key_env: ClassVar[tuple[str, ...]] = ("AWS_BEARER_TOKEN_BEDROCK",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-amzn-requestid", "x-amzn-request-id", "x-request-id")
    chat_endpoint: ClassVar[type[Any] | str | None] = BedrockConverse

    def __init__(self, api_key: str | None = None, *, region: str | None = None, api: BedrockAPI = "converse",
                 auth: BedrockAuth = "auto", profile: str | None = None, session: Any = None,
                 credentials: Any = None, guardrail: Guardrail | None = None, service_tier: str | None = None,
                 latency: str | None = None, cache: Iterable[str] = (), **kwargs: Any) -> None:
        """``session`` is a botocore session and ``credentials`` botocore credentials, for SigV4 (else the
        default chain, with ``profile=``); the rest is described in the module's docstring."""
        if api not in ("converse", "openai", "mantle"):
            raise ConfigurationError(f"bedrock: api must be 'converse', 'openai' or 'mantle', not {api!r}",
                                     host="bedrock")
        if auth not in ("auto", "bearer", "sigv4"):
            raise ConfigurationError(f"bedrock: auth must be 'auto', 'bearer' or 'sigv4', not {auth!r}",
                                     host="bedrock")
        places = frozenset(cache)
        if not places <= _CACHE_PLACES:
            raise ConfigurationError(f"bedrock: cache points go in {', '.join(sorted(_CACHE_PLACES))}, not "
                                     f"{', '.join(sorted(places - _CACHE_PLACES))}", host="bedrock")
        if service_tier is not None and service_tier not in _SERVICE_TIERS:
            raise ConfigurationError(f"bedrock: service_tier is one of {', '.join(sorted(_SERVICE_TIERS))}, not "
                                     f"{service_tier!r}", host="bedrock")
        if latency is not None and latency not in _LATENCIES:
            raise ConfigurationError(f"bedrock: latency is 'standard' or 'optimized', not {latency!r}",
                                     host="bedrock")
        self.region = resolve_region(region, session) or DEFAULT_REGION
        self.api: BedrockAPI = api
        self.auth = auth
        self.guardrail = guardrail
        self.service_tier = service_tier
        self.latency = latency
        self.cache = places
        if not kwargs.get("base_url"):
            kwargs["base_url"] = (f"https://bedrock-mantle.{self.region}.api.aws" if api == "mantle"
                                  else f"https://bedrock-runtime.{self.region}.amazonaws.com")
        super().__init__(api_key, **kwargs)
        self._signer = SigV4Signer(self.region, service="bedrock-mantle" if api == "mantle" else "bedrock",
                                   session=session, profile=profile, credentials=credentials)
        self._explicit_aws = session is not None or credentials is not None or profile is not None

    def __repr__(self) -> str:
        return (f"Bedrock(region={self.region!r}, api={self.api!r}, auth={self._auth_mode()!r}, "
                f"key={'set' if self.has_key else 'missing'})")

    def endpoint_class(self, kind: Kind) -> type[Any] | None:
        """Chat is Converse, or the OpenAI-compatible Chat Completions of the runtime or of Mantle."""
        if kind == "chat" and self.api != "converse":
            from .bedrock_openai import BedrockOpenAIChat

            return BedrockOpenAIChat
        return super().endpoint_class(kind)

    # ------------------------------------------------------------------------------------------ auth
    def _auth_mode(self) -> str:
        if self.auth != "auto":
            return self.auth
        return "bearer" if self._known_key() is not None else "sigv4"

    @property
    def has_key(self) -> bool:
        if self.auth != "sigv4" and super().has_key:
            return True
        if self.auth == "bearer":
            return False
        return self.auth == "sigv4" or self._explicit_aws or has_aws_credentials_hint()

    @property
    def missing_key_reason(self) -> str | None:
        if self.has_key:
            return None
        return ("bedrock: no credentials: set AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key), or AWS credentials "
                "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, an instance role) with "
                "pip install 'rehost[bedrock]'")

    def authorize(self, call: HttpCall) -> None:
        if self._caller_authorized(call):
            return  # the caller's own Authorization
        if self._auth_mode() == "bearer":
            super().authorize(call)
            return
        self._signer.sign(call)

    async def aauthorize(self, call: HttpCall) -> None:
        if self._caller_authorized(call) or self._auth_mode() == "bearer":
            self.authorize(call)
            return
        # botocore may read files or ask instance metadata for credentials: not on the event loop
        await asyncio.to_thread(self._signer.sign, call)

    def auth_headers(self) -> dict[str, str]:
        key = self._resolve_key()
        if key is None:
            raise MissingAPIKey(self.missing_key_reason or "bedrock: no Bedrock API key", host=self.name)
        return {"Authorization": f"Bearer {key}"}

    # ------------------------------------------------------------------------------------------ errors
    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        code = headers.get("x-amzn-ErrorType") or headers.get("x-amzn-errortype")
        if code:
            code = code.split(":", 1)[0]
        return converse.error_from_body(self.name, status, code, body, error_class_for_status)
