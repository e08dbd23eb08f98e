"""OpenTelemetry (issue 19): spans and metrics checked with the SDK's in-memory exporters."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from rehost import Fallback, GenericClient, ResponseCache, telemetry
from rehost.errors import InvalidRequest
from rehost.shared.transport import RetryPolicy
from rehost.testing.emulator import Emulator


@pytest.fixture
def otel():
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    telemetry.configure(tracer_provider=tracer_provider, meter_provider=MeterProvider(metric_readers=[reader]))
    yield spans, reader
    telemetry.configure()


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


def _metrics(reader):
    data = reader.get_metrics_data()
    found = {}
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                found[metric.name] = list(metric.data.data_points)
    return found


def test_a_call_is_one_client_span_in_the_genai_conventions(otel, emu):
    spans, reader = otel
    done = GenericClient("m", provider=emu.provider("groq"), temperature=0.3, max_tokens=50).complete("hi")
    (span,) = spans.get_finished_spans()
    assert span.name == "chat m"
    assert span.kind == SpanKind.CLIENT
    a = span.attributes
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.provider.name"] == "groq"
    assert a["gen_ai.system"] == "groq"
    assert a["gen_ai.request.model"] == "m"
    assert a["gen_ai.request.temperature"] == 0.3
    assert a["gen_ai.request.max_tokens"] == 50
    assert a["gen_ai.response.finish_reasons"] == (done.finish_reason,)
    assert a["gen_ai.usage.input_tokens"] == done.usage.input_tokens
    assert a["gen_ai.usage.output_tokens"] == done.usage.output_tokens
    assert a["server.address"] == "127.0.0.1"
    assert a["rehost.cached"] is False
    assert "gen_ai.input.messages" not in a  # contents only on opt-in
    assert "gen_ai.output.messages" not in a
    metrics = _metrics(reader)
    (duration,) = metrics["gen_ai.client.operation.duration"]
    assert duration.count == 1
    assert duration.attributes["gen_ai.request.model"] == "m"
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in metrics["gen_ai.client.token.usage"]}
    assert tokens == {"input": done.usage.input_tokens, "output": done.usage.output_tokens}


def test_retries_and_fallback_attempts_are_span_events(otel, emu):
    spans, _ = otel
    fast = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.02)
    emu.inject("503", host="groq")
    GenericClient("m", provider=emu.provider("groq", retry=fast)).complete("hi")
    (span,) = spans.get_finished_spans()
    (retry,) = [e for e in span.events if e.name == "rehost.retry"]
    assert retry.attributes["rehost.attempt"] == 1
    assert retry.attributes["error.type"] == "Overloaded"
    spans.clear()
    members = [emu.provider("groq", retry=RetryPolicy(max_retries=0)), emu.provider("together")]
    emu.inject("500", host="groq")
    GenericClient("m", provider=Fallback(members)).complete("hi")
    (span,) = spans.get_finished_spans()
    (attempt,) = [e for e in span.events if e.name == "rehost.fallback.attempt"]
    assert attempt.attributes["rehost.host"] == "groq"
    assert attempt.attributes["rehost.disposition"] == "retry"
    assert span.attributes["rehost.host"] == "together"
    assert span.attributes["gen_ai.provider.name"] == "fallback"


def test_an_error_sets_error_type_and_the_status(otel, emu):
    spans, reader = otel
    emu.inject("400", host="groq")
    with pytest.raises(InvalidRequest):
        GenericClient("m", provider=emu.provider("groq")).complete("hi")
    (span,) = spans.get_finished_spans()
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "InvalidRequest"
    (duration,) = _metrics(reader)["gen_ai.client.operation.duration"]
    assert duration.attributes["error.type"] == "InvalidRequest"


def test_streams_record_the_time_to_the_first_chunk(otel, emu):
    spans, reader = otel
    emu.script("groq", ttft=0.05)
    GenericClient("m", provider=emu.provider("groq")).stream("hi").final()
    (span,) = spans.get_finished_spans()
    assert span.attributes["gen_ai.request.stream"] is True
    (ttfc,) = _metrics(reader)["gen_ai.client.operation.time_to_first_chunk"]
    assert ttfc.count == 1
    assert ttfc.sum >= 0.04


async def test_async_calls_have_spans_too(otel, emu):
    spans, _ = otel
    await GenericClient("m", provider=emu.provider("groq")).acomplete("hi")
    async for _ in GenericClient("m", provider=emu.provider("groq")).astream("hi"):
        pass
    assert [s.name for s in spans.get_finished_spans()] == ["chat m", "chat m"]


def test_contents_are_recorded_only_on_opt_in(otel, emu, monkeypatch):
    spans, _ = otel
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    done = GenericClient("m", provider=emu.provider("groq")).complete("a secret question")
    (span,) = spans.get_finished_spans()
    assert "a secret question" in span.attributes["gen_ai.input.messages"]
    assert json.loads(span.attributes["gen_ai.output.messages"])[0]["role"] == "assistant"
    assert done.text in span.attributes["gen_ai.output.messages"]


def test_a_cache_hit_is_a_span_marked_cached(otel, emu):
    spans, _ = otel
    client = GenericClient("m", provider=emu.provider("groq"), cache=ResponseCache())
    client.complete("hi")
    client.complete("hi")
    assert [s.attributes["rehost.cached"] for s in spans.get_finished_spans()] == [False, True]


def test_turned_off_nothing_is_recorded(otel, emu):
    spans, _ = otel
    telemetry.configure(enabled=False)
    GenericClient("m", provider=emu.provider("groq")).complete("hi")
    assert spans.get_finished_spans() == ()
