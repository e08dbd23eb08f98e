"""HostCounted: a chat endpoint whose host counts a request's input tokens with one HTTP call (Gemini's
``countTokens``, Claude's count-tokens on Vertex, Bedrock's ``CountTokens``). The endpoint says how the call
looks (``count_call``) and which field of the answer holds the count (``count_field``); the sync and async I/O,
the auth and the error mapping are written here once.

A mixin placed before the endpoint's chat base (``class X(HostCounted, GeminiChatBase)``): ``Host.counts_tokens``
looks for ``count_tokens`` on the chat endpoint, so only endpoints that count carry it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

from ...shared.errors import ProtocolError
from .endpoint import Endpoint

if TYPE_CHECKING:
    from ...shared.request import Request
    from ...shared.tokens import TokenCount
    from ...shared.transport import HttpCall

__all__ = ["HostCounted"]


class HostCounted(Endpoint):
    """The host's own token count of a chat request (see the module docstring)."""

    #: the field of the count's JSON answer that holds the number of input tokens
    count_field: ClassVar[str] = "totalTokens"
    #: how the count is named in ``TokenCount.method`` (after the host's name)
    count_label: ClassVar[str] = "countTokens"

    def count_call(self, request: Request) -> HttpCall:
        """The HTTP call that counts ``request``'s input tokens on this host."""
        raise NotImplementedError(f"{type(self).__name__} does not say how its host counts tokens")

    def token_count(self, content: bytes, request: Request) -> TokenCount:
        """The count in the host's answer (``count_field``), or a ProtocolError when it has none."""
        from ...shared.tokens import TokenCount

        try:
            total = json.loads(content).get(self.count_field)
        except (ValueError, AttributeError):
            total = None
        if not isinstance(total, int):
            raise ProtocolError(f"{self.name} {self.count_label} answered without {self.count_field}",
                                host=self.name)
        return TokenCount(total, True, f"{self.name} {self.count_label}")

    def count_tokens(self, request: Request) -> TokenCount:
        """The host's own count of the request's input tokens (one request)."""
        call = self.count_call(request)
        self.host.authorize(call)
        result = self.host._transport.request(call, self.map_http_error, total=request.timeout)
        return self.token_count(result.content, request)

    async def acount_tokens(self, request: Request) -> TokenCount:
        call = self.count_call(request)
        await self.host.aauthorize(call)
        result = await self.host._transport.arequest(call, self.map_http_error, total=request.timeout)
        return self.token_count(result.content, request)
