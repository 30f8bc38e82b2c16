"""`mlci run`, what the one-line action does: pick the steps from the GitHub event, then run them.

The plan is plain data (`mlci.commands.events.plan_steps`), so what each event does is easy to read,
test and extend:

    pull_request        validate, train, report on the PR against its base (comment, summary, status)
    push to default     validate, train, record, report against the branch before the push, promote
                        (a new repository's first push is the first record: compared with nothing;
                        with promotion on push turned off, the versions are only registered)
    push elsewhere      validate, train, report against the default branch (summary)
    workflow_dispatch   rollback MODEL when the `rollback` input names one; fire the deploy triggers
                        again when `redeploy` names MODEL[@ALIAS]; with a `pull-request` input (as
                        `mlci retrain` starts it), validate, check that the pull request comes from
                        the dispatched branch, train, report on it against the default branch
                        (comment, summary, status); else as a push elsewhere

A model that fails to train does not stop the others. The report still goes out, so the pull
request's comment speaks of this commit, with the failed models named and the check failed; what
would keep or ship the results (record, promote) is skipped; and the run ends with the training
error's exit code (2 for config or data, 3 for a timeout).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlci.commands.compare import BaseChoice, comparison_for
from mlci.commands.deploy import deploy
from mlci.commands.events import base_for, plan_steps
from mlci.commands.project import Project
from mlci.commands.promote import promote
from mlci.commands.record import mirror_record, record_current_runs
from mlci.commands.report import PublishOptions, publish_report
from mlci.commands.rollback import rollback
from mlci.commands.train import summary, train
from mlci.commands.transfer import import_runs
from mlci.commands.validate import validate_project
from mlci.config.records import record
from mlci.errors import ConfigError, ExitCode, OutsideError
from mlci.git import short_sha
from mlci.github.client import GitHubClient
from mlci.github.errors import GitHubNotFound
from mlci.github.pulls import pull_request_head
from mlci.training.train import TrainingPass

# Steps that keep or ship this commit's results, which a pass with a failed model must not do.
NEEDS_EVERY_MODEL = ("record", "promote")


@record
class RunSettings:
    """What the action passes to every step."""

    models: list[str]
    identity: str
    timeout: float | None = None
    fail_fast: bool = False
    promote: bool | None = None
    """The action's `promote` input: False registers a push's versions without moving an alias;
    None leaves it to `promote.auto` in mlci.yaml."""
    pictures_artifact: str | None = None
    runs_from: Path | None = None
    """A folder of runs exported by a matrix's jobs: imported (see `mlci.commands.transfer`) instead of
    training."""


@dataclass
class RunState:
    """What the steps learn as they go: the base, once found (so what finding it had to say is said
    once), and the training pass, once it ran."""

    base: BaseChoice | None = None
    trained: TrainingPass | None = None

    @property
    def untrained(self) -> dict[str, str]:
        return self.trained.untrained if self.trained is not None else {}


def run_event(
    project: Project,
    *,
    models: list[str],
    identity: str,
    fail_on_regression: bool,
    timeout: float | None = None,
    fail_fast: bool = False,
    promote: bool | None = None,
    pictures_artifact: str | None = None,
    runs_from: Path | None = None,
) -> ExitCode:
    """Run the steps for this event; the exit code (1 when a gate failed and that should fail the job).
    A model that failed to train raises its error (listing each failure) after the report is out."""
    github = project.github
    if not github.event_name:
        raise ConfigError(
            "mlci run picks its steps from a GitHub Actions event, and there is none here",
            hint="On a laptop run the steps yourself: mlci train, mlci compare, mlci report.",
        )
    # Only a push asks which branch is the default one, and the event usually says.
    steps = plan_steps(github, default_branch=project.default_branch if github.event_name == "push" else None)
    console = project.console
    console.info(f"mlci run: {github.event_name} event: {', '.join(step.name for step in steps)}")
    settings = RunSettings(
        models=models,
        identity=identity,
        timeout=timeout,
        fail_fast=fail_fast,
        promote=promote,
        pictures_artifact=pictures_artifact,
        runs_from=runs_from,
    )
    state = RunState()
    passed = True
    for step in steps:
        if step.name in NEEDS_EVERY_MODEL and state.untrained:
            console.warn(f"{step.name}: skipped, since {', '.join(state.untrained)} did not train")
            continue
        with console.group(f"mlci {step.name}"):
            done = _RUNNERS[step.name](project, step.options, settings, state)
        passed = passed and done is not False
    if state.trained is not None:
        state.trained.check()
    return ExitCode.OK if passed or not fail_on_regression else ExitCode.GATE_FAILED


def _pull_request(project: Project, options: Mapping[str, Any], settings: RunSettings, state: RunState) -> None:
    """A dispatched run reports on the pull request its input names only when that pull request comes
    from the branch the run is on, in this repository: a dispatch cannot post on an unrelated one."""
    github, number = project.github, options["number"]
    repository, branch = github.require_repository(), github.branch
    with GitHubClient(github.api_url, github.require_token()) as client:
        try:
            head = pull_request_head(client, repository=repository, number=number)
        except GitHubNotFound:
            raise ConfigError(
                f"the workflow_dispatch input pull-request names #{number}, and {repository} has no such pull request"
            ) from None
    if branch is None or head.ref != branch or head.repository != repository:
        raise ConfigError(
            f"pull request #{number} comes from {head.repository or 'an unknown repository'}:"
            f"{head.ref or 'an unknown branch'}, not from {repository}:{branch or github.ref}, where this run "
            "is; not reporting on it",
            hint="Dispatch the workflow on the pull request's own branch (as `mlci retrain` does), or leave "
            "the pull-request input empty.",
        )
    project.console.info(f"pull request #{number} comes from {branch}: the report goes there")


def _validate(project: Project, options: Mapping[str, Any], settings: RunSettings, state: RunState) -> None:
    config = project.config
    validate_project(config, console=project.console)
    project.console.info(f"validate: {config.path.name} and its data are fine ({len(config.models)} models)")


def _base(project: Project, options: Mapping[str, Any], state: RunState) -> BaseChoice:
    """The base of this run's event, found by the first step that needs it (the plan gives every
    step of one event the same base)."""
    if state.base is None:
        state.base = base_for(project, options)
    return state.base


def _train(project: Project, options: Mapping[str, Any], settings: RunSettings, state: RunState) -> None:
    if settings.runs_from is not None:
        state.trained = import_runs(project, settings.runs_from, base=_base(project, options, state))
        project.console.info(f"import: {summary(state.trained)}")
        return
    state.trained = train(
        project,
        settings.models,
        base_ref=_base(project, options, state).ref,
        fail_fast=settings.fail_fast,
        timeout=settings.timeout,
    )
    project.console.info(f"train: {summary(state.trained)}")


def _record(project: Project, options: Mapping[str, Any], settings: RunSettings, state: RunState) -> None:
    outcome = record_current_runs(project, replace=False, allow_dirty=False)
    what = "recorded" if outcome.written else "already recorded (kept)"
    project.console.info(f"record: {what} {', '.join(outcome.models)} for {short_sha(outcome.commit)} {outcome.where}")
    try:
        for line in mirror_record(project, outcome):
            project.console.info(f"record: {line}")
    except OutsideError as exc:
        # Promotion still runs: it is decided on the results branch, and mirrors the versions it
        # registers (logging these runs on the way), failing the job then if MLflow is still down.
        project.console.warn(f"record: not mirrored to MLflow: {exc}")


def _report(project: Project, options: Mapping[str, Any], settings: RunSettings, state: RunState) -> bool:
    base = _base(project, options, state)
    comparison = comparison_for(
        project,
        base.ref,
        label=base.label,
        from_event=False,
        first_run_ok=True,
        failed=state.untrained,
        no_base=base.none,
    )
    publish = PublishOptions(
        identity=settings.identity,
        post=bool(options.get("post")),
        summary=bool(options.get("summary")),
        status=bool(options.get("status")),
        pictures_artifact=settings.pictures_artifact,
        pull_request=options.get("pull_request"),
    )
    published = publish_report(project, comparison, publish)
    verdict = "PASSED" if published.passed else "FAILED"
    project.console.info(f"report: {verdict}: {published.verdict} ({published.report_file})")
    return published.passed


def _promote(project: Project, options: Mapping[str, Any], settings: RunSettings, state: RunState) -> None:
    only = _why_only_register(project, settings)
    promote(project, settings.models, alias=None, force=False, reason=None, registering_only=only)


def _why_only_register(project: Project, settings: RunSettings) -> str | None:
    """Why a push may not move an alias (promotion then happens by hand or in a reviewed job), or None."""
    if settings.promote is False:
        where = "the workflow's `promote: false`"
    elif settings.promote is None and not project.config.promote.auto:
        where = "`promote.auto: false` in mlci.yaml"
    else:
        return None
    return f"promotion on push is off ({where}; `mlci promote` or the promote action promotes)"


def _rollback(project: Project, options: Mapping[str, Any], settings: RunSettings, state: RunState) -> None:
    to = options.get("to")
    to_version = int(str(to)) if str(to or "").strip().isdigit() else None
    if to not in (None, "") and to_version is None:
        raise ConfigError(f"the `to` input must be a version number, not {to!r}")
    rollback(
        project,
        options["model"],
        alias=options.get("alias") or None,
        to_version=to_version,
        reason=options.get("reason") or None,
    )


def _deploy(project: Project, options: Mapping[str, Any], settings: RunSettings, state: RunState) -> None:
    deploy(project, options["reference"])


_RUNNERS: dict[str, Callable[[Project, Mapping[str, Any], RunSettings, RunState], bool | None]] = {
    "validate": _validate,
    "pull-request": _pull_request,
    "train": _train,
    "record": _record,
    "report": _report,
    "promote": _promote,
    "rollback": _rollback,
    "deploy": _deploy,
}
