"""OpenTelemetry: a span per model call and the GenAI client metrics, through ``opentelemetry-api`` (the
optional ``otel`` extra). Without the API installed, or with ``configure(enabled=False)``, nothing is done.

The library only speaks the API: spans and metrics go to whatever SDK and exporter the application set up
(``trace.set_tracer_provider``, ``metrics.set_meter_provider``), or to the providers given to
``configure(tracer_provider=..., meter_provider=...)``. Without an SDK the API's no-op objects cost a few
microseconds a call.

Each client call (``complete``, ``stream``, ``run``'s turns, their async twins) is one ``CLIENT`` span
named ``chat {model}``, following the GenAI semantic conventions: ``gen_ai.operation.name``,
``gen_ai.provider.name`` (and the older ``gen_ai.system``), ``gen_ai.request.model`` and the sampling
settings, ``gen_ai.response.model`` / ``.id`` / ``.finish_reasons``, ``gen_ai.usage.*`` tokens (cached
and reasoning ones too), ``server.address``, and on failure ``error.type`` with an ERROR status. rehost adds
``rehost.host`` (who answered, under a Fallback), ``rehost.cached`` and ``rehost.cost_usd``. A transport
retry is a span event ``rehost.retry`` (attempt, delay, error.type), a Fallback member's failed attempt is
``rehost.fallback.attempt`` (host, error.type, disposition).

Metrics: ``gen_ai.client.operation.duration`` (s), ``gen_ai.client.token.usage`` (tokens, by
``gen_ai.token.type`` input / output) and, for streams, ``gen_ai.client.operation.time_to_first_chunk``
(s, the first text, reasoning or tool-call delta).

Message contents (``gen_ai.input.messages``, ``gen_ai.output.messages``, as JSON) are recorded only on
opt-in: ``configure(capture_content=True)`` or the conventions' environment variable
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``.
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .shared.chat.types import Completion
    from .shared.request import Request

__all__ = ["CallSpan", "configure", "start"]

_SCOPE = "rehost"
_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


class _Config:
    enabled = True
    capture_content: bool | None = None
    tracer_provider: Any = None
    meter_provider: Any = None
    instruments: tuple[Any, Any, Any] | None = None
    tracer: Any = None
    api: Any = None  # (trace, metrics, context) modules, or False when the API is not installed
    listening = False
    listening_checked = -1e9


_config = _Config()


def configure(*, enabled: bool = True, capture_content: bool | None = None, tracer_provider: Any = None,
              meter_provider: Any = None) -> None:
    """Turn telemetry on or off, opt in to message contents, or send spans and metrics to these providers
    rather than the global ones (tests do, with the SDK's in-memory exporters)."""
    _config.enabled = enabled
    _config.capture_content = capture_content
    _config.tracer_provider = tracer_provider
    _config.meter_provider = meter_provider
    _config.instruments = None
    _config.tracer = None
    _config.listening_checked = -1e9


def _api() -> Any:
    if _config.api is None:
        try:
            from opentelemetry import context, metrics, trace
        except ImportError:
            _config.api = False
        else:
            _config.api = (trace, metrics, context)
    return _config.api


def _capture() -> bool:
    if _config.capture_content is not None:
        return _config.capture_content
    return os.environ.get(_CONTENT_ENV, "").strip().lower() in ("1", "true", "yes")


def _instruments(metrics: Any) -> tuple[Any, Any, Any]:
    if _config.instruments is None:
        provider = _config.meter_provider or metrics.get_meter_provider()
        meter = provider.get_meter(_SCOPE)
        _config.instruments = (
            meter.create_histogram("gen_ai.client.operation.duration", unit="s",
                                   description="GenAI operation duration"),
            meter.create_histogram("gen_ai.client.token.usage", unit="{token}",
                                   description="Tokens used by GenAI operations"),
            meter.create_histogram("gen_ai.client.operation.time_to_first_chunk", unit="s",
                                   description="Time to the first chunk of a streamed answer"),
        )
    return _config.instruments


def _tracer(trace: Any) -> Any:
    if _config.tracer is None:
        provider = _config.tracer_provider or trace.get_tracer_provider()
        _config.tracer = provider.get_tracer(_SCOPE)
    return _config.tracer


def _request_attributes(request: Request, provider: Any) -> dict[str, Any]:
    name = str(getattr(provider, "name", "") or type(provider).__name__)
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "chat" if request.prompt is None else "text_completion",
        "gen_ai.provider.name": name,
        "gen_ai.system": name,
        "gen_ai.request.model": request.model,
        "gen_ai.request.stream": request.stream,
    }
    s = request.sampling
    for key, value in (("temperature", s.temperature), ("top_p", s.top_p), ("top_k", s.top_k),
                       ("max_tokens", s.max_tokens), ("seed", s.seed), ("presence_penalty", s.presence_penalty),
                       ("frequency_penalty", s.frequency_penalty)):
        if value is not None:
            attrs[f"gen_ai.request.{key}"] = value
    if s.stop:
        attrs["gen_ai.request.stop_sequences"] = list(s.stop)
    base_url = getattr(provider, "base_url", "") or ""
    if base_url:
        import httpx

        try:
            url = httpx.URL(base_url)
            attrs["server.address"] = url.host
            if url.port:
                attrs["server.port"] = url.port
        except Exception:  # a base URL we cannot parse names no server
            pass
    return attrs


class CallSpan:
    """One call's span and metric points; every method is safe to call whatever the call's outcome."""

    def __init__(self, api: Any, request: Request, provider: Any) -> None:
        trace, self._metrics, self._context = api
        self._trace = trace
        self.attrs = _request_attributes(request, provider)
        name = f"{self.attrs['gen_ai.operation.name']} {request.model}"
        self.span = _tracer(trace).start_span(name, kind=trace.SpanKind.CLIENT, attributes=self.attrs)
        self.capture = _capture()
        if self.capture:
            messages = [m.model_dump(mode="json", exclude_none=True) for m in request.messages]
            self.span.set_attribute("gen_ai.input.messages", json.dumps(messages, default=str))
        self.ended = False
        self._point: dict[str, Any] = {}

    def activate(self) -> Any:
        """Make the span current (for spans of instrumented libraries beneath); returns the token."""
        return self._context.attach(self._trace.set_span_in_context(self.span))

    def deactivate(self, token: Any) -> None:
        self._context.detach(token)

    def event(self, name: str, attributes: dict[str, Any]) -> None:
        self.span.add_event(name, attributes=attributes)

    def first_chunk(self, seconds: float) -> None:
        self._metrics_attrs()
        _instruments(self._metrics)[2].record(seconds, attributes=self._point)

    def _metrics_attrs(self, response_model: str | None = None, error: str | None = None) -> None:
        point: dict[str, Any] = {k: self.attrs[k] for k in ("gen_ai.operation.name", "gen_ai.provider.name",
                                             "gen_ai.request.model") if k in self.attrs}
        if "server.address" in self.attrs:
            point["server.address"] = self.attrs["server.address"]
        if response_model:
            point["gen_ai.response.model"] = response_model
        if error:
            point["error.type"] = error
        self._point = point

    def succeeded(self, completion: Completion, seconds: float) -> None:
        if self.ended:
            return
        self.ended = True
        span = self.span
        response_model = completion.served_model or completion.host_model_id or completion.model
        if response_model:
            span.set_attribute("gen_ai.response.model", response_model)
        if completion.response_id:
            span.set_attribute("gen_ai.response.id", completion.response_id)
        span.set_attribute("gen_ai.response.finish_reasons", [completion.finish_reason])
        span.set_attribute("rehost.cached", completion.cached)
        if completion.host:
            span.set_attribute("rehost.host", completion.host)
        if completion.cost is not None:
            span.set_attribute("rehost.cost_usd", float(completion.cost.total))
        self._metrics_attrs(response_model)
        duration, tokens, _ = _instruments(self._metrics)
        usage = completion.usage
        if usage is not None:
            span.set_attribute("gen_ai.usage.input_tokens", usage.input_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", usage.output_tokens)
            if usage.cached_input_tokens is not None:
                span.set_attribute("gen_ai.usage.cache_read.input_tokens", usage.cached_input_tokens)
            if usage.cache_write_tokens is not None:
                span.set_attribute("gen_ai.usage.cache_creation.input_tokens", usage.cache_write_tokens)
            if usage.reasoning_tokens is not None:
                span.set_attribute("gen_ai.usage.reasoning.output_tokens", usage.reasoning_tokens)
            tokens.record(usage.input_tokens, attributes={**self._point, "gen_ai.token.type": "input"})
            tokens.record(usage.output_tokens, attributes={**self._point, "gen_ai.token.type": "output"})
        if self.capture:
            span.set_attribute("gen_ai.output.messages",
                               json.dumps([completion.message.model_dump(mode="json", exclude_none=True)],
                                          default=str))
        duration.record(seconds, attributes=self._point)
        span.end()

    def failed(self, error: BaseException, seconds: float) -> None:
        if self.ended:
            return
        self.ended = True
        kind = type(error).__name__
        self.span.set_attribute("error.type", kind)
        self.span.record_exception(error)
        self.span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, str(error)[:300]))
        self._metrics_attrs(error=kind)
        _instruments(self._metrics)[0].record(seconds, attributes=self._point)
        self.span.end()

    def abandoned(self, seconds: float) -> None:
        """A stream closed before its end: the span ends, marked so, with no error."""
        if self.ended:
            return
        self.ended = True
        self.span.set_attribute("rehost.abandoned", True)
        self.span.end()


def _listening(api: Any) -> bool:
    """Whether anything would receive a span or a metric point: providers given to ``configure``, or global
    ones an application set (the API's defaults are proxies that drop everything until then, and building a
    span's attributes for them would cost more than the rest of the client's work on a call)."""
    if _config.tracer_provider is not None or _config.meter_provider is not None:
        return True
    now = time.monotonic()
    if now < _config.listening_checked + 1.0:  # (the API reads the environment on every look: once a second)
        return _config.listening
    _config.listening_checked = now
    trace, metrics, _ = api
    tracer_provider = trace.get_tracer_provider()
    meter_provider = metrics.get_meter_provider()
    idle = (trace.ProxyTracerProvider, trace.NoOpTracerProvider)
    _config.listening = not (isinstance(tracer_provider, idle) and type(meter_provider).__name__ in _IDLE_METERS)
    return _config.listening


_IDLE_METERS = frozenset({"_ProxyMeterProvider", "NoOpMeterProvider"})


def start(request: Request, provider: Any) -> CallSpan | None:
    """The span of a call starting now, or None when telemetry is off, the API is not installed, or no SDK
    is listening."""
    if not _config.enabled:
        return None
    api = _api()
    if not api or not _listening(api):
        return None
    return CallSpan(api, request, provider)
