"""Voyage AI (``api.voyageai.com/v1``): embeddings in the OpenAI shape with Voyage's own fields.

``input_type`` (``query`` | ``document``, or none), ``truncation`` (a bool: cut an over-long input at the end,
or refuse it), ``output_dimension``, ``output_dtype``, ``encoding_format: base64`` (what Voyage's SDK asks for,
and what the recordings hold). Errors are ``{"detail": "..."}`` (400 for an unknown model). Keys beginning
``al-`` are MongoDB Atlas keys for ``https://ai.mongodb.com/v1`` [HOSTS-MEDIA §5.6].

This file holds Voyage's wire spelling and error mapping; the embeddings kind turns it into the host's
provider class (issue 13).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..shared.errors import HostError, ModelNotFound
from .base import error_class_for_status
from .dialects.openai_embed import EmbedFields

__all__ = ["ATLAS_BASE_URL", "BASE_URL", "EMBED_FIELDS", "base_url_for_key", "error_from_body"]

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
