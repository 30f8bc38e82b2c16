"""The check every report goes through catches what GitHub would show broken."""

from __future__ import annotations

import pytest

from testing.github_markdown import markdown_problems, xychart_problems

MARKER = "<!-- mlci-report:default -->\n"
CHART = 'xychart-beta\n    title "t"\n    x-axis ["a", "b"]\n    line [0.5, 2500000]'


def test_a_report_that_renders_as_written_has_no_problems() -> None:
    report = (
        f"{MARKER}## Title\n\n- one\n- two\n\n| a | b |\n| :--- | ---: |\n| x\\_y | 1 |\n\n"
        "<details><summary>Data: a_b &amp; c</summary>\n\n- `a_b`\n\n```mermaid\n"
        f"{CHART}\n```\n\n</details>\n"
    )
    assert markdown_problems(report) == []


@pytest.mark.parametrize(
    ("markdown", "problem"),
    [
        ("- shares: a 1%\n| x | y |\n| :--- | ---: |\n| 1 | 2 |\n", "1 table line(s) in the Markdown, 0 table(s)"),
        ("<details><summary>x</summary>\n- a\n- b\n\n</details>\n", "2 li line(s) in the Markdown, 0 li(s)"),
        ("<details><summary>x</summary>\n\ny\n\n</details>\n### next\n", "1 heading line(s) in the Markdown, 0"),
        ("<details><summary>drift in a\\_b</summary>\n\nx\n\n</details>\n", "an escape shows as text: '\\\\_'"),
        ("- column added: `a\\_b`\n", "an escape shows as text: '\\\\_'"),
        ("- column: `a&lt;b`\n", "an entity shows as text: '&lt;'"),
        ("text &amp;amp; more\n", "an entity shows as text: '&amp;'"),
        ("<details><summary>x</summary>\n\ny\n", "1 <details> left open"),
        ("<details>\n\ny\n\n</details>\n", "a <details> whose first element is <p>, not <summary>"),
        ("| a |\n| --- |\n| <details><summary>x</summary> |\n\ny\n\n</details>\n", "0 details line(s) in the"),
        (f"```mermaid\n{CHART.replace('2500000', '2.5e+06')}\n```\n", "not a line of plain decimals"),
    ],
)
def test_what_github_would_show_broken_is_found(markdown: str, problem: str) -> None:
    problems = markdown_problems(MARKER + markdown)
    assert any(problem in found for found in problems), problems


def test_a_report_starts_with_its_marker() -> None:
    assert markdown_problems("## Title\n") == ["the first line is not the report marker: '## Title'"]
    assert markdown_problems("## Title\n", marker=False) == []


@pytest.mark.parametrize(
    ("chart", "problem"),
    [
        (CHART.replace("xychart-beta", "xychart"), "does not start with xychart-beta"),
        (CHART.replace('    title "t"\n', ""), "no title line first"),
        (CHART.replace('["a", "b"]', "[a, b]"), "not an x-axis of quoted labels"),
        (CHART.replace("0.5, 2500000", "0.5"), "a line of 1 values on 2 labels"),
        (CHART.replace("0.5", "1e-05"), "not a line of plain decimals"),
        ('%%{init: {"a": }}%%\n' + CHART, "the init directive is not JSON"),
        (CHART.rsplit("\n", 1)[0], "no line series"),
    ],
)
def test_charts_outside_the_grammar_are_found(chart: str, problem: str) -> None:
    assert any(problem in found for found in xychart_problems(chart)), xychart_problems(chart)


def test_charts_inside_the_grammar_pass() -> None:
    themed = '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#1f6feb"}}}}%%\n'
    assert xychart_problems(themed + CHART) == []
    assert xychart_problems(CHART.replace("    line", '    y-axis "mse" 0 --> 3000000\n    line')) == []
    assert xychart_problems(CHART + "\n    line [-1, 0]") == []
