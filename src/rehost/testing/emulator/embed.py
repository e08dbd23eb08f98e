"""The emulator's embeddings endpoints: each host style's embeddings answer, with deterministic vectors.

A text's vector is the same on every call and every host (from a hash of the text, scaled to unit length), so a
test can check that a batch split into several calls comes back in order; its length is what the request asks
for (``dimensions`` / ``output_dimension`` / ``outputDimensionality``), else the script's ``dimensions``.
Usage is counted as the chat answers count prompts (a token per four characters), in each host's recorded shape
(OpenAI ``usage.prompt_tokens``, Voyage ``usage.total_tokens``, Gemini ``usageMetadata``, Vertex
``statistics.token_count`` and ``billableCharacterCount``, Cohere ``meta.billed_units``, Ollama
``prompt_eval_count``). Faults are the chat answers' (``_Responder.play``); errors are each host's own body.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import struct
from array import array
from typing import Any

from .chat import _Answer
from .responder import _Responder
from .script import Script
from .wire import _json_response

__all__ = ["embed_responder", "vector_for"]

#: the styles whose host serves OpenAI-style ``/embeddings`` in rehost (Groq's is UNCONFIRMED, DeepSeek has none:
#: their path stays a 404, as an unknown route must)
_OPENAI_STYLE = frozenset({"openai", "azure", "together", "fireworks", "vllm", "llamacpp", "mistral", "voyage"})


def vector_for(text: str, dimensions: int) -> list[float]:
    """The emulator's vector for ``text``: deterministic, unit length, exactly representable as float32."""
    return list(_vector(text, dimensions))


@functools.lru_cache(maxsize=8192)
def _vector(text: str, dimensions: int) -> tuple[float, ...]:
    """(Kept: a benchmark sends the same texts again and again, and the emulator must not be its bottleneck.)"""
    out: list[float] = []
    counter = 0
    while len(out) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        out.extend((b - 127.5) / 127.5 for b in digest)
        counter += 1
    out = out[:dimensions]
    norm = math.sqrt(sum(x * x for x in out)) or 1.0
    return tuple(array("f", (x / norm for x in out)).tolist())


def _packed(row: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(row)}f", *row)).decode()


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def embed_responder(style: str, path: str, script: Script, request: dict[str, Any]) -> _Responder | None:
    """The embeddings responder for a request, or None when the path is no embeddings endpoint of the style."""
    if style == "ollama" and path.endswith("/ollama/api/embed"):
        return _Embeddings(style, script, request, "ollama")
    if style == "google" and path.endswith(":batchEmbedContents"):
        return _Embeddings(style, script, request, "gemini_batch")
    if style == "vertex" and path.endswith(":embedContent"):  # (the Gemini API's is not what rehost sends)
        return _Embeddings(style, script, request, "embed_content")
    if style == "vertex" and path.endswith(":predict"):
        return _Embeddings(style, script, request, "predict")
    if style == "cohere" and path == "/cohere/v2/embed":
        return _Embeddings(style, script, request, "cohere")
    if style in _OPENAI_STYLE and path.endswith("/embeddings"):
        return _Embeddings(style, script, request, "voyage" if style == "voyage" else "openai")
    return None


class _Embeddings(_Responder):
    """One embeddings answer in one host's shape."""

    dialect = "embeddings"
    no_form = frozenset({"blocked", "inband_error", "keepalive"})

    def __init__(self, style: str, script: Script, request: dict[str, Any], shape: str) -> None:
        super().__init__(style, script, request, stream=False)
        self.shape = shape
        self.texts, self.dimensions = self._read(request)

    def _read(self, request: dict[str, Any]) -> tuple[list[str], int]:
        wanted: Any = None
        if self.shape == "gemini_batch":
            entries = request.get("requests") or []
            texts = [e["content"]["parts"][0]["text"] for e in entries]
            wanted = entries[0].get("outputDimensionality") if entries else None
        elif self.shape == "embed_content":
            texts = [p["text"] for p in request.get("content", {}).get("parts", [])][:1]
            wanted = (request.get("embedContentConfig") or {}).get("outputDimensionality")
        elif self.shape == "predict":
            texts = [i["content"] for i in request.get("instances") or []]
            wanted = (request.get("parameters") or {}).get("outputDimensionality")
        elif self.shape == "cohere":
            texts = list(request.get("texts") or [])
            wanted = request.get("output_dimension")
        else:
            raw = request.get("input")
            texts = [raw] if isinstance(raw, str) else list(raw or [])
            wanted = request.get("dimensions", request.get("output_dimension"))
        return [str(t) for t in texts], wanted if isinstance(wanted, int) and wanted > 0 else self.script.dimensions

    def whole(self) -> bytes:
        rows = [vector_for(t, self.dimensions) for t in self.texts]
        tokens = sum(_tokens(t) for t in self.texts)
        shape = self.shape
        if shape in ("openai", "voyage"):
            packed = self.request.get("encoding_format") == "base64"
            data = [{"object": "embedding", "index": i,
                     "embedding": _packed(r) if packed else r} for i, r in enumerate(rows)]
            usage: dict[str, Any] = {"total_tokens": tokens} if shape == "voyage" else {
                "prompt_tokens": tokens, "total_tokens": tokens}
            return _json_response(200, {"object": "list", "data": data, "model": self.model, "usage": usage})
        if shape == "gemini_batch":
            return _json_response(200, {"embeddings": [{"values": r} for r in rows], "usageMetadata": {
                "promptTokenCount": tokens, "promptTokenDetails": [{"modality": "TEXT", "tokenCount": tokens}]}})
        if shape == "embed_content":
            return _json_response(200, {"embedding": {"values": rows[0] if rows else []}, "usageMetadata": {
                "promptTokenCount": tokens, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}],
                "totalTokenCount": tokens}})
        if shape == "predict":
            return _json_response(200, {"predictions": [
                {"embeddings": {"statistics": {"token_count": _tokens(t), "truncated": False}, "values": r}}
                for t, r in zip(self.texts, rows, strict=True)],
                "metadata": {"billableCharacterCount": sum(len(t.replace(" ", "")) for t in self.texts)}})
        if shape == "cohere":
            return _json_response(200, {"id": "emulated-embed", "embeddings": {"float": rows}, "texts": self.texts,
                                        "meta": {"api_version": {"version": "2"},
                                                 "billed_units": {"input_tokens": tokens}},
                                        "response_type": "embeddings_by_type"})
        return _json_response(200, {"model": self.model, "embeddings": rows, "total_duration": 1000,
                                    "load_duration": 100, "prompt_eval_count": tokens})

    def error_response(self, status: int) -> bytes:
        extra = {"retry-after": self.script.retry_after or "0"} if status == 429 else None
        if self.shape == "cohere":
            return _json_response(status, {"id": "emulated-error", "message": f"emulated {status}"}, extra)
        if self.shape == "voyage":
            return _json_response(status, {"detail": f"emulated {status}"}, extra)
        gemini = self.shape in ("gemini_batch", "embed_content", "predict")
        return _Answer(self.style, self.script, self.request, "", gemini=gemini, stream=False).error_response(status)

    def malformed_body(self) -> bytes:
        return b'{"data": [{"embedding": '
