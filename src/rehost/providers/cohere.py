"""Cohere (``api.cohere.com``): the v2 embed API's error mapping and URL.

Errors are ``{"id": "...", "message": "..."}`` with no ``error`` wrapper (recorded: 404 for an unknown model);
the request and response shapes are in ``dialects/cohere_embed.py``. ``Cohere`` serves embeddings only for now
(``POST /v2/embed``, at most 96 texts a call [HOSTS-MEDIA §5.5]); its v2 chat is a later issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.embed.types import EmbedRequest, EmbedUsage, Vectors
from ..shared.errors import HostError, ModelNotFound, NotFound
from ..shared.transport import HttpCall
from .base import error_class_for_status
from .base.embed import EmbedEndpoint
from .base.host import Host
from .dialects import cohere_embed
from .dialects.common import CallInfo

__all__ = ["BASE_URL", "Cohere", "CohereEmbed", "error_from_body"]

BASE_URL = "https://api.cohere.com"


def error_from_body(status: int, body: Any, *, host: str = "cohere") -> HostError:
    message = body.get("message") if isinstance(body, Mapping) else None
    text = str(message) if message else (body if isinstance(body, str) and body else f"HTTP {status}")
    cls = error_class_for_status(status)
    if cls is NotFound and "model" in text.lower():
        cls = ModelNotFound
    request_id = body.get("id") if isinstance(body, Mapping) else None
    return cls(text[:2000], host=host, status=status, request_id=str(request_id) if request_id else None,
               body=str(body)[:2000])


class Cohere(Host):
    """Cohere's API (``api.cohere.com``, key in ``COHERE_API_KEY`` or the SDK's ``CO_API_KEY``)."""

    name: ClassVar[str] = "cohere"
    default_base_url: ClassVar[str] = BASE_URL
    api_key_env: ClassVar[tuple[str, ...]] = ("COHERE_API_KEY", "CO_API_KEY")
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "x-trace-id")
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
