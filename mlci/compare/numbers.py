"""How numbers read in gate messages and reports: one place, so the terminal, the Markdown report and
the gate messages never disagree about what a value looks like."""

from __future__ import annotations

DECIMALS = 4
MISSING = "-"


def format_number(value: float | None) -> str:
    """A metric value with 4 decimals (`0.8712`); tiny or huge values keep 4 significant digits
    (`1.235e-05`) so they never collapse to `0.0000`. None (a side that has no value) is `-`."""
    if value is None:
        return MISSING
    if value == 0:
        return "0"
    magnitude = abs(value)
    if 10 ** -(DECIMALS - 1) <= magnitude < 1e12:
        return f"{value:.{DECIMALS}f}"
    return f"{value:.{DECIMALS}g}"


def format_limit(value: float) -> str:
    """A limit as the user wrote it in `mlci.yaml`: `0.9`, `100`, `0.02` (no padding zeros)."""
    return f"{value:.12g}"


def format_change(value: float | None) -> str:
    """A signed difference (`+0.0312`, `-1.2e-05`); `±0` when it rounds to nothing."""
    if value is None:
        return MISSING
    if value == 0:
        return "±0"
    return f"{'+' if value > 0 else '-'}{format_number(abs(value))}"


def format_percent(fraction: float | None, *, signed: bool = True) -> str:
    """A fraction as a percentage with one decimal (`+3.4%`); small ones keep two significant digits
    (`+0.012%`) rather than claiming `0.0%` for a change that exists. Empty when there is none."""
    if fraction is None:
        return ""
    percent = fraction * 100
    if percent == 0:
        return "±0%" if signed else "0%"
    sign = "+" if signed else ""
    if abs(percent) >= 0.1:
        return f"{percent:{sign}.1f}%"
    return f"{percent:{sign}.2g}%"
