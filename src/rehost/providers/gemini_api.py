"""What AI Studio and Vertex share: the Gemini ``generateContent`` wire format (``GeminiChat``, with Google's
``countTokens``) and Google's error bodies (``GoogleErrors``). The two hosts differ only in URL and auth, which
their own files add: the endpoint asks its host for ``model_url(model_id, method)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, cast

import httpx

from ..shared.errors import ConfigurationError, HostError
from ..shared.request import Request
from ..shared.transport import HttpCall
from ..shared.types import Completion
from .base import ChatEndpoint, error_class_for_status
from .base.counting import HostCounted
from .dialects import gemini
from .dialects.common import CallInfo

__all__ = ["GeminiChat", "google_error"]


class _GeminiHost(Protocol):
    def model_url(self, model_id: str, method: str) -> str: ...


def google_error(host: str, status: int, body: Any) -> HostError:
    """Google's error body (``{"error": {"code", "message", "status", "details"}}``) as a typed error."""
    return gemini.error_from_body(host, status, body, error_class_for_status)


class GeminiChat(HostCounted, ChatEndpoint):
    """Gemini's ``generateContent`` / ``streamGenerateContent`` and ``countTokens`` on whichever host serves it."""

    builtin_tools: ClassVar[frozenset[str]] = frozenset({"web_search"})
    #: explicit caches: a ``cachedContents/...`` name made beforehand (implicit caching needs no control)
    prompt_cache_controls: ClassVar[frozenset[str]] = frozenset({"cached_content"})

    def model_url(self, model_id: str, method: str) -> str:
        """URL of ``models/{model}:{method}`` on this endpoint's host (every Gemini host has ``model_url``)."""
        return cast("_GeminiHost", self.host).model_url(model_id, method)

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        body = gemini.encode_body(request, host=self.name)
        cache = request.prompt_cache
        if cache is not None and cache.cached_content is not None:
            # the cache holds its own system instruction, tools and tool config: the API refuses a call that
            # also sends them, so that is refused here, before the network
            clash = sorted(k for k in ("systemInstruction", "tools", "toolConfig") if k in body)
            if clash:
                raise ConfigurationError(f"{self.name}: a call on cached content cannot also send "
                                         f"{', '.join(clash)} (the cache holds its own): put them in the cache",
                                         host=self.name)
            body["cachedContent"] = cache.cached_content
        if request.stream:
            url = self.model_url(model_id, "streamGenerateContent") + "?alt=sse"
        else:
            url = self.model_url(model_id, "generateContent")
        return HttpCall("POST", url, body=body, stream=request.stream)

    # ------------------------------------------------------------------------------------------ countTokens
    def counts_tokens(self, request: Request) -> bool:
        """Whether this endpoint can count the request's input tokens itself (``count_tokens``)."""
        return True

    def count_tokens_body(self, body: dict[str, Any], model_id: str) -> dict[str, Any]:
        """The countTokens body for a generateContent body (Vertex takes the parts; AI Studio overrides)."""
        return {k: v for k, v in body.items() if k in ("contents", "systemInstruction", "tools")}

    def count_headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Accept": "application/json", **self.host._headers}

    def count_call(self, request: Request) -> HttpCall:
        model_id = self.host_model_id(request)
        body = self.count_tokens_body(gemini.encode_body(request, host=self.name), model_id)
        return HttpCall("POST", self.model_url(model_id, "countTokens"), body=body, headers=self.count_headers())

    # ------------------------------------------------------------------------------------------ decoding
    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        return gemini.decode_response(body, info)

    def open_stream(self, info: CallInfo) -> gemini.GeminiStream:
        return gemini.GeminiStream(info, lambda payload: self.map_inband_error(payload, info))

    def finish_stream(self, state: gemini.GeminiStream, info: CallInfo) -> Completion:
        return state.completion()

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return google_error(self.name, status, body)
