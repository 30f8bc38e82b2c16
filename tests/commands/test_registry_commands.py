"""`mlci promote`, `rollback` and `models ...` as a user runs them: exit codes, output, step outputs."""

from __future__ import annotations

import fractions
import json
from pathlib import Path

import pytest
import skops.io
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

from mlci.cli import cli
from testing.registry import commit_and_record
from tests.conftest import read_outputs

pytestmark = pytest.mark.integration


def mlci(root: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], env=env)


def test_promote_says_what_it_did_and_sets_the_step_outputs(clone: Path, tmp_path: Path) -> None:
    commit_and_record(clone, 0.9, message="v1")
    outputs = tmp_path / "outputs"
    outputs.touch()
    result = mlci(clone, "promote", env={"GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 0, result.output
    assert "iris: registered version 1; promoted to production: first version to hold production" in result.output
    values = read_outputs(outputs)
    assert values["promoted"] == "true" and values["model"] == "iris" and values["version"] == "1"
    assert values["model-uri"] == "mlci-data:registry/iris/versions/1/model.skops"

    commit_and_record(clone, 0.8, message="v2")
    outputs.write_text("")
    result = mlci(clone, "promote", env={"GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 0
    assert "iris: registered version 2; not promoted: fails its gates: accuracy dropped 0.1000" in result.output
    assert read_outputs(outputs)["promoted"] == "false"


def test_models_list_show_and_history_in_text_and_json(clone: Path) -> None:
    commit_and_record(clone, 0.9, message="v1")
    mlci(clone, "promote")
    commit_and_record(clone, 0.95, message="v2")
    mlci(clone, "promote")
    assert mlci(clone, "rollback", "iris", "--reason", "bad latency").exit_code == 0

    listed = mlci(clone, "models", "list")
    assert "iris" in listed.output and "production=v1" in listed.output
    shown = json.loads(mlci(clone, "models", "show", "iris", "--format", "json").output)
    assert shown["schema_version"] == 1 and shown["aliases"] == {"production": 1}
    assert [(v["version"], v["aliases"]) for v in shown["versions"]] == [(1, ["production"]), (2, [])]
    history = json.loads(mlci(clone, "models", "history", "iris", "--format", "json").output)["history"]
    assert [(m["from"], m["to"], m["kind"]) for m in history] == [
        (None, 1, "promote"),
        (1, 2, "promote"),
        (2, 1, "rollback"),
    ]
    assert history[-1]["reason"] == "bad latency"
    text = mlci(clone, "models", "history", "iris").output
    assert "2 -> 1" in text and "rollback" in text and "bad latency" in text


def test_unknown_model_or_version_is_exit_2_with_a_message(clone: Path) -> None:
    commit_and_record(clone, 0.9, message="v1")
    mlci(clone, "promote")
    result = mlci(clone, "rollback", "nosuch")
    assert result.exit_code == 2 and "unknown model 'nosuch'" in result.output
    result = mlci(clone, "rollback", "iris", "--to", "7")
    assert result.exit_code == 2 and "iris has no version 7 in the registry (versions: 1)" in result.output
    result = mlci(clone, "promote", "--force")
    assert result.exit_code == 2 and "--force needs --reason" in result.output
    assert "Traceback" not in result.output


def _record_real_model(clone: Path, *, extra_attribute: object = None) -> None:
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    if extra_attribute is not None:
        model.note_ = extra_attribute
    commit_and_record(clone, 0.9, message="real model", model_bytes=skops.io.dumps(model))
    assert mlci(clone, "promote").exit_code == 0


def test_pull_writes_a_model_that_loads_with_the_reviewed_types(clone: Path, tmp_path: Path) -> None:
    _record_real_model(clone)
    target = tmp_path / "out" / "model.skops"
    result = mlci(clone, "models", "pull", "iris@production", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert skops.io.load(target, trusted=[]).predict([[3.0]]).tolist() == [1]


def test_pull_refuses_a_model_with_unreviewed_types_until_they_are_listed(clone: Path, tmp_path: Path) -> None:
    _record_real_model(clone, extra_attribute=fractions.Fraction(1, 3))
    target = tmp_path / "model.skops"
    result = mlci(clone, "models", "pull", "iris@1", "-o", str(target))
    assert result.exit_code == 2
    assert "types not on the repository's reviewed list: fractions.Fraction" in result.output
    assert not target.exists()
    config = clone / "mlci.yaml"
    config.write_text(config.read_text() + "registry:\n  trusted_types: [fractions.Fraction]\n")
    assert mlci(clone, "models", "pull", "iris@1", "-o", str(target)).exit_code == 0
    assert target.exists()


def test_pull_needs_model_at_alias_or_version(clone: Path, tmp_path: Path) -> None:
    result = mlci(clone, "models", "pull", "iris", "-o", str(tmp_path / "m"))
    assert result.exit_code == 2 and "is not MODEL@ALIAS or MODEL@VERSION" in result.output
