"""`mlci deploy MODEL[@ALIAS]`: the triggers of the alias's current move fired again, against the
stand-in GitHub, without a second Deployment, and kept in the history as a `deploy` delivery."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlci.cli import cli
from mlci.github.client import GitHubClient
from testing.fake_github import ACTIONS_TOKEN, DEFAULT_REPOSITORY, READ_ONLY_TOKEN, FakeGitHub
from testing.registry import commit_and_record
from tests.conftest import read_outputs

pytestmark = pytest.mark.integration


def mlci(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], env=env)


def github_env(server: FakeGitHub, token: str = ACTIONS_TOKEN) -> dict[str, str]:
    return {"GITHUB_REPOSITORY": DEFAULT_REPOSITORY, "GITHUB_TOKEN": token, "GITHUB_API_URL": server.url}


def deliveries(root: Path) -> list[dict]:
    [move] = json.loads(mlci(root, "models", "history", "iris", "--format", "json").output)["history"]
    return move["deliveries"]


def states(server: FakeGitHub, deployment: dict) -> list[str]:
    return [s["state"] for s in server.deployment_statuses if s["deployment_id"] == deployment["id"]]


def test_deploy_fires_again_without_a_second_deployment_or_status(
    clone: Path, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    env = github_env(fake_github)
    commit_and_record(clone, 0.9, message="v1")
    assert mlci(clone, "promote", env=env).exit_code == 0
    [deployment] = fake_github.deployments

    outputs = tmp_path / "outputs"
    outputs.touch()
    result = mlci(clone, "deploy", "iris@production", env=env | {"GITHUB_OUTPUT": str(outputs)})
    assert result.exit_code == 0, result.output
    assert "iris@production: firing the deploy triggers again for version 1 (promote by" in result.output
    assert fake_github.deployments == [deployment] and states(fake_github, deployment) == ["success"]
    # The dispatch is what starts the deploy workflow, so it goes again, naming the same deployment.
    assert [d["client_payload"]["deployment_id"] for d in fake_github.dispatches] == [deployment["id"]] * 2
    values = read_outputs(outputs)
    assert (values["model"], values["version"], values["alias"]) == ("iris", "1", "production")
    assert "promoted" not in values  # nothing moved
    first, again = deliveries(clone)
    assert (first["occasion"], again["occasion"]) == ("move", "deploy")
    assert again["triggers"][0]["detail"].endswith("already succeeded; left as it is")

    # The deploy workflow reported a failure; deploying again marks the same deployment successful.
    with GitHubClient(fake_github.url, ACTIONS_TOKEN) as client:
        client.post(f"/repos/{DEFAULT_REPOSITORY}/deployments/{deployment['id']}/statuses", json={"state": "failure"})
    assert mlci(clone, "deploy", "iris", env=env).exit_code == 0
    assert len(fake_github.deployments) == 1
    assert states(fake_github, deployment) == ["success", "failure", "success"]
    assert "marked successful (it was failure)" in deliveries(clone)[-1]["triggers"][0]["detail"]


def test_a_token_without_the_permissions_is_a_configuration_failure(clone: Path, fake_github: FakeGitHub) -> None:
    commit_and_record(clone, 0.9, message="v1")
    result = mlci(clone, "promote", env=github_env(fake_github, READ_ONLY_TOKEN))
    assert result.exit_code == 2, result.output
    assert "iris: registered version 1; promoted to production" in result.output
    assert "2 deploy triggers failed; the alias move stands" in result.output
    assert "iris@production: deployment: " in result.output and "iris@production: dispatch: " in result.output
    assert "deployments: write" in result.output  # the permission to grant, said when it failed
    assert READ_ONLY_TOKEN not in result.output
    assert [t["outcome"] for t in deliveries(clone)[0]["triggers"]] == ["failed", "failed"]


def test_a_deploy_that_cannot_fire_anything_says_why(clone: Path) -> None:
    commit_and_record(clone, 0.9, message="v1")
    assert mlci(clone, "promote").exit_code == 0
    result = mlci(clone, "deploy", "iris")
    assert result.exit_code == 2, result.output
    assert "no deploy trigger could fire for iris@production (deployment: no repository to deploy in" in result.output
    assert [d["occasion"] for d in deliveries(clone)] == ["move", "deploy"]


def test_what_deploy_refuses(clone: Path) -> None:
    commit_and_record(clone, 0.9, message="v1")
    assert mlci(clone, "promote").exit_code == 0
    refused = {
        "iris@3": "'iris@3' names version 3; mlci deploy takes an alias (MODEL or MODEL@ALIAS)",
        "iris@staging": "iris has no alias 'staging' to deploy (aliases: production)",
        "churn": "churn has no versions in the registry",
        "Iris!": "'Iris!' is not MODEL, MODEL@ALIAS (for example iris@production)",
    }
    for reference, message in refused.items():
        result = mlci(clone, "deploy", reference)
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output
    assert [d["occasion"] for d in deliveries(clone)] == ["move"]
