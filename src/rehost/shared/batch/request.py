"""BatchRequest: the neutral batch, a list of chat requests each with the caller's custom id.

Every item is a full neutral ``Request`` (made by a client's ``prepare``, so every model rule has been
applied), which a host encodes with its own chat endpoint: a batch line is the body the same call would
send on its own. What is wrong with the batch as a whole is refused here, before anything is encoded or
sent: no items, an id given twice or not a non-empty string, an item asking for a stream (a batch has no
stream to give). What depends on the host (its id alphabet, how many items it takes, whether one batch may
mix models, whether it serves the model at all) is its batch endpoint's to refuse, also before the network.

``BatchRequest.from_jsonl(path_or_text, prepare=client.prepare)`` reads one JSON object a line:
``{"custom_id": "q1", "messages": [...] or "input": "a prompt", ...}``; every other key is an option of
``prepare`` (``max_tokens``, ``temperature``, ``system``, ``thinking``, ``output`` ...).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..chat.request import Request
from ..errors import ConfigurationError

__all__ = ["BatchItem", "BatchRequest"]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One request of a batch, under the caller's id (which its result carries back)."""

    custom_id: str
    request: Request


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """Items in the order their results are returned. ``metadata``: the caller's labels, sent where the host
    keeps them (OpenAI's ``metadata``, Gemini's display name)."""

    items: tuple[BatchItem, ...]
    metadata: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        items = self.items
        if isinstance(items, Mapping):
            items = tuple(BatchItem(str(k), v) for k, v in items.items())
        if not isinstance(items, Iterable) or isinstance(items, str | bytes):
            raise ConfigurationError(f"BatchRequest(items=...) takes BatchItems (or a dict of custom id -> "
                                     f"Request), not {type(self.items).__name__}")
        items = tuple(items)
        object.__setattr__(self, "items", items)
        if not items:
            raise ConfigurationError("a batch needs at least one request: BatchRequest(items=()) is empty")
        seen: set[str] = set()
        for i, item in enumerate(items):
            if not isinstance(item, BatchItem):
                raise ConfigurationError(f"batch item {i} is a {type(item).__name__}, not a BatchItem "
                                         "(BatchItem(custom_id, request))")
            cid = item.custom_id
            if not isinstance(cid, str) or not cid.strip():
                raise ConfigurationError(f"batch item {i}: its custom_id must be a non-empty string, not {cid!r:.40}")
            if cid in seen:
                raise ConfigurationError(f"batch item {i}: the custom_id {cid!r} is used twice (each item's id "
                                         "must be unique: it is how its result is found)")
            seen.add(cid)
            if not isinstance(item.request, Request):
                raise ConfigurationError(f"batch item {cid!r}: its request must be a rehost Request (a client's "
                                         f"prepare(...)), not {type(item.request).__name__}")
            if item.request.stream:
                raise ConfigurationError(f"batch item {cid!r} asks for a stream: a batch answers each request "
                                         "whole, later; send it without stream=True")

    def __len__(self) -> int:
        return len(self.items)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.custom_id for item in self.items)

    @property
    def models(self) -> tuple[str, ...]:
        """The distinct models the items ask for, in first-seen order."""
        return tuple(dict.fromkeys(item.request.model for item in self.items))

    @classmethod
    def from_jsonl(cls, source: str | Path, *, prepare: Callable[..., Request],
                   metadata: Mapping[str, str] | None = None) -> BatchRequest:
        """A batch from JSONL (a path, or the text itself), each line prepared by ``prepare`` (a client's)."""
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        if isinstance(source, str) and "\n" not in source and not source.lstrip().startswith("{"):
            path = Path(source)
            if not path.is_file():
                raise ConfigurationError(f"BatchRequest.from_jsonl: {source!r:.80} is neither JSONL nor a file")
            text = path.read_text(encoding="utf-8")
        items: list[BatchItem] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ConfigurationError(f"batch JSONL line {n} is not JSON: {exc}") from None
            if not isinstance(row, dict):
                raise ConfigurationError(f"batch JSONL line {n} must be a JSON object, not {type(row).__name__}")
            row = dict(row)
            cid = row.pop("custom_id", None)
            if "messages" in row and "input" in row:
                raise ConfigurationError(f"batch JSONL line {n}: give messages or input, not both")
            messages = row.pop("messages", row.pop("input", None))
            if messages is None:
                raise ConfigurationError(f"batch JSONL line {n} has no messages (or input)")
            try:
                request = prepare(messages, **row)
            except TypeError as exc:
                raise ConfigurationError(f"batch JSONL line {n}: {exc}") from None
            except ConfigurationError as exc:
                raise ConfigurationError(f"batch JSONL line {n}: {exc}") from None
            items.append(BatchItem(cid, request))  # the id is checked with the rest, in __post_init__
        return cls(tuple(items), metadata=metadata)
