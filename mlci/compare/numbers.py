"""How numbers read in gate messages and reports: one place, so the terminal, the Markdown report and
the gate messages never disagree about what a value looks like.

The rule is per metric: its values (base and head) share one number of decimals, enough for four
significant digits of the larger one (`0.9200`, `80.00`, `2,450,000`), and its changes and intervals
use the same decimals, so a column reads evenly. Large values get thousands separators; nothing is
ever written in scientific notation, which readers misread in a table and chart engines reject. The
JSON document keeps the raw numbers.
"""

from __future__ import annotations

import math

from mlci.config.records import record

SIGNIFICANT = 4
# Beyond this many decimals a value is too small to write plainly; it reads as `≈0`.
MAX_DECIMALS = 12
MISSING = "-"
ABOUT_ZERO = "≈0"


@record
class MetricFormat:
    """How one metric's numbers read: `decimals` for its values, changes and intervals."""

    decimals: int

    def value(self, value: float | None) -> str:
        """`0.8712`, `2,450,000`; `-` for a side that has no value."""
        if value is None:
            return MISSING
        return _fixed(value, self.decimals)

    def change(self, value: float | None) -> str:
        """A signed difference (`+0.0312`, `-60,000`); `±0` when there is none."""
        if value is None:
            return MISSING
        if value == 0:
            return "±0"
        return f"{'+' if value > 0 else '-'}{_fixed(abs(value), self.decimals)}"


def metric_format(*values: float | None) -> MetricFormat:
    """The format for a metric whose values are `values` (None and zeros are ignored)."""
    magnitudes = [abs(value) for value in values if value is not None and value != 0 and math.isfinite(value)]
    if not magnitudes:
        return MetricFormat(decimals=0)
    return MetricFormat(decimals=_decimals_for(max(magnitudes), SIGNIFICANT))


def format_number(value: float | None) -> str:
    """A value on its own, with four significant digits (`0.8712`, `3.500`, `2,450,000`); None is `-`."""
    return metric_format(value).value(value)


def format_change(value: float | None) -> str:
    """A signed difference on its own, with four significant digits (`+0.0312`); `±0` for none."""
    return metric_format(value).change(value)


def format_count(value: int) -> str:
    """A whole number with thousands separators (`12,480` rows)."""
    return f"{value:,}"


def format_limit(value: float) -> str:
    """A limit as the user wrote it in `mlci.yaml`: `0.9`, `100`, `2,500,000` (no padding zeros)."""
    return _grouped(plain_decimal(value, significant=12))


def format_percent(fraction: float | None, *, signed: bool = True) -> str:
    """A fraction as a percentage with one decimal (`+3.4%`); small ones keep two significant digits
    (`+0.017%`) rather than claiming `0.0%` for a change that exists. Empty when there is none."""
    if fraction is None:
        return ""
    percent = fraction * 100
    if percent == 0:
        return "±0%" if signed else "0%"
    sign = "+" if signed and percent > 0 else "-" if percent < 0 else ""
    decimals = 1 if abs(percent) >= 0.1 else _decimals_for(abs(percent), 2)
    return f"{sign}{_fixed(abs(percent), decimals)}%"


def plain_decimal(value: float, *, significant: int = 6) -> str:
    """`value` with up to `significant` significant digits in plain decimal notation, without
    separators (`2500000`, `0.000015`): what a chart engine that refuses exponents can read."""
    from decimal import Decimal  # for the Markdown report's charts only

    text = format(Decimal(f"{value:.{significant}g}"), "f")
    return "0" if text in ("-0", "0") else text


def _decimals_for(magnitude: float, significant: int) -> int:
    """Decimals that show `significant` significant digits of `magnitude` (> 0), at most `MAX_DECIMALS`."""
    return min(max(significant - 1 - math.floor(math.log10(magnitude)), 0), MAX_DECIMALS)


def _fixed(value: float, decimals: int) -> str:
    """`value` with `decimals` decimals and thousands separators; a value that would round to zero
    there keeps its first significant digit instead of reading as none."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.{decimals}f}"
    if value != 0 and float(text.replace(",", "")) == 0:
        needed = -math.floor(math.log10(abs(value)))
        if needed > MAX_DECIMALS:
            return ABOUT_ZERO
        text = f"{value:,.{needed}f}"
    return text


def _grouped(plain: str) -> str:
    """Thousands separators in the whole part of a plain decimal (`2500000.5` -> `2,500,000.5`)."""
    whole, dot, fraction = plain.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{fraction}"
