"""Anthropic's own API (``api.anthropic.com/v1/messages``): the Messages dialect.

Auth is ``x-api-key`` plus the ``anthropic-version: 2023-06-01`` header. Thinking is spelled by the dialect
(``thinking`` budget or adaptive, ``output_config.effort``); signed thinking blocks come back and go back
verbatim, which is also why ``Thinking(include=False)`` is refused here: the blocks cannot be hidden from
the caller without losing what the next turn must send back.

Structured output: a forced tool by default (works on every Claude model), or Anthropic's
``output_config.format`` JSON schema with ``output_mode="native"``. With thinking on the API refuses a
forced tool, so ``auto`` picks the native format then (the prompt, on hosts without it).

Errors: ``{"type": "error", "error": {type, message}}`` with a ``request-id`` header; 529
``overloaded_error`` means Anthropic is busy (retried). No built-in tools are wired (Anthropic's server
tools return blocks this dialect does not decode yet).

The codec is ``AnthropicChat`` (the Messages endpoint, reused by Claude on Vertex); ``Anthropic`` is the host:
identity, key, auth headers and error bodies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from ..shared.errors import HostError
from ..shared.output import OutputMode
from ..shared.request import Request
from ..shared.transport import HttpCall
from ..shared.types import Completion
from .base import ChatEndpoint, Host, error_class_for_status
from .dialects import anthropic as messages
from .dialects.common import CallInfo

__all__ = ["Anthropic", "AnthropicChat"]

API_VERSION = "2023-06-01"


class AnthropicChat(ChatEndpoint):
    """The Messages dialect as a chat endpoint: encoding, decoding, streaming, and the output plan that avoids a
    forced tool while thinking. A host serving Claude elsewhere (Vertex) subclasses it for its URL and body."""

    accepts: frozenset[str] = frozenset({"text", "image", "document"})
    output_modes: tuple[OutputMode, ...] = ("tool", "native", "prompt")
    #: ``cache_control`` breakpoints (on the last tool, system block, message) with a 5m or 1h ttl
    prompt_cache_controls: ClassVar[frozenset[str]] = frozenset({"breakpoints", "ttl"})

    # ------------------------------------------------------------------------------------------ encoding
    def plan_output(self, request: Request) -> Request:
        thinking = request.thinking
        if request.output_mode == "auto" and thinking is not None and thinking.enabled:
            # a forced tool is refused while thinking: the native format where the host has it, else the prompt
            mode: OutputMode = "native" if "native" in self.output_modes else "prompt"
            request = dataclasses.replace(request, output_mode=mode)
        return super().plan_output(request)

    def encode(self, request: Request, model_id: str | None) -> dict[str, Any]:
        return messages.encode_body(request, model_id, host=self.name)

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        return HttpCall("POST", self.base_url + "/messages", body=self.encode(request, model_id),
                        stream=request.stream)

    # ------------------------------------------------------------------------------------------ decoding
    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        return messages.decode_response(body, info)

    def open_stream(self, info: CallInfo) -> messages.MessagesStream:
        return messages.MessagesStream(info, lambda payload: self.map_inband_error(payload, info))

    def finish_stream(self, state: messages.MessagesStream, info: CallInfo) -> Completion:
        return state.completion()

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        """Anthropic's error bodies, wherever Claude is served (on Vertex they come back in this shape too)."""
        return messages.error_from_body(self.name, status, body, error_class_for_status)


class Anthropic(Host):
    name: ClassVar[str] = "anthropic"
    default_base_url: ClassVar[str] = "https://api.anthropic.com/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("ANTHROPIC_API_KEY",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("request-id", "x-request-id")
    auth_header_names: ClassVar[tuple[str, ...]] = ("x-api-key",)
    chat_endpoint: ClassVar[type[Any] | None] = AnthropicChat
    batch_endpoint = ".anthropic_batch:AnthropicBatch"  # (anthropic_batch.py: /v1/messages/batches)

    def auth_headers(self) -> dict[str, str]:
        return {"x-api-key": self._key(), "anthropic-version": API_VERSION}

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return messages.error_from_body(self.name, status, body, error_class_for_status)
