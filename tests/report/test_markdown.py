"""The Markdown report: marker, verdict, failed gates first, tables, details, hostile names."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from mlci.compare.result import HeadInfo
from mlci.report import render, render_markdown
from mlci.report.context import model_anchors
from testing import example_report
from testing.github_markdown import assert_renders_on_github, render_html, visible_text
from tests.compare.factories import BASE_SHA, HEAD_SHA, compare, make_config, make_run
from tests.report.helpers import every_part, failing, passing


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
    assert "| latency\\_ms ↓ | 80.00 | 80.00 | ±0 |" in text
    assert '### <a name="mlci-default-iris"></a>🟢 iris: improved' in text
    assert '### <a name="mlci-default-churn"></a>⚪ churn: unchanged' in text


def test_failed_gates_come_first_and_missing_sides_show_a_dash(tmp_path: Path) -> None:
    config, comparison = failing(tmp_path)
    text = render_markdown(comparison, config=config)
    lines = text.splitlines()
    assert "❌ **2 gates failed (2 passed)** — 3 models: 1 regressed, 1 unchanged, 1 removed" in lines
    failed_at = lines.index('### <a name="mlci-default-failed-gates"></a>❌ Failed gates')
    first_model = next(i for i, line in enumerate(lines) if line.startswith("### ") and i != failed_at)
    assert failed_at < first_model
    assert lines[failed_at + 2 : failed_at + 4] == [
        "- **[iris](#mlci-default-iris)**: accuracy 0.8712 is below the minimum 0.9",
        "- **[iris](#mlci-default-iris)**: accuracy dropped 0.0488 (5.3%), more than the allowed 0.02",
    ]
    assert "| accuracy ↑ | 0.9200 | 0.8712 | 🔴 -0.0488 (-5.3%) |" in lines
    assert "| auc ↑ | - | 0.8000 | 🆕 new |" in lines
    assert "| rmse ↓ | 3.500 | - | 🗑️ removed |" in lines
    assert '### <a name="mlci-default-legacy"></a>🗑️ legacy: removed' in lines


def test_gate_results_are_listed_per_model(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    text = render_markdown(comparison, config=config)
    assert "- ✅ accuracy 0.9500 meets the minimum 0.9" in text
    assert "- ✅ latency\\_ms 80.00 is within the maximum 100" in text


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
    assert section.startswith("- **[churn](#mlci-default-churn)**: mlci.yaml:9: models.churn.command: \\`train.sh")
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


def test_the_data_block_reads_on_github_as_written(tmp_path: Path) -> None:
    """GitHub reads a `<summary>` line as HTML and a code span as it is: neither may show an escape,
    and the drift table after the list of changes must be a table, not text in the last item."""
    comparison = every_part(tmp_path)
    iris = comparison.models[0]
    assert iris.data is not None
    data = dataclasses.replace(
        iris.data,
        path="data/train_set <v2> & more.csv",
        added_columns=["petal_ratio", "a`b|c <x>"],
        drift=[dataclasses.replace(iris.data.drift[0], column="drift_in|region <b>")],
    )
    comparison = dataclasses.replace(comparison, models=[dataclasses.replace(iris, data=data)])

    html = render_html(render_markdown(comparison, config=make_config(tmp_path)))

    block = html.split("<summary>Data: ", 1)[1].split("</details>", 1)[0]
    summary = block.split("</summary>", 1)[0]
    assert (
        visible_text(summary) == "data/train_set <v2> & more.csv changed, schema changed, drift in drift_in|region <b>"
    )
    assert "<code>petal_ratio</code>" in block and visible_text(block).count("a`b|c <x>") == 1
    assert "<li>target shares: setosa 33% → 30%</li>" in block
    [table] = re.findall(r"<table>.*?</table>", block, flags=re.DOTALL)
    assert '<td align="left">drift_in|region &lt;b&gt;</td>' in table


def test_failed_gates_are_listed_once_at_the_top_each_linked_to_its_model(tmp_path: Path) -> None:
    config, comparison = failing(tmp_path)

    text = render_markdown(comparison, config=config)

    for message in (
        "accuracy 0.8712 is below the minimum 0.9",
        "accuracy dropped 0.0488 (5.3%), more than the allowed 0.02",
    ):
        assert text.count(message) == 1
        assert f"- **[iris](#mlci-default-iris)**: {message}" in text
    section = text.split('<a name="mlci-default-iris"></a>', 1)[1].split("### ", 1)[0]
    assert "**Gates**: ❌ 2 failed, listed under [Failed gates](#mlci-default-failed-gates)" in section
    assert "- ✅ accuracy" not in section  # both of iris's gates failed: nothing else to list
    html = render_html(text)
    assert '<a name="mlci-default-iris"></a>' in html and '<a href="#mlci-default-iris">' in html


def test_anchors_stay_unique_and_safe_whatever_the_names(tmp_path: Path) -> None:
    names = ["a|b", "a b", "<x>", "", "www.evil.example", "x" * 300, "failed-gates"]
    assert model_anchors(names, identity="nightly") == {
        "a|b": "mlci-nightly-a-b",
        "a b": "mlci-nightly-a-b-2",
        "<x>": "mlci-nightly-x",
        "": "mlci-nightly-model",
        "www.evil.example": "mlci-nightly-www-evil-example",
        "x" * 300: "mlci-nightly-" + "x" * 60,
        "failed-gates": "mlci-nightly-failed-gates-2",
    }


def test_a_first_run_note_and_the_notes_after_it_stay_apart(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    base = dataclasses.replace(comparison.base, first_run=True, note="nothing recorded for main yet")
    comparison = dataclasses.replace(comparison, base=base, notes=["uncommitted changes"])

    html = render_html(render_markdown(comparison, config=config))

    assert html.count("<blockquote>") == 2


def test_the_readmes_example_report_is_what_mlci_renders() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert example_report.replaced(readme) == readme, "run `python -m testing.example_report --write`"
    assert_renders_on_github(example_report.report(), marker=False)
