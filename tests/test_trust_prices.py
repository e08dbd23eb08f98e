"""``Catalog.set_prices`` changes what it is told to change and keeps the rest: DeepSeek's off-peak rule,
the other prices, and where each number came from."""

from __future__ import annotations

import calendar
import datetime
import time
from decimal import Decimal

import pytest

from rehost import Usage
from rehost.errors import ConfigurationError
from rehost.shared.catalog import Catalog
from rehost.shared.pricing import cost_of


def _utc(hour: int) -> float:
    return calendar.timegm((2026, 11, 2, hour, 30, 0, 0, 0, 0))


def _today() -> str:
    return datetime.datetime.fromtimestamp(time.time(), datetime.UTC).date().isoformat()


def test_the_readme_example_keeps_deepseeks_off_peak_rule_and_says_where_it_came_from():
    cat = Catalog.load()
    before = cat.prices("deepseek-v4-flash", "deepseek")
    cat.set_prices("deepseek-v4-flash", "deepseek", input="0.22", output="0.66", cached_input="0.007")
    prices = cat.prices("deepseek-v4-flash", "deepseek")
    assert (prices.input, prices.output, prices.cached_input) == (Decimal("0.22"), Decimal("0.66"),
                                                                   Decimal("0.007"))
    assert prices.off_peak_factor == before.off_peak_factor == Decimal("0.5")
    assert prices.peak_hours_utc == before.peak_hours_utc
    assert prices.read == _today()  # the day the numbers were set, never "date unknown"
    assert prices.source.startswith("set by the user")
    assert before.source in prices.source  # the kept rule still names where it was read
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_of(usage, prices, when=_utc(12)).total == Decimal("0.44")  # off-peak: half of 0.22 + 0.66
    assert cost_of(usage, prices, when=_utc(2)).total == Decimal("0.88")  # peak
    assert "read " + _today() in cost_of(usage, prices, when=_utc(2)).source


def test_one_price_changes_alone():
    cat = Catalog.load()
    before = cat.prices("deepseek-v4-pro", "deepseek")
    cat.set_prices("deepseek-v4-pro", "deepseek", output="4.00", read="2026-11-20", source="my invoice")
    prices = cat.prices("deepseek-v4-pro", "deepseek")
    assert prices.output == Decimal("4.00")
    assert (prices.input, prices.cached_input, prices.off_peak_factor, prices.peak_hours_utc) == (
        before.input, before.cached_input, before.off_peak_factor, before.peak_hours_utc)
    assert (prices.read, prices.source) == ("2026-11-20", "my invoice")


def test_the_rule_itself_can_be_changed_or_dropped():
    cat = Catalog.load()
    cat.set_prices("deepseek-v4-pro", "deepseek", off_peak_factor="0.25", peak_hours_utc=["00-12"])
    prices = cat.prices("deepseek-v4-pro", "deepseek")
    assert (prices.off_peak_factor, prices.peak_hours_utc) == (Decimal("0.25"), ((0, 12),))
    cat.set_prices("deepseek-v4-pro", "deepseek", input=1, output=2, replace=True)
    prices = cat.prices("deepseek-v4-pro", "deepseek")
    assert (prices.input, prices.output, prices.cached_input, prices.off_peak_factor, prices.peak_hours_utc) == (
        Decimal(1), Decimal(2), None, None, ())
    assert prices.source == "set by the user"  # nothing was kept, so nothing else is named


def test_prices_for_a_row_that_had_none():
    cat = Catalog.load()
    cat.register("my-model", "groq", "my-id", family="x")
    returned = cat.set_prices("my-model", "groq", input="0.1", output="0.2")
    assert cat.prices("my-model", "groq") == returned
    assert (returned.input, returned.output, returned.source) == (Decimal("0.1"), Decimal("0.2"), "set by the user")


BAD = {
    "not_a_number": {"input": "cheap", "output": 1},
    "negative": {"input": -1, "output": 1},
    "nan": {"input": "NaN", "output": 1},
    "negative_cached": {"input": 1, "output": 1, "cached_input": "-0.1"},
    "factor_above_one": {"off_peak_factor": 2},
    "factor_zero": {"off_peak_factor": 0},
    "bad_hours": {"peak_hours_utc": ["25-30"]},
    "backwards_hours": {"peak_hours_utc": ["10-06"]},
    "hours_not_a_span": {"peak_hours_utc": ["morning"]},
    "hours_as_a_string": {"peak_hours_utc": "01-04"},
    "rule_without_hours": {"input": 1, "output": 1, "off_peak_factor": "0.5", "replace": True},
    "no_output_when_replacing": {"input": 1, "replace": True},
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_prices_are_refused_and_change_nothing(kind):
    cat = Catalog.load()
    before = cat.prices("deepseek-v4-flash", "deepseek")
    with pytest.raises(ConfigurationError):
        cat.set_prices("deepseek-v4-flash", "deepseek", **BAD[kind])
    assert cat.prices("deepseek-v4-flash", "deepseek") == before


def test_a_row_without_prices_needs_both_prices():
    cat = Catalog.load()
    cat.register("my-model", "groq", "my-id", family="x")
    with pytest.raises(ConfigurationError, match="output"):
        cat.set_prices("my-model", "groq", input="0.1")
    assert cat.prices("my-model", "groq") is None
