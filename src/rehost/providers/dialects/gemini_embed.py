"""Google's embedding wire shapes: the Gemini API's ``batchEmbedContents``, Vertex's ``embedContent`` (Gemini
embedding models after ``gemini-embedding-001``) and Vertex's classic ``predict`` (``gemini-embedding-001``,
``text-embedding-005``, ``text-multilingual-embedding-002``).

Pure functions, no I/O. Which of the three a model takes on Vertex is the host's to decide; the family's task
type (``RETRIEVAL_QUERY`` ...) and title arrive in the neutral request. Note the spellings: camelCase
``taskType`` in the Gemini API and in ``embedContentConfig``, but snake_case ``task_type`` inside ``predict``'s
instances, and ``promptTokenDetails`` (Gemini API) vs ``promptTokensDetails`` (Vertex).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...shared.embed import EmbedRequest, EmbedUsage, Vectors
from ...shared.errors import ProtocolError, UnsupportedFeature

__all__ = [
    "decode_batch",
    "decode_embed_content",
    "decode_predict",
    "encode_batch",
    "encode_embed_content",
    "encode_predict",
]


def _auto_truncate(request: EmbedRequest, host: str) -> bool | None:
    if request.truncate is None:
        return None
    if request.truncate == "start":
        raise UnsupportedFeature(f"{host} can only cut an over-long input at its end (truncate='end') or refuse it "
                                 "(truncate='none')", host=host)
    return request.truncate == "end"


def encode_batch(request: EmbedRequest, model_id: str, *, host: str = "google") -> dict[str, Any]:
    """``POST models/{id}:batchEmbedContents`` on the Gemini API: one entry per text."""
    if request.truncate not in (None, "end"):
        raise UnsupportedFeature(f"{host}: the Gemini API always truncates over-long input at the end; it "
                                 "cannot refuse it or cut the start", host=host)
    name = model_id if model_id.startswith("models/") else f"models/{model_id}"
    requests = []
    for text in request.inputs:
        entry: dict[str, Any] = {"model": name, "content": {"parts": [{"text": text}]}}
        if request.input_type is not None:
            entry["taskType"] = request.input_type
        if request.title is not None:
            entry["title"] = request.title
        if request.dimensions is not None:
            entry["outputDimensionality"] = request.dimensions
        requests.append(entry)
    return {"requests": requests}


def decode_batch(body: Mapping[str, Any], *, host: str, expected: int) -> tuple[Vectors, EmbedUsage]:
    items = body.get("embeddings")
    if not isinstance(items, list) or len(items) != expected:
        got = len(items) if isinstance(items, list) else "no"
        raise ProtocolError(f"{host} answered {got} embeddings for {expected} inputs", host=host)
    vectors = Vectors.from_rows([item["values"] for item in items])
    return vectors, _usage_metadata(body.get("usageMetadata"))


def encode_embed_content(request: EmbedRequest, *, host: str = "vertex") -> dict[str, Any]:
    """``POST models/{id}:embedContent`` on Vertex: one text per call (the host splits a batch)."""
    if len(request.inputs) != 1:
        raise UnsupportedFeature(f"{host}: embedContent takes one text per call, not {len(request.inputs)}",
                                 host=host)
    config: dict[str, Any] = {}
    if request.input_type is not None:
        config["taskType"] = request.input_type
    if request.title is not None:
        config["title"] = request.title
    if request.dimensions is not None:
        config["outputDimensionality"] = request.dimensions
    auto = _auto_truncate(request, host)
    if auto is not None:
        config["autoTruncate"] = auto
    body: dict[str, Any] = {"content": {"parts": [{"text": request.inputs[0]}]}}
    if config:
        body["embedContentConfig"] = config
    return body


def decode_embed_content(body: Mapping[str, Any], *, host: str) -> tuple[Vectors, EmbedUsage]:
    embedding = body.get("embedding")
    if not isinstance(embedding, Mapping):
        raise ProtocolError(f"{host} answered embedContent without an embedding", host=host)
    return Vectors.from_rows([embedding["values"]]), _usage_metadata(body.get("usageMetadata"))


def encode_predict(request: EmbedRequest, *, host: str = "vertex") -> dict[str, Any]:
    """``POST models/{id}:predict`` for Vertex's classic embedding models."""
    instances = []
    for text in request.inputs:
        instance: dict[str, Any] = {"content": text}
        if request.input_type is not None:
            instance["task_type"] = request.input_type
        if request.title is not None:
            instance["title"] = request.title
        instances.append(instance)
    parameters: dict[str, Any] = {}
    auto = _auto_truncate(request, host)
    if auto is not None:
        parameters["autoTruncate"] = auto
    if request.dimensions is not None:
        parameters["outputDimensionality"] = request.dimensions
    body: dict[str, Any] = {"instances": instances}
    if parameters:
        body["parameters"] = parameters
    return body


def decode_predict(body: Mapping[str, Any], *, host: str, expected: int) -> tuple[Vectors, EmbedUsage]:
    predictions = body.get("predictions")
    if not isinstance(predictions, list) or len(predictions) != expected:
        got = len(predictions) if isinstance(predictions, list) else "no"
        raise ProtocolError(f"{host} answered {got} predictions for {expected} inputs", host=host)
    rows = [p["embeddings"]["values"] for p in predictions]
    tokens = [p["embeddings"].get("statistics", {}).get("token_count") for p in predictions]
    metadata = body.get("metadata") if isinstance(body.get("metadata"), Mapping) else {}
    chars = metadata.get("billableCharacterCount") if isinstance(metadata, Mapping) else None
    counted = [t for t in tokens if isinstance(t, int | float)]
    usage = EmbedUsage(input_tokens=int(sum(counted)) if counted else None,
                       billable_characters=chars if isinstance(chars, int) else None)
    return Vectors.from_rows(rows), usage


def _usage_metadata(meta: Any) -> EmbedUsage:
    if not isinstance(meta, Mapping):
        return EmbedUsage()
    tokens = meta.get("promptTokenCount", meta.get("totalTokenCount"))
    return EmbedUsage(input_tokens=tokens if isinstance(tokens, int) else None)
