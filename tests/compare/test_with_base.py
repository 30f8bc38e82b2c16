"""The comparison with the base as `mlci report` makes it: the steps that can take long show progress."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlci.git import Git
from testing.repos import git
from tests.compare.test_datacheck import frame, mlci, project_with_change

pytestmark = pytest.mark.integration


def test_the_bootstrap_re_scoring_and_data_check_show_progress_when_they_take_long(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_with_change(make_repo, frame(1, shift=1.5))
    for module in ("resampling", "rescore", "datacheck"):
        monkeypatch.setattr(f"mlci.compare.{module}.MAYBE_LONG", 0.0)

    result = mlci(root, "report", "--base", "main", "--output", str(root / "report.md"))

    assert result.exit_code == 0, result.output
    steps = [line for line in result.stderr.splitlines() if line.endswith(" ...")]
    # The test rows changed with the data, so the bootstrap runs once the base model is re-scored on them.
    assert steps == [
        "clf: re-scoring the base model on this run's test rows ...",
        "clf: bootstrap of 1 metric, 1,000 resamples of 120 test rows ...",
        "clf: checking what changed in data.csv ...",
    ]


def test_a_quick_comparison_adds_no_progress_lines(make_repo) -> None:
    root = project_with_change(make_repo, frame(0))
    result = mlci(root, "compare", "--base", "main")
    assert result.exit_code == 0 and " ..." not in result.stderr, result.stderr


def test_a_report_after_compare_computes_nothing_twice(make_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project_with_change(make_repo, frame(1, shift=1.5))
    for module in ("resampling", "rescore", "datacheck"):
        monkeypatch.setattr(f"mlci.compare.{module}.MAYBE_LONG", 0.0)
    first = mlci(root, "compare", "--base", "main")
    assert first.exit_code == 0 and "re-scoring" in first.stderr, first.stderr

    result = mlci(root, "report", "--base", "main", "--output", str(root / "report.md"))

    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if line.endswith(" ...")] == []
    report = (root / "report.md").read_text()
    assert "re-scored on this run's 120 test rows" in report and "drift in x2" in report


def project_of(make_repo, tmp_path: Path, models: int, *, recorded: int = 1) -> Path:
    """`models` command models recorded on main at `recorded` commits (the results branch on a bare
    remote, as in CI), then each one's metrics changed on a branch and trained again."""
    names = [f"m{index:02d}" for index in range(models)]
    config = "version: 1\nmodels:\n" + "".join(
        f"  {name}:\n    command: cp src/{name}.json out/{name}.json\n"
        f"    outputs: {{metrics: out/{name}.json}}\n    metrics: [accuracy, rmse]\n"
        for name in names
    )
    root = make_repo(
        f"project{models}",
        {
            "mlci.yaml": config,
            "out/.gitignore": "*\n",
            **{f"src/{name}.json": '{"accuracy": 0.8, "rmse": 1.5}' for name in names},
        },
    )
    bare = tmp_path / f"remote{models}.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(root, "remote", "add", "origin", str(bare))
    git(root, "push", "-q", "origin", "main")
    for commit in range(recorded):
        if commit:
            (root / "src" / f"{names[0]}.json").write_text(f'{{"accuracy": 0.8{commit}, "rmse": 1.5}}')
            git(root, "commit", "-q", "-am", f"step {commit}")
        for step in ("train", "record"):
            done = mlci(root, step)
            assert done.exit_code == 0, done.output
    git(root, "checkout", "-q", "-b", "feature")
    for name in names:
        (root / "src" / f"{name}.json").write_text('{"accuracy": 0.85, "rmse": 1.4}')
    git(root, "commit", "-q", "-am", "better")
    assert mlci(root, "train").exit_code == 0
    return root


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The arguments of every git process mlci starts from here on, in order."""
    calls: list[tuple[str, ...]] = []
    attempt = Git.attempt

    def counted(self: Git, *args: str, **kwargs: object) -> object:
        calls.append(args)
        return attempt(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Git, "attempt", counted)
    return calls


def test_a_comparison_runs_as_many_git_processes_for_many_models_as_for_few(
    make_repo, tmp_path: Path, spawned: list[tuple[str, ...]]
) -> None:
    roots = {count: project_of(make_repo, tmp_path, count) for count in (2, 12)}
    processes = {}
    for count, root in roots.items():
        spawned.clear()
        result = mlci(root, "compare", "--base", "main", "--format", "json")
        assert result.exit_code == 0, result.output
        assert len(json.loads(result.stdout)["models"]) == count
        processes[count] = list(spawned)

    assert len(processes[12]) == len(processes[2]), processes[12]
    # The records' files come from one batched reader, never a process per file.
    assert not [args for args in processes[12] if args[:2] == ("cat-file", "blob")]


def test_the_base_and_the_trend_are_read_with_one_process_each_question_asked_once(
    make_repo, tmp_path: Path, spawned: list[tuple[str, ...]]
) -> None:
    root = project_of(make_repo, tmp_path, 3, recorded=4)
    spawned.clear()
    result = mlci(root, "compare", "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    trend = json.loads(result.stdout)["models"][0]["trend"]["accuracy"]
    assert [value for _commit, value in trend] == [0.8, 0.81, 0.82, 0.83]
    # The base's record and the trend's three older ones: two batched reads, whatever their number of files.
    assert len([args for args in spawned if args[:2] == ("cat-file", "--batch")]) == 2
    questions = [args for args in spawned if args[:2] != ("cat-file", "--batch")]
    assert len(questions) == len(set(questions)), questions
