"""``OpenAI`` and ``AsyncOpenAI``: ``client.chat.completions.create(model="host/model", ...)`` on rehost."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterable, Iterator, Mapping
from typing import Any, NoReturn

from ..clients.base import AsyncCompletionStream, CompletionStream
from ..shared.chat.output import Output
from ..shared.chat.types import Completion, Done, ReasoningDelta, StreamEvent, TextDelta, ToolCallDelta, Usage
from ..shared.errors import ConfigurationError, UnsupportedFeature
from . import types as t
from ._convert import Call, chat_completion, convert_call, new_id, usage_of

__all__ = ["AsyncOpenAI", "AsyncStream", "OpenAI", "Stream"]

_CONSTRUCTOR_HINT = (
    "rehost.openai.OpenAI takes options per host: OpenAI(hosts={'groq': {'api_key': ...}, 'vllm': {'base_url': "
    "...}}); without them each host reads its own key variable (GROQ_API_KEY, ...)"
)


class _Hosts:
    """One provider per host (shared by every model on it) and one model client per model string."""

    def __init__(self, hosts: Mapping[str, Any] | None, *, raw: bool) -> None:
        from ..entry import HOSTS, provider

        self.raw = raw
        self._providers: dict[str, Any] = {}
        self._owned: list[Any] = []  # providers built here (closed with the facade); given ones stay the caller's
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        for host, value in (hosts or {}).items():
            if host not in HOSTS:
                provider(host)  # raises the unknown-host error, with the close names
            if isinstance(value, Mapping):
                built = provider(host, **dict(value))
                self._owned.append(built)
                self._providers[host] = built
            else:
                self._providers[host] = value

    @property
    def names(self) -> list[str]:
        return sorted(self._providers)

    def client(self, spec: str) -> Any:
        with self._lock:
            found = self._clients.get(spec)
            if found is not None:
                return found
            from ..entry import client as make

            host = spec.partition("/")[0]
            shared = self._providers.get(host)
            made = make(spec, raw=self.raw, bound_to=shared)
            if shared is None:
                self._providers[host] = made.provider
                self._owned.append(made.provider)
            self._clients[spec] = made
            return made

    def close(self) -> None:
        for owned in self._owned:
            owned.close()

    async def aclose(self) -> None:
        for owned in self._owned:
            await owned.aclose()
            owned.close()


class _Chunker:
    """rehost stream events as ChatCompletionChunks: a role chunk first, then deltas, then the finish reason and
    (with ``stream_options={"include_usage": True}``) a last chunk holding only the usage, as the SDK sends."""

    def __init__(self, model: str, output: Output | None, include_usage: bool) -> None:
        self.id = new_id()
        self.created = int(time.time())
        self.model = model
        self.output = output
        self.include_usage = include_usage
        self.started = False
        self.usage: Usage | None = None
        self.completion: Completion | None = None
        self._indices: dict[int, int | None] = {}  # rehost call index -> SDK index (None: the structured answer)

    def _chunk(self, delta: t.ChoiceDelta | None = None, *, finish: str | None = None,
               usage: t.CompletionUsage | None = None, empty: bool = False) -> t.ChatCompletionChunk:
        choices = [] if empty else [t.ChunkChoice(delta=delta or t.ChoiceDelta(), finish_reason=finish, index=0)]
        return t.ChatCompletionChunk(id=self.id, created=self.created, model=self.model, choices=choices, usage=usage)

    def on(self, event: StreamEvent) -> list[t.ChatCompletionChunk]:
        out: list[t.ChatCompletionChunk] = []
        if not self.started:
            self.started = True
            out.append(self._chunk(t.ChoiceDelta(role="assistant", content="")))
        if isinstance(event, TextDelta):
            out.append(self._chunk(t.ChoiceDelta(content=event.text)))
        elif isinstance(event, ReasoningDelta):
            out.append(self._chunk(t.ChoiceDelta(reasoning_content=event.text)))
        elif isinstance(event, ToolCallDelta):
            out.extend(self._tool_delta(event))
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Done):
            self.completion = done = event.completion
            finish: str = done.finish_reason
            if finish == "tool_calls" and self._indices and all(i is None for i in self._indices.values()):
                finish = "stop"  # the only call was the forced structured-output tool
            out.append(self._chunk(finish=finish))
            if self.include_usage:
                out.append(self._chunk(empty=True, usage=usage_of(done.usage or self.usage)))
        return out

    def _tool_delta(self, event: ToolCallDelta) -> list[t.ChatCompletionChunk]:
        if event.index not in self._indices:
            structured = self.output is not None and event.name == self.output.name
            self._indices[event.index] = None if structured else sum(
                1 for i in self._indices.values() if i is not None)
        index = self._indices[event.index]
        if index is None:  # the answer in a schema, carried by a forced tool: its arguments are the content
            return [self._chunk(t.ChoiceDelta(content=event.arguments))] if event.arguments else []
        fn = t.ChoiceDeltaToolCallFunction(name=event.name, arguments=event.arguments)
        call = t.ChoiceDeltaToolCall(index=index, id=event.id, function=fn,
                                     type="function" if event.id or event.name else None)
        return [self._chunk(t.ChoiceDelta(tool_calls=[call]))]


class Stream:
    """``create(stream=True)``: iterate for ChatCompletionChunks. Leaving early, ``close()`` or the ``with`` block's
    end closes the connection. ``.rehost`` is rehost's final Completion once the stream has ended."""

    def __init__(self, events: CompletionStream, chunker: _Chunker) -> None:
        self._events = events
        self._chunker = chunker
        self._iterator = self._chunks()

    def _chunks(self) -> Generator[t.ChatCompletionChunk, None, None]:
        try:
            for event in self._events:
                yield from self._chunker.on(event)
        finally:
            self._events.close()

    def __iter__(self) -> Iterator[t.ChatCompletionChunk]:
        return self._iterator

    def __next__(self) -> t.ChatCompletionChunk:
        return next(self._iterator)

    def close(self) -> None:
        self._iterator.close()
        self._events.close()

    @property
    def rehost(self) -> Completion | None:
        return self._chunker.completion

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncStream:
    """The async twin of Stream (``async for chunk in await client.chat.completions.create(..., stream=True)``)."""

    def __init__(self, events: AsyncCompletionStream, chunker: _Chunker) -> None:
        self._events = events
        self._chunker = chunker
        self._iterator = self._chunks()

    async def _chunks(self) -> AsyncGenerator[t.ChatCompletionChunk, None]:
        try:
            async for event in self._events:
                for chunk in self._chunker.on(event):
                    yield chunk
        finally:
            await self._events.aclose()

    def __aiter__(self) -> AsyncIterator[t.ChatCompletionChunk]:
        return self._iterator

    async def __anext__(self) -> t.ChatCompletionChunk:
        return await self._iterator.__anext__()

    async def close(self) -> None:
        await self._iterator.aclose()
        await self._events.aclose()

    @property
    def rehost(self) -> Completion | None:
        return self._chunker.completion

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _options(call: Call, timeout: float | None) -> dict[str, Any]:
    options = dict(call.options)
    if timeout is not None:
        options.setdefault("timeout", timeout)
    return options


class Completions:
    def __init__(self, hosts: _Hosts, timeout: float | None) -> None:
        self._hosts = hosts
        self._timeout = timeout

    def create(self, *, model: str, messages: Iterable[Any], **params: Any) -> t.ChatCompletion | Stream:
        """A chat completion on ``model="host/model"``: a ChatCompletion, or with ``stream=True`` a Stream of
        ChatCompletionChunks. Parameters are the SDK's; one rehost cannot honour on that host raises a
        ``rehost.errors`` error before anything is sent, as do malformed messages."""
        call = convert_call({"model": model, "messages": messages, **params})
        client = self._hosts.client(call.spec)
        options = _options(call, self._timeout)
        if call.stream:
            events = client.stream(call.messages, output=call.output, **options)
            return Stream(events, _Chunker(call.spec, call.output, call.include_usage))
        if call.output is None:
            done = client.complete(call.messages, **options)
        else:  # run() with no Python tools makes one call and keeps the whole Completion (complete() keeps the value)
            tools = options.pop("tools", ())
            done = client.run(call.messages, tools=tools, output=call.output, max_turns=1, **options).completion
        return chat_completion(done, model=call.spec, output=call.output)


class AsyncCompletions:
    def __init__(self, hosts: _Hosts, timeout: float | None) -> None:
        self._hosts = hosts
        self._timeout = timeout

    async def create(self, *, model: str, messages: Iterable[Any], **params: Any) -> t.ChatCompletion | AsyncStream:
        """The async twin of ``Completions.create``."""
        call = convert_call({"model": model, "messages": messages, **params})
        client = self._hosts.client(call.spec)
        options = _options(call, self._timeout)
        if call.stream:
            events = client.astream(call.messages, output=call.output, **options)
            return AsyncStream(events, _Chunker(call.spec, call.output, call.include_usage))
        if call.output is None:
            done = await client.acomplete(call.messages, **options)
        else:
            tools = options.pop("tools", ())
            result = await client.arun(call.messages, tools=tools, output=call.output, max_turns=1, **options)
            done = result.completion
        return chat_completion(done, model=call.spec, output=call.output)


class Chat:
    def __init__(self, completions: Completions | AsyncCompletions) -> None:
        self.completions = completions


def _not_built(kind: str) -> NoReturn:
    raise UnsupportedFeature(f"{kind} are not built in rehost yet (rehost has no {kind} kind so far); only "
                             "client.chat.completions.create works through this facade today")


class _NotBuilt:
    """An SDK resource rehost has no kind for yet: every ``create`` says so."""

    def __init__(self, kind: str) -> None:
        self._kind = kind

    def create(self, **params: Any) -> NoReturn:
        _not_built(self._kind)


class _AsyncNotBuilt(_NotBuilt):
    async def create(self, **params: Any) -> NoReturn:  # type: ignore[override]
        _not_built(self._kind)


class Audio:
    def __init__(self, kind: type[_NotBuilt]) -> None:
        self.transcriptions = kind("audio transcriptions")
        self.translations = kind("audio translations")
        self.speech = kind("speech outputs")


def _check_constructor(unsupported: Mapping[str, Any]) -> None:
    if unsupported:
        raise ConfigurationError(f"unknown option(s) {', '.join(sorted(unsupported))}. {_CONSTRUCTOR_HINT}")


class OpenAI:
    """An OpenAI-SDK-shaped client over rehost: ``client.chat.completions.create(model="groq/llama-3.3-70b",
    messages=[...])``. The model string is ``host/model`` (as ``rehost.client``); its host's provider is built
    once, from ``hosts={"groq": {"api_key": ..., "base_url": ...}}`` (or given: ``hosts={"groq": Groq(...)}``),
    else from the host's environment variable. ``raw=True`` sends model ids rehost does not know as they are.
    ``timeout`` is each call's total time limit, in seconds.

    ``client.embeddings.create`` and ``client.audio.*.create`` raise UnsupportedFeature: those kinds are not
    built in rehost yet. Errors are rehost's own (``rehost.errors``), not the SDK's.
    """

    def __init__(self, *, hosts: Mapping[str, Any] | None = None, raw: bool = False, timeout: float | None = None,
                 **unsupported: Any) -> None:
        _check_constructor(unsupported)
        self._hosts = _Hosts(hosts, raw=raw)
        self.chat = Chat(Completions(self._hosts, timeout))
        self.embeddings = _NotBuilt("embeddings")
        self.audio = Audio(_NotBuilt)

    def __repr__(self) -> str:
        return f"OpenAI(hosts={self._hosts.names})"  # names only: host options hold keys

    def close(self) -> None:
        """Close the connections of the providers this facade built (given providers stay open)."""
        self._hosts.close()

    def __enter__(self) -> OpenAI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOpenAI:
    """The async twin of OpenAI: ``await client.chat.completions.create(...)``."""

    def __init__(self, *, hosts: Mapping[str, Any] | None = None, raw: bool = False, timeout: float | None = None,
                 **unsupported: Any) -> None:
        _check_constructor(unsupported)
        self._hosts = _Hosts(hosts, raw=raw)
        self.chat = Chat(AsyncCompletions(self._hosts, timeout))
        self.embeddings = _AsyncNotBuilt("embeddings")
        self.audio = Audio(_AsyncNotBuilt)

    def __repr__(self) -> str:
        return f"AsyncOpenAI(hosts={self._hosts.names})"

    async def close(self) -> None:
        await self._hosts.aclose()

    async def __aenter__(self) -> AsyncOpenAI:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
