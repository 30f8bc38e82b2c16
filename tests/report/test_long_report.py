"""Many models: a summary table first, each model folded, the quiet ones on one line, and a comment
that always fits GitHub's limit while the job summary keeps everything."""

from __future__ import annotations

import re
from pathlib import Path

from mlci.github.comments import MAX_COMMENT_CHARS, comment_body
from mlci.github.shorten import utf16_size
from mlci.report import render_markdown
from testing.github_markdown import assert_renders_on_github, render_html
from tests.report.helpers import many_models

SUMMARY_HEADER = "| Model | Status | First metric | base → PR | Change | Gates |"


def summary_rows(text: str) -> list[str]:
    """The rows of the summary table, up to the blank line that ends it."""
    lines = text.splitlines()
    rows = lines[lines.index(SUMMARY_HEADER) + 2 :]
    return rows[: rows.index("")]


def test_more_than_five_models_lead_with_one_row_per_changed_model(tmp_path: Path) -> None:
    config, comparison = many_models(tmp_path, 60, changed=15)

    text = render_markdown(comparison, config=config)

    lines = text.splitlines()
    rows = summary_rows(text)
    assert rows[0] == (
        "| [model\\_00](#mlci-default-model_00) | 🔴 regressed | mse ↓ | 2,450,000 → 2,510,000 "
        "| 🔴 +60,000 (+2.4%) <sub>[+41,250, +78,900]</sub> | ❌ 1 failed |"
    )
    assert [row.split("]")[0] for row in rows] == [f"| [model\\_{i:02d}" for i in range(15)]
    # Every changed model's details are folded under its name, which its row links to.
    assert text.count('<details><summary><a name="mlci-default-model_') == 15
    assert '<details><summary><a name="mlci-default-model_00"></a>🔴 <b>model_00</b>: regressed</summary>' in lines
    assert not any(line.startswith("### ") and "model_" in line for line in lines)
    # The 45 unchanged ones take one line, their values folded beneath it.
    quiet = [line for line in lines if line.startswith("<details><summary>⚪ ")]
    assert quiet == [
        "<details><summary>⚪ 45 unchanged: model_15, model_16, model_17, model_18, model_19, model_20, "
        "model_21, model_22, and 37 more</summary>"
    ]
    assert "| model\\_59 | mse ↓ | 2,450,000 | ✅ 1 passed |" in lines


def test_five_models_keep_one_section_each(tmp_path: Path) -> None:
    config, comparison = many_models(tmp_path, 5, changed=2)

    text = render_markdown(comparison, config=config)

    assert SUMMARY_HEADER not in text
    headings = [line for line in text.splitlines() if line.startswith('### <a name="mlci-default-model_')]
    assert len(headings) == 5 and headings[4] == '### <a name="mlci-default-model_04"></a>⚪ model\\_04: unchanged'


def test_the_summary_links_reach_the_models_anchors(tmp_path: Path) -> None:
    config, comparison = many_models(tmp_path, 8, changed=3)

    html = render_html(render_markdown(comparison, config=config))

    links = set(re.findall(r'<a href="#([^"]+)"', html))
    anchors = set(re.findall(r'<a name="([^"]+)"', html))
    assert links == {
        "mlci-default-model_00",
        "mlci-default-model_01",
        "mlci-default-model_02",
        "mlci-default-failed-gates",
    }
    assert links <= anchors


def test_sixty_changed_models_fit_one_comment_by_leaving_out_details_only(tmp_path: Path) -> None:
    config, comparison = many_models(tmp_path, 60, changed=60)
    report = render_markdown(comparison, config=config)
    assert len(report) > 1.5 * MAX_COMMENT_CHARS

    body = comment_body(report, identity="default")

    assert utf16_size(body) <= MAX_COMMENT_CHARS
    assert_renders_on_github(body)
    assert "> **… report shortened: " in body.splitlines()[-1]
    # Everything outside the folded details is all there: the failed gates and the whole summary table.
    assert summary_rows(body) == summary_rows(report) and len(summary_rows(body)) == 60
    assert body.count("- **[model\\_") == 60
    # What was left out are whole folded blocks, the innermost and the last first: every model keeps
    # its table, the first models keep their inner details too.
    assert body.count("| Metric | base | PR | Change |") == 60
    sections = body.split("<details><summary><a name=")[1:]
    assert "Trend on the base branch" in sections[1] and "Run details" in sections[1]
    assert "Trend on the base branch" not in sections[59] and "Run details" not in sections[59]


def test_the_comment_counts_emoji_as_javascript_does(tmp_path: Path) -> None:
    """GitHub's limit is in characters; an emoji beyond the BMP is two UTF-16 units. Counting
    units keeps the comment within the limit however GitHub counts."""
    report = "<!-- mlci-report:default -->\n" + "🔴 x\n\n" * 20_000

    body = comment_body(report, identity="default")

    assert utf16_size(body) <= MAX_COMMENT_CHARS and len(body) < MAX_COMMENT_CHARS
