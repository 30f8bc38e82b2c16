"""Announcing alias moves: the step outputs first, then every trigger of every move whatever became
of the others, what they did kept in the history, and one exit code and message for all failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlci.cli import cli
from testing.projects import project_at
from testing.registry import commit_and_record_models, two_models_config, use_config
from tests.conftest import read_outputs

pytestmark = pytest.mark.integration

NO_GITHUB = "    deployment: false\n    dispatch: false\n"
# Deploys by appending "model version" to deployed.txt; refuses model `a` while a.blocked exists.
COMMAND = NO_GITHUB + (
    """    command: 'test ! -e "$MLCI_MODEL.blocked" || { echo "no route to $MLCI_MODEL" >&2; exit 1; };"""
    """ echo "$MLCI_MODEL $MLCI_VERSION" >> deployed.txt'"""
)


def mlci(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], env=env)


def history(root: Path, model: str) -> list[dict]:
    result = mlci(root, "models", "history", model, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["history"]


def trigger_outcomes(move: dict) -> list[list[tuple[str, str]]]:
    """Per firing of the move's triggers: (trigger, outcome) of each."""
    return [[(t["trigger"], t["outcome"]) for t in d["triggers"]] for d in move["deliveries"]]


def deployed(root: Path) -> list[str]:
    path = root / "deployed.txt"
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    path = tmp_path / "outputs"
    path.touch()
    return path


def test_one_model_not_promoted_beside_one_promoted_fires_its_triggers_and_sets_the_outputs(
    clone: Path, outputs: Path
) -> None:
    use_config(clone, two_models_config(COMMAND))
    commit_and_record_models(clone, {"a": 0.3, "b": 0.9}, message="a fails its gates, b is first")
    result = mlci(clone, "promote", env={"GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 0, result.output
    assert "a: registered version 1; not promoted: fails its gates" in result.output
    assert "b: registered version 1; promoted to production" in result.output
    assert deployed(clone) == ["b 1"]
    values = read_outputs(outputs)
    assert values["promoted"] == "true" and values["alias"] == "production"
    assert (values["model"], values["version"]) == ("b", "1")
    assert values["model-uri"] == "mlci-data:registry/b/versions/1/model.skops"
    assert [p["model"] for p in json.loads(values["promotions"])] == ["b"]
    [move] = history(clone, "b")
    assert trigger_outcomes(move) == [[("command", "fired")]]
    assert move["deliveries"][0]["occasion"] == "move"


def test_a_failing_trigger_of_one_model_skips_nothing_of_the_other_and_exits_3(clone: Path, outputs: Path) -> None:
    use_config(clone, two_models_config(COMMAND))
    commit_and_record_models(clone, {"a": 0.9, "b": 0.9}, message="both are first")
    (clone / "a.blocked").touch()
    result = mlci(clone, "promote", env={"GITHUB_OUTPUT": str(outputs)})

    assert result.exit_code == 3, result.output
    assert "1 deploy trigger failed; the alias moves stand, recorded on the results branch:" in result.output
    assert "  a@production: command: the deploy command" in result.output
    assert "no route to a" in result.output  # the command's own words, in the log
    assert "`mlci deploy a@production`" in result.output and "Traceback" not in result.output
    assert deployed(clone) == ["b 1"]
    values = read_outputs(outputs)
    assert values["promoted"] == "true"
    assert [p["model"] for p in json.loads(values["promotions"])] == ["a", "b"]
    # Several models moved: the single-value outputs stay empty rather than name one of them.
    assert values["model"] == values["version"] == values["model-uri"] == ""
    [move_a], [move_b] = history(clone, "a"), history(clone, "b")
    assert trigger_outcomes(move_a) == [[("command", "failed")]]
    assert move_a["deliveries"][0]["triggers"][0]["detail"].endswith("exited with code 1:")
    assert trigger_outcomes(move_b) == [[("command", "fired")]]
    shown = mlci(clone, "models", "show", "a")
    assert "production -> version 1: triggers command failed; `mlci deploy a@production` fires them again" in (
        shown.output
    )

    # Once the route is back, firing again delivers a; b is left alone.
    (clone / "a.blocked").unlink()
    result = mlci(clone, "deploy", "a")
    assert result.exit_code == 0, result.output
    assert deployed(clone) == ["b 1", "a 1"]
    [move_a] = history(clone, "a")
    assert trigger_outcomes(move_a) == [[("command", "failed")], [("command", "fired")]]
    assert [d["occasion"] for d in move_a["deliveries"]] == ["move", "deploy"]
    text = mlci(clone, "models", "history", "a").output
    assert "command fired (2 deliveries)" in text
    assert "triggers command fired (2 deliveries)" in mlci(clone, "models", "show", "a").output


def test_when_every_failure_is_the_triggers_configuration_the_exit_code_is_2(clone: Path) -> None:
    use_config(clone, two_models_config(NO_GITHUB + "    webhook: {url_env: DEPLOY_HOOK_URL, secret_env: HOOK_KEY}"))
    commit_and_record_models(clone, {"a": 0.9, "b": 0.9}, message="both are first")
    result = mlci(clone, "promote")
    assert result.exit_code == 2, result.output
    assert "2 deploy triggers failed" in result.output
    for model in ("a", "b"):
        assert f"  {model}@production: webhook: the webhook's URL variable DEPLOY_HOOK_URL is not set" in result.output
    assert project_at(clone).storage.read("registry/b/aliases.json") is not None


def test_a_rollback_whose_trigger_fails_still_moves_and_says_so(clone: Path, outputs: Path) -> None:
    use_config(clone, two_models_config(COMMAND))
    for accuracy in (0.8, 0.9):
        commit_and_record_models(clone, {"a": accuracy}, message=f"a at {accuracy}")
        assert mlci(clone, "promote", "a").exit_code == 0
    (clone / "a.blocked").touch()
    result = mlci(clone, "rollback", "a", "--reason", "v2 is slow", env={"GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 3, result.output
    assert "a: production moved back from version 2 to 1" in result.output
    assert "a@production: command: the deploy command" in result.output
    assert read_outputs(outputs)["version"] == "1"
    moves = history(clone, "a")
    assert [(m["kind"], trigger_outcomes(m)) for m in moves] == [
        ("promote", [[("command", "fired")]]),
        ("promote", [[("command", "fired")]]),
        ("rollback", [[("command", "failed")]]),
    ]


def test_a_record_of_the_deliveries_that_cannot_be_written_hides_nothing(clone: Path, outputs: Path) -> None:
    use_config(clone, two_models_config(COMMAND))
    commit_and_record_models(clone, {"b": 0.9}, message="b is first")
    # A damaged deliveries document where the first move's will go: mlci must not overwrite it.
    damaged = b"{not json"
    project_at(clone).storage.update(
        lambda view: {"registry/b/deliveries/000001.json": damaged}, message="someone edits by hand"
    )
    result = mlci(clone, "promote", env={"GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 2, result.output
    assert "b@production: command: deploy command" in result.output  # what the trigger did, said as it fired
    assert "could not be recorded in the registry: registry/b/deliveries/000001.json: damaged" in result.output
    assert deployed(clone) == ["b 1"]
    assert read_outputs(outputs)["promoted"] == "true"
    assert project_at(clone).storage.read("registry/b/deliveries/000001.json") == damaged


def test_outputs_that_cannot_be_written_do_not_stop_the_triggers(clone: Path, tmp_path: Path) -> None:
    use_config(clone, two_models_config(COMMAND))
    commit_and_record_models(clone, {"b": 0.9}, message="b is first")
    result = mlci(clone, "promote", env={"GITHUB_OUTPUT": str(tmp_path)})  # a folder, not a file
    assert result.exit_code == 2, result.output
    assert "GITHUB_OUTPUT: cannot write to" in result.output
    assert deployed(clone) == ["b 1"]
    [move] = history(clone, "b")
    assert trigger_outcomes(move) == [[("command", "fired")]]
