"""ChatEndpoint: one host's chat surface, a codec of one chat dialect plus this host's hooks, and the loop
that sends, retries, streams and closes connections, in sync and async twins that share every step that is
not I/O.

An endpoint subclass fills in ``build_call`` (neutral Request -> HTTP call), ``decode`` (a whole answer),
``open_stream`` / ``finish_stream`` (a streamed one); the host it belongs to (``self.host``) supplies URL,
key, transport, error mapping and model ids. ``self.name`` and ``self.base_url`` read the host's, so hooks
read as they would on the host itself.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeAlias

import httpx

from ...shared.chat.events import Done
from ...shared.errors import (
    ConnectionFailed,
    HostError,
    InvalidRequest,
    ProtocolError,
    RehostError,
    RequestTimeout,
    UnsupportedFeature,
)
from ...shared.lazy import lazy_module
from ...shared.ndjson import NDJSONDecoder
from ...shared.output import Output, OutputMode, OutputValidationError, output_instruction
from ...shared.request import Request
from ...shared.schema import strip_titles
from ...shared.sse import SSEDecoder, SSEEvent
from ...shared.transport import WIRE_TIMING, HttpCall, RetryPolicy, header_request_id
from ..dialects.common import CallInfo
from .endpoint import Endpoint
from .headers import checked_headers, deep_merge, merge_headers
from .status import SHAPE_ERRORS

if TYPE_CHECKING:  # the neutral types (pydantic models) and the prices are imported by the functions that use
    # them, so that importing a host loads no pydantic model machinery (issue 18: import time)
    from ...shared import pricing as _pricing
    from ...shared.chat.events import StreamEvent
    from ...shared.types import Completion, Message
else:
    _pricing = lazy_module("rehost.shared.pricing")  # (loaded with the first answer, as the Completion is)

__all__ = ["ChatEndpoint", "PreparedCall", "StreamDecoder", "StreamFormat", "StreamState", "attach_output",
           "check_parts", "plan_output"]

#: how a host frames a streamed answer: server-sent events, or one JSON object per line (Ollama native)
StreamFormat: TypeAlias = Literal["sse", "ndjson"]

_STREAM_ACCEPT: dict[str, str] = {"sse": "text/event-stream", "ndjson": "application/x-ndjson"}


class StreamDecoder(Protocol):
    """Splits a stream's bytes into messages (SSE events, or NDJSON lines carried as events)."""

    def feed(self, chunk: bytes) -> list[SSEEvent]: ...

    def close(self) -> list[SSEEvent]: ...


class StreamState(Protocol):
    """A dialect's stream decoder: events in, neutral events out, one Completion at the end."""

    def on_event(self, event: SSEEvent) -> list[StreamEvent]: ...

    def flush(self) -> list[StreamEvent]: ...

    @property
    def finished(self) -> bool: ...


@dataclass(slots=True)
class PreparedCall:
    """A request turned into its HTTP form; building it is where bad input is caught."""

    request: Request
    call: HttpCall
    info: CallInfo
    #: the retry policy for this call, replacing the host's own (None: the host's)
    retry: RetryPolicy | None = None
    #: the endpoint that encoded it, and decodes its answer (a host routing by model sets it per call)
    endpoint: ChatEndpoint | None = None


class ChatEndpoint(Endpoint):
    """A host's chat surface. Subclasses fill in the codec hooks; the loop is here once."""

    #: how a streamed answer is framed
    stream_format: StreamFormat = "sse"
    #: content types a successful stream may come back with
    stream_content_types: tuple[str, ...] = ("text/event-stream",)
    #: kinds of message parts the host takes (``text``, ``image``, ``document``)
    accepts: frozenset[str] = frozenset({"text", "image", "document"})
    #: how the host can be made to answer in a schema, best first: ``native`` (its own schema field),
    #: ``json`` (JSON mode plus the schema in the prompt), ``tool`` (a forced tool call), ``prompt``
    output_modes: tuple[OutputMode, ...] = ("native", "json", "tool", "prompt")
    #: the host's own tools it can run (``web_search``)
    builtin_tools: ClassVar[frozenset[str]] = frozenset()
    #: whether the host has a plain text-completion endpoint (base models take a prompt, not a chat)
    takes_prompts: bool = False
    #: the ``PromptCache`` controls this host spells (``shared/chat/caching.py``); the others are refused
    prompt_cache_controls: ClassVar[frozenset[str]] = frozenset()

    # ------------------------------------------------------------------------------------------ the host's
    @property
    def has_key(self) -> bool:
        return self.host.has_key

    @property
    def hooks(self) -> Any:
        """The host's ``hooks`` (``rehost.hooks``): a client call goes through the endpoint, the caller set
        them on the host."""
        return self.host.hooks

    def host_model_id(self, request: Request) -> str:
        return self.host.host_model_id(request)

    def context_window(self, request: Request) -> int | None:
        return self.host.context_window(request)

    def map_inband_error(self, payload: Mapping[str, Any], info: CallInfo) -> HostError:
        return self.host.map_inband_error(payload, info, self.error_from_body)

    # ------------------------------------------------------------------------------------------ hooks
    def build_call(self, request: Request, model_id: str) -> HttpCall:
        """The HTTP request (without auth) for this request; raise UnsupportedFeature for what the host lacks."""
        raise NotImplementedError

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        """The Completion of a non-streamed answer."""
        raise NotImplementedError

    def open_stream(self, info: CallInfo) -> Any:
        """A fresh stream decoder (a ``StreamState``) for one streamed answer."""
        raise NotImplementedError

    def finish_stream(self, state: Any, info: CallInfo) -> Completion:
        """The Completion of a stream whose events have all been decoded."""
        raise NotImplementedError

    def is_error_body(self, body: Mapping[str, Any]) -> bool:
        """Whether a 200 answer is an error in disguise (an ``error`` and no answer)."""
        return bool(body.get("error")) and not (body.get("choices") or body.get("candidates") or body.get("output"))

    # ------------------------------------------------------------------------------------------ prepare
    def prepare(self, request: Request) -> PreparedCall:
        """Resolve the model, encode the request and check it; nothing is sent."""
        self.check_parts(request)
        if request.prompt_cache is not None:  # (the caching module is imported by the calls that use it)
            from ...shared.chat.caching import check_prompt_cache

            check_prompt_cache(request.prompt_cache, self.name, self.prompt_cache_controls)
        if request.output is not None:
            request = self.plan_output(request)
        model_id = self.host_model_id(request)
        call = self.build_call(request, model_id)
        if request.extra_body:
            if not isinstance(call.body, dict):
                raise InvalidRequest("extra_body needs a JSON object body", host=self.name)
            deep_merge(call.body, request.extra_body)
        headers = {"Accept": _STREAM_ACCEPT[self.stream_format] if request.stream else "application/json"}
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        merge_headers(headers, self.host._headers)
        merge_headers(headers, call.headers)
        if request.extra_headers:
            merge_headers(headers, checked_headers(request.extra_headers, self.name, "extra_headers=", InvalidRequest))
        call.headers = headers
        call.max_output_tokens = request.sampling.max_tokens or 0
        include = request.thinking.include_reasoning if request.thinking is not None else True
        info = CallInfo(host=self.name, model=request.model, host_model_id=model_id,
                        tags=request.reasoning_tags, include_reasoning=include)
        return PreparedCall(request, call, info, endpoint=self)

    def check_parts(self, request: Request) -> None:
        check_parts(request, self.name, accepts=self.accepts, builtin_tools=self.builtin_tools,
                    takes_prompts=self.takes_prompts)

    # ------------------------------------------------------------------------------------------ output
    def plan_output(self, request: Request) -> Request:
        """Choose how the schema travels on this host and apply the host-neutral part of that choice."""
        return plan_output(request, self.name, self.output_modes)

    def attach_output(self, completion: Completion, request: Request) -> Completion:
        """Read the structured answer out of a Completion (raising OutputValidationError when it is wrong)."""
        return attach_output(completion, request, self.name)

    # ------------------------------------------------------------------------------------------ cost
    def attach_cost(self, completion: Completion, request: Request) -> Completion:
        """The call's cost: what the host says it billed, else the catalogue's prices for this host applied to
        the normalised usage (so a streamed and an unstreamed call cost the same); None when neither is known."""
        cost = None
        if completion.host_cost is not None:
            cost = _pricing.cost_from_host(completion.host_cost, self.name)
        elif completion.usage is not None:
            prices = self.host.catalog.prices(request.model, self.name)
            if prices is not None:
                when = completion.timing.started_at if completion.timing is not None else None
                cost = _pricing.cost_of(completion.usage, prices, when=when)
        return completion if cost is None else completion.model_copy(update={"cost": cost})

    # ------------------------------------------------------------------------------------------ shared steps
    def _decode_body(self, content: bytes, headers: httpx.Headers, info: CallInfo) -> Completion:
        try:
            body = json.loads(content)
        except ValueError as exc:
            raise ProtocolError(f"{self.name} answered with a body that is not JSON: {content[:200]!r}",
                                host=self.name, request_id=info.request_id) from exc
        if not isinstance(body, dict):
            raise ProtocolError(f"{self.name} answered with JSON that is not an object", host=self.name,
                                request_id=info.request_id)
        if self.is_error_body(body):
            raise self.map_inband_error(body, info)  # an error sent with HTTP 200
        try:
            return self.decode(body, headers, info)
        except SHAPE_ERRORS as exc:
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
        info.request_id = header_request_id(headers, self.host.request_id_headers)

    def _check_stream_response(self, resp: httpx.Response, content: bytes | None, info: CallInfo) -> None:
        """A 200 that is not an event stream: an error body some hosts send with 200, or a protocol error."""
        ctype = resp.headers.get("content-type", "")
        if any(ctype.startswith(t) for t in self.stream_content_types):
            return
        if content is not None:
            body = self.host.parse_body(content)
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
        limit = self.host._transport.timeouts.max_body_bytes
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
        except SHAPE_ERRORS as exc:
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
        endpoint = prepared.endpoint or self
        if endpoint is not self:
            return endpoint.send_prepared(prepared)
        call = prepared.call
        self.host.authorize(call)
        info = self._start(prepared)
        result = self.host._transport.request(call, self.map_http_error, total=prepared.request.timeout,
                                              retry=prepared.retry)
        info.time_to_first_byte = result.time_to_first_byte
        info.request_id = header_request_id(result.headers, self.host.request_id_headers)
        completion = self.attach_output(self._decode_body(result.content, result.headers, info), prepared.request)
        return self.attach_cost(completion, prepared.request)

    def stream(self, request: Request) -> Iterator[StreamEvent]:
        return self.stream_prepared(self.prepare(request))

    def stream_prepared(self, prepared: PreparedCall) -> Iterator[StreamEvent]:
        """Events of a streamed call; closing the iterator early closes its connection."""
        endpoint = prepared.endpoint or self
        if endpoint is not self:
            return endpoint.stream_prepared(prepared)
        return self._stream(prepared)

    def _stream(self, prepared: PreparedCall) -> Iterator[StreamEvent]:
        call = prepared.call
        self.host.authorize(call)
        info = self._start(prepared)
        transport = self.host._transport
        with transport.stream(call, self.map_http_error, total=prepared.request.timeout,
                              retry=prepared.retry) as resp:
            self._on_headers(info, resp.headers)
            if not resp.headers.get("content-type", "").startswith(self.stream_content_types):
                self._check_stream_response(resp, transport.read_capped(resp.iter_bytes()), info)
            state = self.open_stream(info)
            decoder = self.stream_decoder()
            try:
                for chunk in resp.iter_bytes():
                    for ev in decoder.feed(chunk):
                        yield from state.on_event(ev)
            except httpx.HTTPError as exc:
                raise self._stream_failure(exc, info) from exc
            except SHAPE_ERRORS as exc:
                raise self._shape_failure(exc, info) from exc
            yield from self._end_of_stream(state, decoder, info, prepared.request)

    # ------------------------------------------------------------------------------------------ async
    async def asend(self, request: Request) -> Completion:
        return await self.asend_prepared(self.prepare(request))

    async def asend_prepared(self, prepared: PreparedCall) -> Completion:
        endpoint = prepared.endpoint or self
        if endpoint is not self:
            return await endpoint.asend_prepared(prepared)
        call = prepared.call
        await self.host.aauthorize(call)
        info = self._start(prepared, is_async=True)
        result = await self.host._transport.arequest(call, self.map_http_error, total=prepared.request.timeout,
                                                     retry=prepared.retry)
        info.time_to_first_byte = result.time_to_first_byte
        info.request_id = header_request_id(result.headers, self.host.request_id_headers)
        completion = self.attach_output(self._decode_body(result.content, result.headers, info), prepared.request)
        return self.attach_cost(completion, prepared.request)

    def astream(self, request: Request) -> AsyncIterator[StreamEvent]:
        return self.astream_prepared(self.prepare(request))

    def astream_prepared(self, prepared: PreparedCall) -> AsyncIterator[StreamEvent]:
        endpoint = prepared.endpoint or self
        if endpoint is not self:
            return endpoint.astream_prepared(prepared)
        return self._astream(prepared)

    async def _astream(self, prepared: PreparedCall) -> AsyncIterator[StreamEvent]:
        call = prepared.call
        await self.host.aauthorize(call)
        info = self._start(prepared, is_async=True)
        transport = self.host._transport
        async with transport.astream(call, self.map_http_error, total=prepared.request.timeout,
                                     retry=prepared.retry) as resp:
            self._on_headers(info, resp.headers)
            if not resp.headers.get("content-type", "").startswith(self.stream_content_types):
                self._check_stream_response(resp, await transport.aread_capped(resp.aiter_bytes()), info)
            state = self.open_stream(info)
            decoder = self.stream_decoder()
            try:
                async for chunk in resp.aiter_bytes():
                    for ev in decoder.feed(chunk):
                        for out in state.on_event(ev):
                            yield out
            except httpx.HTTPError as exc:
                raise self._stream_failure(exc, info) from exc
            except SHAPE_ERRORS as exc:
                raise self._shape_failure(exc, info) from exc
            for out in self._end_of_stream(state, decoder, info, prepared.request):
                yield out


# ---------------------------------------------------------------------------------------------- neutral steps
# Module functions rather than methods so that a sender that is no HTTP endpoint (the in-process LlamaCpp)
# checks input and plans structured output exactly as every host's chat endpoint does.

def check_parts(request: Request, host: str, *, accepts: frozenset[str], builtin_tools: frozenset[str],
                takes_prompts: bool) -> None:
    """Refuse, before anything is sent, what the host cannot take: a plain prompt, image or document parts,
    built-in tools."""
    if request.prompt is not None and not takes_prompts:
        raise UnsupportedFeature(f"{host} has no text-completion endpoint for a base model's plain prompt",
                                 host=host)
    refused = {kind for kind in request.parts_used() if kind in ("image", "document")} - accepts
    if refused:
        raise UnsupportedFeature(f"{host} does not take {' or '.join(sorted(refused))} parts", host=host)
    missing = {t.type for t in request.builtin_tools} - builtin_tools
    if missing:
        raise UnsupportedFeature(f"{host} has no built-in {' or '.join(sorted(missing))} tool", host=host)


def plan_output(request: Request, host: str, output_modes: tuple[OutputMode, ...]) -> Request:
    """Choose how the schema travels on a host with these ``output_modes`` and apply the host-neutral part."""
    output = request.output
    assert output is not None
    mode = request.output_mode
    if mode == "auto":
        mode = output_modes[0]
    elif mode not in output_modes:
        raise UnsupportedFeature(f"{host} cannot give structured output by {mode!r}; it can by "
                                 f"{', '.join(output_modes)}", host=host)
    if mode == "tool":
        from ...shared.chat.tool_types import Tool

        if output.schema is None:
            raise UnsupportedFeature("a tool needs a schema: give output a type or a JSON schema", host=host)
        if any(t.name == output.name for t in request.tools):
            raise UnsupportedFeature(f"a tool is already named {output.name!r}", host=host)
        tool = Tool(name=output.name, description=output.description or f"Give the final answer ({output.name}).",
                    parameters=strip_titles(output.schema))
        choice = output.name if not request.tools else "required"
        return dataclasses.replace(request, tools=(*request.tools, tool), tool_choice=choice, output_mode="tool")
    if mode in ("json", "prompt"):
        return dataclasses.replace(request, messages=_with_instruction(request.messages, output), output_mode=mode)
    return dataclasses.replace(request, output_mode="native")


def attach_output(completion: Completion, request: Request, host: str) -> Completion:
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
                value = _text_instead_of_tool(completion, output, host)
            else:
                value = output.validate(call.arguments, text=call.raw_arguments or "", host=host)
        elif any(p.type == "tool_call" for p in completion.parts):
            return completion
        else:
            value = output.parse_text(completion.text, host=host)
    except OutputValidationError as exc:
        exc.completion = completion
        raise
    return completion.model_copy(update={"output": value})


def _text_instead_of_tool(completion: Completion, output: Output, host: str) -> Any:
    text = completion.text
    try:
        return output.parse_text(text, host=host)
    except OutputValidationError as exc:
        raise OutputValidationError(
            f"the model answered in text instead of calling the output tool {output.name!r} "
            f"(output_mode='tool'), and the text is not the requested JSON ({exc.message})",
            text=text, errors=exc.errors, host=host,
        ) from None


def _with_instruction(messages: tuple[Message, ...], output: Output) -> tuple[Message, ...]:
    """The schema instruction added to the last user turn (not a system message: some models take none)."""
    from ...shared.chat.messages import Message, TextPart

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
