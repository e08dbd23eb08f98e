"""Issue 12 trust pass, rehost.bench as a library: a per-call timeout, the table's error messages, the plot
(median label, label placement, colours, HTML escaping), warm-up before timing, and what the ranking ranks."""

from __future__ import annotations

import inspect
import time

import pytest

from rehost import GenericClient
from rehost.bench import acompare, compare
from rehost.testing.emulator import Emulator

# ---------------------------------------------------------------------------------------------- item 4


def test_a_call_that_outlives_the_bench_timeout_counts_as_a_timeout():
    """A host trickling tokens (each within the stream idle limit) for 6 s: the bench's per-call timeout of 1 s
    ends the call and counts it as a RequestTimeout. Before, the call ran to the end and was counted as a success
    (a request's own total timeout is not a bound on a stream that keeps talking)."""
    with Emulator() as emu:
        emu.script("groq", inter_token=0.1, output_tokens=60)
        started = time.monotonic()
        report = compare(GenericClient("m"), [emu.provider("groq")], runs=1, prompts=["x"], warmup=0, timeout=1)
        took = time.monotonic() - started
    [sample] = report.samples
    assert not sample.ok
    assert sample.error == "RequestTimeout"
    assert "1 s" in (sample.message or "")
    assert report.result("groq").errors == {"RequestTimeout": 1}
    assert took < 5.5, took  # ended by the timeout, not by the host's 6 s answer


def test_a_stalled_host_cannot_hang_the_bench():
    """The host sends headers then nothing; the provider keeps its default (600 s) idle limit."""
    with Emulator() as emu:
        emu.script("groq", fault="stall")
        started = time.monotonic()
        report = compare(GenericClient("m"), [emu.provider("groq"), emu.provider("openrouter")], runs=2,
                         prompts=["x"], warmup=1, timeout=0.5)
        took = time.monotonic() - started
    assert report.result("groq").errors == {"RequestTimeout": 2}
    assert report.result("openrouter").errors == {}
    assert report.result("openrouter").ttft.n == 2
    assert took < 30, took


def test_the_bench_has_a_sane_default_timeout():
    default = inspect.signature(acompare).parameters["timeout"].default
    assert default is not None
    assert 30 <= default <= 600


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_a_timeout_that_is_not_positive_is_refused(timeout):
    from rehost.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="timeout"):
        compare(GenericClient("m"), [], timeout=timeout)


# ---------------------------------------------------------------------------------------------- item 26


def test_the_table_shows_what_each_error_said():
    from rehost import RetryPolicy

    with Emulator() as emu:
        emu.inject("500", times=2, host="groq")
        emu.inject("reset_before", times=2, host="groq")
        groq = emu.provider("groq", retry=RetryPolicy(max_retries=0))
        report = compare(GenericClient("m"), [groq], runs=2, prompts=["a", "b"], warmup=0)
    result = report.result("groq")
    assert result.errors == {"ServerError": 2, "ConnectionFailed": 2}
    assert set(result.error_messages) == {"ServerError", "ConnectionFailed"}
    table = report.table()
    lines = table.splitlines()
    server = next(line for line in lines if "ServerError x2:" in line)
    assert "500" in server
    connection = next(line for line in lines if "ConnectionFailed x2:" in line)
    assert len(connection) <= 160, connection  # shortened, the whole text is in the JSON
    assert report.to_dict()["hosts"][0]["error_messages"]["ServerError"] == result.error_messages["ServerError"]


def test_a_long_error_message_is_shortened_in_the_table():
    from rehost.bench.report import render_table
    from rehost.bench.runner import Report, Sample, _summarise

    samples = [Sample("h", 0, r, 0.0, False, "ProtocolError", "x" * 290 + "\nmore") for r in range(3)]
    report = Report("m", [_summarise("h", samples, None)], samples, {"runs": 3, "prompts": "short"})
    note = next(line for line in render_table(report).splitlines() if "ProtocolError x3:" in line)
    assert note.endswith("…")
    assert len(note) < 160
    assert "\n" not in note


def test_a_report_with_nothing_measured_draws_no_plot(tmp_path):
    from rehost import RetryPolicy

    with Emulator() as emu:
        emu.script("groq", fault="500")
        groq = emu.provider("groq", retry=RetryPolicy(max_retries=0))
        report = compare(GenericClient("m"), [groq], runs=1, prompts=["a"], warmup=0)
    assert not report.answered
    with pytest.raises(ValueError, match="nothing to plot"):
        report.plot(tmp_path / "empty.png")
    assert not (tmp_path / "empty.png").exists()
