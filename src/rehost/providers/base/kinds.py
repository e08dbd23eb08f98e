"""The kinds of work a host can serve, and the sender protocol a client of each kind talks to.

A client never sees a host's classes: it asks whatever it is bound to for ``endpoint(kind)`` and talks to
what comes back through the protocol of that kind. A host's endpoint, ``Fallback`` (routing across hosts)
and an in-process engine all implement it directly.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:
    from ...shared.audio.types import (
        AudioChunk,
        LiveEvent,
        SpeakRequest,
        Speech,
        SpeechDone,
        TranscribeRequest,
        Transcript,
    )
    from ...shared.embed.types import Embeddings, EmbedRequest
    from ...shared.request import Request
    from ...shared.types import Completion, StreamEvent

__all__ = ["KINDS", "ChatSender", "EmbedSender", "Kind", "RealtimeSender", "Routable", "SpeakSender",
           "TranscribeSender",
           "endpoint_attribute"]

#: every kind rehost knows; a host serves some of them
Kind: TypeAlias = Literal["chat", "embed", "transcribe", "speak", "realtime", "video"]
KINDS: tuple[Kind, ...] = ("chat", "embed", "transcribe", "speak", "realtime", "video")


@runtime_checkable
class ChatSender(Protocol):
    """What a chat client sends through: a host's chat endpoint, a Fallback, an in-process engine."""

    name: str

    def prepare(self, request: Request) -> Any: ...

    def send(self, request: Request) -> Completion: ...

    async def asend(self, request: Request) -> Completion: ...

    def send_prepared(self, prepared: Any) -> Completion: ...

    async def asend_prepared(self, prepared: Any) -> Completion: ...

    def stream_prepared(self, prepared: Any) -> Iterator[StreamEvent]: ...

    def astream_prepared(self, prepared: Any) -> AsyncIterator[StreamEvent]: ...


@runtime_checkable
class EmbedSender(Protocol):
    """What an embedder client sends one batch through (splitting into batches is the client's)."""

    name: str
    #: the most inputs one call takes on this host (None: no documented cap)
    max_inputs: int | None

    def embed(self, request: EmbedRequest) -> Embeddings: ...

    async def aembed(self, request: EmbedRequest) -> Embeddings: ...


@runtime_checkable
class TranscribeSender(Protocol):
    """What a transcriber client sends one file through (splitting a long file is the client's: it reads
    ``max_upload_bytes``). A host's transcribe endpoint and an in-process engine (``WhisperLocal``) implement it."""

    name: str
    formats: frozenset[str]
    takes_url: bool
    max_upload_bytes: int | None
    streams: bool

    def transcribe(self, request: TranscribeRequest) -> Transcript: ...

    async def atranscribe(self, request: TranscribeRequest) -> Transcript: ...

    def transcribe_stream(self, request: TranscribeRequest) -> Iterator[LiveEvent]: ...

    def atranscribe_stream(self, request: TranscribeRequest) -> AsyncIterator[LiveEvent]: ...


@runtime_checkable
class SpeakSender(Protocol):
    """What a speaker client sends one text through: a host's speak endpoint, an in-process voice (Piper)."""

    name: str
    formats: frozenset[str]
    max_chars: int | None

    def speak(self, request: SpeakRequest) -> Speech: ...

    async def aspeak(self, request: SpeakRequest) -> Speech: ...

    def speak_stream(self, request: SpeakRequest) -> Iterator[AudioChunk | SpeechDone]: ...

    def aspeak_stream(self, request: SpeakRequest) -> AsyncIterator[AudioChunk | SpeechDone]: ...


@runtime_checkable
class RealtimeSender(Protocol):
    """What a realtime client opens sessions through: a host's realtime endpoint, or a cascade of transcriber +
    chat + voice. ``connect`` returns an open ``shared.realtime.RealtimeSession``."""

    name: str

    async def connect(self, config: Any, *, resume: str | None = None, **options: Any) -> Any: ...
    def connect_sync(self, config: Any, *, resume: str | None = None, **options: Any) -> Any: ...


@runtime_checkable
class Routable(Protocol):
    """Anything a client can be bound to: it hands out the sender of each kind it serves."""

    name: str

    def endpoint(self, kind: Kind) -> Any: ...

    @property
    def kinds(self) -> frozenset[str]: ...


def endpoint_attribute(cls: type, attribute: str) -> type[Any] | None:
    """The endpoint class a host class names in ``attribute`` (``embed_endpoint`` ...), or None.

    The value is a class, or the name of a class in the module of the class that sets it: a host file keeps
    its endpoint classes at its end (after the host class, which cannot name them before they exist), and
    the host class still says in one line which one serves each kind. ``".module:Class"`` names a class in
    a sibling module, imported when the endpoint is first asked for: a kind most users of a host never call
    (OpenAI's speech endpoints) then costs nothing at import."""
    for klass in cls.__mro__:
        if attribute in vars(klass):
            value = vars(klass)[attribute]
            if isinstance(value, str):
                module_name, _, name = value.rpartition(":")
                if module_name:
                    import importlib

                    package = klass.__module__.rpartition(".")[0]
                    module = importlib.import_module(module_name, package if module_name.startswith(".") else None)
                    lazy: type[Any] = getattr(module, name)
                    return lazy
                found: type[Any] = getattr(sys.modules[klass.__module__], value)
                return found
            return value if isinstance(value, type) else None
    return None
