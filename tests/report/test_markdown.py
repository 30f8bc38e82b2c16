"""The Markdown report: marker, verdict, failed gates first, tables, details, hostile names."""

from __future__ import annotations

import re
from pathlib import Path

from mlci.compare.result import HeadInfo
from mlci.report import render, render_markdown
from tests.compare.factories import BASE_SHA, HEAD_SHA, compare, make_config, make_run
from tests.report.helpers import failing, passing


def test_starts_with_the_marker_then_title_and_verdict(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    lines = render_markdown(comparison, config=config, identity="nightly").splitlines()
    assert lines[0] == "<!-- mlci-report:nightly -->"
    assert lines[1] == "## mlci report"
    assert "✅ **All gates passed** — 2 models: 1 improved, 1 unchanged" in lines
    assert "**PR:** feature (bbbbbbb) · **base:** main (aaaaaaa)" in lines


def test_render_markdown_is_the_default_identity(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    assert render(comparison, "markdown", config=config).startswith("<!-- mlci-report:default -->\n")


def test_title_comes_from_the_config(tmp_path: Path) -> None:
    config = make_config(tmp_path, "version: 1\nreport: {title: Model check}\n" + _models_only())
    _, comparison = passing(tmp_path, config)
    assert "## Model check" in render_markdown(comparison, config=config).splitlines()


def test_metric_rows_with_arrow_values_and_change(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    text = render_markdown(comparison, config=config)
    assert "| Metric | base | PR | Change |" in text
    assert "| accuracy ↑ | 0.9300 | 0.9500 | 🟢 +0.0200 (+2.2%) |" in text
    assert "| f1\\_macro ↑ | 0.9400 | 0.9400 | ±0 |" in text
    assert "| latency\\_ms ↓ | 80.0000 | 80.0000 | ±0 |" in text
    assert "### 🟢 iris: improved" in text and "### ⚪ churn: unchanged" in text


def test_failed_gates_come_first_and_missing_sides_show_a_dash(tmp_path: Path) -> None:
    config, comparison = failing(tmp_path)
    text = render_markdown(comparison, config=config)
    lines = text.splitlines()
    assert "❌ **2 gates failed (2 passed)** — 3 models: 1 regressed, 1 unchanged, 1 removed" in lines
    failed_at = lines.index("### ❌ Failed gates")
    first_model = next(i for i, line in enumerate(lines) if line.startswith("### ") and i != failed_at)
    assert failed_at < first_model
    assert lines[failed_at + 2 : failed_at + 4] == [
        "- **iris**: accuracy 0.8712 is below the minimum 0.9",
        "- **iris**: accuracy dropped 0.0488 (5.3%), more than the allowed 0.02",
    ]
    assert "| accuracy ↑ | 0.9200 | 0.8712 | 🔴 -0.0488 (-5.3%) |" in lines
    assert "| auc ↑ | - | 0.8000 | 🆕 new |" in lines
    assert "| rmse ↓ | 3.5000 | - | 🗑️ removed |" in lines
    assert "### 🗑️ legacy: removed" in lines


def test_gate_results_are_listed_per_model(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    text = render_markdown(comparison, config=config)
    assert "- ✅ accuracy 0.9500 meets the minimum 0.9" in text
    assert "- ✅ latency\\_ms 80.0000 is within the maximum 100" in text


def test_base_note_shown_only_when_the_requested_commit_had_no_record(tmp_path: Path) -> None:
    config, exact = failing(tmp_path)
    assert "nearest recorded ancestor" not in render_markdown(exact, config=config)
    config, fallback = failing(tmp_path, distance=3)
    text = render_markdown(fallback, config=config)
    assert "> main (ccccccc) has no recorded runs; using its nearest recorded ancestor aaaaaaa, 3 commits back" in text


def test_params_and_run_details_are_folded(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    text = render_markdown(comparison, config=config)
    params = _details(text, "Parameters: 1 changed")
    assert "| C | 1.0 | 10.0 |" in params
    details = _details(text, "Run details")
    assert "| commit | aaaaaaa | bbbbbbb |" in details and "| duration | 2.5 s | 2.5 s |" in details
    assert "| config hash | 0123456789abcdef | 0123456789abcdef |" in details
    assert "| task |" not in details  # neither run recorded one


def test_notes_are_shown(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    comparison = compare(
        config,
        head_runs={"iris": make_run("iris", {"accuracy": 0.95}, commit="9" * 40)},
        base_runs={"churn": make_run("churn", {"auc": 0.8}, commit=BASE_SHA)},
        head=HeadInfo(commit=HEAD_SHA, branch=None, dirty=True),
    )
    text = render_markdown(comparison, config=config)
    assert "> trained at 9999999, not at the current commit" in text
    assert "> not trained in this checkout; showing the base's values, gates not checked" in text
    assert "**PR:** detached HEAD (bbbbbbb, with uncommitted changes)" in text


def test_a_model_that_failed_to_train_leads_the_report_which_fails(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    reason = "mlci.yaml:9: models.churn.command: `train.sh @octocat <img src=x>` exited with code 1"
    comparison = compare(
        config,
        head_runs={"iris": make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9})},
        base_runs={"churn": make_run("churn", {"auc": 0.8, "latency_ms": 50.0}, commit=BASE_SHA)},
        failed={"churn": reason},
    )
    text = render_markdown(comparison, config=config)
    assert "❌ **1 model failed to train; all gates passed (1 not checked)** — " in text
    section = text.split("### ❌ Failed to train\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.startswith("- **churn**: mlci.yaml:9: models.churn.command: \\`train.sh")
    assert "@octocat" not in text and "<img" not in text
    assert "> training failed in this checkout: " in text
    assert "FAILED: 1 model failed to train; " in render(comparison, "text", config=config)


def test_hostile_names_cannot_break_the_report(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    hostile_metric = "x|y <img src=x onerror=1> @octocat\n| injected | row |"
    head = make_run(
        "iris", {"accuracy": 0.95, "f1_macro": 0.9, hostile_metric: 1.0}, params={"[x](javascript:1)": "**bold** #123"}
    )
    base = make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9}, params={}, commit=BASE_SHA)
    removed = make_run("`evil`", {"a|b": 1.0}, commit=BASE_SHA)
    comparison = compare(
        config,
        head_runs={"iris": head},
        base_runs={"iris": base, "`evil`|x": removed},
        head=HeadInfo(commit=HEAD_SHA, branch="@octocat/<script>", dirty=False),
    )
    text = render_markdown(comparison, config=config)
    assert "<img" not in text and "<script" not in text
    assert "@octocat" not in text and "#123" not in text and "[x](javascript" not in text
    table_rows = [line for line in text.splitlines() if line.startswith("| ")]
    for row in table_rows:
        cells = re.split(r"(?<!\\)\|", row)
        assert len(cells) in (5, 6), row  # 3 or 4 columns between the outer pipes
    assert not any(line.startswith("| injected") for line in text.splitlines())


def _details(text: str, summary: str) -> str:
    start = text.index(f"<details><summary>{summary}</summary>")
    return text[start : text.index("</details>", start)]


def _models_only() -> str:
    from tests.compare.factories import IRIS_CONFIG

    return IRIS_CONFIG.split("\n", 1)[1]
