"""`mlci plan`: the models whose fingerprint changed since the base's record, as a GitHub matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.outputs import read_outputs
from tests.commands.helpers import mlci
from tests.commands.matrix import changed_data, matrix_config, push_feature, recorded_remote

pytestmark = pytest.mark.integration


def plan(root: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    result = mlci(root, "plan", "--base", "origin/main", "--format", "json", *args, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_one_models_changed_data_puts_only_it_in_the_matrix(tmp_path: Path) -> None:
    remote = recorded_remote(tmp_path)
    work = push_feature(remote, tmp_path, {"b.csv": changed_data()})
    outputs = tmp_path / "outputs"
    outputs.write_text("")

    planned = plan(work, env={"GITHUB_OUTPUT": str(outputs)})

    assert planned["matrix"] == {
        "include": [
            {"name": "b", "model": "b", "models": "b", "reason": "data changed: b.csv"},
            # mlci cannot see a command model's code without `deps`: trained every time, and says so.
            {
                "name": "s",
                "model": "s",
                "models": "s",
                "reason": "always trained: mlci cannot see its code (list it under deps)",
            },
        ]
    }
    assert planned["unchanged"] == ["a", "c"] and planned["any"] is True
    assert planned["schema_version"] == 1 and planned["base"]["ref"] == "origin/main"
    # In Actions the same, as step outputs a workflow reads with fromJSON.
    written = read_outputs(outputs)
    assert json.loads(written["matrix"]) == planned["matrix"] and written["any"] == "true"
    assert json.loads(written["libraries"]) == planned["libraries"]
    assert planned["libraries"]["scikit-learn"]


def test_nothing_changed_gives_any_false_and_an_empty_matrix(tmp_path: Path) -> None:
    remote = recorded_remote(tmp_path, matrix_config(command_model=False))
    work = push_feature(remote, tmp_path, {"README.md": "Models of the team.\n"})
    outputs = tmp_path / "outputs"
    outputs.write_text("")

    planned = plan(work, env={"GITHUB_OUTPUT": str(outputs)})

    assert planned["matrix"] == {"include": []} and planned["any"] is False
    assert planned["unchanged"] == ["a", "b", "c"]
    assert read_outputs(outputs)["any"] == "false"  # the workflow skips the matrix: GitHub refuses an empty one


def test_each_reason_names_what_changed(tmp_path: Path) -> None:
    remote = recorded_remote(tmp_path)
    config = (
        matrix_config()
        .replace("C: 1.0", "C: 0.5", 1)
        .replace(
            "  c:",
            "  d:\n    data: {train: c.csv, target: label}\n"
            "    estimator: {class: sklearn.tree.DecisionTreeClassifier}\n    metrics: [accuracy]\n  c:",
        )
    )
    work = push_feature(remote, tmp_path, {"mlci.yaml": config})

    result = mlci(work, "plan", "--base", "origin/main")

    assert result.exit_code == 0, result.output
    assert "a: train: config changed" in result.output
    assert "d: train: new model" in result.output
    assert "b: unchanged" in result.output and "c: unchanged" in result.output
    assert "3 to train in 3 jobs, 2 unchanged" in result.output


def test_with_nothing_recorded_every_model_is_planned(make_repo) -> None:
    root = make_repo(
        files={"mlci.yaml": matrix_config(command_model=False), **{f"{m}.csv": changed_data() for m in "abc"}}
    )
    result = mlci(root, "plan", "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    planned = json.loads(result.output)
    assert [entry["reason"] for entry in planned["matrix"]["include"]] == ["not recorded on the base"] * 3
    assert planned["base"]["commit"] is None
