"""Cohere's ``POST /v2/embed`` wire shape (Cohere's own API; Bedrock and Azure carry the same body).

Pure functions, no I/O. ``input_type`` is required by v3+ models (the family's embedder supplies it);
``embedding_types`` asks for one or more encodings and the answer keys the vectors by type
(``{"embeddings": {"float": [[...]]}}``); ``truncate`` is ``NONE | START | END``; usage is in
``meta.billed_units``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...shared.embed import EmbedRequest, EmbedUsage, Vectors
from ...shared.errors import ProtocolError

__all__ = ["decode_embed", "encode_embed"]

_TRUNCATE = {"none": "NONE", "start": "START", "end": "END"}


def encode_embed(request: EmbedRequest, model_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model_id, "texts": list(request.inputs), "embedding_types": ["float"]}
    if request.input_type is not None:
        body["input_type"] = request.input_type
    if request.truncate is not None:
        body["truncate"] = _TRUNCATE[request.truncate]
    if request.dimensions is not None:
        body["output_dimension"] = request.dimensions
    if request.extra_body:
        body.update(request.extra_body)
    return body


def decode_embed(body: Mapping[str, Any], *, host: str, expected: int) -> tuple[Vectors, EmbedUsage]:
    by_type = body.get("embeddings")
    rows = by_type.get("float") if isinstance(by_type, Mapping) else None
    if not isinstance(rows, list) or len(rows) != expected:
        got = len(rows) if isinstance(rows, list) else "no"
        raise ProtocolError(f"{host} answered {got} float embeddings for {expected} inputs", host=host)
    billed = body.get("meta", {}).get("billed_units", {}) if isinstance(body.get("meta"), Mapping) else {}
    tokens, images = billed.get("input_tokens"), billed.get("image_tokens")
    usage = EmbedUsage(input_tokens=int(tokens) if isinstance(tokens, int | float) else None,
                       image_tokens=int(images) if isinstance(images, int | float) and images else None)
    return Vectors.from_rows(rows), usage
