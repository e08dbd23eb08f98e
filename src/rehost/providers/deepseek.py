"""DeepSeek's own API (``api.deepseek.com``): chat completions, or the Responses API with ``api="responses"``.

Thinking (V3.1 and later, V4): ``thinking: {"type": "enabled" | "disabled"}`` plus ``reasoning_effort``
``high | max`` (the only two values both versions of DeepSeek's docs agree on); there is no budget.
Reasoning comes back as ``reasoning_content``; in thinking mode the reasoning of a tool-call turn must be
sent back as ``reasoning_content`` (the API answers 400 otherwise), which ``encode_reasoning`` does whenever
the model's client keeps it. Errors: 402 means the balance ran out, 503 that the servers are busy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import httpx

from ..shared.errors import UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import Request, ThinkingPlan
from ..shared.transport import HttpCall
from ..shared.types import Completion, ReasoningPart
from .base import ChatEndpoint, Kind
from .dialects import openai_chat, openai_responses
from .dialects.common import CallInfo
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["DeepSeek", "DeepSeekChat", "DeepSeekResponses"]

_EFFORTS = frozenset({"high", "max"})


class DeepSeekChat(OpenAIChat):
    """DeepSeek's chat completions (``/chat/completions``)."""

    completion_path: ClassVar[str | None] = None  # no plain text-completion endpoint
    sampling_fields: ClassVar[Mapping[str, str | None]] = {
        **openai_chat.DEFAULT_SAMPLING_FIELDS,
        "seed": None,  # not in DeepSeek's parameter list
    }
    accepts: frozenset[str] = frozenset({"text"})
    # no json_schema response format is documented: JSON mode (the prompt carries the schema) comes first
    output_modes: tuple[OutputMode, ...] = ("json", "tool", "prompt")
    #: ``message.reasoning_content`` / ``delta.reasoning_content`` (HOSTS.md 11.2, api-docs.deepseek.com)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("deepseek has no thinking budget; ask for effort high or max", host=self.name)
        if plan.always_on and plan.effort is None:
            return  # the legacy reasoner alias thinks without being asked
        body["thinking"] = {"type": "enabled" if plan.enabled else "disabled"}
        if plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"deepseek takes reasoning_effort high|max, not {plan.effort!r}",
                                         host=self.name)
            body["reasoning_effort"] = plan.effort

    def encode_reasoning(self, parts: list[ReasoningPart], wire: dict[str, Any]) -> None:
        text = "".join(p.text for p in parts)
        if text:
            wire["reasoning_content"] = text


class DeepSeekResponses(ChatEndpoint):
    """DeepSeek's Responses API (``/responses``)."""

    accepts: frozenset[str] = frozenset({"text"})
    output_modes: tuple[OutputMode, ...] = ("prompt", "tool")

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        body = openai_responses.encode_body(request, model_id, host=self.name)
        if request.thinking is not None:
            body["reasoning"] = {"effort": self._effort(request.thinking)}
        return HttpCall("POST", self.base_url + "/responses", body=body, stream=request.stream)

    def _effort(self, plan: ThinkingPlan) -> str:
        if not plan.enabled:
            return "none"
        if plan.budget is not None:
            raise UnsupportedFeature("deepseek has no thinking budget; ask for effort high or max", host=self.name)
        if plan.effort is None:
            return "high"  # DeepSeek's documented default effort
        if plan.effort not in _EFFORTS | {"low"}:
            raise UnsupportedFeature(f"deepseek Responses takes effort low|high|max, not {plan.effort!r}",
                                     host=self.name)
        return plan.effort

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        return openai_responses.decode_response(body, info)

    def open_stream(self, info: CallInfo) -> openai_responses.ResponsesStream:
        return openai_responses.ResponsesStream(info, lambda payload: self.map_inband_error(payload, info))

    def finish_stream(self, state: openai_responses.ResponsesStream, info: CallInfo) -> Completion:
        return state.completion()


DeepSeekAPI = Literal["chat", "responses"]


class DeepSeek(OpenAICompatible):
    name: ClassVar[str] = "deepseek"
    default_base_url: ClassVar[str] = "https://api.deepseek.com"
    api_key_env: ClassVar[tuple[str, ...]] = ("DEEPSEEK_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = DeepSeekChat

    def __init__(self, api_key: str | None = None, *, api: DeepSeekAPI = "chat", **kwargs: Any) -> None:
        if api not in ("chat", "responses"):
            raise ValueError(f"api must be 'chat' or 'responses', not {api!r}")
        super().__init__(api_key, **kwargs)
        self.api: DeepSeekAPI = api

    def endpoint_class(self, kind: Kind) -> type[Any] | None:
        """Chat is chat completions or the Responses API, as ``api=`` chose."""
        if kind == "chat" and self.api == "responses":
            return DeepSeekResponses
        return super().endpoint_class(kind)
