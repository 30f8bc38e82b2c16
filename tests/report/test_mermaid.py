"""The charts mlci writes, read by Mermaid's own parser (the one GitHub draws them with), where this
machine has Node; the grammar check in `testing.github_markdown` runs on every chart everywhere."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from mlci.report import render_markdown
from mlci.report.chart import trend_chart
from testing import example_report
from testing.github_markdown import xychart_problems
from testing.mermaid import install_mermaid, parse_charts
from tests.compare.factories import BASE_SHA, make_config
from tests.report.helpers import every_part, many_models

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def mermaid(request: pytest.FixtureRequest) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not on PATH, so Mermaid's own parser cannot run here")
    return install_mermaid(request.config.cache.mkdir("mermaid"))


def charts_of(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)\n```$", markdown, flags=re.MULTILINE | re.DOTALL)


def every_chart(tmp_path: Path) -> list[str]:
    """Charts from the reports the tests render, the README's example, and values and names at the edges."""
    config = make_config(tmp_path)
    charts = charts_of(render_markdown(every_part(tmp_path), config=config))
    (tmp_path / "many").mkdir()
    many_config, many = many_models(tmp_path / "many", 8, changed=3)
    charts += charts_of(render_markdown(many, config=many_config))
    charts += charts_of(example_report.report())
    iris = every_part(tmp_path).models[0]
    edges = [
        [("1111111", 2.5e6), ("2222222", 1.2e12)],
        [("1111111", 1.5e-05), ("2222222", 4.2e-09)],
        [("1111111", -3.0), ("2222222", 0.0)],
        [('"]\n```', 0.5), ("%%{x}%%", 0.6)],
    ]
    for history in edges:
        metric = dataclasses.replace(iris.metrics[0], base=history[-1][1], head=history[0][1])
        model = dataclasses.replace(iris, name='x"]\n```y', metrics=[metric], trend={metric.name: history})
        chart = trend_chart(model, base_commit=BASE_SHA)
        assert chart is not None
        charts.append(chart)
    return charts


def test_mermaid_accepts_every_chart_mlci_writes(mermaid: Path, tmp_path: Path) -> None:
    charts = every_chart(tmp_path)
    assert len(charts) == 10 and all(xychart_problems(chart) == [] for chart in charts)

    errors = parse_charts(mermaid, charts)

    assert errors == [None] * len(charts), next(e for e in errors if e)


def test_mermaid_refuses_what_the_grammar_refuses(mermaid: Path) -> None:
    """The grammar check stands in for Mermaid where Node is missing: they agree on exponents."""
    chart = 'xychart-beta\n    title "t"\n    x-axis ["a", "b"]\n    line [1, 2.5e+06]'

    [error] = parse_charts(mermaid, [chart])

    assert error is not None and "Parse error" in error
    assert xychart_problems(chart) == ["not a line of plain decimals: '    line [1, 2.5e+06]'"]
