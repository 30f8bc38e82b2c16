"""The trend chart: values Mermaid can read, colours readable on both GitHub themes, and a last base
point that agrees with the table."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from mlci.compare.result import ModelComparison
from mlci.report.chart import PALETTE, trend_chart
from mlci.report.context import template_context
from testing.github_markdown import xychart_problems
from tests.compare.factories import BASE_SHA
from tests.report.helpers import every_part

GITHUB_BACKGROUNDS = {"light": "#ffffff", "dark": "#0d1117"}


def iris_with_trend(tmp_path: Path, history: list[tuple[str, float]], *, base: float, head: float) -> ModelComparison:
    iris = every_part(tmp_path).models[0]
    metric = dataclasses.replace(iris.metrics[0], base=base, head=head)
    return dataclasses.replace(iris, metrics=[metric, *iris.metrics[1:]], trend={metric.name: history})


def series(chart: str) -> list[str]:
    [values] = re.findall(r"^    line \[(.*)\]$", chart, flags=re.MULTILINE)
    return values.split(", ")


@pytest.mark.parametrize(
    ("history", "head", "expected"),
    [
        ([("1111111", 2.5e6), ("2222222", 2.61e6)], 3.0e6, ["2500000", "2610000", "3000000"]),
        ([("1111111", 1.5e-05), ("2222222", 4.2e-06)], 9e-07, ["0.000015", "0.0000042", "0.0000009"]),
        ([("1111111", -0.25), ("2222222", 0.0)], 0.125, ["-0.25", "0", "0.125"]),
    ],
)
def test_values_are_plain_decimals_mermaid_can_read(
    tmp_path: Path, history: list[tuple[str, float]], head: float, expected: list[str]
) -> None:
    chart = trend_chart(iris_with_trend(tmp_path, history, base=history[-1][1], head=head), base_commit=BASE_SHA)

    assert chart is not None and series(chart) == expected
    assert xychart_problems(chart) == []


def test_the_last_base_point_is_the_base_value_the_table_shows(tmp_path: Path) -> None:
    """Re-scored on this run's rows, the base's accuracy is 0.87, not the 0.92 it recorded."""
    history = [("1111111", 0.91), (BASE_SHA[:7], 0.92)]
    model = iris_with_trend(tmp_path, history, base=0.87, head=0.9)
    comparison = dataclasses.replace(every_part(tmp_path), models=[model])

    [view] = template_context(comparison, title="t", identity="default")["models"]

    assert series(view["trend_chart"]) == ["0.91", "0.87", "0.9"]
    assert view["metrics"][0]["base_text"] == "0.8700"


def test_an_older_base_point_keeps_its_recorded_value(tmp_path: Path) -> None:
    history = [("1111111", 0.91), ("2222222", 0.92)]  # the base's own record is not among them
    chart = trend_chart(iris_with_trend(tmp_path, history, base=0.87, head=0.9), base_commit=BASE_SHA)
    assert chart is not None and series(chart) == ["0.91", "0.92", "0.9"]


def test_the_palette_reads_on_githubs_light_and_dark_backgrounds(tmp_path: Path) -> None:
    chart = trend_chart(
        iris_with_trend(tmp_path, [("1", 0.9), ("2", 0.91)], base=0.91, head=0.92), base_commit="c" * 40
    )
    assert chart is not None
    directive = json.loads(re.fullmatch(r"%%\{init: (.*)\}%%", chart.splitlines()[0]).group(1))
    colours = directive["themeVariables"]["xyChart"]["plotColorPalette"].split(", ")
    assert colours == list(PALETTE)
    for colour in colours:
        for theme, background in GITHUB_BACKGROUNDS.items():
            assert contrast(colour, background) >= 3, f"{colour} on GitHub's {theme} theme"


def test_labels_and_title_cannot_leave_their_strings(tmp_path: Path) -> None:
    history = [('a"]\n```', 0.9), ("b%%{x}", 0.91)]
    model = dataclasses.replace(iris_with_trend(tmp_path, history, base=0.91, head=0.92), name='x"] line [1]\n```')
    chart = trend_chart(model, base_commit=BASE_SHA)
    assert chart is not None and xychart_problems(chart) == []
    assert "```" not in chart and len(chart.splitlines()) == 5


def test_without_two_base_points_there_is_no_chart(tmp_path: Path) -> None:
    assert trend_chart(iris_with_trend(tmp_path, [("1", 0.9)], base=0.9, head=0.91), base_commit=BASE_SHA) is None


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two `#rrggbb` colours."""
    low, high = sorted((luminance(foreground), luminance(background)))
    return (high + 0.05) / (low + 0.05)


def luminance(colour: str) -> float:
    channels = [int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
