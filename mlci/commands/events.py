"""Which steps a GitHub event calls for, and which base they compare with.

The plan is plain data (`plan_steps`), so what each event does is easy to read, test and extend; `mlci
run` runs it, and `mlci plan` and `mlci import-runs` find the same base from it, so the jobs of a
matrix agree with the one-line action on what a model is compared with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from mlci.commands.compare import BaseChoice, pushed_base, usable_base
from mlci.commands.project import Project
from mlci.config.records import record
from mlci.errors import ConfigError
from mlci.github.context import PULL_REQUEST_EVENTS, GitHubContext


@record
class Step:
    name: str
    options: Mapping[str, Any] = field(default_factory=dict)


def plan_steps(context: GitHubContext, *, default_branch: str | None = None) -> list[Step]:
    """The steps for this run's event; `default_branch` tells which pushes record (the event's own
    `repository.default_branch` when it has one)."""
    event = context.event_name
    if event in PULL_REQUEST_EVENTS:
        base = {"base": context.base_sha, "base_branch": context.base_ref}
        report = {**base, "post": True, "summary": True, "status": True}
        return [Step("validate"), Step("train", base), Step("report", report)]
    if context.pushes_to(context.default_branch or default_branch):
        # The branch before the push (the event's `before`, fetched on demand), else the commit's parent;
        # nothing when the push created the branch. Never the pushed commit, recorded before the report.
        pushed = {"before": context.base_sha, "created": context.created_branch}
        steps = [Step("validate"), Step("train", pushed), Step("record"), Step("report", {**pushed, "summary": True})]
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
        redeploy = str(inputs.get("redeploy") or "").strip()
        if redeploy:
            return [Step("deploy", {"reference": redeploy})]
        number = context.dispatched_pull_request
        if number is not None:
            # A run `mlci retrain` started on its branch: compared with the default branch, and
            # reported on the pull request once it is known to come from this very branch.
            posted: dict[str, Any] = {
                "base": None,
                "post": True,
                "summary": True,
                "status": True,
                "pull_request": number,
            }
            return [Step("validate"), Step("pull-request", {"number": number}), Step("train"), Step("report", posted)]
    if event in ("push", "workflow_dispatch"):
        return [Step("validate"), Step("train"), Step("report", {"base": None, "summary": True})]
    raise ConfigError(
        f"mlci run does not handle the {event or 'unknown'} event",
        hint="Run it on pull_request, push or workflow_dispatch, or compose the sub-actions (see the README).",
    )


def base_for(project: Project, options: Mapping[str, Any]) -> BaseChoice:
    """The base of a step planned with `options`: the branch before a push (`before`), or the pull
    request's base (`base`, `base_branch`); a `ref` of None means the default branch."""
    if "before" in options:
        return pushed_base(project, options["before"], created=bool(options.get("created")))
    base = usable_base(project, options.get("base"), options.get("base_branch"))
    label = options.get("base_branch") if base and base == options.get("base") else None
    return BaseChoice(ref=base, label=label)


def base_of_event(project: Project) -> BaseChoice:
    """What this GitHub event's training compares with (see `plan_steps`); outside GitHub Actions, or
    for an event that trains nothing, the default branch."""
    github = project.github
    if not github.event_name:
        return BaseChoice()
    steps = plan_steps(github, default_branch=project.default_branch if github.event_name == "push" else None)
    options = next((step.options for step in steps if step.name == "train"), {})
    return base_for(project, options)
