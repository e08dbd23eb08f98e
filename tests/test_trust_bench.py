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


# ---------------------------------------------------------------------------------------------- item 29


def synthetic(columns: dict[str, dict[str, list[float | None]]], model: str = "m", failures=()):
    """A report from given per-host metric values (seconds), without any host: what the plot draws is then
    known exactly. ``failures``: (host, error type, message) samples that failed."""
    from rehost.bench.runner import Report, Sample, _summarise

    samples = []
    for host, metrics in columns.items():
        n = len(next(iter(metrics.values())))
        for i in range(n):
            values = {k: v[i] for k, v in metrics.items()}
            samples.append(Sample(host, 0, i, float(i), True, ttft=values.get("ttft"), itl=values.get("itl"),
                                  e2e=values.get("e2e"), tokens_per_second=values.get("tokens_per_second")))
    for host, kind, message in failures:
        samples.append(Sample(host, 0, 0, 0.0, False, kind, message))
    hosts = list(dict.fromkeys([*columns, *(f[0] for f in failures)]))
    results = [_summarise(h, [s for s in samples if s.host == h], None) for h in hosts]
    return Report(model, results, samples, {"runs": 4, "prompts": "short"})


def figure_of(report):
    from rehost.bench.plot import build_figure

    fig = build_figure(report)
    fig.canvas.draw()
    return fig


def panels(fig):
    """Panel title -> (host labels on the x axis, that panel's median labels, box colours)."""
    import matplotlib.colors

    out = {}
    for ax in fig.axes:
        hosts = [t.get_text() for t in ax.get_xticklabels()]
        colours = [matplotlib.colors.to_hex(p.get_facecolor(), keep_alpha=False) for p in ax.patches]
        out[ax.get_title()] = (hosts, [t.get_text() for t in ax.texts], colours)
    return out


def test_the_median_label_is_the_tables_p50():
    """Four samples: the table's p50 interpolates (25.0 ms); sorted(v)[n // 2] said 30.0."""
    report = synthetic({"a": {"ttft": [0.010, 0.020, 0.030, 0.040], "itl": [0.001, 0.002, 0.003, 0.004],
                              "e2e": [0.1, 0.2, 0.3, 0.4], "tokens_per_second": [10.0, 20.0, 30.0, 40.0]}})
    assert report.result("a").ttft.p50 == pytest.approx(0.025)
    assert "25.0 /" in report.table()
    seen = panels(figure_of(report))
    assert seen["time to first token (ms)"][1] == ["25.0"]
    assert seen["between tokens (ms)"][1] == ["2.5"]
    assert seen["end to end (ms)"][1] == ["250.0"]
    assert seen["output tokens / s"][1] == ["25.0"]


def test_median_labels_do_not_cover_the_dots():
    """Many samples close to the median, two hosts: every label's box is clear of every dot, and inside its
    panel."""
    spread = [0.050 + 0.0001 * ((i * 7) % 11) for i in range(21)]
    report = synthetic({h: {"ttft": spread, "itl": [v / 10 for v in spread], "e2e": [v * 10 for v in spread],
                            "tokens_per_second": [1 / v for v in spread]} for h in ("a", "b")})
    fig = figure_of(report)
    renderer = fig.canvas.get_renderer()
    radius = 3 * fig.dpi / 72  # the dots are 3 points across; a margin of one more radius
    for ax in fig.axes:
        labels = [t.get_window_extent(renderer) for t in ax.texts]
        assert len(labels) == 2
        panel = ax.get_window_extent(renderer)
        for box in labels:
            assert panel.x0 <= box.x0
            assert box.x1 <= panel.x1
            assert panel.y0 <= box.y0
            assert box.y1 <= panel.y1
        for dots in ax.collections:
            for x, y in ax.transData.transform(dots.get_offsets()):
                for box in labels:
                    inside = box.x0 - radius <= x <= box.x1 + radius and box.y0 - radius <= y <= box.y1 + radius
                    assert not inside, (ax.get_title(), (x, y), box)


def test_a_host_keeps_its_colour_in_every_panel():
    """Host a never has an inter-token gap (one-token answers): b is the only box in that panel, and kept
    b's colour (it took a's, the first colour, before)."""
    report = synthetic({"a": {"ttft": [0.01, 0.02], "itl": [None, None], "e2e": [0.1, 0.2],
                              "tokens_per_second": [5.0, 6.0]},
                        "b": {"ttft": [0.03, 0.04], "itl": [0.001, 0.002], "e2e": [0.3, 0.4],
                              "tokens_per_second": [7.0, 8.0]}})
    seen = panels(figure_of(report))
    assert seen["between tokens (ms)"][0] == ["b"]
    colour_of_b = {title: colours[hosts.index("b")] for title, (hosts, _, colours) in seen.items()}
    assert len(set(colour_of_b.values())) == 1, colour_of_b
    hosts, _, colours = seen["time to first token (ms)"]
    assert colours[hosts.index("a")] != colours[hosts.index("b")]


def test_html_output_escapes_what_it_quotes(tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    report = synthetic({"a": {"ttft": [0.01, 0.02], "itl": [0.001, 0.002], "e2e": [0.1, 0.2],
                              "tokens_per_second": [5.0, 6.0]}}, model=evil,
                       failures=[("b", "ServerError", "<script>alert(2)</script>")])
    text = report.plot(tmp_path / "p.html").read_text("utf-8")
    assert "<img" not in text
    assert "<script" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<title>rehost bench: &lt;img" in text


# ---------------------------------------------------------------------------------------------- item 31


def test_warm_up_calls_end_before_any_timed_call_starts():
    """With concurrency the warm-up call used to run alongside the first timed calls (the same gate, one queue)."""
    with Emulator() as emu:
        emu.script("groq", ttft=0.3)
        before = time.time()
        report = compare(GenericClient("m"), [emu.provider("groq")], runs=1, prompts=["a", "b"], warmup=1,
                         concurrency=4)
    assert len(report.samples) == 2
    assert min(s.started_at for s in report.samples) - before >= 0.29  # after the warm-up's 0.3 s answer


def test_a_sub_millisecond_first_token_is_not_ranked():
    """A first token 0.3 ms after the request left is no host generating across a network (a stub answering at
    once, or a cached answer): the table shows it, the ranking leaves it out and says why."""
    fast = {"ttft": [0.0003] * 4, "itl": [0.001] * 4, "e2e": [0.01] * 4, "tokens_per_second": [100.0] * 4}
    real = {"ttft": [0.050] * 4, "itl": [0.002] * 4, "e2e": [0.1] * 4, "tokens_per_second": [50.0] * 4}
    slow = {"ttft": [0.120] * 4, "itl": [0.002] * 4, "e2e": [0.2] * 4, "tokens_per_second": [40.0] * 4}
    report = synthetic({"stub": fast, "groq": real, "together": slow})
    assert report.ranking("ttft") == ["groq", "together"]
    table = report.table()
    assert "fastest first token: groq < together" in table
    assert "0.3 /" in table  # the measurement itself is kept
    note = next(line for line in table.splitlines() if line.startswith("stub:") and "not ranked" in line)
    assert "1 ms" in note
    assert report.ranking("tokens_per_second") == ["stub", "groq", "together"]  # other metrics unaffected


def test_no_ranking_line_when_no_first_token_is_measurable():
    fast = {"ttft": [0.0002] * 2, "itl": [0.001] * 2, "e2e": [0.01] * 2, "tokens_per_second": [100.0] * 2}
    report = synthetic({"a": fast, "b": fast})
    assert report.ranking("ttft") == []
    assert "fastest first token:" not in report.table()
