"""Record on one machine, compare on another: the results branch carries baselines across clones."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlci.cli import cli
from mlci.config import load_config
from mlci.git import Git
from mlci.github.context import GitHubContext
from mlci.runs import Run, runs_dir, write_run
from mlci.runs.provenance import provenance_of
from tests.compare.factories import IRIS_CONFIG
from tests.conftest import git

pytestmark = pytest.mark.integration


def _run(accuracy: float, commit: str) -> Run:
    return Run(
        model="iris",
        mode="declarative",
        metrics={"accuracy": accuracy},
        goals={"accuracy": "maximize"},
        params={"C": 1.0},
        lineage={"git": {"commit": commit, "branch": "main", "dirty": False}},
    )


def _trained(root: Path, accuracy: float) -> None:
    """Leave a run in the checkout as `mlci train` would, for its current commit."""
    config = load_config(root / "mlci.yaml")
    write_run(runs_dir(config.work_dir) / "iris", _run(accuracy, git(root, "rev-parse", "HEAD")), {})


def mlci(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args])


@pytest.fixture
def remote(make_repo: Callable[..., Path], tmp_path: Path) -> Path:
    seed = make_repo("seed", {"mlci.yaml": IRIS_CONFIG})
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def test_a_baseline_recorded_on_main_reaches_a_fresh_shallow_clone(remote: Path, tmp_path: Path) -> None:
    main_runner = tmp_path / "main-runner"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{remote}", str(main_runner))
    _trained(main_runner, 0.93)
    result = mlci(main_runner, "record")
    assert result.exit_code == 0, result.output
    base = git(main_runner, "rev-parse", "HEAD")
    # It is on the remote's results branch, not in the runner's folder that is about to be thrown away.
    assert json.loads(git(remote, "show", f"mlci-data:runs/{base}/record.json"))["models"] == ["iris"]
    assert not (main_runner / ".mlci" / "store").exists()

    pr_runner = tmp_path / "pr-runner"
    git(tmp_path, "clone", "-q", f"file://{remote}", str(pr_runner))
    git(pr_runner, "checkout", "-q", "-b", "feature")
    (pr_runner / "notes.txt").write_text("change\n")
    git(pr_runner, "add", "notes.txt")
    git(pr_runner, "commit", "-q", "-m", "change")
    _trained(pr_runner, 0.80)
    result = mlci(pr_runner, "compare", "--base", "origin/main", "--format", "json")
    assert result.exit_code == 1, result.output  # the iris max_drop gate fails against the recorded 0.93
    comparison = json.loads(result.output)
    assert comparison["base"]["commit"] == base


def test_recording_twice_keeps_the_first_record(remote: Path, tmp_path: Path) -> None:
    runner = tmp_path / "runner"
    git(tmp_path, "clone", "-q", f"file://{remote}", str(runner))
    _trained(runner, 0.93)
    assert mlci(runner, "record").exit_code == 0
    _trained(runner, 0.50)
    result = mlci(runner, "record")
    assert result.exit_code == 0 and "already recorded on origin/mlci-data; kept it" in result.output
    base = git(runner, "rev-parse", "HEAD")
    run = json.loads(git(remote, "show", f"mlci-data:runs/{base}/iris/run.json"))
    assert run["metrics"]["accuracy"] == 0.93
    assert git(remote, "rev-list", "--count", "mlci-data") == "1"


def test_a_repository_without_a_remote_records_in_the_local_folder(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(files={"mlci.yaml": IRIS_CONFIG})
    monkeypatch.chdir(root)
    _trained(root, 0.9)
    result = mlci(root, "record")
    assert result.exit_code == 0
    assert f"recorded iris for {git(root, 'rev-parse', '--short=7', 'HEAD')} in .mlci/store" in result.output
    assert (root / ".mlci" / "store" / "runs").is_dir()


def test_a_laptop_offline_compares_with_its_copy_of_the_results_branch_but_cannot_record(
    remote: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", f"file://{remote}", str(laptop))
    _trained(laptop, 0.93)
    result = mlci(laptop, "record")
    base = git(laptop, "rev-parse", "HEAD")
    assert result.exit_code == 0
    assert f"recorded iris for {base[:7]} on origin/mlci-data" in result.output
    git(laptop, "checkout", "-q", "-b", "feature")
    git(laptop, "commit", "-q", "--allow-empty", "-m", "change")
    _trained(laptop, 0.95)
    # Offline: nothing listens where the remote was.
    git(laptop, "remote", "set-url", "origin", "http://127.0.0.1:9/owner/repo.git")

    result = mlci(laptop, "compare", "--base", "main", "--format", "json")

    assert result.exit_code == 0, result.output
    copy = git(laptop, "rev-parse", "refs/mlci/mlci-data")
    warning = next(line for line in result.output.splitlines() if line.startswith("warning:"))
    assert warning.startswith("warning: could not reach origin (Failed to connect to 127.0.0.1 port 9")
    assert warning.endswith(
        f"using the copy of mlci-data fetched just now (commit {copy[:7]}); results recorded since are not seen"
    )
    comparison = json.loads(result.output[result.output.index("{") :])
    assert comparison["base"]["commit"] == base

    _trained(laptop, 0.95)
    git(laptop, "commit", "-q", "--allow-empty", "-m", "another")
    _trained(laptop, 0.95)
    result = mlci(laptop, "record")
    assert result.exit_code == 3
    assert "could not fetch the results branch 'mlci-data' from origin" in result.output
    assert "`store: {backend: local}`" in result.output
    assert "Traceback" not in result.output


def test_provenance_names_the_actor_the_run_and_the_merged_pull_request(make_repo: Callable[..., Path]) -> None:
    root = make_repo()
    (root / "a.txt").write_text("a\n")
    git(root, "add", "a.txt")
    git(root, "commit", "-q", "-m", "Tune the forest (#42)")
    environ = {
        "GITHUB_ACTOR": "octocat",
        "GITHUB_SERVER_URL": "https://github.example.com/",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "77",
    }
    github = GitHubContext.from_env(environ)
    provenance = provenance_of(Git(root), actor=github.actor, run_url=github.run_url)
    assert provenance.commit == git(root, "rev-parse", "HEAD")
    assert provenance.to_json() == {
        "recorded_by": "octocat",
        "run_url": "https://github.example.com/o/r/actions/runs/77",
        "pull_request": 42,
    }
    git(root, "commit", "-q", "--allow-empty", "-m", "Merge pull request #7 from someone/branch")
    merged = provenance_of(Git(root), actor=None, run_url=None)
    assert merged.pull_request == 7
    git(root, "config", "user.name", "Ada Lovelace")
    assert provenance_of(Git(root), actor=None, run_url=None).by == "Ada Lovelace"


def test_a_run_file_over_the_size_limit_is_not_recorded(make_repo: Callable[..., Path]) -> None:
    root = make_repo(files={"mlci.yaml": IRIS_CONFIG + "registry:\n  max_model_mb: 0.001\n"})
    config = load_config(root / "mlci.yaml")
    commit = git(root, "rev-parse", "HEAD")
    big = root / "big.skops"
    big.write_bytes(b"x" * 5000)
    run = replace(_run(0.9, commit), files={"model": "model.skops"})
    write_run(runs_dir(config.work_dir) / "iris", run, {"model": big})
    result = mlci(root, "record")
    assert result.exit_code == 2 and "over the limit of 0.001 MB" in result.output
    assert not (root / ".mlci" / "store").exists()
