"""Open-weights embedding families, as any server (vLLM, Ollama, llama.cpp, Together, Fireworks) or the
in-process ``OnnxEmbedder`` runs them. These models take the purpose as words written into the text, each
family its own (from the model cards):

* E5: ``query: `` for queries and for symmetric use, ``passage: `` for documents;
* BGE (en v1.5): the query instruction ``Represent this sentence for searching relevant passages: `` on
  queries only;
* Qwen3-Embedding: ``Instruct: {task}\nQuery:{text}`` on queries (and symmetric tasks), documents as they are;
* Nomic Embed: ``search_query: `` / ``search_document: `` / ``classification: `` / ``clustering: ``;
* all-MiniLM-L6-v2: no prefix.

None of the servers is sure to return unit-length vectors (it depends on how it was started):
``normalize=True`` scales them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..shared.errors import UnsupportedFeature
from .embed_base import EmbedClient, EmbedModel, embed_models
from .embed_purpose import Conditioning

__all__ = ["BGEEmbedder", "E5Embedder", "MiniLMEmbedder", "NomicEmbedder", "Qwen3Embedder"]


def _open(model: str, dimensions: int, *aliases: str, unit: bool = False) -> EmbedModel:
    return EmbedModel(model, dimensions, unit_length=unit, aliases=aliases)


class _Prefixed(EmbedClient):
    """A family that writes the purpose into each text: ``prefixes`` maps a purpose to its prefix."""

    prefixes: Mapping[str, str] = {}
    #: the prefix when no purpose is given
    default = "query"

    def condition(self, texts: tuple[str, ...], purpose: str | None, title: str | None) -> Conditioning:
        if title is not None:
            raise UnsupportedFeature(f"{self.model} takes no document title")
        prefix = self.prefixes.get(purpose or self.default)
        if prefix is None:
            raise UnsupportedFeature(f"{self.model} takes purpose {' | '.join(self.prefixes)}, not {purpose!r}")
        return Conditioning(tuple(prefix + text for text in texts))


class E5Embedder(_Prefixed):
    family = "e5"
    models = embed_models(_open("e5-large-v2", 1024, "intfloat/e5-large-v2"),
                          _open("multilingual-e5-large", 1024, "intfloat/multilingual-e5-large"))
    prefixes = MappingProxyType({"query": "query: ", "document": "passage: ", "similarity": "query: ",
                                 "classification": "query: ", "clustering": "query: "})


class BGEEmbedder(_Prefixed):
    family = "bge"
    models = embed_models(_open("bge-large-en-v1.5", 1024, "BAAI/bge-large-en-v1.5"),
                          _open("bge-base-en-v1.5", 768, "BAAI/bge-base-en-v1.5"))
    prefixes = MappingProxyType({"query": "Represent this sentence for searching relevant passages: ",
                                 "document": "", "similarity": "", "classification": "", "clustering": ""})


class NomicEmbedder(_Prefixed):
    family = "nomic"
    models = embed_models(_open("nomic-embed-text-v1.5", 768, "nomic-ai/nomic-embed-text-v1.5", "nomic-embed-text"))
    prefixes = MappingProxyType({"query": "search_query: ", "document": "search_document: ",
                                 "classification": "classification: ", "clustering": "clustering: "})


#: Qwen3-Embedding's task descriptions (the model card's retrieval one, and short ones for symmetric tasks)
_QWEN_TASKS: Mapping[str, str | None] = {
    "query": "Given a web search query, retrieve relevant passages that answer the query",
    "question_answering": "Given a question, retrieve passages that answer the question",
    "code_query": "Given a code search query, retrieve relevant code snippets",
    "fact_verification": "Given a claim, retrieve documents that support or refute the claim",
    "similarity": "Retrieve semantically similar text",
    "classification": "Classify the given text",
    "clustering": "Identify the topic or theme of the given text",
    "document": None,
}


class Qwen3Embedder(EmbedClient):
    """Qwen3-Embedding: queries carry an instruction (``Instruct: {task}\nQuery:{text}``), documents none.
    Its vectors shorten to any length up to the full one (Matryoshka) on servers that pass ``dimensions``."""

    family = "qwen"
    models = embed_models(
        EmbedModel("qwen3-embedding-0.6b", 1024, dimension_range=(32, 1024),
            unit_length=False, shortened_unit_length=False,
            aliases=("Qwen/Qwen3-Embedding-0.6B",)),
        EmbedModel("qwen3-embedding-8b", 4096, dimension_range=(32, 4096), unit_length=False,
            shortened_unit_length=False, aliases=("Qwen/Qwen3-Embedding-8B",)),
    )

    def condition(self, texts: tuple[str, ...], purpose: str | None, title: str | None) -> Conditioning:
        if title is not None:
            raise UnsupportedFeature(f"{self.model} takes no document title")
        key = purpose or "query"
        if key not in _QWEN_TASKS:
            raise UnsupportedFeature(f"{self.model} takes purpose {' | '.join(_QWEN_TASKS)}, not {purpose!r}")
        task = _QWEN_TASKS[key]
        return Conditioning(texts if task is None else tuple(f"Instruct: {task}\nQuery:{t}" for t in texts))


class MiniLMEmbedder(EmbedClient):
    """all-MiniLM-L6-v2 (384 dimensions, unit length): symmetric, no prefix; the in-process model
    (``OnnxEmbedder``), or any server that runs it."""

    family = "minilm"
    models = embed_models(EmbedModel("all-minilm-l6-v2", 384, unit_length=True,
            aliases=("sentence-transformers/all-MiniLM-L6-v2", "all-minilm")))
