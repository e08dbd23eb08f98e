"""What an embedding caller's ``purpose`` means for each model family: model knowledge, host-neutral.

A caller says what the texts are for (``purpose="query"`` or ``"document"``, or a symmetric purpose such as
``"similarity"``); each family conditions its vectors differently:

* Gemini embedding models before 2 (and ``gemini-embedding-2-preview``): a ``taskType`` field
  (``RETRIEVAL_QUERY``, ``RETRIEVAL_DOCUMENT`` (which alone takes a ``title``), ``SEMANTIC_SIMILARITY`` ...).
* ``gemini-embedding-2``: no task field; the task goes into the text: ``task: {task} | query: {text}`` for a
  query or a symmetric task, ``title: {title or none} | text: {text}`` for a document; text that already carries
  such a prefix is sent as it is (recorded: pydantic-ai's ``test_google_task_prefix`` cassettes).
* Cohere v3+: ``input_type`` ``search_query | search_document | classification | clustering``.
* Voyage: ``input_type`` ``query | document`` (None otherwise).
* OpenAI ``text-embedding-3``: no conditioning.

Each ``Conditioning`` says what to send; the family's embedder client applies it, the host only spells it.
This module holds the rules until the embeddings kind gives each family its embedder class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

from ..shared.errors import UnsupportedFeature

__all__ = ["PURPOSES", "Conditioning", "Purpose", "cohere", "gemini", "gemini_embedding_2", "voyage"]

Purpose: TypeAlias = Literal["query", "document", "similarity", "classification", "clustering",
                             "question_answering", "fact_verification", "code_query"]
PURPOSES: tuple[str, ...] = ("query", "document", "similarity", "classification", "clustering",
                             "question_answering", "fact_verification", "code_query")


@dataclass(frozen=True, slots=True)
class Conditioning:
    """What a purpose turns into: texts (prefixed where the family conditions by text), an input-type word
    for hosts that take one, and a title where the family takes one."""

    texts: tuple[str, ...]
    input_type: str | None = None
    title: str | None = None


def _refuse(family: str, purpose: str, allowed: Mapping[str, object]) -> UnsupportedFeature:
    return UnsupportedFeature(f"{family} embeddings take purpose {' | '.join(allowed)}, not {purpose!r}")


_GEMINI_TASK_TYPES: Mapping[str, str] = {
    "query": "RETRIEVAL_QUERY",
    "document": "RETRIEVAL_DOCUMENT",
    "similarity": "SEMANTIC_SIMILARITY",
    "classification": "CLASSIFICATION",
    "clustering": "CLUSTERING",
    "question_answering": "QUESTION_ANSWERING",
    "fact_verification": "FACT_VERIFICATION",
    "code_query": "CODE_RETRIEVAL_QUERY",
}


def gemini(texts: tuple[str, ...], purpose: str | None, title: str | None = None) -> Conditioning:
    """Gemini task types; with no purpose, ``RETRIEVAL_QUERY`` (what Google's SDKs default to for a query)."""
    task = _GEMINI_TASK_TYPES.get(purpose or "query")
    if task is None:
        raise _refuse("Gemini", str(purpose), _GEMINI_TASK_TYPES)
    if title is not None and task != "RETRIEVAL_DOCUMENT":
        raise UnsupportedFeature("a title is only taken for purpose='document' (Gemini RETRIEVAL_DOCUMENT)")
    return Conditioning(texts, input_type=task, title=title)


#: gemini-embedding-2's task words (asymmetric: a query and a document are written differently)
_E2_ASYMMETRIC: Mapping[str, str] = {
    "query": "search result",
    "document": "search result",
    "question_answering": "question answering",
    "fact_verification": "fact checking",
    "code_query": "code retrieval",
}
_E2_SYMMETRIC: Mapping[str, str] = {
    "similarity": "sentence similarity",
    "classification": "classification",
    "clustering": "clustering",
}
_E2_PREFIXES = ("task: ", "title: ")


def gemini_embedding_2(texts: tuple[str, ...], purpose: str | None, title: str | None = None, *,
                       task: str | None = None) -> Conditioning:
    """``gemini-embedding-2``: the task is written into each text. ``purpose="document"`` writes the document
    form (``title: ... | text: ...``); ``task=`` picks the retrieval task for a query or a document
    (``search result`` by default, ``question answering``, ``fact checking``, ``code retrieval``)."""
    purpose = purpose or "query"
    if purpose not in _E2_ASYMMETRIC and purpose not in _E2_SYMMETRIC:
        raise _refuse("gemini-embedding-2", purpose, {**_E2_ASYMMETRIC, **_E2_SYMMETRIC})
    if title is not None and purpose != "document":
        raise UnsupportedFeature("a title is only taken for purpose='document'")
    words = task or _E2_SYMMETRIC.get(purpose) or _E2_ASYMMETRIC[purpose]
    out = []
    for text in texts:
        if text.startswith(_E2_PREFIXES):
            out.append(text)  # already conditioned by the caller: sent as it is
        elif purpose == "document":
            out.append(f"title: {title or 'none'} | text: {text}")
        else:
            out.append(f"task: {words} | query: {text}")
    return Conditioning(tuple(out))


_COHERE: Mapping[str, str] = {
    "query": "search_query",
    "document": "search_document",
    "classification": "classification",
    "clustering": "clustering",
}


def cohere(texts: tuple[str, ...], purpose: str | None) -> Conditioning:
    """Cohere v3+ require an input type; with no purpose, ``search_query``."""
    kind = _COHERE.get(purpose or "query")
    if kind is None:
        raise _refuse("Cohere", str(purpose), _COHERE)
    return Conditioning(texts, input_type=kind)


_VOYAGE: Mapping[str, str | None] = {"query": "query", "document": "document", "similarity": None}


def voyage(texts: tuple[str, ...], purpose: str | None) -> Conditioning:
    """Voyage: ``query`` / ``document``; no input type for symmetric use (Voyage's own default)."""
    if purpose is None:
        return Conditioning(texts)
    if purpose not in _VOYAGE:
        raise _refuse("Voyage", purpose, _VOYAGE)
    return Conditioning(texts, input_type=_VOYAGE[purpose])
