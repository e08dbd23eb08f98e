"""Base for every host that speaks the OpenAI ``/chat/completions`` dialect, and a generic host for any
such server that has no class of its own (``OpenAICompatible(base_url=..., api_key_env=...)``).

Two classes, split as every host is: ``OpenAIChat`` is the chat endpoint (the codec of the dialect plus the
hooks a host overrides: field names ``sampling_fields``, how thinking is spelled ``encode_thinking``, how an
assistant turn's reasoning is sent back ``encode_reasoning``, where reasoning and finish reasons come back
``reasoning_fields`` / ``finish_reasons``, extras in the answer ``host_timing`` / ``host_cost``), and
``OpenAICompatible`` is the host (identity, key, errors: ``classify_error``). A host class is the pair:
``class Groq(OpenAICompatible): chat_endpoint = GroqChat``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ..shared.chat.plain import FinishReason
from ..shared.errors import (
    ContentBlocked,
    ContextWindowExceeded,
    HostError,
    ModelNotFound,
    NotFound,
    UnsupportedFeature,
)
from ..shared.request import Request, ThinkingPlan
from ..shared.transport import HttpCall
from .base import ChatEndpoint, Host, error_class_for_status
from .dialects import openai_chat
from .dialects.common import CallInfo

if TYPE_CHECKING:  # annotations only: the neutral types load with the first call (issue 18: import time)
    from ..shared.types import Completion, DocumentPart, ImagePart, ReasoningPart

__all__ = ["OpenAIChat", "OpenAICompatible"]

#: name endings of machines on a private network (mDNS, Docker/Kubernetes, RFC 8375)
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def _self_hosted(url: str) -> bool:
    """Whether a URL points at this machine or a private network: a loopback, private or link-local address,
    ``localhost``, a single-label name (a Docker or Kubernetes service) or a private name ending."""
    host = httpx.URL(url).host
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or "." not in host or host.endswith(_PRIVATE_SUFFIXES)
    return address.is_loopback or address.is_private or address.is_link_local


_CONTEXT_MARKERS = (
    "context_length_exceeded",
    "maximum context length",
    "context length",
    "context window",
    "exceed_context_size",
    "reduce the length",
    "too many tokens",
)


#: finish reasons OpenAI-compatible servers send beyond OpenAI's own, seen across hosts and servers
#: (Mistral ``model_length`` / ``error``, Together ``eos``, Anthropic-style ``end_turn`` / ``tool_use`` /
#: ``max_tokens`` from proxies): the generic endpoint reads them all, as it may face any server
_COMPATIBLE_FINISH: Mapping[str, FinishReason] = {
    **openai_chat.OPENAI_FINISH_REASONS,
    "end_turn": "stop",
    "eos": "stop",
    "model_length": "length",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "error": "error",
}


class OpenAIChat(ChatEndpoint):
    """The OpenAI chat-completions surface of a host; host endpoint classes override its hooks."""

    chat_path: ClassVar[str] = "/chat/completions"
    #: the text-completion endpoint (``/completions``) for plain prompts, or None where the host has none
    completion_path: ClassVar[str | None] = "/completions"
    sampling_fields: ClassVar[Mapping[str, str | None]] = openai_chat.DEFAULT_SAMPLING_FIELDS
    #: send ``stream_options.include_usage`` on streamed calls (hosts that reject it turn this off)
    stream_usage: ClassVar[bool] = True
    #: strict structured output when the caller does not say: True (when the schema allows), or None (omit)
    default_strict: ClassVar[bool | None] = True
    accepts: frozenset[str] = frozenset({"text", "image"})
    #: the server passes ``chat_template_kwargs`` to the model's chat template (vLLM, llama.cpp, SGLang)
    template_kwargs: bool = False
    #: message / delta fields that carry reasoning. The generic endpoint faces any server, so it reads both
    #: spellings servers use (vLLM ``reasoning``, older vLLM / SGLang / llama.cpp ``reasoning_content``,
    #: HOSTS.md 11.2); a host class names its own.
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning", "reasoning_content")
    #: a list of reasoning items kept verbatim for send-back (OpenRouter's ``reasoning_details``), or None
    reasoning_details_field: ClassVar[str | None] = None
    #: the ``type`` of typed ``content`` chunks holding reasoning (Mistral's ``thinking``), or None
    thinking_chunk: ClassVar[str | None] = None
    #: native finish reason -> neutral one
    finish_reasons: ClassVar[Mapping[str, FinishReason]] = _COMPATIBLE_FINISH

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        override = getattr(host, "template_kwargs", None)
        if isinstance(override, bool):
            self.template_kwargs = override
        self.reading = openai_chat.Reading(
            reasoning_fields=self.reasoning_fields, details_field=self.reasoning_details_field,
            thinking_chunk=self.thinking_chunk, finish_reasons=self.finish_reasons,
        )

    @property
    def takes_prompts(self) -> bool:  # type: ignore[override]
        return self.completion_path is not None

    # ------------------------------------------------------------------------------------------ encoding
    def build_call(self, request: Request, model_id: str) -> HttpCall:
        if request.prompt is not None:
            assert self.completion_path is not None
            body = openai_chat.encode_completion_body(request, model_id, host=self.name,
                                                      sampling_fields=self.sampling_fields,
                                                      stream_usage=self.stream_usage)
            return HttpCall("POST", self.base_url + self.completion_path, body=body, stream=request.stream)
        body = openai_chat.encode_body(
            request, model_id, host=self.name, sampling_fields=self.sampling_fields,
            encode_reasoning=self.encode_reasoning, part_encoder=self.encode_part, stream_usage=self.stream_usage,
        )
        if request.thinking is not None:
            self.encode_thinking(request.thinking, body, model_id)
        if request.output is not None:
            self.encode_output(request, body)
        return HttpCall("POST", self.base_url + self.chat_path, body=body, stream=request.stream)

    def encode_part(self, part: ImagePart | DocumentPart) -> dict[str, Any]:
        """An image or PDF in a user turn (OpenAI's spelling unless the host differs)."""
        return openai_chat.encode_part(part)

    def encode_output(self, request: Request, body: dict[str, Any]) -> None:
        """The structured-output field: ``response_format`` (native: a JSON schema; json: JSON mode)."""
        assert request.output is not None
        if request.output_mode == "native":
            body["response_format"] = openai_chat.json_schema_format(request.output, strict=self.default_strict,
                                                                     host=self.name)
        elif request.output_mode == "json":
            body["response_format"] = {"type": "json_object"}

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        """Spell the thinking plan for this host. A host without documented controls can only let a model
        think at its own default, or flip a hybrid model's own switch (``switch_thinking``)."""
        if plan.always_on or (plan.default_depth and plan.include_reasoning):
            return
        if self.switch_thinking(plan, body):
            return
        raise UnsupportedFeature(
            f"{self.name} has no documented thinking controls; it can only run the model's default "
            "(ask for Thinking() or leave thinking unset)", host=self.name,
        )

    def switch_thinking(self, plan: ThinkingPlan, body: dict[str, Any]) -> bool:
        """Turn a hybrid model's thinking on or off through the model's own switches, for hosts without a
        thinking field: the chat-template variable where the host passes template options, else the soft
        switch written into the last user turn. False when the plan is more than on/off or the model has
        no switch."""
        if plan.effort is not None or plan.budget is not None or (plan.enabled and not plan.include_reasoning):
            return False
        if plan.template_switch and self.template_kwargs:
            body.setdefault("chat_template_kwargs", {})[plan.template_switch] = plan.enabled
            return True
        if plan.prompt_switch:
            word = plan.prompt_switch[0 if plan.enabled else 1]
            for wire in reversed(body["messages"]):
                if wire.get("role") == "user":
                    content = wire["content"]
                    if isinstance(content, str):
                        wire["content"] = f"{content} {word}"
                    else:
                        content.append({"type": "text", "text": word})
                    return True
        return False

    def encode_reasoning(self, parts: list[ReasoningPart], wire: dict[str, Any]) -> None:
        """Send an assistant turn's reasoning back; by default hosts do not take it, so it is left out."""

    # ------------------------------------------------------------------------------------------ decoding
    def request_id_from_body(self, body: Mapping[str, Any]) -> str | None:
        return None

    def host_timing(self, body: Mapping[str, Any]) -> dict[str, float] | None:
        return None

    def host_cost(self, usage: Mapping[str, Any] | None) -> float | None:
        return None

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        if info.request_id is None:
            info.request_id = self.request_id_from_body(body)
        return openai_chat.decode_completion(
            body, info, reading=self.reading, host_timing=self.host_timing(body),
            host_cost=self.host_cost(body.get("usage")),
        )

    def open_stream(self, info: CallInfo) -> openai_chat.ChatStream:
        return openai_chat.ChatStream(info, lambda payload: self.map_inband_error(payload, info), self.reading)

    def stream_usage_raw(self, state: openai_chat.ChatStream) -> Mapping[str, Any] | None:
        return state.usage_raw

    def finish_stream(self, state: openai_chat.ChatStream, info: CallInfo) -> Completion:
        if info.request_id is None and state.first_chunk is not None:
            info.request_id = self.request_id_from_body(state.first_chunk)
        last = state.last_chunk or {}
        usage_raw = self.stream_usage_raw(state)
        return state.completion(host_timing=self.host_timing(last), host_cost=self.host_cost(usage_raw),
                                usage_raw=usage_raw)


class OpenAICompatible(Host):
    """A host speaking the OpenAI chat-completions dialect; this class itself is the generic one, for any
    such server (``OpenAICompatible(base_url=..., api_key_env=..., name=...)``)."""

    name: ClassVar[str] = "openai-compatible"
    default_base_url: ClassVar[str] = "http://localhost:8000/v1"
    #: the generic host faces any server, and servers in front of OpenAI-style models take the key as a bearer
    #: token, or as ``api-key`` (Azure OpenAI, APIM gateways) or ``x-api-key`` (many proxies): a caller who
    #: sets any of them in ``headers=`` needs no ``api_key``
    auth_header_names: ClassVar[tuple[str, ...]] = ("authorization", "api-key", "x-api-key")
    chat_endpoint: ClassVar[type[Any] | None] = OpenAIChat
    #: whether the server passes ``chat_template_kwargs`` to the model's template: None leaves it to the
    #: chat endpoint class; ``template_kwargs=`` sets it for the generic host's unknown server
    template_kwargs: bool | None = None

    def __init__(
        self,
        api_key: str | None = None,
        *,
        name: str | None = None,
        api_key_env: str | tuple[str, ...] | None = None,
        template_kwargs: bool | None = None,
        **kwargs: Any,
    ) -> None:
        if name is not None:
            self.name = name  # type: ignore[misc]
        if api_key_env is not None:
            self.api_key_env = (api_key_env,) if isinstance(api_key_env, str) else api_key_env  # type: ignore[misc]
        if template_kwargs is not None:
            self.template_kwargs = template_kwargs
        super().__init__(api_key, **kwargs)

    def auth_headers(self) -> dict[str, str]:
        if not self.api_key_env and not self._api_key:
            return {}  # a local server without auth
        return super().auth_headers()

    @property
    def serves_any_model(self) -> bool:
        """The generic class pointed at this machine or a private network is a self-hosted server (SGLang, LM
        Studio, vLLM, llama.cpp, ...), serving whatever it was started with. Host classes say for themselves:
        a hosted service's class stays a service when pointed at a proxy or an emulator on loopback."""
        return type(self) is OpenAICompatible and _self_hosted(self.base_url)

    # ------------------------------------------------------------------------------------------ errors
    def classify_error(self, status: int, message: str, etype: str | None, code: str | None) -> type[HostError]:
        """The error class for an OpenAI-style error body; hosts extend this with their own codes."""
        text = f"{code or ''} {etype or ''} {message}".lower()
        if status in (400, 413, 422) and any(m in text for m in _CONTEXT_MARKERS):
            return ContextWindowExceeded
        if code in ("model_not_found", "unknown_model") or (status == 404 and "model" in text):
            return ModelNotFound
        if code in ("content_filter", "content_policy_violation") or etype == "content_policy_violation":
            return ContentBlocked
        cls = error_class_for_status(status)
        if status == 200:
            return error_class_for_status(500) if "server" in text else cls
        return NotFound if cls is NotFound else cls

    def error_message(self, body: Any, message: str | None) -> str | None:
        return message

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        message, etype, code, _param = openai_chat.error_fields(body)
        message = self.error_message(body, message)
        cls = self.classify_error(status, message or "", etype, code)
        request_id = body.get("request_id") if isinstance(body, Mapping) else None
        raw = body if isinstance(body, str) else None
        if raw is None:
            import json

            raw = json.dumps(body, ensure_ascii=False)
        return cls(message or f"{self.name} answered HTTP {status}", host=self.name, status=status,
                   code=code or etype, request_id=request_id, body=raw)
