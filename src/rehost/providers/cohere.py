"""Cohere (``api.cohere.com``): v2 chat (``POST /v2/chat``) and v2 embed (``POST /v2/embed``).

Errors are ``{"id": "...", "message": "..."}`` with no ``error`` wrapper (recorded: 404 for an unknown model);
Cohere's SDK also names 498 (an invalid token: AuthenticationError here).
The chat shapes are in ``dialects/cohere_chat.py``, the embed ones in ``dialects/cohere_embed.py`` (at most 96
texts a call [HOSTS-MEDIA §5.5]). Citations of a grounded answer are kept on ``Completion.citations``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from ..shared.embed.types import EmbedRequest, EmbedUsage, Vectors
from ..shared.errors import (
    AuthenticationError,
    ContextWindowExceeded,
    HostError,
    ModelNotFound,
    NotFound,
    UnsupportedFeature,
)
from ..shared.output import OutputMode
from ..shared.request import Request
from ..shared.transport import HttpCall
from ..shared.types import Completion
from .base import ChatEndpoint, error_class_for_status
from .base.embed import EmbedEndpoint
from .base.host import Host
from .dialects import cohere_chat, cohere_embed
from .dialects.common import CallInfo

__all__ = ["BASE_URL", "Cohere", "CohereChat", "CohereEmbed", "error_from_body"]

BASE_URL = "https://api.cohere.com"


#: a code Cohere's SDK names beyond the usual ones: 498, an invalid token
_STATUS: dict[int, type[HostError]] = {498: AuthenticationError}


def error_from_body(status: int, body: Any, *, host: str = "cohere") -> HostError:
    message = body.get("message") if isinstance(body, Mapping) else None
    text = str(message) if message else (body if isinstance(body, str) and body else f"HTTP {status}")
    cls = _STATUS.get(status) or error_class_for_status(status)
    if cls is NotFound and "model" in text.lower():
        cls = ModelNotFound
    elif status in (400, 422) and "too many tokens" in text.lower():
        cls = ContextWindowExceeded
    request_id = body.get("id") if isinstance(body, Mapping) else None
    return cls(text[:2000], host=host, status=status, request_id=str(request_id) if request_id else None,
               body=str(body)[:2000])


class Cohere(Host):
    """Cohere's API (``api.cohere.com``, key in ``COHERE_API_KEY`` or the SDK's ``CO_API_KEY``)."""

    name: ClassVar[str] = "cohere"
    default_base_url: ClassVar[str] = BASE_URL
    api_key_env: ClassVar[tuple[str, ...]] = ("COHERE_API_KEY", "CO_API_KEY")
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "x-trace-id")
    chat_endpoint = "CohereChat"
    embed_endpoint = "CohereEmbed"

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return error_from_body(status, body, host=self.name)


class CohereEmbed(EmbedEndpoint):
    """``POST /v2/embed``: ``texts``, ``input_type`` (required by v3+ models: the family's embedder gives
    one), ``embedding_types: ["float"]``, ``truncate`` NONE | START | END, ``output_dimension`` (embed-v4)."""

    max_inputs = 96

    def build_call(self, request: EmbedRequest, model_id: str) -> HttpCall:
        return HttpCall("POST", self.base_url + "/v2/embed", body=cohere_embed.encode_embed(request, model_id))

    def decode(self, body: Any, request: EmbedRequest, info: CallInfo) -> tuple[Vectors, EmbedUsage]:
        return cohere_embed.decode_embed(body, host=self.name, expected=len(request.inputs))


class CohereChat(ChatEndpoint):
    """``POST /v2/chat`` (streamed with ``"stream": true``): messages, tools, ``response_format``, sampling as
    ``k`` / ``p``, ``thinking{type, token_budget}``; thinking content blocks, tool calls and citations back."""

    accepts: frozenset[str] = frozenset({"text"})  # image content is not in the stored facts
    #: ``response_format`` json_object with a ``json_schema`` (not together with tools), else a forced tool
    output_modes: tuple[OutputMode, ...] = ("native", "json", "tool", "prompt")

    def plan_output(self, request: Request) -> Request:
        """``response_format`` cannot travel with tools: a call with tools and no chosen mode gets the schema
        as a forced tool instead (an explicit ``native`` / ``json`` with tools is refused in ``build_call``)."""
        if request.output_mode == "auto" and request.tools:
            request = dataclasses.replace(request, output_mode="tool")
        return super().plan_output(request)

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        body = cohere_chat.encode_chat(request, model_id, host=self.name)
        if request.thinking is not None:
            cohere_chat.encode_thinking(request.thinking, body, host=self.name)
        if request.output is not None and request.output_mode in ("native", "json"):
            if request.tools:
                raise UnsupportedFeature("cohere cannot combine response_format with tools; use "
                                         "output_mode='tool' or 'prompt'", host=self.name)
            fmt: dict[str, Any] = {"type": "json_object"}
            if request.output_mode == "native" and request.output.schema is not None:
                fmt["json_schema"] = request.output.schema
            body["response_format"] = fmt
        return HttpCall("POST", self.base_url + "/v2/chat", body=body, stream=request.stream)

    def is_error_body(self, body: Mapping[str, Any]) -> bool:
        return "message" in body and not isinstance(body.get("message"), Mapping) and "finish_reason" not in body

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        return cohere_chat.decode_chat(body, info)

    def open_stream(self, info: CallInfo) -> cohere_chat.CohereStream:
        return cohere_chat.CohereStream(info, lambda payload: self.map_inband_error(payload, info))

    def finish_stream(self, state: cohere_chat.CohereStream, info: CallInfo) -> Completion:
        return state.completion()
