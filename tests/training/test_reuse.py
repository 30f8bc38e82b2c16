"""Unchanged models cost nothing: same config, data, deps and libraries means no training at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlci.cli import cli
from tests.conftest import git

pytestmark = pytest.mark.integration

CONFIG = """\
version: 1
models:
  clf:
    data: {train: data.csv, target: label, split: {test_size: 0.3, seed: 0}}
    estimator: {class: sklearn.linear_model.LogisticRegression, params: {C: 1.0}}
    metrics: [accuracy]
  scripted:
    command: python score.py
    outputs: {metrics: m.json}
    metrics: [{name: score, goal: maximize}]
"""
DATA = "x1,x2,label\n" + "".join(f"{i % 7 + 3 * (i % 2)},{i % 5},{i % 2}\n" for i in range(60))


def mlci(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], catch_exceptions=False)


def run_json(root: Path, model: str) -> dict:
    return json.loads((root / ".mlci" / "runs" / model / "run.json").read_text())


@pytest.fixture
def project(make_repo: Callable[..., Path]) -> Path:
    score = "import json\njson.dump({'score': 1.0}, open('m.json', 'w'))\n"
    root = make_repo(files={"mlci.yaml": CONFIG, "data.csv": DATA, "score.py": score, ".gitignore": ".mlci/\nm.json\n"})
    assert mlci(root, "train").exit_code == 0
    return root


def test_training_again_with_nothing_changed_reuses_the_run(project: Path) -> None:
    first = run_json(project, "clf")
    result = mlci(project, "train")
    assert result.exit_code == 0
    assert "clf: unchanged since" in result.output and "not retrained" in result.output
    again = run_json(project, "clf")
    assert again["metrics"] == first["metrics"] and again["lineage"]["started_at"] == first["lineage"]["started_at"]
    assert again["lineage"]["reused_from"] == {"commit": first["lineage"]["git"]["commit"]}
    assert (project / ".mlci" / "runs" / "clf" / "model.skops").is_file()
    # A command model whose code mlci cannot see (no deps) is always run.
    assert "scripted: training" in result.output


def test_a_change_of_data_config_or_force_trains_again(project: Path) -> None:
    (project / "data.csv").write_text(DATA + "1,1,1\n")
    assert "clf: training" in mlci(project, "train", "clf").output
    assert "clf: unchanged" in mlci(project, "train", "clf").output
    (project / "mlci.yaml").write_text(CONFIG.replace("C: 1.0", "C: 0.5"))
    assert "clf: training" in mlci(project, "train", "clf").output
    assert "clf: training" in mlci(project, "train", "clf", "--force").output


def test_a_reused_run_belongs_to_the_new_commit_and_can_be_recorded(project: Path) -> None:
    (project / "README.md").write_text("docs only\n")
    git(project, "add", "README.md")
    git(project, "commit", "-q", "-m", "docs")
    assert "clf: unchanged" in mlci(project, "train").output
    assert run_json(project, "clf")["lineage"]["git"]["commit"] == git(project, "rev-parse", "HEAD")
    result = mlci(project, "record")
    assert result.exit_code == 0, result.output


def test_a_fresh_checkout_takes_over_the_run_recorded_for_the_base(project: Path, tmp_path: Path) -> None:
    assert mlci(project, "record").exit_code == 0
    base = git(project, "rev-parse", "HEAD")
    git(project, "checkout", "-q", "-b", "feature")
    (project / "README.md").write_text("docs only\n")
    git(project, "add", "README.md")
    git(project, "commit", "-q", "-m", "docs")
    runs = project / ".mlci" / "runs"
    for folder in runs.iterdir():  # as on a fresh runner: no runs in the checkout
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()

    result = mlci(project, "train", "--base", "main")
    assert result.exit_code == 0
    assert f"clf: unchanged since {base[:7]}" in result.output
    assert (runs / "clf" / "model.skops").is_file() and (runs / "clf" / "predictions.csv").is_file()
    compared = mlci(project, "compare", "--base", "main", "--format", "json")
    [clf] = [m for m in json.loads(compared.output)["models"] if m["name"] == "clf"]
    assert clf["status"] == "unchanged"
    assert any(
        note.startswith("not retrained: config, data, deps and libraries are unchanged") for note in clf["notes"]
    )


def test_taking_over_a_run_links_its_files_instead_of_copying_them(project: Path) -> None:
    folder = project / ".mlci" / "runs" / "clf"
    before = {name: (folder / name).stat().st_ino for name in ("model.skops", "predictions.csv")}
    assert "clf: unchanged" in mlci(project, "train", "clf").output
    # The same files, not copies: a large model or predictions file is taken over in no time.
    assert {name: (folder / name).stat().st_ino for name in before} == before
    assert all((folder / name).stat().st_nlink == 1 for name in before)  # the old run's names are gone
