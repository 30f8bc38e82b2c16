"""`mlci promote`, `rollback` and `models ...` as a user runs them: exit codes, output, step outputs."""

from __future__ import annotations

import fractions
import json
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

from mlci.cli import cli
from testing.pickles import Trap
from testing.registry import commit_and_record
from tests.conftest import git, read_outputs

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


def test_pull_check_refuses_a_model_with_unreviewed_types_until_they_are_listed(clone: Path, tmp_path: Path) -> None:
    _record_real_model(clone, extra_attribute=fractions.Fraction(1, 3))
    target = tmp_path / "model.skops"
    result = mlci(clone, "models", "pull", "iris@1", "-o", str(target), "--check")
    assert result.exit_code == 2
    assert "types not on the repository's reviewed list: fractions.Fraction" in result.output
    assert not target.exists()
    config = clone / "mlci.yaml"
    config.write_text(config.read_text() + "registry:\n  trusted_types: [fractions.Fraction]\n")
    assert mlci(clone, "models", "pull", "iris@1", "-o", str(target), "--check").exit_code == 0
    assert target.exists()


def test_a_joblib_model_is_registered_with_its_format_and_pulled_as_bytes_never_loaded(
    clone: Path, tmp_path: Path
) -> None:
    # What DVC and CML projects write: joblib.dump(model, "model.pkl"); this one runs code when loaded.
    marker = tmp_path / "unpickled.txt"
    dumped = tmp_path / "dumped.pkl"
    joblib.dump({"model": Trap(marker), "weights": np.arange(5)}, dumped)
    content = dumped.read_bytes()
    commit_and_record(clone, 0.9, message="joblib model", model_bytes=content, model_name="model.pkl")
    result = mlci(clone, "promote")
    assert result.exit_code == 0, result.output

    shown = json.loads(mlci(clone, "models", "show", "iris", "--format", "json").output)
    [version] = shown["versions"]
    assert version["model_file"]["format"] == "joblib" and version["model_file"]["size"] == len(content)
    text = mlci(clone, "models", "show", "iris").output
    assert "model file" in text.splitlines()[1] and " joblib " in text.splitlines()[2]
    card = git(tmp_path / "remote.git", "show", "mlci-data:registry/iris/versions/1/model-card.md")
    assert "Format: a joblib file (a pickle). Loading it runs whatever code the file holds" in card

    folder = tmp_path / "pulled"
    folder.mkdir()
    result = mlci(clone, "models", "pull", "iris@production", "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert "wrote iris version 1" in result.output and "joblib, sha256 checked" in result.output
    assert (folder / "model.pkl").read_bytes() == content
    checked = mlci(clone, "models", "pull", "iris@1", "-o", str(tmp_path / "checked.pkl"), "--check")
    assert checked.exit_code == 2
    assert "iris version 1 is a joblib file (a pickle); --check loads skops files only" in checked.output
    assert not (tmp_path / "checked.pkl").exists()
    assert not marker.exists()
    joblib.load(folder / "model.pkl")  # what any loader of it would do: the trap is real
    assert marker.read_text() == "unpickled"


def test_pull_refuses_a_model_file_whose_bytes_changed_on_the_results_branch(clone: Path, tmp_path: Path) -> None:
    commit_and_record(clone, 0.9, message="v1", model_bytes=b"\x08\x08\x12\x08skl2onnx", model_name="model.onnx")
    assert mlci(clone, "promote").exit_code == 0
    editor = tmp_path / "editor"
    git(tmp_path, "clone", "-q", "-b", "mlci-data", str(tmp_path / "remote.git"), str(editor))
    (editor / "registry" / "iris" / "versions" / "1" / "model.onnx").write_bytes(b"tampered")
    git(editor, "commit", "-qam", "swap the model")
    git(editor, "push", "-q", "origin", "mlci-data")
    result = mlci(clone, "models", "pull", "iris@production", "-o", str(tmp_path / "model.onnx"))
    assert result.exit_code == 2
    assert "does not match the digest recorded when it was registered" in result.output
    assert not (tmp_path / "model.onnx").exists()


def test_models_show_says_an_alias_is_held_by_a_rollback_and_which_versions_stay_out(clone: Path) -> None:
    commit_and_record(clone, 0.9, message="v1", fingerprint="model-a")
    mlci(clone, "promote")
    commit_and_record(clone, 0.95, message="v2", fingerprint="model-b")
    mlci(clone, "promote")
    assert mlci(clone, "rollback", "iris", "--reason", "bad latency").exit_code == 0
    commit_and_record(clone, 0.95, message="docs only", fingerprint="model-b")
    promoted = mlci(clone, "promote")
    assert "iris: registered version 3; not promoted: the same model as version 2" in promoted.output

    text = mlci(clone, "models", "show", "iris").output
    [held] = [line for line in text.splitlines() if line.startswith("production is held")]
    assert held.startswith("production is held: version 2 was rolled back on ")
    assert held.endswith(
        " because bad latency; version 2 and version 3 (the same model) will not be promoted automatically"
    )
    shown = json.loads(mlci(clone, "models", "show", "iris", "--format", "json").output)
    hold = shown["holds"]["production"]
    assert hold["held"] is True and hold["message"] == held
    assert [(e["version"], e["same_as"], e["same_by"]) for e in hold["excluded"]] == [
        (2, None, None),
        (3, 2, "model fingerprint"),
    ]


def test_pull_needs_model_at_alias_or_version(clone: Path, tmp_path: Path) -> None:
    result = mlci(clone, "models", "pull", "iris", "-o", str(tmp_path / "m"))
    assert result.exit_code == 2 and "is not MODEL@ALIAS or MODEL@VERSION" in result.output
