"""`mlci retrain MODEL`: the data refreshed, committed to mlci/retrain/MODEL on a real remote, one pull
request per model on the stand-in GitHub, and the workflow dispatched on the branch."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlci.cli import cli
from testing.fake_github import ACTIONS_LOGIN, ACTIONS_TOKEN, DEFAULT_REPOSITORY, READ_ONLY_TOKEN, FakeGitHub
from testing.registry import CONFIG
from testing.repos import git

pytestmark = pytest.mark.integration

BRANCH = "mlci/retrain/iris"
FETCH = """\
import sys
from pathlib import Path
Path("iris.csv").write_text(Path("next.csv").read_text() if Path("next.csv").exists() else "a,species\\n1,x\\n")
print("fetched")
"""


def mlci(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], env=env)


def github_env(server: FakeGitHub, token: str = ACTIONS_TOKEN) -> dict[str, str]:
    return {"GITHUB_REPOSITORY": DEFAULT_REPOSITORY, "GITHUB_TOKEN": token, "GITHUB_API_URL": server.url}


@pytest.fixture
def project(clone: Path, fake_github: FakeGitHub) -> Path:
    """The clone with a retrain section whose data command rewrites iris.csv, pushed to its remote."""
    (clone / "mlci.yaml").write_text(CONFIG + 'retrain:\n  data: "python fetch.py"\n')
    (clone / "fetch.py").write_text(FETCH)
    (clone / "iris.csv").write_text("a,species\n0,y\n")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "retrain setup")
    git(clone, "push", "-q", "origin", "main")
    fake_github.add_workflow(DEFAULT_REPOSITORY, "mlci.yml", inputs=["pull-request"])
    return clone


def remote_file(clone: Path, path: str) -> str:
    return git(clone, "show", f"origin/{BRANCH}:{path}") if git(clone, "fetch", "-q", "origin") == "" else ""


def test_retrain_pushes_the_refreshed_data_opens_one_pull_request_and_dispatches(
    project: Path, fake_github: FakeGitHub
) -> None:
    head = git(project, "rev-parse", "HEAD")

    result = mlci(project, "retrain", "iris", "--reason", "drift in petal_length", env=github_env(fake_github))

    assert result.exit_code == 0, result.output
    assert "fetched" in result.output
    assert remote_file(project, "iris.csv") == "a,species\n1,x"
    assert git(project, "rev-parse", f"origin/{BRANCH}^") == head
    # The user's branch, index and work tree stay as they were (the refreshed file is left for them).
    assert git(project, "rev-parse", "HEAD") == head and git(project, "diff", "--cached", "--name-only") == ""
    [pull] = fake_github.pulls(DEFAULT_REPOSITORY, state="open")[1:]
    assert (pull["head"]["ref"], pull["base"]["ref"], pull["user"]["login"]) == (BRANCH, "main", ACTIONS_LOGIN)
    assert "drift in petal\\_length" in pull["body"] and "<code>iris.csv</code>" in pull["body"]
    # The run reports on the pull request: the dispatch names it.
    [dispatch] = fake_github.workflow_dispatches
    assert (dispatch["workflow"], dispatch["ref"]) == ("mlci.yml", BRANCH)
    assert dispatch["inputs"] == {"pull-request": str(pull["number"])}
    assert f"reports on pull request #{pull['number']}" in result.output


def test_a_workflow_without_the_pull_request_input_is_still_started_with_a_warning(
    project: Path, fake_github: FakeGitHub
) -> None:
    fake_github.add_workflow(DEFAULT_REPOSITORY, "mlci.yml")  # an older mlci.yml: no inputs declared

    result = mlci(project, "retrain", "iris", env=github_env(fake_github))

    assert result.exit_code == 0, result.output
    [dispatch] = fake_github.workflow_dispatches
    assert (dispatch["ref"], dispatch["inputs"]) == (BRANCH, {})
    [pull] = fake_github.pulls(DEFAULT_REPOSITORY, state="open")[1:]
    assert f"declares no `pull-request` input, so its run will not comment on pull request #{pull['number']}" in (
        result.output
    )


def test_a_second_retrain_updates_the_same_pull_request_on_top_of_the_branch(
    project: Path, fake_github: FakeGitHub
) -> None:
    env = github_env(fake_github)
    assert mlci(project, "retrain", "iris", env=env).exit_code == 0
    first_tip = git(project, "rev-parse", f"origin/{BRANCH}")
    (project / "next.csv").write_text("a,species\n2,z\n")

    result = mlci(project, "retrain", "iris", "--reason", "decay of accuracy", env=env)

    assert result.exit_code == 0, result.output
    assert remote_file(project, "iris.csv") == "a,species\n2,z"
    # Never force-pushed: the new commit sits on the previous tip.
    assert git(project, "rev-parse", f"origin/{BRANCH}^") == first_tip
    assert len(fake_github.pulls(DEFAULT_REPOSITORY, state="open")) == 2  # PR #1 of the fixture, and ours
    assert "retrain pull request updated" in result.output
    assert len(fake_github.workflow_dispatches) == 2


def test_unchanged_data_opens_nothing(project: Path, fake_github: FakeGitHub) -> None:
    (project / "iris.csv").write_text("a,species\n1,x\n")
    git(project, "commit", "-q", "-am", "already fresh")

    result = mlci(project, "retrain", "iris", env=github_env(fake_github))

    assert result.exit_code == 0, result.output
    assert "the data is as it was" in result.output
    assert fake_github.pulls(DEFAULT_REPOSITORY, state="open")[1:] == [] and fake_github.workflow_dispatches == []


def test_a_failing_data_command_pushes_nothing_and_exits_3(project: Path, fake_github: FakeGitHub) -> None:
    (project / "fetch.py").write_text("import sys\nprint('source down')\nsys.exit(5)\n")

    result = mlci(project, "retrain", "iris", env=github_env(fake_github))

    assert result.exit_code == 3, result.output
    assert "retrain.data: `python fetch.py` exited with code 5" in result.output and "source down" in result.output
    assert git(project, "ls-remote", "origin", BRANCH) == ""
    assert fake_github.pulls(DEFAULT_REPOSITORY, state="open")[1:] == []


def test_a_workflow_without_dispatch_is_named(project: Path, fake_github: FakeGitHub) -> None:
    result = mlci(project, "retrain", "iris", "--workflow", "other.yml", env=github_env(fake_github))

    assert result.exit_code == 3, result.output
    assert "no workflow 'other.yml'" in result.output and "workflow_dispatch" in result.output


def test_a_read_only_token_is_told_which_permission_is_missing(project: Path, fake_github: FakeGitHub) -> None:
    result = mlci(project, "retrain", "iris", env=github_env(fake_github, READ_ONLY_TOKEN))

    assert result.exit_code == 2, result.output
    assert "pull-requests: write" in result.output


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("retrain:\n  mode: promote\n", "allow_unreviewed: true` in `retrain:`"),
        ("retrain:\n  mode: promote\n  allow_unreviewed: true\n", "retrain.mode: promote is not built yet"),
        ("retrain:\n  when: [drift, vibes]\n", "retrain.when[1]"),
    ],
)
def test_refused_settings_exit_2_before_anything_runs(
    project: Path, fake_github: FakeGitHub, section: str, message: str
) -> None:
    (project / "mlci.yaml").write_text(CONFIG + section)

    result = mlci(project, "retrain", "iris", env=github_env(fake_github))

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert fake_github.requests_matching("POST") == []


def test_an_unknown_model_is_named(project: Path, fake_github: FakeGitHub) -> None:
    result = mlci(project, "retrain", "irsi", env=github_env(fake_github))

    assert result.exit_code == 2
    assert "there is no model 'irsi'" in result.output and "iris" in result.output


def test_the_reason_of_a_retrain_is_its_own_models_alert_issue() -> None:
    from mlci.commands.retrain import alert_reason

    issues = '{"churn": "https://github.com/o/r/issues/7", "steady": "https://github.com/o/r/issues/9"}'
    assert alert_reason(issues, "steady") == "mlci monitor alert: https://github.com/o/r/issues/9"
    assert alert_reason(issues, "other") is None
    assert alert_reason("", "churn") is None


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"churn": 7}'])
def test_alert_issues_that_are_not_the_monitors_output_are_refused(text: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path / "mlci.yaml"), "retrain", "churn", "--alert-issues", text]
    )
    assert result.exit_code == 2
    assert "--alert-issues" in result.output and "is not a JSON object of model names to issue URLs" in result.output
