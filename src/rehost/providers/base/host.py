"""Host: everything about one host that is the same whatever kind of work it serves.

A host is its name, URLs, key (and where it is read from), connection pools, rate limit, error mapping and
model-id lookup. What it serves is a set of *endpoints*, one per kind (``chat``, ``embed`` ...): each a pure
codec of its kind plus this host's hooks, sent through the host's transport. A host class names its
endpoints as class attributes (``chat_endpoint = GroqChat``); a host with two surfaces for one kind (DeepSeek's
chat completions and Responses, Ollama's native API and /v1) picks one per instance in ``endpoint_class``
rather than branching inside every hook.

Clients talk to ``host.endpoint(kind)`` through the sender protocol of their kind (``kinds.py``); the chat
methods (``send``, ``stream`` ...) are kept on the host too, forwarded to its chat endpoint, so code written
against a provider keeps working.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ...shared.errors import (
    ConfigurationError,
    HostError,
    MissingAPIKey,
    RehostError,
    UnsupportedFeature,
)
from ...shared.ratelimit import RateLimit, RateLimiter
from ...shared.transport import (
    HttpCall,
    RetryPolicy,
    Timeouts,
    Transport,
    header_request_id,
    parse_retry_after,
    public_url,
    url_problem,
)
from .headers import add_missing, checked_headers, clean_key
from .kinds import KINDS, Kind, endpoint_attribute
from .status import error_class_for_status

if TYPE_CHECKING:
    from ...shared.catalog import Catalog  # (not at run time: importing rehost must not load the catalogue)
    from ...shared.request import Request
    from ...shared.tokens import TokenCount
    from ...shared.types import Completion, StreamEvent
    from ..dialects.common import CallInfo
    from .chat import ChatEndpoint, PreparedCall

__all__ = ["Host", "annotation_globals"]


def annotation_globals(fn: Any) -> dict[str, Any]:
    """The names ``fn``'s annotations are evaluated with (``typing.get_type_hints``): its module's, plus the
    catalogue's ``Catalog``, which this module imports for type checkers only (``import rehost`` stays light). The
    CLI reads a host's constructor options this way; the catalogue is imported then, when it is needed."""
    from ...shared.catalog import Catalog

    return {**fn.__globals__, "Catalog": Catalog}


def _load_neutral_types() -> None:
    """Import the neutral chat types (once per process; nothing after that)."""
    import importlib

    importlib.import_module("rehost.shared.chat.types")


class Host:
    """One host. Subclasses declare identity and endpoints; users construct them with a key (or its env var)."""

    #: short host name, as used in the catalogue (``groq``, ``openrouter``, ...)
    name: ClassVar[str]
    default_base_url: ClassVar[str]
    #: environment variables searched for the key, the conventional one first
    api_key_env: ClassVar[tuple[str, ...]] = ()
    #: response headers that carry the host's request id
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "request-id")
    #: the header(s) the host's key travels in (lower case): a caller who sets one needs no key of ours
    auth_header_names: ClassVar[tuple[str, ...]] = ("authorization",)
    #: the endpoint class of each kind this host serves (None: it does not serve that kind); a string names a
    #: class of the module that sets it, so a host file can keep its endpoint classes after the host class
    chat_endpoint: ClassVar[type[Any] | str | None] = None
    embed_endpoint: ClassVar[type[Any] | str | None] = None
    video_endpoint: ClassVar[type[Any] | str | None] = None
    transcribe_endpoint: ClassVar[type[Any] | str | None] = None
    speak_endpoint: ClassVar[type[Any] | str | None] = None
    #: callbacks for every client call through this host (``rehost.hooks``; set ``host.hooks = Hooks(...)``)
    hooks: Any = None

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        models: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        rate_limit: RateLimit | None = None,
        limits: httpx.Limits | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        """``rate_limit`` caps requests and tokens per minute for every client bound to this host.
        ``limits`` sizes its connection pools (default: 100 connections, see ``Transport``). ``catalog``
        is the model x host catalogue this host reads ids, prices and context windows from (default: the
        process-wide one, ``rehost.catalog()``)."""
        self._api_key = clean_key(api_key, host=self.name, source="api_key=")
        if base_url:  # (an empty one means the default, as it always has)
            problem = url_problem(base_url)
            if problem is not None:
                raise ConfigurationError(f"{self.name}: base_url {problem}: pass the host's API address, such "
                                         f"as {self.default_base_url!r}", host=self.name)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self._headers = dict(checked_headers(headers or {}, self.name, "headers=", ConfigurationError))
        self._models = dict(models or {})
        self._catalog = catalog
        self._endpoints: dict[str, Any] = {}
        self.rate_limiter = RateLimiter(rate_limit) if rate_limit is not None else None
        self._transport = Transport(
            host=self.name, timeouts=timeouts, retry=retry,
            sync_transport=transport, async_transport=async_transport, limiter=self.rate_limiter, limits=limits,
        )

    # ------------------------------------------------------------------------------------------ identity
    def __repr__(self) -> str:
        return (f"{type(self).__name__}(base_url={public_url(self.base_url)!r}, "
                f"key={'set' if self.has_key else 'missing'})")

    @property
    def has_key(self) -> bool:
        if self._headers_authorize():
            return True  # the caller's own ``headers=`` carry the credential (``authorize`` adds none of ours)
        try:
            return self._resolve_key() is not None
        except ConfigurationError:
            return True  # a key is there, only unusable: the call says why

    def _headers_authorize(self) -> bool:
        """Whether the host's ``headers=`` hold one of the headers its key travels in."""
        return any(name.lower() in self.auth_header_names for name in self._headers)

    @property
    def missing_key_reason(self) -> str | None:
        """Why a call would fail for want of credentials, or None when they are there."""
        if self.has_key:
            return None
        names = " or ".join(self.api_key_env) or "an api_key"
        return f"{self.name}: no API key: set {names}, or pass api_key=... to {type(self).__name__}()"

    def _resolve_key(self) -> str | None:
        """The key given, else the first of ``api_key_env`` set (stripped, and checked: ConfigurationError)."""
        if self._api_key:
            return self._api_key
        for var in self.api_key_env:
            value = os.environ.get(var)
            if value:
                key = clean_key(value, host=self.name, source=f"${var}")
                if key is not None:
                    return key
        return None

    def _known_key(self) -> str | None:
        """The key to keep out of error texts (None when there is none, or none usable)."""
        try:
            return self._resolve_key()
        except ConfigurationError:
            return None

    def _key(self) -> str:
        key = self._resolve_key()
        if key is None:
            raise MissingAPIKey(self.missing_key_reason or f"{self.name}: no API key", host=self.name)
        return key

    # ------------------------------------------------------------------------------------------ endpoints
    def endpoint_class(self, kind: Kind) -> type[Any] | None:
        """The endpoint class serving ``kind`` here (a host with two surfaces chooses per instance)."""
        return endpoint_attribute(type(self), f"{kind}_endpoint")

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of work this host serves."""
        return frozenset(k for k in KINDS if self.endpoint_class(k) is not None)

    def endpoint(self, kind: Kind) -> Any:
        """This host's endpoint for ``kind`` (made once), or UnsupportedFeature when it serves no such work."""
        found = self._endpoints.get(kind)
        if found is not None:
            return found
        cls = self.endpoint_class(kind)
        if cls is None:
            from ..._registry import HOSTS

            served = ", ".join(sorted(self.kinds)) or "nothing"
            others = ", ".join(sorted(h.name for h in HOSTS.values() if kind in h.kinds)) or "none registered"
            raise UnsupportedFeature(f"{self.name} serves no {kind} endpoint (it serves {served}); the hosts that "
                                     f"serve {kind}: {others}", host=self.name)
        found = self._endpoints[kind] = cls(self)
        return found

    @property
    def batch(self) -> Any:
        """The batch endpoint (``batch_endpoint``: chat requests sent as one job, ``providers/base/batch.py``),
        made once; UnsupportedFeature naming the hosts with one where this host has none. Batches are not a
        kind (``kinds`` does not list them): they are chat work sent another way."""
        found = self._endpoints.get("batch")
        if found is not None:
            return found
        cls = endpoint_attribute(type(self), "batch_endpoint")
        if cls is None:
            from ...shared.batch.sender import batch_hosts

            raise UnsupportedFeature(f"{self.name} has no batch API in rehost; the hosts with one: "
                                     f"{', '.join(batch_hosts()) or 'none registered'}", host=self.name)
        found = self._endpoints["batch"] = cls(self)
        return found

    @property
    def chat(self) -> ChatEndpoint:
        """The chat endpoint (UnsupportedFeature when the host has none)."""
        ep: ChatEndpoint = self.endpoint("chat")
        return ep

    # ------------------------------------------------------------------------------------------ models
    @property
    def catalog(self) -> Catalog:
        """The catalogue this host reads: the one it was given, else the process-wide one."""
        if self._catalog is not None:
            return self._catalog
        from ...shared.catalog import default_catalog

        return default_catalog()

    @property
    def serves_any_model(self) -> bool:
        """Whether the host is a server that runs whatever model it was started with (vLLM, Ollama, llama.cpp)
        rather than a service with a list of its own: such a host takes any catalogued model, by its own
        catalogue row where there is one, else by the model's open-weights id."""
        return False

    def model_id(self, model: str, host_model_id: str | None = None) -> str:
        """The id this host knows ``model`` by: explicit, overridden (``models=``), or from the catalogue."""
        if host_model_id:
            return host_model_id
        if model in self._models:
            return self._models[model]
        if self.serves_any_model:
            return self.catalog.local_id(model, self.name, provider=type(self).__name__)
        return self.catalog.host_entry(model, self.name).id

    def host_model_id(self, request: Request) -> str:
        """The id this host knows a chat request's model by."""
        return self.model_id(request.model, request.host_model_id)

    def context_window(self, request: Request) -> int | None:
        """This host's context window for the request's model (catalogue), or None when unknown."""
        return self.catalog.context_window(request.model, self.name)

    # ------------------------------------------------------------------------------------------ auth
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key()}"}

    async def aauth_headers(self) -> dict[str, str]:
        return self.auth_headers()

    def authorize(self, call: HttpCall) -> None:
        """Add the auth headers to a prepared call, except those the caller set (in ``headers=`` or
        ``extra_headers=``, in any spelling): a caller's own ``Authorization`` replaces the host's, once,
        and needs no key of the host's."""
        try:
            auth = self.auth_headers()
        except MissingAPIKey:
            if not self._caller_authorized(call):
                raise
            return
        add_missing(call.headers, auth)

    async def aauthorize(self, call: HttpCall) -> None:
        try:
            auth = await self.aauth_headers()
        except MissingAPIKey:
            if not self._caller_authorized(call):
                raise
            return
        add_missing(call.headers, auth)

    def _caller_authorized(self, call: HttpCall) -> bool:
        return any(name.lower() in self.auth_header_names for name in call.headers)

    # ------------------------------------------------------------------------------------------ errors
    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        """The typed error for an error answer (``body`` is parsed JSON when it was JSON, else text). Hosts
        override this with their own error bodies; this reads the common ``{"error": {"message": ...}}``."""
        message = None
        if isinstance(body, Mapping):
            err = body.get("error", body)
            if isinstance(err, Mapping):
                message = err.get("message")
            elif isinstance(err, str):
                message = err
        raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        return error_class_for_status(status)(str(message) if message else f"{self.name} answered HTTP {status}",
                                              host=self.name, status=status, body=raw)

    def retry_after_from_body(self, body: Any) -> float | None:
        """A wait the error body names, when the host puts it there rather than in a header."""
        return None

    def parse_body(self, content: bytes) -> Any:
        text = content.decode("utf-8", errors="replace")
        try:
            return json.loads(text)
        except ValueError:
            return text

    def map_http_error(self, status: int, headers: httpx.Headers, content: bytes) -> RehostError:
        return self.map_error_body(status, headers, content, self.error_from_body)

    def map_error_body(self, status: int, headers: httpx.Headers, content: bytes, reader: Any) -> RehostError:
        """An error answer as a typed error, read by ``reader`` (the host's ``error_from_body``, or an
        endpoint's where one surface has its own error bodies), with request id, retry-after and no key."""
        body = self.parse_body(content)
        try:
            err: HostError = reader(status, headers, body)
        except Exception as exc:  # a body we cannot read must still give a typed error
            err = error_class_for_status(status)(f"{self.name} answered HTTP {status}", host=self.name,
                                                 status=status, body=str(body)[:500])
            err.__cause__ = exc
        if err.request_id is None:
            err.request_id = header_request_id(headers, self.request_id_headers)
        if err.retry_after is None:
            err.retry_after = parse_retry_after(headers.get("retry-after")) or self.retry_after_from_body(body)
        err.redact(self._known_key())
        return err

    def map_inband_error(self, payload: Mapping[str, Any], info: CallInfo, reader: Any = None) -> HostError:
        """An error that arrived inside a 200 answer or stream."""
        err_obj = payload.get("error", payload)
        status = 200
        if isinstance(err_obj, Mapping):
            for key in ("status_code", "code", "status"):
                value = err_obj.get(key)
                if isinstance(value, int) and 400 <= value < 600:
                    status = value
                    break
        err: HostError = (reader or self.error_from_body)(status, {}, dict(payload))
        err.status = status if status != 200 else None
        if err.request_id is None:
            err.request_id = info.request_id
        err.redact(self._known_key())
        return err

    # ------------------------------------------------------------------------------------------ chat, forwarded
    def prepare(self, request: Request) -> PreparedCall:
        return self.chat.prepare(request)

    def send(self, request: Request) -> Completion:
        return self.chat.send(request)

    async def asend(self, request: Request) -> Completion:
        return await self.chat.asend(request)

    def stream(self, request: Request) -> Iterator[StreamEvent]:
        return self.chat.stream(request)

    def astream(self, request: Request) -> AsyncIterator[StreamEvent]:
        return self.chat.astream(request)

    def send_prepared(self, prepared: PreparedCall) -> Completion:
        return self.chat.send_prepared(prepared)

    async def asend_prepared(self, prepared: PreparedCall) -> Completion:
        return await self.chat.asend_prepared(prepared)

    def stream_prepared(self, prepared: PreparedCall) -> Iterator[StreamEvent]:
        return self.chat.stream_prepared(prepared)

    def astream_prepared(self, prepared: PreparedCall) -> AsyncIterator[StreamEvent]:
        return self.chat.astream_prepared(prepared)

    def counts_tokens(self, request: Request) -> bool:
        """Whether this host can count the request's input tokens itself (its chat endpoint has a counter,
        and where one host serves models of several publishers, one for this model)."""
        try:
            chat = self.chat
        except UnsupportedFeature:
            return False
        if not callable(getattr(chat, "count_tokens", None)):
            return False
        check = getattr(chat, "counts_tokens", None)
        return check is None or bool(check(request))

    def count_tokens(self, request: Request) -> TokenCount:
        """The host's own count of a chat request's input tokens, where its chat endpoint has a counter."""
        counter = getattr(self.chat, "count_tokens", None)
        if counter is None:
            raise UnsupportedFeature(f"{self.name} has no token-counting endpoint", host=self.name)
        result: TokenCount = counter(request)
        return result

    async def acount_tokens(self, request: Request) -> TokenCount:
        counter = getattr(self.chat, "acount_tokens", None)
        if counter is None:
            raise UnsupportedFeature(f"{self.name} has no token-counting endpoint", host=self.name)
        result: TokenCount = await counter(request)
        return result

    # ------------------------------------------------------------------------------------------ lifecycle
    def warm(self) -> None:
        """Open a connection to the host ahead of the first call (benchmarks do, so that their first sample is
        not the pool's first connect and TLS handshake): one GET of ``base_url``, without the key. The neutral
        chat types are loaded too: importing rehost leaves them to the first call, which would otherwise
        define them (pydantic models) inside its own time."""
        _load_neutral_types()
        self._transport.warm(self.base_url)

    async def awarm(self, connections: int = 1) -> None:
        """``warm`` for this event loop's async pool, opening up to ``connections`` connections."""
        _load_neutral_types()
        await self._transport.awarm(self.base_url, connections)

    def close(self) -> None:
        self._transport.close()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def __enter__(self) -> Host:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Host:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
