"""TRANSITIONAL: the old Provider (removed when every host is a Host with endpoints).

A provider subclass is mostly declarative: it names its host, base URL and key variable, and fills in a few
hooks (``build_call``, ``decode``, ``open_stream``, ``error_from_body``). The loop that sends, retries,
streams and closes connections lives here once, in sync and async twins that share every step that is not
I/O.
"""

from __future__ import annotations

import abc
import dataclasses
import json
import os
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, ClassVar

import httpx

from ...shared.errors import (
    ConfigurationError,
    ConnectionFailed,
    HostError,
    InvalidRequest,
    MissingAPIKey,
    ProtocolError,
    RehostError,
    RequestTimeout,
    UnsupportedFeature,
)
from ...shared.ndjson import NDJSONDecoder
from ...shared.output import Output, OutputMode, OutputValidationError, output_instruction
from ...shared.pricing import cost_from_host, cost_of
from ...shared.ratelimit import RateLimit, RateLimiter
from ...shared.request import Request
from ...shared.schema import strip_titles
from ...shared.sse import SSEDecoder
from ...shared.transport import (
    WIRE_TIMING,
    HttpCall,
    RetryPolicy,
    Timeouts,
    Transport,
    header_request_id,
    parse_retry_after,
    public_url,
    url_problem,
)
from ...shared.types import Completion, Done, Message, StreamEvent, TextPart, Tool, ToolCall
from ..dialects.common import CallInfo

__all__ = ["PreparedCall", "Provider", "StreamDecoder", "StreamFormat", "StreamState", "clean_key",
           "error_class_for_status"]

from .chat import _STREAM_ACCEPT, PreparedCall, StreamDecoder, StreamFormat, StreamState
from .headers import add_missing as _add_missing
from .headers import checked_headers as _checked_headers
from .headers import clean_key
from .headers import deep_merge as _deep_merge
from .headers import merge_headers as _merge
from .status import SHAPE_ERRORS as _SHAPE_ERRORS
from .status import error_class_for_status


class Provider(abc.ABC):
    """One host. Subclasses fill in the hooks; users construct them with a key (or its env var)."""

    #: short host name, as used in the catalogue (``groq``, ``openrouter``, ...)
    name: ClassVar[str]
    default_base_url: ClassVar[str]
    #: environment variables searched for the key, the conventional one first
    api_key_env: ClassVar[tuple[str, ...]] = ()
    #: response headers that carry the host's request id
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id", "request-id")
    #: how a streamed answer is framed (an instance may choose, when one host has two surfaces)
    stream_format: StreamFormat = "sse"
    #: content types a successful stream may come back with
    stream_content_types: tuple[str, ...] = ("text/event-stream",)
    #: kinds of message parts the host takes (``text``, ``image``, ``document``)
    accepts: ClassVar[frozenset[str]] = frozenset({"text", "image", "document"})
    #: how the host can be made to answer in a schema, best first: ``native`` (its own schema field),
    #: ``json`` (JSON mode plus the schema in the prompt), ``tool`` (a forced tool call), ``prompt``
    output_modes: tuple[OutputMode, ...] = ("native", "json", "tool", "prompt")
    #: the host's own tools it can run (``web_search``)
    builtin_tools: ClassVar[frozenset[str]] = frozenset()
    #: whether the host has a plain text-completion endpoint (base models take a prompt, not a chat)
    takes_prompts: ClassVar[bool] = False
    #: the header(s) the host's key travels in (lower case): a caller who sets one needs no key of ours
    auth_header_names: ClassVar[tuple[str, ...]] = ("authorization",)

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
    ) -> None:
        """``rate_limit`` caps requests and tokens per minute for every client bound to this provider.
        ``limits`` sizes its connection pools (default: 100 connections, see ``Transport``)."""
        self._api_key = clean_key(api_key, host=self.name, source="api_key=")
        if base_url:  # (an empty one means the default, as it always has)
            problem = url_problem(base_url)
            if problem is not None:
                raise ConfigurationError(f"{self.name}: base_url {problem}: pass the host's API address, such "
                                         f"as {self.default_base_url!r}", host=self.name)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self._headers = dict(_checked_headers(headers or {}, self.name, "headers=", ConfigurationError))
        self._models = dict(models or {})
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
        try:
            return self._resolve_key() is not None
        except ConfigurationError:
            return True  # a key is there, only unusable: the call says why

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

    # ------------------------------------------------------------------------------------------ models
    @property
    def serves_any_model(self) -> bool:
        """Whether the host is a server that runs whatever model it was started with (vLLM, Ollama, llama.cpp)
        rather than a service with a list of its own: such a host takes any catalogued model, by its own
        catalogue row where there is one, else by the model's open-weights id."""
        return False

    def host_model_id(self, request: Request) -> str:
        """The id this host knows the request's model by: explicit, overridden, or from the catalogue."""
        if request.host_model_id:
            return request.host_model_id
        if request.model in self._models:
            return self._models[request.model]
        from ...shared.catalog import default_catalog

        if self.serves_any_model:
            return default_catalog().local_id(request.model, self.name, provider=type(self).__name__)
        return default_catalog().host_entry(request.model, self.name).id

    # ------------------------------------------------------------------------------------------ hooks
    @abc.abstractmethod
    def build_call(self, request: Request, model_id: str) -> HttpCall:
        """The HTTP request (without auth) for this request; raise UnsupportedFeature for what the host lacks."""

    @abc.abstractmethod
    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        """The Completion of a non-streamed answer."""

    @abc.abstractmethod
    def open_stream(self, info: CallInfo) -> StreamState:
        """A fresh stream decoder for one streamed answer."""

    @abc.abstractmethod
    def finish_stream(self, state: Any, info: CallInfo) -> Completion:
        """The Completion of a stream whose events have all been decoded."""

    @abc.abstractmethod
    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        """The typed error for an error answer (``body`` is parsed JSON when it was JSON, else text)."""

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key()}"}

    async def aauth_headers(self) -> dict[str, str]:
        return self.auth_headers()

    def authorize(self, call: HttpCall) -> None:
        """Add the auth headers to a prepared call, except those the caller set (in ``headers=`` or
        ``extra_headers=``, in any spelling): a caller's own ``Authorization`` replaces the provider's, once,
        and needs no key of the provider's."""
        try:
            auth = self.auth_headers()
        except MissingAPIKey:
            if not self._caller_authorized(call):
                raise
            return
        _add_missing(call.headers, auth)

    async def aauthorize(self, call: HttpCall) -> None:
        try:
            auth = await self.aauth_headers()
        except MissingAPIKey:
            if not self._caller_authorized(call):
                raise
            return
        _add_missing(call.headers, auth)

    def _caller_authorized(self, call: HttpCall) -> bool:
        return any(name.lower() in self.auth_header_names for name in call.headers)

    def retry_after_from_body(self, body: Any) -> float | None:
        """A wait the error body names, when the host puts it there rather than in a header."""
        return None

    # ------------------------------------------------------------------------------------------ shared steps
    def prepare(self, request: Request) -> PreparedCall:
        """Resolve the model, encode the request and check it; nothing is sent."""
        self.check_parts(request)
        if request.output is not None:
            request = self.plan_output(request)
        model_id = self.host_model_id(request)
        call = self.build_call(request, model_id)
        if request.extra_body:
            if not isinstance(call.body, dict):
                raise InvalidRequest("extra_body needs a JSON object body", host=self.name)
            _deep_merge(call.body, request.extra_body)
        headers = {"Accept": _STREAM_ACCEPT[self.stream_format] if request.stream else "application/json"}
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        _merge(headers, self._headers)
        _merge(headers, call.headers)
        if request.extra_headers:
            _merge(headers, _checked_headers(request.extra_headers, self.name, "extra_headers=", InvalidRequest))
        call.headers = headers
        call.max_output_tokens = request.sampling.max_tokens or 0
        include = request.thinking.include_reasoning if request.thinking is not None else True
        info = CallInfo(host=self.name, model=request.model, host_model_id=model_id,
                        tags=request.reasoning_tags, include_reasoning=include)
        return PreparedCall(request, call, info)

    def check_parts(self, request: Request) -> None:
        if request.prompt is not None and not self.takes_prompts:
            raise UnsupportedFeature(f"{self.name} has no text-completion endpoint for a base model's plain prompt",
                                     host=self.name)
        refused = {kind for kind in request.parts_used() if kind in ("image", "document")} - self.accepts
        if refused:
            raise UnsupportedFeature(f"{self.name} does not take {' or '.join(sorted(refused))} parts", host=self.name)
        missing = {t.type for t in request.builtin_tools} - self.builtin_tools
        if missing:
            raise UnsupportedFeature(f"{self.name} has no built-in {' or '.join(sorted(missing))} tool", host=self.name)

    # ------------------------------------------------------------------------------------------ output
    def plan_output(self, request: Request) -> Request:
        """Choose how the schema travels on this host and apply the host-neutral part of that choice."""
        output = request.output
        assert output is not None
        mode = request.output_mode
        if mode == "auto":
            mode = self.output_modes[0]
        elif mode not in self.output_modes:
            raise UnsupportedFeature(f"{self.name} cannot give structured output by {mode!r}; it can by "
                                     f"{', '.join(self.output_modes)}", host=self.name)
        if mode == "tool":
            if output.schema is None:
                raise UnsupportedFeature("a tool needs a schema: give output a type or a JSON schema", host=self.name)
            if any(t.name == output.name for t in request.tools):
                raise UnsupportedFeature(f"a tool is already named {output.name!r}", host=self.name)
            tool = Tool(name=output.name, description=output.description or f"Give the final answer ({output.name}).",
                        parameters=strip_titles(output.schema))
            choice = output.name if not request.tools else "required"
            return dataclasses.replace(request, tools=(*request.tools, tool), tool_choice=choice, output_mode="tool")
        if mode in ("json", "prompt"):
            return dataclasses.replace(request, messages=_with_instruction(request.messages, output),
                                       output_mode=mode)
        return dataclasses.replace(request, output_mode="native")

    def attach_output(self, completion: Completion, request: Request) -> Completion:
        """Read the structured answer out of a Completion (raising OutputValidationError when it is wrong).

        Through a forced tool, a model that answers in text instead (hosts do not all enforce the forced
        choice: Together, Qwen on Together, Groq) raises OutputValidationError with that text, unless the
        text itself is valid JSON of the requested shape, which is then the answer (validated as any other).
        """
        output = request.output
        if output is None:
            return completion
        try:
            if request.output_mode == "tool":
                call = next((c for c in completion.tool_calls if c.name == output.name), None)
                if call is None:
                    if completion.tool_calls:
                        return completion  # the model called one of the caller's tools instead
                    value = self._text_instead_of_tool(completion, output)
                else:
                    value = output.validate(call.arguments, text=call.raw_arguments or "", host=self.name)
            elif any(isinstance(p, ToolCall) for p in completion.parts):
                return completion
            else:
                value = output.parse_text(completion.text, host=self.name)
        except OutputValidationError as exc:
            exc.completion = completion
            raise
        return completion.model_copy(update={"output": value})

    def _text_instead_of_tool(self, completion: Completion, output: Output) -> Any:
        text = completion.text
        try:
            return output.parse_text(text, host=self.name)
        except OutputValidationError as exc:
            raise OutputValidationError(
                f"the model answered in text instead of calling the output tool {output.name!r} "
                f"(output_mode='tool'), and the text is not the requested JSON ({exc.message})",
                text=text, errors=exc.errors, host=self.name,
            ) from None

    # ------------------------------------------------------------------------------------------ cost, context
    def attach_cost(self, completion: Completion, request: Request) -> Completion:
        """The call's cost: what the host says it billed, else the catalogue's prices for this host applied to
        the normalised usage (so a streamed and an unstreamed call cost the same); None when neither is known."""
        cost = None
        if completion.host_cost is not None:
            cost = cost_from_host(completion.host_cost, self.name)
        elif completion.usage is not None:
            from ...shared.catalog import default_catalog

            prices = default_catalog().prices(request.model, self.name)
            if prices is not None:
                when = completion.timing.started_at if completion.timing is not None else None
                cost = cost_of(completion.usage, prices, when=when)
        return completion if cost is None else completion.model_copy(update={"cost": cost})

    def context_window(self, request: Request) -> int | None:
        """This host's context window for the request's model (catalogue), or None when unknown."""
        from ...shared.catalog import default_catalog

        return default_catalog().context_window(request.model, self.name)

    def _parse_body(self, content: bytes) -> Any:
        text = content.decode("utf-8", errors="replace")
        try:
            return json.loads(text)
        except ValueError:
            return text

    def map_http_error(self, status: int, headers: httpx.Headers, content: bytes) -> RehostError:
        body = self._parse_body(content)
        try:
            err = self.error_from_body(status, headers, body)
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

    def map_inband_error(self, payload: Mapping[str, Any], info: CallInfo) -> HostError:
        """An error that arrived inside a 200 stream."""
        err_obj = payload.get("error", payload)
        status = 200
        if isinstance(err_obj, Mapping):
            for key in ("status_code", "code", "status"):
                value = err_obj.get(key)
                if isinstance(value, int) and 400 <= value < 600:
                    status = value
                    break
        err = self.error_from_body(status, {}, dict(payload))
        err.status = status if status != 200 else None
        if err.request_id is None:
            err.request_id = info.request_id
        err.redact(self._known_key())
        return err

    def _decode_body(self, content: bytes, headers: httpx.Headers, info: CallInfo) -> Completion:
        try:
            body = json.loads(content)
        except ValueError as exc:
            raise ProtocolError(f"{self.name} answered with a body that is not JSON: {content[:200]!r}",
                                host=self.name, request_id=info.request_id) from exc
        if not isinstance(body, dict):
            raise ProtocolError(f"{self.name} answered with JSON that is not an object", host=self.name,
                                request_id=info.request_id)
        if body.get("error") and not (body.get("choices") or body.get("candidates") or body.get("output")):
            raise self.map_inband_error(body, info)  # an error sent with HTTP 200
        try:
            return self.decode(body, headers, info)
        except _SHAPE_ERRORS as exc:
            raise self._shape_failure(exc, info) from exc

    def _start(self, prepared: PreparedCall, *, is_async: bool = False) -> CallInfo:
        info = prepared.info
        info.started_at = time.time()
        info.t0 = time.perf_counter()
        if WIRE_TIMING.get():
            prepared.call.trace = _async_tracer(info) if is_async else _tracer(info)
        return info

    def _on_headers(self, info: CallInfo, headers: httpx.Headers) -> None:
        info.time_to_first_byte = time.perf_counter() - info.t0
        info.request_id = header_request_id(headers, self.request_id_headers)

    def _check_stream_response(self, resp: httpx.Response, content: bytes | None, info: CallInfo) -> None:
        """A 200 that is not an event stream: an error body some hosts send with 200, or a protocol error."""
        ctype = resp.headers.get("content-type", "")
        if any(ctype.startswith(t) for t in self.stream_content_types):
            return
        if content is not None:
            body = self._parse_body(content)
            if isinstance(body, Mapping) and body.get("error"):
                raise self.map_inband_error(body, info)
        raise ProtocolError(f"{self.name} answered a streaming call with content type {ctype!r}",
                            host=self.name, request_id=info.request_id)

    def _shape_failure(self, exc: Exception, info: CallInfo) -> ProtocolError:
        """JSON of a shape the dialect does not expect (a list where an object belongs, ...): the decoders read
        the documented shapes directly rather than validating every chunk, and this catches what they trip on."""
        return ProtocolError(f"{self.name} answered with JSON of an unexpected shape ({type(exc).__name__}: {exc})",
                             host=self.name, request_id=info.request_id)

    def _stream_failure(self, exc: httpx.HTTPError, info: CallInfo) -> RehostError:
        if isinstance(exc, httpx.TimeoutException):
            return RequestTimeout(f"{self.name} went silent mid-stream (idle timeout)", host=self.name,
                                  request_id=info.request_id)
        return ConnectionFailed(f"{self.name} dropped the stream mid-way: {type(exc).__name__}: {exc}",
                                host=self.name, request_id=info.request_id)

    def stream_decoder(self) -> StreamDecoder:
        """A fresh splitter for one stream's bytes, for this host's framing (``stream_format``)."""
        limit = self._transport.timeouts.max_body_bytes
        return NDJSONDecoder(limit) if self.stream_format == "ndjson" else SSEDecoder(limit)

    def _end_of_stream(self, state: StreamState, decoder: StreamDecoder, info: CallInfo,
                       request: Request) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        try:
            for ev in decoder.close():
                out.extend(state.on_event(ev))
            out.extend(state.flush())
            if not state.finished:
                raise ProtocolError(f"{self.name} ended the stream before finishing the answer (truncated)",
                                    host=self.name, request_id=info.request_id)
            completion = self.finish_stream(state, info)
        except _SHAPE_ERRORS as exc:
            raise self._shape_failure(exc, info) from exc
        completion = self.attach_cost(self.attach_output(completion, request), request)
        if completion.usage is not None:
            out.append(completion.usage)
        out.append(Done(completion))
        return out

    # ------------------------------------------------------------------------------------------ sync
    def send(self, request: Request) -> Completion:
        return self.send_prepared(self.prepare(request))

    def send_prepared(self, prepared: PreparedCall) -> Completion:
        call = prepared.call
        self.authorize(call)
        info = self._start(prepared)
        result = self._transport.request(call, self.map_http_error, total=prepared.request.timeout,
                                         retry=prepared.retry)
        info.time_to_first_byte = result.time_to_first_byte
        info.request_id = header_request_id(result.headers, self.request_id_headers)
        completion = self.attach_output(self._decode_body(result.content, result.headers, info), prepared.request)
        return self.attach_cost(completion, prepared.request)

    def stream(self, request: Request) -> Iterator[StreamEvent]:
        return self.stream_prepared(self.prepare(request))

    def stream_prepared(self, prepared: PreparedCall) -> Iterator[StreamEvent]:
        """Events of a streamed call; closing the iterator early closes its connection."""
        call = prepared.call
        self.authorize(call)
        info = self._start(prepared)
        with self._transport.stream(call, self.map_http_error, total=prepared.request.timeout,
                                    retry=prepared.retry) as resp:
            self._on_headers(info, resp.headers)
            if not resp.headers.get("content-type", "").startswith(self.stream_content_types):
                self._check_stream_response(resp, self._transport.read_capped(resp.iter_bytes()), info)
            state = self.open_stream(info)
            decoder = self.stream_decoder()
            try:
                for chunk in resp.iter_bytes():
                    for ev in decoder.feed(chunk):
                        yield from state.on_event(ev)
            except httpx.HTTPError as exc:
                raise self._stream_failure(exc, info) from exc
            except _SHAPE_ERRORS as exc:
                raise self._shape_failure(exc, info) from exc
            yield from self._end_of_stream(state, decoder, info, prepared.request)

    # ------------------------------------------------------------------------------------------ async
    async def asend(self, request: Request) -> Completion:
        return await self.asend_prepared(self.prepare(request))

    async def asend_prepared(self, prepared: PreparedCall) -> Completion:
        call = prepared.call
        await self.aauthorize(call)
        info = self._start(prepared, is_async=True)
        result = await self._transport.arequest(call, self.map_http_error, total=prepared.request.timeout,
                                                retry=prepared.retry)
        info.time_to_first_byte = result.time_to_first_byte
        info.request_id = header_request_id(result.headers, self.request_id_headers)
        completion = self.attach_output(self._decode_body(result.content, result.headers, info), prepared.request)
        return self.attach_cost(completion, prepared.request)

    def astream(self, request: Request) -> AsyncIterator[StreamEvent]:
        return self.astream_prepared(self.prepare(request))

    async def astream_prepared(self, prepared: PreparedCall) -> AsyncIterator[StreamEvent]:
        call = prepared.call
        await self.aauthorize(call)
        info = self._start(prepared, is_async=True)
        async with self._transport.astream(call, self.map_http_error, total=prepared.request.timeout,
                                           retry=prepared.retry) as resp:
            self._on_headers(info, resp.headers)
            if not resp.headers.get("content-type", "").startswith(self.stream_content_types):
                self._check_stream_response(resp, await self._transport.aread_capped(resp.aiter_bytes()), info)
            state = self.open_stream(info)
            decoder = self.stream_decoder()
            try:
                async for chunk in resp.aiter_bytes():
                    for ev in decoder.feed(chunk):
                        for out in state.on_event(ev):
                            yield out
            except httpx.HTTPError as exc:
                raise self._stream_failure(exc, info) from exc
            except _SHAPE_ERRORS as exc:
                raise self._shape_failure(exc, info) from exc
            for out in self._end_of_stream(state, decoder, info, prepared.request):
                yield out

    # ------------------------------------------------------------------------------------------ lifecycle
    def warm(self) -> None:
        """Open a connection to the host ahead of the first call (benchmarks do, so that their first sample is
        not the pool's first connect and TLS handshake): one GET of ``base_url``, without the key."""
        self._transport.warm(self.base_url)

    async def awarm(self, connections: int = 1) -> None:
        """``warm`` for this event loop's async pool, opening up to ``connections`` connections."""
        await self._transport.awarm(self.base_url, connections)

    def close(self) -> None:
        self._transport.close()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def __enter__(self) -> Provider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Provider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _with_instruction(messages: tuple[Message, ...], output: Output) -> tuple[Message, ...]:
    """The schema instruction added to the last user turn (not a system message: some models take none)."""
    instruction = output_instruction(output)
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "user":
            turn = messages[i]
            parts = (*turn.parts, TextPart(text=f"\n\n{instruction}"))
            return (*messages[:i], Message(role="user", parts=parts), *messages[i + 1:])
    return (*messages, Message.user(instruction))


_SENT = "http11.send_request_body.complete"


def _tracer(info: CallInfo) -> Any:
    def trace(event: str, _details: Any) -> None:
        if event == _SENT:
            info.sent_at = time.perf_counter()

    return trace


def _async_tracer(info: CallInfo) -> Any:
    async def trace(event: str, _details: Any) -> None:
        if event == _SENT:
            info.sent_at = time.perf_counter()

    return trace
