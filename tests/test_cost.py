"""Cost arithmetic: exact decimals, reasoning billed once as output, cached input at its own price, DeepSeek's
off-peak half price, host-reported cost preferred, user overrides, and the models table."""

from __future__ import annotations

import calendar
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehost import Catalog, catalog
from rehost.errors import ModelNotServed
from rehost.shared.catalog import models_table
from rehost.shared.pricing import Prices, cost_from_host, cost_of
from rehost.shared.types import Usage

FLAT = Prices(input=Decimal("0.30"), output=Decimal("2.50"), cached_input=Decimal("0.03"), read="2026-03-01",
              source="test")


def _utc(hour: int) -> float:
    return float(calendar.timegm((2026, 9, 1, hour, 30, 0)))


def test_reasoning_is_billed_as_output_once_and_cached_input_at_the_cached_price():
    usage = Usage(input_tokens=1_000, output_tokens=500, reasoning_tokens=300, cached_input_tokens=400)
    cost = cost_of(usage, FLAT)
    # 600 uncached x 0.30/M + 400 cached x 0.03/M + 500 output (300 of them reasoning) x 2.50/M
    assert cost.input == Decimal("0.00018")
    assert cost.cached_input == Decimal("0.000012")
    assert cost.output == Decimal("0.00125")
    assert cost.reasoning == Decimal("0.00075")
    assert cost.total == Decimal("0.001442")
    assert cost.source == "catalogue (read 2026-03-01)"
    assert str(cost) == "$0.001442 (catalogue (read 2026-03-01))"


def test_without_a_cached_price_cached_input_is_billed_at_the_input_price_and_said_so():
    prices = Prices(input=Decimal(1), output=Decimal(2))
    cost = cost_of(Usage(input_tokens=1_000_000, output_tokens=0, cached_input_tokens=500_000), prices)
    assert cost.total == Decimal(1)
    assert any("upper bound" in n for n in cost.notes)
    assert cost.source == "catalogue (date unknown)"


def test_deepseek_off_peak_hours_cost_half():
    prices = Catalog.load().prices("deepseek-v4-flash", "deepseek")
    assert prices is not None
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000, cached_input_tokens=0)
    peak, off, unknown = cost_of(usage, prices, when=_utc(7)), cost_of(usage, prices, when=_utc(12)), cost_of(
        usage, prices)
    assert peak.total == Decimal("0.44") + Decimal("1.32")
    assert off.total == peak.total / 2
    assert unknown.total == peak.total
    assert off.notes == ("off-peak rate (x0.5)",)
    assert "upper bound" in unknown.notes[0]
    assert cost_of(usage, prices, when=_utc(3)).total == peak.total
    assert cost_of(usage, prices, when=_utc(4)).total == off.total  # 04:00 is the end of the first peak span


@given(st.integers(0, 10**7), st.integers(0, 10**7), st.integers(0, 10**7), st.integers(0, 10**7))
def test_the_parts_always_add_up_and_never_go_negative(inp, cached, out, reasoning):
    usage = Usage(input_tokens=inp, output_tokens=out + reasoning, reasoning_tokens=reasoning,
                  cached_input_tokens=cached)
    cost = cost_of(usage, FLAT)
    assert cost.total == cost.input + cost.cached_input + cost.output
    assert min(cost.input, cost.cached_input, cost.output, cost.reasoning) >= 0
    assert cost.reasoning <= cost.output


def test_host_reported_cost_keeps_its_decimal_and_names_its_source():
    cost = cost_from_host(0.000924, "openrouter")
    assert cost.total == Decimal("0.000924")
    assert cost.source == "host-reported (openrouter)"


def test_users_override_prices_at_run_time():
    cat = Catalog.load()
    cat.set_prices("deepseek-v4-pro", "deepseek", input="0.1", output="0.2", read="2026-11-01", replace=True)
    prices = cat.prices("deepseek-v4-pro", "deepseek")
    assert prices is not None
    assert (prices.input, prices.output, prices.read, prices.source) == (Decimal("0.1"), Decimal("0.2"),
                                                                         "2026-11-01", "set by the user")
    assert prices.off_peak_factor is None  # replace=True: taken exactly as given (without it the rule is kept)
    with pytest.raises(ModelNotServed):
        cat.set_prices("deepseek-v4-pro", "groq", input=1, output=1)
    cat.register("my-model", "groq", "my-id", family="x", input_price=1, output_price=3, prices_read="2026-11-02")
    assert cat.prices("my-model", "groq") == Prices(input=Decimal(1), output=Decimal(3), read="2026-11-02")
    assert cat.prices("nobody", "groq") is None


def test_every_shipped_price_has_a_date_and_a_source():
    for entry in Catalog.load().models():
        for row in entry.hosts.values():
            if row.prices is not None:
                assert row.prices.read, f"{entry.id}@{row.host}"
                assert row.prices.source, f"{entry.id}@{row.host}"
                assert row.prices.input > 0
                assert row.prices.output >= row.prices.input


def test_the_models_table_shows_context_prices_and_their_date_per_host():
    table = models_table(Catalog.load())
    lines = table.splitlines()
    assert lines[0].split() == ["model", "kind",
                                "host", "host", "id", "context", "in", "$/M", "cached", "$/M", "out", "$/M",
                                "prices", "read"]
    row = next(line for line in lines if line.startswith("deepseek-v4-flash ") and " deepseek " in line)
    assert row.split()[-5:] == ["1,048,576", "0.44", "0.014", "1.32", "2026-08-22"]
    unpriced = next(line for line in lines if line.startswith("deepseek-r1 ") and "openrouter" in line)
    assert unpriced.split()[-4:] == ["-", "-", "-", "-"]
    assert "retired" not in table
    assert "vertex (retired)" in models_table(Catalog.load(), include_retired=True)
    only = models_table(Catalog.load(), family="gemini", host="google").splitlines()[2:]
    assert only
    assert all(" google " in line and line.startswith("gemini-") for line in only)


def test_the_table_reads_the_default_catalogue_with_overrides(private_catalog):
    catalog().register("table-test-model", "mistral", "tt-1", family="test", input_price="0.5", output_price="1.5",
                       prices_read="2026-11-03", prices_source="test")
    line = next(x for x in models_table(family="test").splitlines() if x.startswith("table-test-model"))
    assert line.split()[-4:] == ["0.5", "-", "1.5", "2026-11-03"]
