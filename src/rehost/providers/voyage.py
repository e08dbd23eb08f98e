"""Voyage AI (``api.voyageai.com/v1``): embeddings in the OpenAI shape with Voyage's own fields.

``input_type`` (``query`` | ``document``, or none), ``truncation`` (a bool: cut an over-long input at the end,
or refuse it), ``output_dimension``, ``output_dtype``, ``encoding_format: base64`` (what Voyage's SDK asks for,
and what the recordings hold). Errors are ``{"detail": "..."}`` (400 for an unknown model). Keys beginning
``al-`` are MongoDB Atlas keys for ``https://ai.mongodb.com/v1`` [HOSTS-MEDIA §5.6].

``Voyage`` is the host (embeddings only): key in ``VOYAGE_API_KEY``; with no ``base_url=``, an ``al-`` key
sends it to Atlas's URL. At most 1000 texts a call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import HostError, ModelNotFound
from .base import error_class_for_status
from .base.host import Host
from .dialects.openai_embed import EmbedFields
from .openai_embed import OpenAIEmbed

__all__ = ["ATLAS_BASE_URL", "BASE_URL", "EMBED_FIELDS", "Voyage", "VoyageEmbed", "base_url_for_key",
           "error_from_body"]

BASE_URL = "https://api.voyageai.com/v1"
ATLAS_BASE_URL = "https://ai.mongodb.com/v1"

EMBED_FIELDS = EmbedFields(dimensions="output_dimension", input_type="input_type", truncate="truncation",
                           truncate_values={"none": False, "end": True}, encoding_format="base64")


def base_url_for_key(key: str) -> str:
    """Atlas-issued Voyage keys (``al-...``) answer on MongoDB's host, others on Voyage's."""
    return ATLAS_BASE_URL if key.startswith("al-") else BASE_URL


def error_from_body(status: int, body: Any, *, host: str = "voyage") -> HostError:
    detail = body.get("detail") if isinstance(body, Mapping) else None
    message = str(detail) if detail else (body if isinstance(body, str) and body else f"HTTP {status}")
    cls = error_class_for_status(status)
    if status in (400, 404) and "model" in message.lower() and "not supported" in message.lower():
        cls = ModelNotFound
    return cls(message[:2000], host=host, status=status, body=str(body)[:2000])


class Voyage(Host):
    """Voyage AI (or MongoDB Atlas's Voyage, for an ``al-`` key)."""

    name: ClassVar[str] = "voyage"
    default_base_url: ClassVar[str] = BASE_URL
    api_key_env: ClassVar[tuple[str, ...]] = ("VOYAGE_API_KEY",)
    embed_endpoint = "VoyageEmbed"

    def __init__(self, api_key: str | None = None, *, base_url: str | None = None, **options: Any) -> None:
        super().__init__(api_key, base_url=base_url, **options)
        if not base_url:
            key = self._known_key()
            if key is not None:
                self.base_url = base_url_for_key(key)

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return error_from_body(status, body, host=self.name)


class VoyageEmbed(OpenAIEmbed):
    """``POST /v1/embeddings`` with Voyage's fields (``input_type``, boolean ``truncation``,
    ``output_dimension``) and base64 vectors, as Voyage's SDK asks [HOSTS-MEDIA §5.6]."""

    fields = EMBED_FIELDS
    max_inputs = 1000
