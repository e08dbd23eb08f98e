"""Cohere (``api.cohere.com``): the v2 embed API's error mapping and URL.

Errors are ``{"id": "...", "message": "..."}`` with no ``error`` wrapper (recorded: 404 for an unknown model);
the request and response shapes are in ``dialects/cohere_embed.py``. This file becomes Cohere's provider (embed
and v2 chat) when the embeddings kind lands (issue 13).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..shared.errors import HostError, ModelNotFound, NotFound
from .base import error_class_for_status

__all__ = ["BASE_URL", "error_from_body"]

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
