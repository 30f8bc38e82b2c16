"""`mlci report --post` and `mlci run` as a workflow runs them: a real project, real training, the
stand-in GitHub server, the files GitHub Actions reads back (outputs, summary)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mlci.commands.project import Project
from mlci.commands.report import PublishOptions, publish_report
from mlci.console import Console
from mlci.github.comments import MAX_COMMENT_CHARS
from mlci.github.context import GitHubContext
from testing.fake_github import ACTIONS_LOGIN, ACTIONS_TOKEN, DEFAULT_REPOSITORY, READ_ONLY_TOKEN, FakeGitHub
from testing.repos import actions_checkout
from tests.commands.helpers import CONFIG, ESTIMATOR, actions_env, data_csv, mlci, mlci_comments, trained_project
from tests.compare.factories import BASE_SHA, HEAD_SHA
from tests.conftest import git, read_outputs
from tests.report.helpers import many_models

pytestmark = pytest.mark.integration


@pytest.fixture
def project(make_repo: Callable[..., Path]) -> dict[str, object]:
    return trained_project(make_repo)


def test_post_creates_one_comment_and_a_rerun_updates_it(fake_github, project, tmp_path) -> None:
    env = actions_env(fake_github, project, tmp_path)
    root = project["root"]
    result = mlci(root, "report", "--base", "main", "--post", "--summary", "--status", env=env)
    assert result.exit_code == 0, result.output
    [comment] = mlci_comments(fake_github)
    assert comment["user"]["login"] == ACTIONS_LOGIN
    assert comment["body"].startswith("<!-- mlci-report:default -->\n## mlci report")
    assert comment["body"].count("<!-- mlci-report:") == 1
    assert "| Metric | base | PR | Change |" in comment["body"]
    outputs = read_outputs(tmp_path / "outputs")
    assert outputs["passed"] == "true" and outputs["comment-url"] == comment["html_url"]
    assert outputs["comment-file"] == "" and Path(outputs["report-file"]).read_text() in comment["body"] + "\n"
    assert "## mlci report" in (tmp_path / "summary.md").read_text()
    [status] = fake_github.statuses_for(DEFAULT_REPOSITORY, project["head"])
    assert status["context"] == "mlci/default" and status["state"] == "success"

    assert mlci(root, "report", "--base", "main", "--post", env=env).exit_code == 0
    assert len(mlci_comments(fake_github)) == 1
    assert mlci(root, "report", "--base", "main", "--post", "--identity", "nightly", env=env).exit_code == 0
    assert len(mlci_comments(fake_github)) == 2


def test_among_150_other_comments_and_with_faults_it_still_keeps_one(fake_github, project, tmp_path) -> None:
    env = actions_env(fake_github, project, tmp_path)
    fake_github.seed_comments(DEFAULT_REPOSITORY, 1, 150)
    assert mlci(project["root"], "report", "--base", "main", "--post", env=env).exit_code == 0
    fake_github.fail_next("GET", r"/issues/1/comments", 502)
    fake_github.fail_next("PATCH", r"/issues/comments/\d+", 429, headers={"Retry-After": "1"})
    assert mlci(project["root"], "report", "--base", "main", "--post", env=env).exit_code == 0
    assert len(mlci_comments(fake_github)) == 1
    assert len(fake_github.issue_comments(DEFAULT_REPOSITORY, 1)) == 151


def test_a_read_only_token_warns_once_and_passes_by_the_gates(fake_github, project, tmp_path) -> None:
    env = actions_env(fake_github, project, tmp_path, token=READ_ONLY_TOKEN)
    result = mlci(project["root"], "report", "--base", "main", "--post", "--summary", env=env)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("::warning::")]
    assert len(warnings) == 1 and "could not comment on pull request #1" in warnings[0]
    assert mlci_comments(fake_github) == []
    assert "## mlci report" in (tmp_path / "summary.md").read_text()
    outputs = read_outputs(tmp_path / "outputs")
    assert outputs["comment-url"] == "" and Path(outputs["comment-file"]).is_file()
    assert GITHUB_TOKEN_NOT_IN(result.output)


def test_a_revoked_token_fails_the_step_with_exit_3_instead_of_passing_as_a_fork(
    fake_github, project, tmp_path
) -> None:
    revoked = "ghp_revokedPersonalToken0000000000000000"
    env = actions_env(fake_github, project, tmp_path, token=revoked, job_token=ACTIONS_TOKEN)
    result = mlci(project["root"], "report", "--base", "main", "--post", "--summary", env=env)
    assert result.exit_code == 3, result.output
    rejected = "mlci: error: the token is invalid or expired: GitHub rejected it for GET /repos/octo-org/demo/issues/"
    assert rejected in result.output
    assert "`github-token` input" in result.output
    assert "could not comment" not in result.output and revoked not in result.output
    assert mlci_comments(fake_github) == []


def GITHUB_TOKEN_NOT_IN(text: str) -> bool:
    return ACTIONS_TOKEN not in text and READ_ONLY_TOKEN not in text


def test_a_failed_gate_exits_1_with_annotations_unless_told_not_to_fail(fake_github, project, tmp_path) -> None:
    root = project["root"]
    dummy = "{class: sklearn.dummy.DummyClassifier, params: {strategy: constant, constant: 0}}"
    (root / "mlci.yaml").write_text(CONFIG.replace(ESTIMATOR, dummy))
    git(root, "commit", "-qam", "a model that always says 0")
    assert mlci(root, "train").exit_code == 0
    env = actions_env(fake_github, project, tmp_path)
    result = mlci(root, "report", "--base", "main", "--post", env=env)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("::error")]
    assert errors and errors[0] == "::error title=mlci%3A clf::accuracy 0.5000 is below the minimum 0.6"
    assert read_outputs(tmp_path / "outputs")["passed"] == "false"
    assert mlci(root, "report", "--base", "main", "--no-fail-on-regression", env=env).exit_code == 0


def test_first_run_report_without_any_record(fake_github, make_repo, tmp_path) -> None:
    root = make_repo(files={"mlci.yaml": CONFIG, "data.csv": data_csv()})
    assert mlci(root, "train").exit_code == 0
    result = mlci(root, "report", "--base", "main")
    assert result.exit_code == 2 and "no recorded runs for main" in result.output
    result = mlci(root, "report", "--base", "main", "--first-run-ok", "--output", str(tmp_path / "r.md"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.md").read_text()
    assert "🆕 **First run:**" in text and '### <a name="mlci-default-clf"></a>🆕 clf: new' in text


def test_run_on_a_pull_request_trains_compares_and_comments(fake_github, project, tmp_path) -> None:
    env = actions_env(fake_github, project, tmp_path)
    result = mlci(project["root"], "run", env=env)
    assert result.exit_code == 0, result.output
    assert "mlci run: pull_request event: validate, train, report" in result.output
    assert "::group::mlci train" in result.output
    [comment] = mlci_comments(fake_github)
    assert "clf" in comment["body"] and project["base"][:7] in comment["body"]


def merged_to_main(server: FakeGitHub, project: dict, tmp_path: Path) -> dict[str, str]:
    """Merge the feature branch into main; the environment of the push event's workflow run."""
    root = project["root"]
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #1 from someone/feature")
    payload = {"repository": {"full_name": DEFAULT_REPOSITORY, "default_branch": "main"}}
    env = actions_env(server, project, tmp_path, event="push", payload=payload)
    return env | {"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": git(root, "rev-parse", "HEAD")}


def test_run_on_a_push_to_main_records_and_promotes(fake_github, project, tmp_path) -> None:
    root = project["root"]
    env = merged_to_main(fake_github, project, tmp_path)
    result = mlci(root, "run", env=env)
    assert result.exit_code == 0, result.output
    assert "validate, train, record, report, promote" in result.output
    assert "record: recorded clf" in result.output
    assert "clf: registered version 1; promoted to production" in result.output
    assert read_outputs(tmp_path / "outputs")["promoted"] == "true"
    [deployment] = fake_github.deployments
    assert deployment["environment"] == "production"
    assert fake_github.dispatches[0]["event_type"] == "mlci-promoted"
    # The job summary says, after the report, why each model was promoted or not.
    summary = (tmp_path / "summary.md").read_text()
    assert summary.index("## mlci report") < summary.index("### Promotion to production")
    assert "| clf | 1 (new) | yes | first version to hold production |" in summary


@pytest.mark.parametrize(
    ("setting", "where"),
    [
        ({"MLCI_PROMOTE": "false"}, "the workflow's `promote: false`"),
        ({"config": "promote: {auto: false}\n"}, "`promote.auto: false` in mlci.yaml"),
    ],
    ids=["action-input", "mlci.yaml"],
)
def test_with_promotion_on_push_off_a_push_registers_and_a_person_promotes(
    fake_github, project, tmp_path, setting: dict[str, str], where: str
) -> None:
    root = project["root"]
    if "config" in setting:
        config = root / "mlci.yaml"
        config.write_text(config.read_text() + setting.pop("config"))
        git(root, "commit", "-qam", "promote by hand")
    env = merged_to_main(fake_github, project, tmp_path) | setting

    result = mlci(root, "run", env=env)

    assert result.exit_code == 0, result.output
    off = f"promotion on push is off ({where}; `mlci promote` or the promote action promotes)"
    assert f"clf: registered version 1; not promoted: {off}; it would be promoted: first version" in result.output
    assert read_outputs(tmp_path / "outputs")["promoted"] == "false"
    assert fake_github.deployments == [] and fake_github.dispatches == []
    assert "| clf | 1 (new) | no | promotion on push is off" in (tmp_path / "summary.md").read_text()
    # What the reviewed job (actions/promote) then runs: the version registered above takes the alias.
    promoted = mlci(root, "promote", env=env)
    assert promoted.exit_code == 0, promoted.output
    assert "clf: already registered as version 1; promoted to production: first version" in promoted.output
    assert [d["environment"] for d in fake_github.deployments] == ["production"]


def test_run_needs_an_event(project) -> None:
    result = mlci(project["root"], "run")
    assert result.exit_code == 2 and "there is none here" in result.output


def test_run_refuses_events_it_does_not_handle(fake_github, project, tmp_path) -> None:
    env = actions_env(fake_github, project, tmp_path, event="issues", payload={})
    result = mlci(project["root"], "run", env=env)
    assert result.exit_code == 2 and "does not handle the issues event" in result.output


BROKEN = """\
  broken:
    command: echo loading; exit 1
    outputs: {metrics: out/metrics.json}
    metrics: [{name: auc, goal: maximize}]
"""


def with_broken_model(project: dict) -> None:
    """The feature branch adds a model whose command fails."""
    root = project["root"]
    (root / "mlci.yaml").write_text(CONFIG.replace("C: 1.0", "C: 0.5") + BROKEN)
    git(root, "commit", "-qam", "add a model")
    project["head"] = git(root, "rev-parse", "HEAD")


def test_run_on_a_pull_request_reports_a_model_that_failed_to_train_and_fails(fake_github, project, tmp_path) -> None:
    with_broken_model(project)
    env = actions_env(fake_github, project, tmp_path)

    result = mlci(project["root"], "run", env=env)

    assert result.exit_code == 2, result.output
    assert "train: unchanged clf; failed broken" in result.output
    error = result.output.split("::endgroup::")[-1]
    assert "mlci: error: " in error and "mlci.yaml:10: models.broken.command: `echo loading; exit 1` exited" in error
    [comment] = mlci_comments(fake_github)
    body = comment["body"]
    assert "❌ **1 model failed to train; all gates passed**" in body
    failure = (
        "- **[broken](#mlci-default-broken)**: "
        "mlci.yaml:10: models.broken.command: \\`echo loading; exit 1\\` exited with code 1"
    )
    assert f"### ❌ Failed to train\n\n{failure}\n" in body
    assert "training failed in this checkout" in body and "clf" in body
    assert read_outputs(tmp_path / "outputs")["passed"] == "false"
    [status] = fake_github.statuses_for(DEFAULT_REPOSITORY, project["head"])
    assert status["state"] == "failure"


def test_run_on_a_push_to_main_with_a_failed_model_neither_records_nor_promotes(fake_github, project, tmp_path) -> None:
    root = project["root"]
    with_broken_model(project)
    env = merged_to_main(fake_github, project, tmp_path)

    result = mlci(root, "run", env=env)

    assert result.exit_code == 2, result.output
    assert "record: skipped, since broken did not train" in result.output
    assert "promote: skipped, since broken did not train" in result.output
    assert "1 model failed to train" in (tmp_path / "summary.md").read_text()
    assert fake_github.deployments == [] and fake_github.dispatches == []
    assert mlci(root, "record", "--allow-dirty").exit_code == 0  # the commit had no record yet


def test_sixty_models_fit_one_comment_and_the_job_summary_keeps_the_whole_report(fake_github, tmp_path) -> None:
    folder = tmp_path / "sixty"
    folder.mkdir()
    config, comparison = many_models(folder, 60, changed=60)
    env = actions_env(fake_github, {"root": folder, "head": HEAD_SHA, "base": BASE_SHA}, tmp_path)
    project = Project(config=config, console=Console(stream=io.StringIO()), github=GitHubContext.from_env(env))

    published = publish_report(project, comparison, PublishOptions(post=True, summary=True))

    [comment] = mlci_comments(fake_github)
    assert published.comment_url == comment["html_url"]
    assert len(comment["body"]) <= MAX_COMMENT_CHARS and "> **… report shortened: " in comment["body"]
    assert comment["body"].count("| [model\\_") == 60  # the summary table, whole
    report = published.report_file.read_text()
    assert len(report) > 1.5 * MAX_COMMENT_CHARS
    assert (tmp_path / "summary.md").read_text() == report
    assert report.count("<summary>Run details</summary>") == report.count("```mermaid") == 60


def first_push(server: FakeGitHub, make_repo: Callable[..., Path], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A new repository's first push: one root commit on a bare remote, checked out as actions/checkout
    does (one commit deep), and the environment of the push event's workflow run (`before` all zeros)."""
    seed = make_repo("seed", files={"mlci.yaml": CONFIG, "data.csv": data_csv()})
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    root = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{bare}", str(root))
    head = git(root, "rev-parse", "HEAD")
    project = {"root": root, "base": "0" * 40, "head": head}
    payload = {
        "before": "0" * 40,
        "after": head,
        "created": True,
        "repository": {"full_name": DEFAULT_REPOSITORY, "default_branch": "main"},
    }
    env = actions_env(server, project, tmp_path, event="push", payload=payload)
    return root, env | {"GITHUB_REF": "refs/heads/main", "GITHUB_SHA": head}


def test_the_first_push_to_a_new_repository_is_the_first_record_compared_with_nothing(
    fake_github, make_repo, tmp_path
) -> None:
    root, env = first_push(fake_github, make_repo, tmp_path)

    result = mlci(root, "run", env=env)

    assert result.exit_code == 0, result.output
    assert "record: recorded clf" in result.output
    assert "not reachable" not in result.output
    report = (tmp_path / "summary.md").read_text()
    assert report.lower().count("first record") == 1, report
    assert "**base:** none" in report and "unchanged" not in report
    assert "🆕 clf: new" in report
    # The floor needs no base, so it is checked; the largest allowed drop waits for one.
    assert "✅" in report and "accuracy" in report and "min" in report
    assert "All gates passed (1 not checked)" in report


def test_a_root_commit_pushed_without_an_event_before_is_the_first_record_too(fake_github, make_repo, tmp_path) -> None:
    root, env = first_push(fake_github, make_repo, tmp_path)
    event = Path(env["GITHUB_EVENT_PATH"])
    payload = json.loads(event.read_text())
    del payload["before"], payload["created"]
    event.write_text(json.dumps(payload))

    result = mlci(root, "run", env=env)

    assert result.exit_code == 0, result.output
    assert "not reachable" not in result.output
    report = (tmp_path / "summary.md").read_text()
    assert report.lower().count("first record") == 1 and "unchanged" not in report, report


def test_a_push_whose_before_is_gone_is_compared_with_its_parent_not_with_itself(
    fake_github, project, tmp_path
) -> None:
    env = merged_to_main(fake_github, project, tmp_path)
    event = Path(env["GITHUB_EVENT_PATH"])
    event.write_text(json.dumps({**json.loads(event.read_text()), "before": "f" * 40}))  # force-pushed away

    result = mlci(project["root"], "run", env=env)

    assert result.exit_code == 0, result.output
    warning = f"the commit before the push, fffffff, is not reachable; comparing with its parent {project['base'][:7]}"
    assert result.output.count(warning) == 1
    report = (tmp_path / "summary.md").read_text()
    assert f"**base:** main ({project['base'][:7]})" in report and "First" not in report


def master_project(server: FakeGitHub, master_remote: Callable[..., Path], tmp_path: Path) -> dict[str, object]:
    """A repository whose default branch is master: trained and recorded there from a laptop's clone,
    then a commit on the branch `feature` pushed; the remote's bare repository under `remote`."""
    bare = master_remote({"mlci.yaml": CONFIG, "data.csv": data_csv()})
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(bare), str(laptop))
    assert mlci(laptop, "train").exit_code == 0
    assert mlci(laptop, "record").exit_code == 0
    base = git(laptop, "rev-parse", "HEAD")
    git(laptop, "checkout", "-q", "-b", "feature")
    (laptop / "mlci.yaml").write_text(CONFIG.replace("C: 1.0", "C: 0.5"))
    git(laptop, "commit", "-qam", "tune C")
    git(laptop, "push", "-q", "origin", "feature")
    return {"remote": bare, "base": base, "head": git(laptop, "rev-parse", "HEAD")}


def push_env(server: FakeGitHub, project: dict, tmp_path: Path, *, branch: str, repository: dict) -> dict[str, str]:
    """The environment of a push event's job in `project["root"]`, pushed to `branch`."""
    payload = {"before": project["base"], "after": project["head"], "repository": repository}
    env = actions_env(server, project, tmp_path, event="push", payload=payload)
    return env | {"GITHUB_REF": f"refs/heads/{branch}", "GITHUB_SHA": project["head"]}


def test_a_push_to_master_records_even_when_the_event_does_not_name_the_default_branch(
    fake_github, master_remote, tmp_path
) -> None:
    project = master_project(fake_github, master_remote, tmp_path)
    bare = project["remote"]
    git(bare, "update-ref", "refs/heads/master", project["head"])  # the pull request was merged
    root = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{bare}", str(root))
    git(root, "remote", "set-head", "origin", "--delete")  # as actions/checkout leaves it
    project["root"] = root
    env = push_env(fake_github, project, tmp_path, branch="master", repository={"full_name": DEFAULT_REPOSITORY})

    result = mlci(root, "run", env=env)

    assert result.exit_code == 0, result.output
    assert "mlci run: push event: validate, train, record, report, promote" in result.output
    assert f"record: recorded clf for {project['head'][:7]}" in result.output
    assert f"**base:** master ({project['base'][:7]})" in (tmp_path / "summary.md").read_text()


def test_a_push_to_another_branch_of_a_master_repository_is_reported_against_master(
    fake_github, master_remote, tmp_path
) -> None:
    project = master_project(fake_github, master_remote, tmp_path)
    root = actions_checkout(project["remote"], tmp_path / "checkout", ref="feature")
    git(root, "checkout", "-q", "-B", "feature")
    project["root"] = root
    repository = {"full_name": DEFAULT_REPOSITORY, "default_branch": "master"}
    env = push_env(fake_github, project, tmp_path, branch="feature", repository=repository)

    result = mlci(root, "run", env=env)

    assert result.exit_code == 0, result.output
    assert "mlci run: push event: validate, train, report" in result.output
    assert f"**base:** master ({project['base'][:7]})" in (tmp_path / "summary.md").read_text()


def dispatched_env(
    server: FakeGitHub, project: dict, tmp_path: Path, *, pull_request: str, branch: str = "feature"
) -> dict[str, str]:
    """The environment of a `workflow_dispatch` run on `branch` whose `pull-request` input is as given,
    as `mlci retrain` starts one."""
    payload = {
        "inputs": {"pull-request": pull_request},
        "ref": f"refs/heads/{branch}",
        "repository": {"full_name": DEFAULT_REPOSITORY, "default_branch": "main"},
    }
    env = actions_env(server, project, tmp_path, event="workflow_dispatch", payload=payload)
    return env | {"GITHUB_REF": f"refs/heads/{branch}"}


def test_a_dispatch_naming_its_pull_request_compares_with_main_and_reports_on_it(
    fake_github, project, tmp_path
) -> None:
    env = dispatched_env(fake_github, project, tmp_path, pull_request="1")

    result = mlci(project["root"], "run", env=env)

    assert result.exit_code == 0, result.output
    assert "mlci run: workflow_dispatch event: validate, pull-request, train, report" in result.output
    [comment] = mlci_comments(fake_github)
    assert f"**base:** main ({project['base'][:7]})" in comment["body"] and "clf" in comment["body"]
    [status] = fake_github.statuses_for(DEFAULT_REPOSITORY, project["head"])
    assert status["context"] == "mlci/default"
    assert read_outputs(tmp_path / "outputs")["comment-url"] == comment["html_url"]


@pytest.mark.parametrize(
    ("branch", "head_repository", "shown"),
    [
        ("other", None, f"comes from {DEFAULT_REPOSITORY}:feature, not from {DEFAULT_REPOSITORY}:other"),
        # A fork's branch of the same name is another branch.
        ("feature", "someone/demo", f"comes from someone/demo:feature, not from {DEFAULT_REPOSITORY}:feature"),
    ],
    ids=["another-branch", "a-fork"],
)
def test_a_dispatch_cannot_put_a_report_on_a_pull_request_from_another_branch(
    fake_github, project, tmp_path, branch: str, head_repository: str | None, shown: str
) -> None:
    env = dispatched_env(fake_github, project, tmp_path, pull_request="2", branch=branch)
    fake_github.add_pull(DEFAULT_REPOSITORY, 2, head_sha=project["head"], head_repository=head_repository)

    result = mlci(project["root"], "run", env=env)

    assert result.exit_code == 2, result.output
    assert f"pull request #2 {shown}" in result.output and "not reporting on it" in result.output
    assert "::group::mlci train" not in result.output  # refused before any training
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 2) == [] and fake_github.statuses == []


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "#1", "1 ", "\uff11", "12345678901", "1; rm -rf /"])
def test_a_dispatch_input_that_is_no_pull_request_number_is_exit_2(fake_github, project, tmp_path, value: str) -> None:
    env = dispatched_env(fake_github, project, tmp_path, pull_request=value)

    result = mlci(project["root"], "run", env=env)

    assert result.exit_code == 2, result.output
    said = result.output
    assert "the workflow_dispatch input pull-request:" in said and "is not a pull request number" in said
    assert fake_github.requests_matching("POST") == [] and mlci_comments(fake_github) == []


def test_a_dispatch_naming_a_pull_request_that_does_not_exist_is_exit_2(fake_github, project, tmp_path) -> None:
    env = dispatched_env(fake_github, project, tmp_path, pull_request="77")

    result = mlci(project["root"], "run", env=env)

    assert result.exit_code == 2, result.output
    assert f"names #77, and {DEFAULT_REPOSITORY} has no such pull request" in result.output
