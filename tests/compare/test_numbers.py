"""How numbers read: one rule per metric, the same in the terminal, the report and the gate messages."""

from __future__ import annotations

import pytest

from mlci.compare.numbers import (
    format_change,
    format_limit,
    format_number,
    format_percent,
    metric_format,
    plain_decimal,
)


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ((0.92, 0.8712), ["0.9200", "0.8712"]),
        ((2_450_000.0, 2_510_000.0), ["2,450,000", "2,510,000"]),
        ((80.0, 82.5), ["80.00", "82.50"]),
        ((1234.5678, 999.0), ["1,235", "999"]),
        ((1.5e-05, 2.25e-05), ["0.00001500", "0.00002250"]),
        ((-0.5, 0.25), ["-0.5000", "0.2500"]),
    ],
)
def test_a_metrics_values_share_one_number_of_decimals(values: tuple[float, float], shown: list[str]) -> None:
    form = metric_format(*values)
    assert [form.value(value) for value in values] == shown


def test_no_value_is_ever_in_scientific_notation() -> None:
    for value in (2.5e6, 1e12, 3.3e15, 1e-5, 4.2e-9, -7e7):
        for text in (format_number(value), format_change(value), metric_format(value).value(value)):
            assert "e" not in text.lower(), text


def test_changes_use_the_metrics_decimals() -> None:
    form = metric_format(0.9281, 0.92826)
    assert form.change(0.0001615) == "+0.0002"
    assert form.change(-0.0488) == "-0.0488"
    assert metric_format(2_450_000.0, 2_510_000.0).change(60_000.0) == "+60,000"


def test_a_change_below_the_metrics_last_digit_keeps_its_first_significant_one() -> None:
    form = metric_format(0.92, 0.92001)
    assert form.change(0.00001) == "+0.00001"
    assert form.change(0.0) == "±0"
    assert form.value(None) == form.change(None) == "-"


def test_a_small_value_beside_a_large_one_does_not_read_as_zero() -> None:
    form = metric_format(50.0, 0.0004)
    assert form.value(50.0) == "50.00"
    assert form.value(0.0004) == "0.0004"
    assert form.value(0.0) == "0.00"


def test_values_too_small_to_write_plainly_read_as_about_zero() -> None:
    assert metric_format(1e-300).value(1e-300) == "≈0"
    assert format_change(-1e-300) == "-≈0"


def test_a_number_on_its_own_keeps_four_significant_digits() -> None:
    assert format_number(0.87123) == "0.8712"
    assert format_number(3.5) == "3.500"
    assert format_number(2_450_000.0) == "2,450,000"
    assert format_number(0) == "0"
    assert format_number(None) == "-"
    assert format_change(0.0001615) == "+0.0001615"


def test_percentages_have_one_decimal_small_ones_two_significant_digits() -> None:
    assert format_percent(0.034) == "+3.4%"
    assert format_percent(0.00017) == "+0.017%"
    assert format_percent(2450.0) == "+245,000.0%"
    assert format_percent(-0.05, signed=False) == "-5.0%"
    assert format_percent(None) == ""


def test_limits_read_as_written_without_exponents() -> None:
    assert format_limit(0.9) == "0.9"
    assert format_limit(100) == "100"
    assert format_limit(2_500_000) == "2,500,000"
    assert format_limit(1e-05) == "0.00001"


def test_plain_decimals_for_charts_have_no_exponent_and_no_separators() -> None:
    assert plain_decimal(2.5e6) == "2500000"
    assert plain_decimal(1.5e-05) == "0.000015"
    assert plain_decimal(0.8712345678) == "0.871235"
    assert plain_decimal(-0.0) == "0"
    assert plain_decimal(-3.25) == "-3.25"
