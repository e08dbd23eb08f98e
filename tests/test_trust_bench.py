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
