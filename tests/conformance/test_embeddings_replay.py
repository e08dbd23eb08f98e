"""Every recorded embeddings exchange through the real path: a family's embedder, the host's embed endpoint,
the transport and a socket. The recorded answer is served by ``rehost.testing.replay``; the request the server
received must be the recorded one (every field it sets, and nothing more), the vectors the recorded numbers,
and a recorded error its typed exception. The codec-level checks are in ``test_embeddings.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from rehost import CohereEmbedder, GeminiEmbedder, Google, OpenAI, OpenAIEmbedder, Vertex, VoyageEmbedder
from rehost.errors import ModelNotFound
from rehost.providers.cohere import Cohere
from rehost.providers.voyage import Voyage
from rehost.testing.replay import ReplayServer

from .test_embeddings import FILES, _interpret, _recorded_vectors, _request_body, _response_body, _set

KEY = "test-key-0123456789"

#: the neutral input type back to the caller's purpose, per family
_PURPOSE = {"RETRIEVAL_QUERY": "query", "RETRIEVAL_DOCUMENT": "document", "search_query": "query",
            "search_document": "document", "query": "query", "document": "document"}


def _embedder(codec: str, model: str, base: str) -> Any:
    """The family's embedder for a recorded request, bound to the host pointed at the replay server (a model
    the family does not know, as in the error recordings, goes by its host id on a model of that family)."""
    if codec == "openai":
        cls, host = OpenAIEmbedder, OpenAI(KEY, base_url=base + "/v1")
    elif codec == "voyage":
        cls, host = VoyageEmbedder, Voyage(KEY, base_url=base + "/v1")
    elif codec == "cohere":
        cls, host = CohereEmbedder, Cohere(KEY, base_url=base)
    elif codec == "gemini_batch":
        cls, host = GeminiEmbedder, Google(KEY, base_url=base + "/v1beta")
    else:
        cls, host = GeminiEmbedder, Vertex("pydantic-ai", "global", access_token=KEY, base_url=base)
    known = model in cls.models
    return cls(model if known else next(iter(cls.models)), provider=host, host_model_id=None if known else model)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_recorded_embeddings_through_client_host_and_socket(path: Path):
    cassette = yaml.safe_load(path.read_text("utf-8"))
    with ReplayServer.from_cassettes([path]) as server:
        for interaction in cassette["interactions"]:
            request, response = interaction["request"], interaction["response"]
            recorded = _request_body(request)
            codec, neutral, model_id = _interpret(request["uri"], recorded)
            embedder = _embedder(codec, model_id, server.url)
            purpose = _PURPOSE.get(neutral.input_type or "")
            if codec == "voyage" and neutral.input_type is None:
                purpose = "similarity"
            before = len(server.received)
            call = {"purpose": purpose, "dimensions": neutral.dimensions, "truncate": neutral.truncate,
                    "title": neutral.title}
            status = response["status"]["code"]
            if status == 200:
                result = embedder.embed(list(neutral.inputs), **call)
                assert result.vectors.tolist() == _recorded_vectors(codec, _response_body(response))
                assert result.calls == 1
                assert result.host == embedder.provider.name
            else:
                with pytest.raises(ModelNotFound) as caught:
                    embedder.embed(list(neutral.inputs), **call)
                assert caught.value.status == status
                assert KEY not in str(caught.value)
            received = server.received[before:]
            assert len(received) == 1, received
            assert urlsplit(request["uri"]).path == received[0].target.split("?")[0]
            assert received[0].json() == _set(recorded)
            sent_key = received[0].headers.get("authorization") or received[0].headers.get("x-goog-api-key") or ""
            assert KEY in sent_key
        assert not server.unmatched
        assert not server.remaining
