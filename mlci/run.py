"""`mlci run`, what the one-line action does: pick the steps from the GitHub event, then run them.

The plan is plain data (`plan_steps`), so what each event does is easy to read, test and extend:

    pull_request        validate, train, report on the PR against its base (comment, summary, status)
    push to default     validate, train, record, report against the parent commit, promote
    push elsewhere      validate, train, report against the default branch (summary)
    workflow_dispatch   rollback MODEL when the `rollback` input names one; else as a push elsewhere
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlci.config import Config
from mlci.console import Console
from mlci.errors import ConfigError
from mlci.github.context import GitHubContext
from mlci.publish import PublishOptions, publish_report
from mlci.store.gitbranch import remote_git

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


@dataclass(frozen=True)
class Step:
    name: str
    options: Mapping[str, Any] = field(default_factory=dict)


def plan_steps(context: GitHubContext) -> list[Step]:
    """The steps for this run's event."""
    event = context.event_name
    if event in PULL_REQUEST_EVENTS:
        base = {"base": context.base_sha, "base_branch": context.base_ref}
        report = {**base, "post": True, "summary": True, "status": True}
        return [Step("validate"), Step("train", base), Step("report", report)]
    if event == "push" and context.is_push_to_default_branch:
        # The commit before the push (the event's `before`), which a shallow checkout fetches on demand.
        parent = {"base": context.base_sha or "HEAD~1"}
        steps = [Step("validate"), Step("train", parent), Step("record"), Step("report", {**parent, "summary": True})]
        return [*steps, Step("promote")]
    if event == "workflow_dispatch":
        inputs = context.event.get("inputs") or {}
        model = str(inputs.get("rollback") or "").strip()
        if model:
            options = {
                "model": model,
                "alias": inputs.get("alias"),
                "to": inputs.get("to"),
                "reason": inputs.get("reason"),
            }
            return [Step("rollback", options)]
    if event in ("push", "workflow_dispatch"):
        return [Step("validate"), Step("train"), Step("report", {"base": None, "summary": True})]
    raise ConfigError(
        f"mlci run does not handle the {event or 'unknown'} event",
        hint="Run it on pull_request, push or workflow_dispatch, or compose the sub-actions (see the README).",
    )


def run_event(
    config: Config,
    *,
    models: list[str],
    identity: str,
    fail_on_regression: bool,
    console: Console,
    environ: Mapping[str, str],
) -> int:
    """Run the steps for this event; the exit code (1 when a gate failed and that should fail the job)."""
    if not environ.get("GITHUB_EVENT_NAME"):
        raise ConfigError(
            "mlci run picks its steps from a GitHub Actions event, and there is none here",
            hint="On a laptop run the steps yourself: mlci train, mlci compare --base main, mlci report.",
        )
    context = GitHubContext.from_env(environ)
    steps = plan_steps(context)
    console.info(f"mlci run: {context.event_name} event: {', '.join(step.name for step in steps)}")
    passed = True
    for step in steps:
        with console.group(f"mlci {step.name}"):
            done = _RUNNERS[step.name](config, step.options, models=models, identity=identity, console=console)
        passed = passed and done is not False
    return 0 if passed or not fail_on_regression else 1


def _validate(config: Config, options: Mapping[str, Any], **kw: Any) -> None:
    from mlci.validate import validate_project

    validate_project(config, console=kw["console"])
    kw["console"].info(f"validate: {config.path.name} and its data are fine ({len(config.models)} models)")


def _train(config: Config, options: Mapping[str, Any], **kw: Any) -> None:
    from mlci.baseline import recorded_base
    from mlci.training import train_models

    console = kw["console"]
    ref = _usable_base(config, options.get("base"), options.get("base_branch"), console=console)
    base = recorded_base(config, ref, console=console) if ref else None
    results = train_models(config, kw["models"], console=console, base=base)
    reused = [r.run.model for r in results if r.run.lineage.get("reused_from")]
    trained = [r.run.model for r in results if r.run.model not in reused]
    parts = [f"trained {', '.join(trained)}" if trained else "", f"unchanged {', '.join(reused)}" if reused else ""]
    console.info("train: " + "; ".join(part for part in parts if part))


def _record(config: Config, options: Mapping[str, Any], **kw: Any) -> None:
    from mlci.record import record_current_runs

    outcome = record_current_runs(config, replace=False, allow_dirty=False, console=kw["console"])
    what = "recorded" if outcome.written else "already recorded (kept)"
    kw["console"].info(f"record: {what} {', '.join(outcome.models)} for {outcome.commit[:12]}")


def _report(config: Config, options: Mapping[str, Any], **kw: Any) -> bool:
    from mlci.compare.with_base import compare_with_base

    console = kw["console"]
    base = _usable_base(config, options.get("base"), options.get("base_branch"), console=console)
    label = options.get("base_branch") if base and base == options.get("base") else None
    comparison = compare_with_base(
        config, base, console=console, first_run_ok=True, base_label=label, data_checks=True, rescore=True
    )
    publish = PublishOptions(
        identity=kw["identity"],
        post=bool(options.get("post")),
        summary=bool(options.get("summary")),
        status=bool(options.get("status")),
    )
    published = publish_report(config, comparison, publish, console=console)
    console.info(f"report: {'PASSED' if published.passed else 'FAILED'}: {published.verdict} ({published.report_file})")
    return published.passed


def _promote(config: Config, options: Mapping[str, Any], **kw: Any) -> None:
    from mlci.announce import announce_promotions
    from mlci.promote import promote_models

    outcomes = promote_models(config, kw["models"], alias=None, force=False, reason=None, console=kw["console"])
    announce_promotions(config, outcomes, console=kw["console"])


def _rollback(config: Config, options: Mapping[str, Any], **kw: Any) -> None:
    from mlci.announce import announce_rollback
    from mlci.rollback import rollback_model

    to = options.get("to")
    to_version = int(to) if str(to or "").strip().isdigit() else None
    if to not in (None, "") and to_version is None:
        raise ConfigError(f"the `to` input must be a version number, not {to!r}")
    move = rollback_model(
        config,
        options["model"],
        alias=options.get("alias") or None,
        to_version=to_version,
        reason=options.get("reason") or "rolled back by workflow_dispatch",
        console=kw["console"],
    )
    announce_rollback(config, move, console=kw["console"])


_RUNNERS = {
    "validate": _validate,
    "train": _train,
    "record": _record,
    "report": _report,
    "promote": _promote,
    "rollback": _rollback,
}


def event_base(config: Config, environ: Mapping[str, str], *, console: Console) -> tuple[str | None, str | None]:
    """In a pull request's workflow run, the PR's base commit (fetched when the clone lacks it) and its
    branch's name to show; else (None, None), which means the default branch."""
    if environ.get("GITHUB_EVENT_NAME") not in PULL_REQUEST_EVENTS:
        return None, None
    context = GitHubContext.from_env(environ)
    return _usable_base(config, context.base_sha, context.base_ref, console=console), context.base_ref


def _usable_base(config: Config, base: str | None, branch: str | None, *, console: Console) -> str | None:
    """`base` when this clone has it; else fetch it (a shallow checkout lacks the PR's base commit);
    else the base branch from the remote; else None (the default branch)."""
    if not base:
        return None
    git = remote_git(config.root)
    if git.succeeds("rev-parse", "--verify", "-q", f"{base}^{{commit}}"):
        return base
    if git.succeeds("fetch", "--no-tags", "--quiet", "--depth=50", "origin", base):
        return base
    fallback = f"origin/{branch}" if branch else None
    if fallback and git.succeeds("fetch", "--no-tags", "--quiet", "--depth=50", "origin", branch):
        console.warn(f"the base commit {base[:12]} is not reachable; comparing with {fallback} instead")
        return fallback
    console.warn(f"the base commit {base[:12]} is not reachable; comparing with the default branch instead")
    return None
