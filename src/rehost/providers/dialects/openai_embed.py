"""The OpenAI ``/embeddings`` wire shape, as spoken by OpenAI, Mistral, Voyage, Together, Fireworks, OpenRouter,
vLLM, llama.cpp's server and Ollama's ``/v1``.

Pure functions, no I/O. The request is ``{"model", "input": [...], ...}``; the answer is
``{"data": [{"index", "embedding"}], "model", "usage"}`` where ``embedding`` is a list of floats or, when
``encoding_format: "base64"`` was asked, the base64 of packed little-endian float32 (what openai-python asks
for by default: a quarter of the bytes of the JSON floats, and no float parsing). Hosts differ only in the
names of a few fields (``dimensions`` vs ``output_dimension``) and in their extras (Voyage's ``input_type`` and
``truncation``); the host passes those in.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...shared.embed import EmbedRequest, EmbedUsage, Truncate, Vectors
from ...shared.errors import ProtocolError, UnsupportedFeature

__all__ = ["OPENAI_FIELDS", "EmbedFields", "decode_embeddings", "encode_embed_body"]


@dataclass(frozen=True, slots=True)
class EmbedFields:
    """How one host spells the neutral embedding options on this wire shape; ``None`` marks an option the host
    does not take (asking for it is refused before sending). A host declares its own in its file."""

    #: the vector-size field (OpenAI ``dimensions``; Mistral and Voyage ``output_dimension``)
    dimensions: str | None = "dimensions"
    #: the input-type field (Voyage ``input_type``)
    input_type: str | None = None
    #: the truncation field, and what each neutral choice is on the wire (Voyage ``truncation``: a bool)
    truncate: str | None = None
    truncate_values: Mapping[Truncate, Any] = field(default_factory=dict)
    #: what to ask the vectors back as: ``base64`` (packed float32: a quarter of the bytes, no float parsing),
    #: ``float``, or None to leave the host's default
    encoding_format: str | None = "base64"


OPENAI_FIELDS = EmbedFields()


def encode_embed_body(request: EmbedRequest, model_id: str, *, host: str,
                      fields: EmbedFields = OPENAI_FIELDS) -> dict[str, Any]:
    """The body for ``request`` in ``host``'s spelling; an option the host has no field for raises."""
    body: dict[str, Any] = {"model": model_id, "input": list(request.inputs)}
    if fields.encoding_format is not None:
        body["encoding_format"] = fields.encoding_format
    for name, wire, value in (("dimensions", fields.dimensions, request.dimensions),
                              ("input_type", fields.input_type, request.input_type)):
        if value is None:
            continue
        if wire is None:
            raise UnsupportedFeature(f"{host} takes no {name} for embeddings", host=host)
        body[wire] = value
    if request.truncate is not None:
        if fields.truncate is None or request.truncate not in fields.truncate_values:
            allowed = ", ".join(fields.truncate_values) or "none"
            raise UnsupportedFeature(f"{host} cannot truncate={request.truncate!r} (it takes: {allowed})", host=host)
        body[fields.truncate] = fields.truncate_values[request.truncate]
    if request.title is not None:
        raise UnsupportedFeature(f"{host} takes no document title for embeddings", host=host)
    if request.extra_body:
        body.update(request.extra_body)
    return body


def decode_embeddings(body: Mapping[str, Any], *, host: str, expected: int | None = None
                      ) -> tuple[Vectors, EmbedUsage, str | None]:
    """The vectors (in input order, by ``index``), the usage, and the model id the host says it used."""
    data = body.get("data")
    if not isinstance(data, list):
        raise ProtocolError(f"{host} answered an embeddings call without a data list", host=host)
    items = sorted(data, key=lambda item: item.get("index", 0)) if any("index" in d for d in data) else data
    if expected is not None and len(items) != expected:
        raise ProtocolError(f"{host} answered {len(items)} embeddings for {expected} inputs", host=host)
    first = items[0]["embedding"] if items else []
    if isinstance(first, str):
        vectors = Vectors.from_packed([base64.b64decode(item["embedding"]) for item in items])
    else:
        vectors = Vectors.from_rows([item["embedding"] for item in items])
    usage_raw = body.get("usage")
    usage = EmbedUsage()
    if isinstance(usage_raw, Mapping):
        tokens = usage_raw.get("prompt_tokens", usage_raw.get("total_tokens"))
        usage = EmbedUsage(input_tokens=tokens if isinstance(tokens, int) else None)
    model = body.get("model")
    return vectors, usage, model if isinstance(model, str) else None
