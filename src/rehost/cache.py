"""The response cache: the same request to the same host answered once, then from the cache.

    from rehost import DeepSeekClient, ResponseCache

    cache = ResponseCache()                               # in memory; ResponseCache("answers.sqlite") on disk;
                                                          # ResponseCache(RedisState(url)) shared
    r1 = DeepSeekClient("r1-distill-llama-70b", provider="groq", cache=cache)   # every call of this client
    r1.complete("hi").cached                              # False: sent
    r1.complete("hi").cached                              # True: served from the cache, nothing sent
    r1.complete("hi", cache=False)                        # this call is sent whatever the client says
    other.complete("hi", cache=cache)                     # opt in for one call

It is opt-in (per client, or per call with ``cache=``): a cached answer is a stale answer, which only the
caller can decide is fine. The match is exact, on the neutral request: model, host (its name and public
address), the host's model id, messages (an image or document by the digest of its bytes), tools, tool
choice, sampling, thinking, output schema and mode, the base-model prompt and ``extra_body``; never the key
or any header (``extra_headers`` can carry credentials), and not ``stream``, so a streamed call is served
from an answer fetched whole and the other way round. A streamed call served from the cache replays as a
stream: the text, reasoning and tool calls as one delta each, then the usage and ``Done``.

An answer served from the cache says so (``completion.cached``), keeps the usage of the answer it replays
and has no cost (nothing was billed); its timing is the lookup's. Answers that ended in an error or a
content filter are not stored. ``hits`` / ``misses`` count lookups (``stats()``). ``ttl`` (seconds, default
an hour; None: kept until the store drops it) bounds an entry's life.

A store that cannot be reached (Redis down) is a miss and a skipped write, logged by the backend: the call
is sent as if there were no cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from .shared.chat.types import (
    Completion,
    Done,
    ReasoningDelta,
    ReasoningPart,
    StreamEvent,
    TextDelta,
    TextPart,
    Timing,
    ToolCall,
    ToolCallDelta,
)
from .shared.errors import ConfigurationError
from .shared.io.state import MemoryState, StateBackend, StateUnavailable
from .shared.request import Request

__all__ = ["ResponseCache", "replay"]

#: bumped when the key's recipe or the stored form changes, so old entries are never misread
_VERSION = "1"
_NOT_STORED = frozenset({"error", "content_filter"})


def _canon(value: Any) -> Any:
    """A JSON-able, order-stable form of a request's parts; bytes by their digest (keys stay short)."""
    if isinstance(value, BaseModel):
        return _canon(value.model_dump(exclude_none=True))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canon(getattr(value, f.name)) for f in dataclasses.fields(value)
                if getattr(value, f.name) is not None}
    if isinstance(value, bytes | bytearray):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, Mapping):
        return {str(k): _canon(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_canon(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def request_key(request: Request, host: str, base_url: str = "") -> str:
    """The cache key of ``request`` on ``host``: a digest of everything that shapes the answer."""
    output = request.output
    shape = {
        "v": _VERSION,
        "host": host,
        "base_url": base_url,
        "model": request.model,
        "host_model_id": request.host_model_id,
        "messages": _canon(request.messages),
        "sampling": _canon(request.sampling),
        "thinking": _canon(request.thinking),
        "tools": _canon(request.tools),
        "builtin_tools": _canon(request.builtin_tools),
        "tool_choice": _canon(request.tool_choice),
        "output": None if output is None else {"schema": _canon(output.schema), "name": output.name,
                                               "strict": output.strict},
        "output_mode": request.output_mode,
        "prompt": request.prompt,
        "reasoning_tags": _canon(request.reasoning_tags),
        "extra_body": _canon(request.extra_body),
    }
    if request.prompt_cache is not None:  # only when set, so every key made before it existed still matches
        shape["prompt_cache"] = _canon(request.prompt_cache)
    return hashlib.sha256(json.dumps(shape, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _host_of(provider: Any) -> tuple[str, str]:
    """A provider's name and public address; a routing one (``Fallback``) by its members', in order."""
    from .shared.io.call import public_url

    members = getattr(provider, "providers", None)
    if isinstance(members, tuple) and members:
        parts = [_host_of(member) for member in members]
        return "+".join(name for name, _ in parts), " ".join(url for _, url in parts)
    return str(getattr(provider, "name", type(provider).__name__)), public_url(getattr(provider, "base_url", "") or "")


def _store_of(store: Any) -> StateBackend:
    if store is None or store == "memory":
        return MemoryState()
    if isinstance(store, str | Path):
        from .shared.io.state_sqlite import SqliteState

        return SqliteState(store)
    if isinstance(store, StateBackend):
        return store
    raise ConfigurationError(f"ResponseCache(store=...) takes 'memory', a SQLite file path or a StateBackend "
                             f"(MemoryState, RedisState, SqliteState), not {store!r:.60}")


class ResponseCache:
    """Answers by request (see the module). ``store``: ``"memory"`` (default), a SQLite file path, or any
    ``StateBackend`` (``RedisState`` to share it); ``ttl``: seconds an entry lives; ``namespace``: a prefix
    keeping unrelated caches in one store apart."""

    def __init__(self, store: Any = None, *, ttl: float | None = 3600.0, namespace: str = "") -> None:
        if ttl is not None and not (isinstance(ttl, int | float) and not isinstance(ttl, bool) and ttl > 0):
            raise ConfigurationError(f"ResponseCache(ttl=...) must be seconds > 0 or None, not {ttl!r}")
        self.store = _store_of(store)
        self.ttl = float(ttl) if ttl is not None else None
        self.namespace = namespace
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ResponseCache({self.store!r}, ttl={self.ttl}, hits={self.hits}, misses={self.misses})"

    def stats(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses}

    def key(self, request: Request, provider: Any) -> str:
        host, base_url = _host_of(provider)
        return f"cache:{self.namespace}:{request_key(request, host, base_url)}"

    # -- stored form ----------------------------------------------------------------------------------------
    def _encode(self, completion: Completion) -> bytes:
        body = completion.model_dump(mode="json", exclude={"output", "raw", "cost", "timing", "attempts"})
        if completion.output is not None:
            body["__output__"] = to_jsonable_python(completion.output)
        return json.dumps(body, separators=(",", ":")).encode()

    def _decode(self, raw: bytes, request: Request, started: float, t0: float) -> Completion | None:
        try:
            body = json.loads(raw)
            output = body.pop("__output__", None)
            completion = Completion.model_validate(body)
            if request.output is not None and output is not None:
                value = {"result": output} if request.output.wrapped else output
                output = request.output.validate(value, text=json.dumps(output), host=completion.host)
        except Exception:  # an entry this version cannot read (or that no longer validates): a miss
            return None
        timing = Timing(started_at=started, total=time.perf_counter() - t0)
        return completion.model_copy(update={"cached": True, "output": output, "timing": timing,
                                             "host_cost": None})

    def _count(self, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    # -- sync -----------------------------------------------------------------------------------------------
    def lookup(self, request: Request, provider: Any) -> Completion | None:
        """The stored answer (marked ``cached``), or None (counted as a miss)."""
        started, t0 = time.time(), time.perf_counter()
        try:
            raw = self.store.get(self.key(request, provider))
        except StateUnavailable:
            raw = None
        found = None if raw is None else self._decode(raw, request, started, t0)
        self._count(found is not None)
        return found

    def save(self, request: Request, provider: Any, completion: Completion) -> None:
        if completion.finish_reason in _NOT_STORED or completion.cached:
            return
        with contextlib.suppress(StateUnavailable):  # (the backend logged it)
            self.store.set(self.key(request, provider), self._encode(completion), self.ttl)

    # -- async ----------------------------------------------------------------------------------------------
    async def alookup(self, request: Request, provider: Any) -> Completion | None:
        started, t0 = time.time(), time.perf_counter()
        try:
            raw = await self.store.aget(self.key(request, provider))
        except StateUnavailable:
            raw = None
        found = None if raw is None else self._decode(raw, request, started, t0)
        self._count(found is not None)
        return found

    async def asave(self, request: Request, provider: Any, completion: Completion) -> None:
        if completion.finish_reason in _NOT_STORED or completion.cached:
            return
        with contextlib.suppress(StateUnavailable):
            await self.store.aset(self.key(request, provider), self._encode(completion), self.ttl)


def replay(completion: Completion) -> Iterator[StreamEvent]:
    """A stored answer as the events of a stream: one delta per part, then its usage, then ``Done``."""
    calls = 0
    for part in completion.parts:
        if isinstance(part, ReasoningPart) and part.text:
            yield ReasoningDelta(part.text)
        elif isinstance(part, TextPart) and part.text:
            yield TextDelta(part.text)
        elif isinstance(part, ToolCall):
            arguments = part.raw_arguments if part.raw_arguments is not None else json.dumps(part.arguments)
            yield ToolCallDelta(index=calls, id=part.id, name=part.name, arguments=arguments)
            calls += 1
    if completion.usage is not None:
        yield completion.usage
    yield Done(completion)
