"""`mlci retrain MODEL`: refresh the training data, commit it to `mlci/retrain/<model>`, open (or update)
the one retrain pull request of the model, and start the mlci workflow on that branch.

The pull request is how a retrained model reaches users: it gets the usual report, a person merges
it, and the merge's run records and promotes, so a retrain is reviewed like any other change. The
workflow is started by a `workflow_dispatch`, because a pull request opened with the job's own token
starts no workflow at all (GitHub's guard against runs that trigger runs).

The commit is made with git plumbing on a temporary index: the user's branch, index and work tree
stay as they are. It goes on top of the retrain branch when one is already pushed (so nothing a
person added to it is lost, and it is never force-pushed), else on the checked-out commit.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from mlci.commands.project import Project
from mlci.config.durations import format_duration
from mlci.config.records import record
from mlci.errors import ConfigError, GitError, OutsideError, TimedOutError
from mlci.git import Git, short_sha
from mlci.github.client import GitHubClient
from mlci.github.context import DISPATCH_PULL_REQUEST_INPUT
from mlci.github.pulls import PullResult, dispatch_workflow, upsert_pull_request
from mlci.process import describe_exit, run_in_group
from mlci.report.escape import escape_code, escape_markdown
from mlci.store.gitbranch import commit_identity
from mlci.store.remote import missing_branch
from mlci.training.environment import training_environment

DEFAULT_WORKFLOW = "mlci.yml"
BRANCH_PREFIX = "mlci/retrain/"
PUSH_ATTEMPTS = 3
TAIL_LINES = 20


@record
class RetrainOutcome:
    """What `mlci retrain` did: the branch and commit pushed, the files it holds, the pull request."""

    model: str
    branch: str
    commit: str | None
    files: tuple[str, ...]
    pull: PullResult | None
    dispatched: str | None
    """The workflow started on the branch, or None when nothing changed."""


def alert_reason(alert_issues: str, model: str) -> str | None:
    """The reason of `model`'s retrain from the monitor's `issue-urls` output (a JSON object of model
    to its alert issue): that issue, or None when the model has none. `ConfigError` when the text is
    not such an object."""
    try:
        issues = json.loads(alert_issues) if alert_issues.strip() else {}
    except ValueError:
        issues = None
    if not isinstance(issues, dict) or not all(isinstance(v, str) for v in issues.values()):
        raise ConfigError(
            f"--alert-issues: {alert_issues[:60]!r} is not a JSON object of model names to issue URLs",
            hint="Pass the monitor action's issue-urls output as it is.",
        )
    url = issues.get(model)
    return f"mlci monitor alert: {url}" if url else None


def retrain_branch(model: str) -> str:
    """`mlci/retrain/<model>`: one branch, and so one open pull request, per model."""
    return f"{BRANCH_PREFIX}{model}"


def retrain(
    project: Project, model: str, *, workflow: str = DEFAULT_WORKFLOW, reason: str | None = None
) -> RetrainOutcome:
    """Refresh `model`'s data and propose the retrain as a pull request (see the module's text).

    Checks everything it can before it changes anything: the model, the mode, the repository, the
    token and the default branch.
    """
    config, console = project.config, project.console
    if model not in config.models:
        raise ConfigError(
            f"{config.path}: models: there is no model {model!r}",
            hint=f"The models are: {', '.join(sorted(config.models))}.",
        )
    if config.retrain.mode == "promote":
        # Promoting straight from a data refresh would register a version from a commit that never
        # reaches the default branch: its lineage would point nowhere a later run can see.
        raise ConfigError(
            f"{config.path}: retrain.mode: promote is not built yet; mlci retrain opens a pull request",
            hint="Use `mode: pr` (the default); merging the pull request records and promotes as usual.",
        )
    repository = project.github.require_repository()
    token = project.github.require_token()
    base = project.default_branch
    if base is None:
        raise ConfigError(
            "mlci retrain cannot tell the repository's default branch, which the pull request targets",
            hint="Run it in a clone with an `origin` remote, or in GitHub Actions.",
        )
    if config.retrain.data:
        _refresh_data(project, spec_name=model, command=config.retrain.data, timeout=config.retrain.data_timeout)
    files = tuple(_changed_files(project.git, ignore=config.ignored_changes))
    branch = retrain_branch(model)
    if not files:
        console.info(f"retrain {model}: the data is as it was, so a retrain would learn nothing new; nothing to do")
        return RetrainOutcome(model=model, branch=branch, commit=None, files=(), pull=None, dispatched=None)

    commit = _push_retrain_commit(project.git, branch=branch, files=files, message=f"Retrain {model} on refreshed data")
    console.info(f"retrain {model}: pushed {short_sha(commit)} to {branch} ({len(files)} files)")
    with GitHubClient(project.github.api_url, token) as client:
        pull = upsert_pull_request(
            client,
            repository=repository,
            head=branch,
            base=base,
            title=f"Retrain {model} on refreshed data",
            body=pull_body(model, files=files, reason=reason, workflow=workflow),
        )
        console.info(f"retrain pull request {pull.action}: {pull.url}")
        reports = dispatch_workflow(
            client,
            repository=repository,
            workflow=workflow,
            ref=branch,
            optional_inputs={DISPATCH_PULL_REQUEST_INPUT: str(pull.number)},
        )
    if reports:
        console.info(f"started {workflow} on {branch}: it trains {model} and reports on pull request #{pull.number}")
    else:
        console.warn(
            f"started {workflow} on {branch}, but it declares no `{DISPATCH_PULL_REQUEST_INPUT}` input, so its run "
            f"will not comment on pull request #{pull.number}. Add it under `workflow_dispatch: inputs:` "
            "(see examples/workflows/mlci.yml)."
        )
    return RetrainOutcome(model=model, branch=branch, commit=commit, files=files, pull=pull, dispatched=workflow)


def pull_body(model: str, *, files: tuple[str, ...], reason: str | None, workflow: str) -> str:
    """The retrain pull request's description: why, what changed, and what happens next."""
    why = f"\n\nWhy: {escape_markdown(reason)}" if reason else ""
    listed = "\n".join(f"- {escape_code(name)}" for name in files)
    return (
        f"The training data of {escape_code(model)} was refreshed by `mlci retrain`.{why}\n\n"
        f"Changed files:\n{listed}\n\n"
        f"{escape_code(workflow)} was started on this branch to train and compare the model. "
        "Merging records the new run and promotes the model when it wins, as for any pull request."
    )


def _refresh_data(project: Project, *, spec_name: str, command: str, timeout: float) -> None:
    """Run `retrain.data` in the config's folder, with the environment training gets (no tokens)."""
    config, console = project.config, project.console
    env = training_environment(config, config.models[spec_name], os.environ)
    console.info(f"retrain {spec_name}: refreshing the data: {command}")
    try:
        done = run_in_group(command, cwd=config.root, env=env, on_line=console.output, timeout=timeout)
    except OSError as exc:
        raise ConfigError(f"{config.path}: retrain.data: `{command}` cannot start: {exc.strerror or exc}") from None
    output = done.said(TAIL_LINES)
    if done.timed_out:
        raise TimedOutError(
            f"retrain.data: `{command}` timed out after {format_duration(timeout)} and was ended{output}",
            hint="Raise retrain.data_timeout in mlci.yaml if it needs longer.",
        )
    if done.exit_code != 0:
        raise OutsideError(
            f"retrain.data: `{command}` {describe_exit(done.exit_code)}{output}",
            hint="Nothing was committed or pushed; the last data stays as it was.",
        )


def _changed_files(git: Git, *, ignore: tuple[str, ...]) -> list[str]:
    """The files that differ from HEAD: changed, deleted, and new ones git does not ignore."""
    tracked = git.changed_files(ignore=ignore)
    new = git.output("ls-files", "-z", "--full-name", "--others", "--exclude-standard", "--", ".").decode(
        errors="replace"
    )
    return sorted({*tracked, *filter(None, new.split("\0"))})


def _push_retrain_commit(git: Git, *, branch: str, files: tuple[str, ...], message: str) -> str:
    """Commit `files` as they are in the work tree onto the retrain branch (or HEAD) and push it; a
    push that another run beat is made again on the newer tip."""
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        remote_tip = _fetch_tip(git, branch)
        parent = remote_tip or git.run("rev-parse", "HEAD")
        commit = _commit_files(git, parent=parent, files=files, message=message)
        done = git.attempt("push", "--porcelain", git.remote, f"{commit}:refs/heads/{branch}")
        if done.returncode == 0:
            return commit
        if attempt == PUSH_ATTEMPTS or b"rejected" not in done.stdout + done.stderr:
            raise GitError(f"git push of {branch} failed: {git.problem(done)}")
    raise AssertionError("unreachable")


def _fetch_tip(git: Git, branch: str) -> str | None:
    ref = f"refs/mlci/retrain-tip/{branch}"
    done = git.attempt("fetch", "--quiet", "--no-tags", git.remote, f"+refs/heads/{branch}:{ref}")
    if done.returncode != 0:
        problem = git.problem(done)
        if missing_branch(problem):
            return None
        raise GitError(f"git fetch of {branch} failed: {problem}")
    return git.run("rev-parse", ref)


def _commit_files(git: Git, *, parent: str, files: tuple[str, ...], message: str) -> str:
    """A commit on `parent` whose tree is `parent`'s with `files` taken from the work tree, made on a
    temporary index so the user's own index is untouched."""
    with tempfile.TemporaryDirectory(prefix="mlci-retrain-") as folder:
        env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
        git.output("read-tree", parent, env=env)
        git.output("add", "--all", "--", *[f":(top,literal){name}" for name in files], env=env)
        tree = git.output("write-tree", env=env).decode().strip()
    return git.output("commit-tree", tree, "-p", parent, "-m", message, env=commit_identity(git)).decode().strip()
