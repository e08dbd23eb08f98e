"""The in-process embedder on a real model (all-MiniLM-L6-v2 from PyPI packages): close meanings are near."""

from __future__ import annotations

import asyncio
import math

import pytest

from rehost.errors import ConfigurationError
from rehost.providers.onnx_embed import OnnxEmbedder
from rehost.shared.embed import EmbedRequest


@pytest.fixture(scope="module")
def minilm() -> OnnxEmbedder:
    return OnnxEmbedder.minilm()


def cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_close_sentences_are_nearer_than_unrelated_ones(minilm):
    texts = ["A man is eating food.", "A man is eating a piece of bread.", "The stock market fell sharply today.",
             "A cheetah chases its prey across the field.", "Shares tumbled as investors panicked."]
    v = minilm.embed(texts)
    assert (v.count, v.dimensions) == (5, 384)
    assert cosine(v[0], v[1]) > cosine(v[0], v[2]) + 0.3
    assert cosine(v[2], v[4]) > cosine(v[2], v[3]) + 0.2
    # the model's config says normalise: unit vectors
    assert all(abs(math.sqrt(sum(x * x for x in row)) - 1) < 1e-4 for row in v)


def test_a_batch_equals_its_texts_one_by_one(minilm):
    texts = ["short", "a much longer sentence that needs padding in a batch with short ones"]
    together = minilm.embed(texts)
    alone = [minilm.embed([t])[0] for t in texts]
    for row, single in zip(together, alone, strict=True):
        assert max(abs(a - b) for a, b in zip(row, single, strict=True)) < 1e-4  # padding does not leak in


def test_async_and_limits(minilm):
    v = asyncio.run(minilm.aembed(["hello"]))
    assert v.count == 1
    assert minilm.embed([]).count == 0
    with pytest.raises(ConfigurationError):
        minilm.embed("a bare string")  # type: ignore[arg-type]
    assert minilm.count_tokens(["word " * 1000])[0] == minilm.max_tokens == 256


def test_missing_files_are_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="no file"):
        OnnxEmbedder(tmp_path / "none.onnx", tmp_path / "tokenizer.json")


def test_the_local_embedder_is_a_host_an_embedder_binds_to(minilm: OnnxEmbedder):
    from rehost import MiniLMEmbedder, OnnxEmbedder
    from rehost.errors import UnsupportedFeature

    assert minilm.kinds == frozenset({"embed"})
    assert minilm.endpoint("embed") is minilm
    with pytest.raises(UnsupportedFeature):
        minilm.endpoint("chat")
    embedder = MiniLMEmbedder("all-minilm-l6-v2", provider=minilm)
    result = embedder.embed(["a cat sat on the mat", "hello"])
    assert result.host == "onnx"
    assert result.host_model_id == "all-minilm-l6-v2"
    assert result.vectors == minilm.embed(["a cat sat on the mat", "hello"])
    assert result.usage.input_tokens == sum(minilm.count_tokens(["a cat sat on the mat", "hello"]))
    assert result.cost is None
    assert result.array().shape == (2, 384)
    assert asyncio.run(embedder.aembed("hello")).vectors == minilm.embed(["hello"])
    with pytest.raises(UnsupportedFeature):
        minilm.embed(EmbedRequest("all-minilm-l6-v2", ("x",), dimensions=128))
    assert OnnxEmbedder.name == "onnx"


def test_rehost_client_makes_the_local_embedder_by_name():
    import rehost

    embedder = rehost.client("onnx/all-minilm-l6-v2")
    assert type(embedder).__name__ == "MiniLMEmbedder"
    assert embedder.provider.name == "onnx"
    assert len(embedder.embed("hello")[0]) == 384
