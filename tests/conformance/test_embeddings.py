"""Conformance of the embedding codecs: every recorded embeddings exchange, both directions.

For each cassette under ``REHOST_EMBEDDINGS`` (default ``../shared/conformance/embeddings``; format and
provenance in ``INDEX-MORE.md``) the test rebuilds, from the recorded request, the neutral ``EmbedRequest`` a
user's call would produce, encodes it with the host's codec and compares it with what the host accepted (every
field the recording sets, and nothing more); decodes the recorded answer and compares the vectors with the
recorded numbers read independently here (JSON floats as they are; base64 as packed little-endian float32
through ``struct``), exactly; and maps recorded errors to their classes. For ``gemini-embedding-2`` it also checks
that the family's purpose rule writes the recorded text prefix. A cassette this suite cannot interpret fails.
"""

from __future__ import annotations

import base64
import os
import struct
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from rehost import Google, OpenAI
from rehost.clients import embed_purpose
from rehost.errors import HostError, ModelNotFound
from rehost.providers import cohere as cohere_host
from rehost.providers import voyage as voyage_host
from rehost.providers.dialects import cohere_embed, gemini_embed, openai_embed
from rehost.shared.embed import EmbedRequest, Vectors

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(os.environ.get("REHOST_EMBEDDINGS") or ROOT.parent / "shared" / "conformance" / "embeddings")
FILES = sorted(FOLDER.glob("*/*.yaml")) if FOLDER.is_dir() else []


def test_embeddings_folder_is_there():
    assert FOLDER.is_dir(), f"no embeddings cassettes at {FOLDER} (set REHOST_EMBEDDINGS)"
    assert FILES


def _request_body(request: dict[str, Any]) -> dict[str, Any]:
    if "parsed_body" in request:
        return request["parsed_body"]
    import json

    return json.loads(request["body"])


def _response_body(response: dict[str, Any]) -> Any:
    if "parsed_body" in response:
        return response["parsed_body"]
    import json

    return json.loads(response["body"]["string"])


def _set(body: dict[str, Any]) -> dict[str, Any]:
    """The fields a recording sets (an SDK's explicit nulls mean "not set")."""
    return {k: v for k, v in body.items() if v is not None}


_TRUNC_FROM_VOYAGE = {False: "none", True: "end"}
_TRUNC_FROM_COHERE = {"NONE": "none", "START": "start", "END": "end"}


def _interpret(url: str, body: dict[str, Any]) -> tuple[str, EmbedRequest, str]:
    """(codec, the neutral request, the host's model id) for a recorded request; fails when it cannot say."""
    parts = urlsplit(url)
    host, path = parts.hostname or "", parts.path
    if host == "api.openai.com" and path == "/v1/embeddings":
        assert set(body) <= {"model", "input", "encoding_format", "dimensions"}, f"unknown OpenAI fields {body}"
        return "openai", EmbedRequest(model=body["model"], inputs=tuple(body["input"]),
                                      dimensions=body.get("dimensions")), body["model"]
    if host == "api.voyageai.com" and path == "/v1/embeddings":
        set_ = _set(body)
        assert set(set_) <= {"model", "input", "encoding_format", "input_type", "truncation", "output_dimension"}, \
            f"unknown Voyage fields {set_}"
        truncate = _TRUNC_FROM_VOYAGE[set_["truncation"]] if "truncation" in set_ else None
        return "voyage", EmbedRequest(model=body["model"], inputs=tuple(body["input"]),
                                      input_type=set_.get("input_type"), truncate=truncate,  # type: ignore[arg-type]
                                      dimensions=set_.get("output_dimension")), body["model"]
    if host == "generativelanguage.googleapis.com" and path.endswith(":batchEmbedContents"):
        model_id = path.rsplit("/", 1)[1].split(":")[0]
        entries = body["requests"]
        first = entries[0]
        for entry in entries:
            assert set(entry) <= {"model", "content", "taskType", "title", "outputDimensionality"}, entry
            assert entry.get("taskType") == first.get("taskType")
        texts = tuple(e["content"]["parts"][0]["text"] for e in entries)
        return "gemini_batch", EmbedRequest(model=model_id, inputs=texts, input_type=first.get("taskType"),
                                            title=first.get("title"),
                                            dimensions=first.get("outputDimensionality")), model_id
    if host.endswith("aiplatform.googleapis.com") and path.endswith(":predict"):
        model_id = path.rsplit("/", 1)[1].split(":")[0]
        instances = body["instances"]
        params = body.get("parameters", {})
        auto = params.get("autoTruncate")
        return "vertex_predict", EmbedRequest(
            model=model_id, inputs=tuple(i["content"] for i in instances), input_type=instances[0].get("task_type"),
            title=instances[0].get("title"), dimensions=params.get("outputDimensionality"),
            truncate=None if auto is None else ("end" if auto else "none")), model_id
    if host == "api.cohere.com" and path == "/v2/embed":
        set_ = _set(body)
        assert set(set_) <= {"model", "texts", "input_type", "embedding_types", "truncate", "output_dimension"}, set_
        assert set_.get("embedding_types") == ["float"], "only float embeddings are decoded"
        truncate = _TRUNC_FROM_COHERE[set_["truncate"]] if "truncate" in set_ else None
        return "cohere", EmbedRequest(model=body["model"], inputs=tuple(body["texts"]),
                                      input_type=set_.get("input_type"), truncate=truncate,  # type: ignore[arg-type]
                                      dimensions=set_.get("output_dimension")), body["model"]
    raise AssertionError(f"this suite cannot interpret a request to {url}")


def _encode(codec: str, request: EmbedRequest, model_id: str) -> dict[str, Any]:
    if codec == "openai":
        return openai_embed.encode_embed_body(request, model_id, host="openai")
    if codec == "voyage":
        return openai_embed.encode_embed_body(request, model_id, host="voyage", fields=voyage_host.EMBED_FIELDS)
    if codec == "gemini_batch":
        return gemini_embed.encode_batch(request, model_id)
    if codec == "vertex_predict":
        return gemini_embed.encode_predict(request)
    assert codec == "cohere"
    return cohere_embed.encode_embed(request, model_id)


def _decode(codec: str, body: dict[str, Any], expected: int) -> Vectors:
    if codec in ("openai", "voyage"):
        return openai_embed.decode_embeddings(body, host=codec, expected=expected)[0]
    if codec == "gemini_batch":
        return gemini_embed.decode_batch(body, host="google", expected=expected)[0]
    if codec == "vertex_predict":
        return gemini_embed.decode_predict(body, host="vertex", expected=expected)[0]
    return cohere_embed.decode_embed(body, host="cohere", expected=expected)[0]


def _recorded_vectors(codec: str, body: dict[str, Any]) -> list[list[float]]:
    """The recorded numbers, read without the library's decoders."""
    if codec in ("openai", "voyage"):
        out = []
        for item in sorted(body["data"], key=lambda d: d["index"]):
            raw = item["embedding"]
            if isinstance(raw, str):
                packed = base64.b64decode(raw)
                out.append(list(struct.unpack(f"<{len(packed) // 4}f", packed)))
            else:
                out.append(raw)
        return out
    if codec == "gemini_batch":
        return [e["values"] for e in body["embeddings"]]
    if codec == "vertex_predict":
        return [p["embeddings"]["values"] for p in body["predictions"]]
    return body["embeddings"]["float"]


def _error(codec: str, status: int, body: Any) -> HostError:
    headers = httpx.Headers({})
    if codec == "openai":
        return OpenAI("k").error_from_body(status, headers, body)
    if codec in ("gemini_batch", "vertex_predict"):
        return Google("k").error_from_body(status, headers, body)
    if codec == "voyage":
        return voyage_host.error_from_body(status, body)
    return cohere_host.error_from_body(status, body)


#: every recorded error is an unknown model
EXPECTED_ERRORS = {"embed_error.yaml": ModelNotFound}


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_recorded_embeddings(path: Path):
    cassette = yaml.safe_load(path.read_text("utf-8"))
    interactions = cassette["interactions"]
    assert interactions, f"{path} has no interactions"
    for interaction in interactions:
        request, response = interaction["request"], interaction["response"]
        recorded = _request_body(request)
        codec, neutral, model_id = _interpret(request["uri"], recorded)
        assert _encode(codec, neutral, model_id) == _set(recorded)
        status = response["status"]["code"]
        answer = _response_body(response)
        if status == 200:
            vectors = _decode(codec, answer, len(neutral.inputs))
            assert vectors.tolist() == _recorded_vectors(codec, answer)
            assert vectors.count == len(neutral.inputs)
        else:
            expected = EXPECTED_ERRORS.get(path.name)
            assert expected is not None, f"{path}: an error this suite has no expectation for"
            err = _error(codec, status, answer)
            assert type(err) is expected, (type(err), err)
            assert err.status == status
            assert "nonexistent" in str(err)


#: gemini-embedding-2 cassettes: (the user's text, purpose, title, task) that the recorded text prefix comes from
#: (pydantic-ai's test_google_task_prefix parameters, by the names the index gives them)
PREFIX_CASES = {
    "task_prefix_asymmetric_query.yaml": ("Hello, world!", "question_answering", None),
    "task_prefix_asymmetric_document_with_title.yaml": ("hello", "document", "Greeting"),
    "task_prefix_symmetric_query.yaml": ("hello", "classification", None),
    "task_prefix_default_query.yaml": ("Hello, world!", None, None),
    "task_prefix_raw_passthrough.yaml": ("title: custom | text: hello", "document", None),
}


@pytest.mark.parametrize("name", sorted(PREFIX_CASES))
def test_gemini_embedding_2_purpose_writes_the_recorded_prefix(name: str):
    cassette = yaml.safe_load((FOLDER / "google" / name).read_text("utf-8"))
    recorded = _request_body(cassette["interactions"][0]["request"])
    text, purpose, title = PREFIX_CASES[name]
    conditioned = embed_purpose.gemini_embedding_2((text,), purpose, title)
    assert conditioned.input_type is None  # the model takes no taskType
    assert [e["content"]["parts"][0]["text"] for e in recorded["requests"]] == list(conditioned.texts)
    assert all("taskType" not in e for e in recorded["requests"])


def test_gemini_task_types_match_the_recorded_ones():
    for name, purpose in (("query.yaml", "query"), ("documents.yaml", "document")):
        cassette = yaml.safe_load((FOLDER / "google" / name).read_text("utf-8"))
        recorded = _request_body(cassette["interactions"][0]["request"])
        assert {e["taskType"] for e in recorded["requests"]} == {embed_purpose.gemini(("x",), purpose).input_type}
