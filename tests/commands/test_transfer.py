"""`mlci export-run` and `mlci import-runs`: runs trained in a matrix's jobs, gathered by one job,
give the report one job training every model would give; a run that is not this commit's is refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.commands.helpers import mlci
from tests.commands.matrix import changed_data, comparison, job, matrix_config, push_feature, recorded_remote
from tests.conftest import git

pytestmark = pytest.mark.integration


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """main recorded; `feature` changes a's data and b's config; c is unchanged, s always trained."""
    remote = recorded_remote(tmp_path)
    config = matrix_config().replace("C: 1.0", "C: 0.3", 2).replace("C: 0.3", "C: 1.0", 1)
    push_feature(remote, tmp_path, {"a.csv": changed_data(), "mlci.yaml": config})
    return remote


def train_and_export(remote: Path, tmp_path: Path, model: str, exports: Path) -> None:
    work = job(remote, tmp_path / f"job-{model}", branch="feature")
    assert mlci(work, "train", model).exit_code == 0
    result = mlci(work, "export-run", model, "-o", str(exports))
    assert result.exit_code == 0, result.output


def test_runs_trained_in_separate_clones_give_the_comparison_of_one_job_training_all(
    remote: Path, tmp_path: Path
) -> None:
    one_job = job(remote, tmp_path / "one-job", branch="feature")
    assert mlci(one_job, "train", "--base", "origin/main").exit_code == 0
    planned = json.loads(mlci(one_job, "plan", "--base", "origin/main", "--format", "json").output)
    assert [entry["model"] for entry in planned["matrix"]["include"]] == ["a", "b", "s"]

    exports = tmp_path / "downloaded"  # what download-artifact's merge-multiple makes of the artifacts
    for entry in planned["matrix"]["include"]:
        train_and_export(remote, tmp_path, entry["model"], exports)
    gathering = job(remote, tmp_path / "gathering", branch="feature")
    result = mlci(gathering, "import-runs", str(exports), "--base", "origin/main")

    assert result.exit_code == 0, result.output
    assert "c: unchanged" in result.output  # taken over from main's record, as the one job did
    assert comparison(gathering, "origin/main") == comparison(one_job, "origin/main")


def test_a_run_of_another_commit_is_refused_and_nothing_is_imported(remote: Path, tmp_path: Path) -> None:
    exports = tmp_path / "downloaded"
    train_and_export(remote, tmp_path, "a", exports)
    gathering = job(remote, tmp_path / "gathering", branch="feature")
    (gathering / "NOTES.md").write_text("later\n")
    git(gathering, "add", "-A")
    git(gathering, "commit", "-q", "-m", "A later commit")

    result = mlci(gathering, "import-runs", str(exports), "--base", "origin/main")

    assert result.exit_code == 2
    assert f"{exports / 'a'}: a was trained at " in result.output
    assert "a run of another commit is never imported" in result.output
    assert not (gathering / ".mlci" / "runs").exists()


def test_a_run_of_a_model_not_in_the_config_is_refused(remote: Path, tmp_path: Path) -> None:
    exports = tmp_path / "downloaded"
    train_and_export(remote, tmp_path, "b", exports)
    gathering = job(remote, tmp_path / "gathering", branch="feature")
    (gathering / "mlci.yaml").write_text(matrix_config().replace("  b:", "  bb:"))

    result = mlci(gathering, "import-runs", str(exports))

    assert result.exit_code == 2
    assert "'b' is not a model in mlci.yaml" in result.output


def test_a_run_file_that_leads_out_of_its_folder_is_refused(remote: Path, tmp_path: Path) -> None:
    exports = tmp_path / "downloaded"
    train_and_export(remote, tmp_path, "a", exports)
    secret = tmp_path / "secret.txt"
    secret.write_text("token")
    model = exports / "a" / "model.skops"
    model.unlink()
    os.symlink(secret, model)
    gathering = job(remote, tmp_path / "gathering", branch="feature")

    result = mlci(gathering, "import-runs", str(exports))

    assert result.exit_code == 2
    assert "files.model" in result.output and "outside the run's folder" in result.output


def test_a_changed_model_without_an_imported_run_fails_and_the_others_are_imported(
    remote: Path, tmp_path: Path
) -> None:
    exports = tmp_path / "downloaded"
    for model in ("a", "s"):
        train_and_export(remote, tmp_path, model, exports)
    gathering = job(remote, tmp_path / "gathering", branch="feature")

    result = mlci(gathering, "import-runs", str(exports), "--base", "origin/main")

    assert result.exit_code == 2
    assert "b: no run of it was imported from" in result.output and "(config changed)" in result.output
    assert sorted(path.name for path in (gathering / ".mlci" / "runs").iterdir() if not path.name.startswith(".")) == [
        "a",
        "c",
        "s",
    ]
