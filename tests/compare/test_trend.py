"""The metric's recent history on the base branch, drawn as a Mermaid chart in the report."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlci.cli import cli
from mlci.config import load_config
from mlci.runs import Run, runs_dir, write_run
from testing.registry import CONFIG, commit_and_record
from tests.conftest import git

pytestmark = pytest.mark.integration


def main_with_three_records_and_a_branch(make_repo: Callable[..., Path]) -> tuple[Path, list[str]]:
    """Three recorded commits on main (accuracy 0.81, 0.84, 0.86), then a branch with a run at 0.9."""
    root = make_repo(files={"mlci.yaml": CONFIG})
    commits = [commit_and_record(root, accuracy, message=f"acc {accuracy}") for accuracy in (0.81, 0.84, 0.86)]
    git(root, "checkout", "-q", "-b", "feature")
    (root / "change.txt").write_text("x\n")
    git(root, "add", "change.txt")
    git(root, "commit", "-q", "-m", "change")
    head = git(root, "rev-parse", "HEAD")
    run = Run(
        model="iris",
        mode="declarative",
        metrics={"accuracy": 0.9},
        goals={"accuracy": "maximize"},
        lineage={"git": {"commit": head, "branch": "feature", "dirty": False}},
    )
    write_run(runs_dir(load_config(root / "mlci.yaml").work_dir) / "iris", run, {})
    return root, commits


def test_the_report_charts_the_recent_main_commits_and_the_pr(make_repo: Callable[..., Path]) -> None:
    root, commits = main_with_three_records_and_a_branch(make_repo)

    compared = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "compare", "--format", "json"])
    [iris] = json.loads(compared.output)["models"]
    assert iris["trend"]["accuracy"] == [[c[:7], a] for c, a in zip(commits, (0.81, 0.84, 0.86), strict=True)]

    report = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "report", "--base", "main"])
    labels = ", ".join(f'"{c[:7]}"' for c in commits)
    assert re.search(r"```mermaid\n%%\{init: .*\}%%\nxychart-beta\n", report.output)
    assert f'x-axis [{labels}, "PR"]' in report.output and "line [0.81, 0.84, 0.86, 0.9]" in report.output


def test_a_damaged_old_record_is_left_out_of_the_trend_with_one_warning(make_repo: Callable[..., Path]) -> None:
    root, commits = main_with_three_records_and_a_branch(make_repo)
    store = load_config(root / "mlci.yaml").store.path
    (store / "runs" / commits[1] / "record.json").write_text("[" * 100_000)

    compared = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "compare", "--format", "json"])

    assert compared.exit_code == 0, compared.output
    [iris] = json.loads(compared.stdout)["models"]
    assert iris["trend"]["accuracy"] == [[commits[0][:7], 0.81], [commits[2][:7], 0.86]]
    warnings = [line for line in compared.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        f"warning: skipping a damaged record: runs/{commits[1]}/record.json in the store: damaged "
        "(nested too deeply to read)"
    ]
