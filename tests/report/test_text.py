"""The terminal rendering: aligned tables, status words, verdict last, colour only when asked."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from mlci.compare.result import NO_COMMIT, BaseInfo, HeadInfo
from mlci.report import render, render_markdown, render_text
from tests.compare.factories import BASE_SHA, HEAD_SHA, compare, make_config, make_run
from tests.report.helpers import failing, many_models, passing


def test_one_aligned_table_per_model(tmp_path: Path) -> None:
    config, comparison = passing(tmp_path)
    lines = render(comparison, "text", config=config).splitlines()
    start = lines.index("iris: improved")
    table = lines[start + 1 : start + 4]
    assert table[0].split() == ["Metric", "base", "head", "change", "status"]
    assert table[1].split() == ["accuracy", "↑", "0.9300", "0.9500", "+0.0200", "(+2.2%)", "improved"]
    assert table[2].split() == ["f1_macro", "↑", "0.9400", "0.9400", "±0", "unchanged"]
    # Right-aligned numbers: every row's head column ends at the same place.
    ends = {line.rindex(value) + len(value) for line, value in zip(table, ["head", "0.9500", "0.9400"], strict=True)}
    assert len(ends) == 1
    assert "churn: unchanged" in lines and "    C: 1.0 -> 10.0" in lines


def test_verdict_is_the_last_line(tmp_path: Path) -> None:
    _, comparison = passing(tmp_path)
    assert render_text(comparison).splitlines()[-1] == "PASSED: All gates passed; 2 models: 1 improved, 1 unchanged"
    _, comparison = failing(tmp_path)
    lines = render_text(comparison).splitlines()
    assert lines[-1] == "FAILED: 2 gates failed (2 passed); 3 models: 1 regressed, 1 unchanged, 1 removed"
    assert "  iris: accuracy 0.8712 is below the minimum 0.9" in lines[lines.index("Failed gates:") :]
    assert "    FAIL  accuracy 0.8712 is below the minimum 0.9" in lines
    assert "legacy: removed" in lines


def test_missing_sides_show_a_dash(tmp_path: Path) -> None:
    _, comparison = failing(tmp_path)
    lines = render_text(comparison).splitlines()
    assert next(line for line in lines if line.strip().startswith("auc")).split() == [
        "auc",
        "↑",
        "-",
        "0.8000",
        "-",
        "new",
    ]


def test_no_colour_unless_asked(tmp_path: Path) -> None:
    _, comparison = failing(tmp_path)
    assert "\x1b[" not in render_text(comparison)
    coloured = render_text(comparison, color=True)
    assert "\x1b[1;31m" in coloured and "\x1b[32m" in coloured


def test_names_cannot_carry_terminal_escapes(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    head = make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9, "evil\x1b]0;pwned\x07\nname": 1.0})
    comparison = compare(
        config,
        head_runs={"iris": head},
        base_runs={"iris": make_run("iris", {"accuracy": 0.95}, commit=BASE_SHA)},
        head=HeadInfo(commit=HEAD_SHA, branch="br\x1b[2Janch", dirty=False),
    )
    text = render_text(comparison)
    assert "\x1b" not in text and "\x07" not in text
    assert "Head: br[2Janch (bbbbbbb)" in text


def test_numbers_read_as_in_the_markdown_report_and_the_gate_messages(tmp_path: Path) -> None:
    config, comparison = many_models(tmp_path, 2, changed=1)

    text = render_text(comparison)
    markdown = render_markdown(comparison, config=config)

    row = next(line for line in text.splitlines() if line.strip().startswith("mse"))
    cells = ["mse", "↓", "2,450,000", "2,510,000", "+60,000", "(+2.4%)", "[+41,250,", "+78,900]", "regressed", "(real)"]
    assert row.split() == cells
    assert "| mse ↓ | 2,450,000 | 2,510,000 | 🔴 +60,000 (+2.4%) <sub>[+41,250, +78,900]</sub> |" in markdown
    assert "    FAIL  mse 2,510,000 is above the maximum 2,500,000" in text.splitlines()
    assert "mse 2,510,000 is above the maximum 2,500,000" in markdown
    assert not re.search(r"\d[eE][+-]\d", text + markdown)  # as Python writes 2.5e+06


def test_a_comparison_without_any_base_says_so_once(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    none = BaseInfo(
        ref="none",
        requested_commit=NO_COMMIT,
        commit=NO_COMMIT,
        distance=0,
        note="a1b2c3d is the first commit of main",
        first_run=True,
    )
    comparison = compare(config, head_runs={"iris": make_run("iris", {"accuracy": 0.95})}, base_runs={})
    text = render_text(dataclasses.replace(comparison, base=none))
    markdown = render(dataclasses.replace(comparison, base=none), "markdown", config=config)

    assert text.splitlines()[:2] == ["Base: none (first record)", "      a1b2c3d is the first commit of main"]
    assert "0000000" not in text and "0000000" not in markdown
    assert "· **base:** none" in markdown and "> 🆕 **First record:** a1b2c3d is the first commit of main" in markdown
