"""Ollama (``http://localhost:11434``), on either of its two surfaces. HOSTS.md §9.2.

``api="native"`` (the default) speaks Ollama's own ``/api/chat`` (plain prompts: ``/api/generate`` with
``raw``): thinking is ``think`` (``false`` / ``true`` / a level ``low|medium|high|max``), reasoning comes back
in ``message.thinking``, structured output is ``format`` (a JSON schema, or ``"json"``), sampling goes in
``options`` (``max_tokens`` is ``num_predict``), and streams are NDJSON, not SSE.

``api="openai"`` speaks the OpenAI dialect under ``/v1``: thinking is ``reasoning_effort`` (``none`` turns it
off; levels ``low|medium|high|max``, so ``minimal`` is sent as ``low`` and ``xhigh`` as ``max``) and reasoning
comes back in ``reasoning``.

Neither surface has a thinking budget or ``tool_choice``, so structured output never goes by a forced tool
call. Errors are ``{"error": "message"}`` natively and OpenAI-shaped under ``/v1``; an error line inside a
native stream keeps the HTTP 200 and is raised as a ServerError. A local server needs no key (one set in
``OLLAMA_API_KEY`` or passed is sent as a Bearer token, as ollama.com expects).

A self-hosted Ollama serves whatever was pulled into it: any catalogued model goes, by its catalogue row (an
Ollama library tag) where there is one, else its open-weights id (``models=`` or ``host_model_id=`` for the
tag you pulled). ollama.com's cloud serves its own list, so there only catalogued rows go.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import httpx

from ..shared.errors import (
    ContentBlocked,
    ContextWindowExceeded,
    HostError,
    ModelNotFound,
    ServerError,
    UnsupportedFeature,
)
from ..shared.output import OutputMode
from ..shared.request import Request, ThinkingPlan
from ..shared.transport import HttpCall, public_url
from ..shared.types import Completion
from .base import ChatEndpoint, Kind, StreamFormat
from .dialects import ollama_native
from .dialects.common import CallInfo
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Ollama", "OllamaNative", "OllamaOpenAI"]

OllamaAPI = Literal["native", "openai"]

#: neutral effort -> Ollama level (native ``think`` and ``/v1`` ``reasoning_effort`` take the same words)
_LEVELS: Mapping[str, str] = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "max",
                              "max": "max"}


def _level(plan: ThinkingPlan, host: str) -> str | None:
    if plan.budget is not None:
        raise UnsupportedFeature("ollama has no thinking budget; ask for an effort (low|medium|high|max)", host=host)
    return None if plan.effort is None else _LEVELS[plan.effort]


def _check_tool_choice(request: Request, host: str) -> None:
    if request.tool_choice not in (None, "auto"):
        raise UnsupportedFeature("ollama has no tool_choice: the model always chooses (auto)", host=host)


class OllamaNative(ChatEndpoint):
    """Ollama's own ``/api/chat`` (plain prompts: ``/api/generate``), streamed as NDJSON."""

    stream_format: StreamFormat = "ndjson"
    stream_content_types: tuple[str, ...] = ("application/x-ndjson",)
    accepts: frozenset[str] = frozenset({"text", "image"})
    output_modes: tuple[OutputMode, ...] = ("native", "json", "prompt")
    takes_prompts: bool = True

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        _check_tool_choice(request, self.name)
        if request.prompt is not None:
            body = ollama_native.encode_generate_body(request, model_id, host=self.name)
            return HttpCall("POST", self.base_url + "/api/generate", body=body, stream=request.stream)
        think = None if request.thinking is None else self.native_think(request.thinking)
        body = ollama_native.encode_chat_body(request, model_id, host=self.name, think=think)
        return HttpCall("POST", self.base_url + "/api/chat", body=body, stream=request.stream)

    def native_think(self, plan: ThinkingPlan) -> bool | str | None:
        """``think``: false (off), true (on), or the level of an effort; None for a model that always thinks."""
        level = _level(plan, self.name)
        if level is not None:
            return level
        if plan.always_on:
            return None
        return plan.enabled

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        return ollama_native.decode_response(body, info)

    def open_stream(self, info: CallInfo) -> ollama_native.NativeStream:
        return ollama_native.NativeStream(info, lambda payload: self.map_inband_error(payload, info))

    def finish_stream(self, state: ollama_native.NativeStream, info: CallInfo) -> Completion:
        return state.completion()


class OllamaOpenAI(OpenAIChat):
    """Ollama's OpenAI-compatible surface under ``/v1``."""

    chat_path: ClassVar[str] = "/v1/chat/completions"
    completion_path: ClassVar[str | None] = "/v1/completions"
    #: Ollama ignores ``strict``; leave it out
    default_strict: ClassVar[bool | None] = None
    output_modes: tuple[OutputMode, ...] = ("native", "json", "prompt")
    #: ``message.reasoning`` / ``delta.reasoning`` (HOSTS.md 11.2)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning",)

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        _check_tool_choice(request, self.name)
        return super().build_call(request, model_id)

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        """``reasoning_effort``."""
        level = _level(plan, self.name)
        if level is not None:
            body["reasoning_effort"] = level
        elif not plan.enabled:
            body["reasoning_effort"] = "none"
        # on at the model's default depth: nothing to send


class Ollama(OpenAICompatible):
    name: ClassVar[str] = "ollama"
    default_base_url: ClassVar[str] = "http://localhost:11434"
    api_key_env: ClassVar[tuple[str, ...]] = ("OLLAMA_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = OllamaNative

    def __init__(self, api_key: str | None = None, *, api: OllamaAPI = "native", **kwargs: Any) -> None:
        if api not in ("native", "openai"):
            raise ValueError(f"api must be 'native' or 'openai', not {api!r}")
        base_url = kwargs.get("base_url")
        if isinstance(base_url, str) and base_url.rstrip("/").endswith("/v1"):
            kwargs["base_url"] = base_url.rstrip("/")[:-3]  # the OpenAI surface's URL: the server root is above
        super().__init__(api_key, **kwargs)
        self.api: OllamaAPI = api

    def __repr__(self) -> str:
        return f"Ollama(api={self.api!r}, base_url={public_url(self.base_url)!r})"

    def endpoint_class(self, kind: Kind) -> type[Any] | None:
        """Chat is the native API or the ``/v1`` one, as ``api=`` chose."""
        if kind == "chat" and self.api == "openai":
            return OllamaOpenAI
        return super().endpoint_class(kind)

    @property
    def missing_key_reason(self) -> str | None:
        return None  # a local server: the key is optional

    @property
    def serves_any_model(self) -> bool:
        host = httpx.URL(self.base_url).host
        return not (host == "ollama.com" or host.endswith(".ollama.com"))

    def auth_headers(self) -> dict[str, str]:
        key = self._resolve_key()
        return {"Authorization": f"Bearer {key}"} if key else {}

    # ------------------------------------------------------------------------------------------ errors
    def classify_error(self, status: int, message: str, etype: str | None, code: str | None) -> type[HostError]:
        if status == 200:  # an error line inside a native stream: unless the message says more, the runner failed
            cls = super().classify_error(400, message, etype, code)
            return cls if cls in (ContextWindowExceeded, ModelNotFound, ContentBlocked) else ServerError
        return super().classify_error(status, message, etype, code)
