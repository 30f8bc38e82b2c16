"""The example project in `examples/project`: its config is valid, and the loop its README walks
through (train, record, change a parameter on a branch, compare; then break a gate) behaves as it says."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlci.cli import cli
from mlci.config import load_config
from testing.github_markdown import render_html
from tests.conftest import git

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "project"
GENERATED = {".mlci", "out", "__pycache__"}


def example_files() -> dict[str, str]:
    """The example's files as a user would copy them (all text), without anything a run generated."""
    files = {}
    for path in sorted(EXAMPLE.rglob("*")):
        relative = path.relative_to(EXAMPLE)
        if path.is_file() and not GENERATED & set(relative.parts):
            files[relative.as_posix()] = path.read_text(encoding="utf-8")
    return files


def test_the_example_config_is_valid_and_points_at_files_that_exist() -> None:
    config = load_config(EXAMPLE / "mlci.yaml")

    wine, diabetes = config.models["wine"], config.models["diabetes"]
    assert wine.mode == "declarative" and wine.data is not None and wine.data.train.is_file()
    assert [(g.metric, g.min) for g in wine.gates] == [("accuracy", 0.9)]
    assert diabetes.mode == "command" and diabetes.command is not None
    assert diabetes.command.run == "python train.py"
    assert {(m.name, m.goal) for m in diabetes.metrics} == {("test.r2", "maximize"), ("test.mae", "minimize")}
    assert diabetes.deps and all(dep.exists() for dep in diabetes.deps)


def test_the_example_stays_small_and_ignores_what_runs_write() -> None:
    data_bytes = sum(path.stat().st_size for path in (EXAMPLE / "data").iterdir())
    assert data_bytes < 200_000
    assert set((EXAMPLE / ".gitignore").read_text().split()) == {".mlci/", "out/"}
    readme = (EXAMPLE / "README.md").read_text()
    for command in ("mlci train", "mlci record", "mlci compare --base main"):
        assert command in readme


@pytest.fixture
def example_repo(make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example committed on `main` of a fresh repository, as the working directory."""
    repo = make_repo("example", files=example_files())
    monkeypatch.chdir(repo)
    # The example runs `python train.py`: make that the interpreter running the tests.
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    return repo


def mlci(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def commit_edit(repo: Path, file: str, old: str, new: str, message: str) -> None:
    path = repo / file
    text = path.read_text()
    assert old in text, f"{old!r} is no longer in {file}; update this test"
    path.write_text(text.replace(old, new))
    git(repo, "commit", "-q", "-am", message)


def compare_json(expected_exit: int) -> dict:
    result = mlci("compare", "--base", "main", "--format", "json")
    assert result.exit_code == expected_exit, result.output
    return json.loads(result.stdout)


def test_the_readme_loop_a_tuned_parameter_passes_and_a_broken_gate_fails(example_repo: Path) -> None:
    repo = example_repo
    trained = mlci("train")
    assert trained.exit_code == 0, trained.output
    assert (repo / "out" / "model.skops").is_file() and (repo / "out" / "predictions.csv").is_file()
    recorded = mlci("record")
    assert recorded.exit_code == 0, recorded.output

    git(repo, "checkout", "-q", "-b", "faster-learning")
    commit_edit(repo, "params.yaml", "learning_rate: 0.05", "learning_rate: 0.1", "Raise the learning rate")
    assert mlci("train").exit_code == 0

    report = compare_json(expected_exit=0)
    assert report["schema_version"] == 1 and report["passed"] is True
    models = {model["name"]: model for model in report["models"]}
    assert models["wine"]["status"] == "unchanged" and models["wine"]["passed"] is True
    diabetes = {metric["name"]: metric for metric in models["diabetes"]["metrics"]}
    assert diabetes["test.r2"]["head"] < diabetes["test.r2"]["base"]
    assert diabetes["test.mae"]["head"] > diabetes["test.mae"]["base"]
    # Both metrics got worse, but on 111 test rows the paired bootstrap cannot tell it from noise.
    assert {metric["noise"] for metric in diabetes.values()} == {"within_noise"}
    assert all(low <= 0 <= high for low, high in (metric["interval"] for metric in diabetes.values()))
    assert models["diabetes"]["status"] == "unchanged"
    assert models["diabetes"]["passed"] is True
    assert {p["name"] for p in models["wine"]["params"]} == set()

    commit_edit(repo, "mlci.yaml", "C: 1.0", "C: 0.001", "Regularise much harder")
    assert mlci("train").exit_code == 0

    report = compare_json(expected_exit=1)
    assert report["passed"] is False
    models = {model["name"]: model for model in report["models"]}
    assert models["wine"]["passed"] is False and models["diabetes"]["passed"] is True
    failed = [(gate["metric"], gate["kind"]) for gate in models["wine"]["gates"] if gate["passed"] is False]
    assert ("accuracy", "min") in failed


COMPACT = EXAMPLE.parent / "compact-report"


def test_the_compact_report_example_renders_one_table_and_its_failed_gate(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        path.relative_to(COMPACT).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(COMPACT.rglob("*"))
        if path.is_file() and ".mlci" not in path.parts
    }
    repo = make_repo("compact", files=files)
    monkeypatch.chdir(repo)
    assert mlci("train").exit_code == 0
    assert mlci("record").exit_code == 0
    git(repo, "checkout", "-q", "-b", "weaker")
    commit_edit(repo, "mlci.yaml", "C: 1.0", "C: 0.001", "Much more regularisation")
    assert mlci("train").exit_code == 0

    result = mlci("report", "--base", "main", "--output", "report.md")

    assert result.exit_code == 1, result.output  # the README says so: the accuracy gate fails
    report = (repo / "report.md").read_text()
    assert report.startswith("<!-- mlci-report:default -->\n### Model check: ❌ 1 gate failed\n")
    html = render_html(report)
    assert html.count("<table>") == 1
    rows = re.findall(r"<tr>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>", html, flags=re.DOTALL)
    assert rows == [
        ("🔴 linear", "accuracy ↑"),
        ("", "f1_macro ↑"),
        ("⚪ forest", "accuracy ↑"),
        ("", "f1_macro ↑"),
    ]
    assert "<li>❌ linear: accuracy 0.630 is below the minimum 0.9</li>" in html
