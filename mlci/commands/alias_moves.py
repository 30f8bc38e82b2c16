"""Telling everyone that registry aliases moved, or did not: a line each on the terminal, a table in
the job summary saying why each model was promoted or not, the step outputs, the deploy triggers of
every move, and what they did, kept in the registry's history. Shared by `mlci promote`,
`mlci rollback`, `mlci deploy` and `mlci run`.

The order is the promise. The outputs are written before anything fires, so a workflow sees the
moves even when a trigger fails. Every trigger of every move fires whatever became of the others.
What they did is recorded. Only then does a failure, of any of these, end the command, and its
message lists them all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime

import click

from mlci.commands.project import Project
from mlci.config.records import record
from mlci.console import printable
from mlci.errors import DeployError, MlciError
from mlci.github.actions_io import OutputValue, append_summary
from mlci.github.deployments import DeploymentTrigger, DispatchTrigger
from mlci.mlflow.sync import MlflowAliasTrigger
from mlci.registry.deliveries import delivery_error, record_deliveries
from mlci.registry.entries import AliasMove, Delivery, ModelVersion
from mlci.registry.promotion import Promotion
from mlci.registry.registry import RegistryView
from mlci.registry.triggers import AliasMoved, Trigger, configured_triggers, deliver, model_uri
from mlci.report.escape import escape_markdown

# A decision's reason holds a bootstrap interval, a rollback's reason and who did it: a cell this long.
REASON_CHARS = 1000


@record
class Moved:
    """An alias move to announce, with the version it points at."""

    move: AliasMove
    version: ModelVersion | None
    """None when it could not be read (the model URI then names the version's folder)."""

    @property
    def file_name(self) -> str | None:
        model_file = self.version.model_file if self.version else None
        return model_file["name"] if model_file else None


def announce_promotions(
    project: Project, outcomes: list[Promotion], *, alias: str, problems: list[Exception] | None = None
) -> list[Delivery]:
    """One line per model, the step outputs, then the triggers of every move; then `problems` (what
    failed before, such as mirroring the versions to MLflow) are raised with whatever else failed."""
    for outcome in outcomes:
        registered = "registered" if outcome.registered else "already registered as"
        head = f"{outcome.model}: {registered} version {outcome.version.number}"
        if outcome.move is not None:
            click.echo(printable(f"{head}; promoted to {outcome.move.alias}: {outcome.decision.reason}"))
        else:
            click.echo(printable(f"{head}; not promoted: {outcome.decision.reason}"))
    problems = list(problems or [])
    try:
        _summarize(project, outcomes, alias=alias)
    except Exception as exc:  # the triggers still fire; the failure is raised with the rest
        project.console.warn(f"the job summary could not be written: {exc}")
        problems.append(exc)
    moved = [Moved(outcome.move, outcome.version) for outcome in outcomes if outcome.move is not None]
    return fire_moves(project, moved, alias=alias, occasion="move", problems=problems)


def promotion_summary(outcomes: list[Promotion], *, alias: str) -> str:
    """A Markdown table of what became of each model: its version, whether it took `alias`, and why."""
    lines = [
        f"### Promotion to {escape_markdown(alias)}",
        "",
        "| model | version | promoted | why |",
        "| :--- | ---: | :---: | :--- |",
    ]
    for outcome in outcomes:
        version = f"{outcome.version.number}{' (new)' if outcome.registered else ''}"
        promoted = "yes" if outcome.move is not None else "no"
        reason = outcome.move.reason if outcome.move is not None else outcome.decision.reason
        lines.append(
            f"| {escape_markdown(outcome.model)} | {version} | {promoted} "
            f"| {escape_markdown(reason, max_length=REASON_CHARS)} |"
        )
    return "\n".join(lines) + "\n"


def _summarize(project: Project, outcomes: list[Promotion], *, alias: str) -> None:
    path = project.github.step_summary
    if path is not None and outcomes:
        append_summary(path, promotion_summary(outcomes, alias=alias))


def announce_rollback(project: Project, move: AliasMove) -> list[Delivery]:
    click.echo(
        printable(f"{move.model}: {move.alias} moved back from version {move.from_version} to {move.to_version}")
    )
    problems: list[Exception] = []
    try:
        version: ModelVersion | None = RegistryView(project.storage).version(move.model, move.to_version)
    except Exception as exc:  # reported after the outputs are written and the triggers fired
        project.console.warn(f"could not read {move.model} version {move.to_version}: {exc}")
        version, problems = None, [exc]
    return fire_moves(project, [Moved(move, version)], alias=move.alias, occasion="move", problems=problems)


def fire_moves(
    project: Project,
    moved: list[Moved],
    *,
    alias: str,
    occasion: str,
    problems: list[Exception] | None = None,
) -> list[Delivery]:
    """Write the step outputs, fire the triggers of every move (`occasion`: `move` right after it,
    `deploy` again later) and record what they did; then raise whatever failed on the way."""
    console = project.console
    problems = list(problems or [])
    try:
        _write_outputs(project, moved, alias=alias, moves_aliases=occasion == "move")
    except Exception as exc:  # the triggers still fire; the failure is raised with the rest
        console.warn(f"the step outputs could not be written: {exc}")
        problems.append(exc)
    deliveries: list[Delivery] = []
    if moved:
        triggers = deploy_triggers(project)
        by, now = _who(project), datetime.now(UTC).isoformat(timespec="seconds")
        branch = project.config.store.branch
        for item in moved:
            move = item.move
            moved_event = AliasMoved(
                move=move,
                commit=move.commit or (item.version.commit if item.version else ""),
                model_uri=model_uri(branch, move.model, move.to_version, item.file_name),
                repository=project.github.repository,
            )
            deliveries.append(
                deliver(
                    moved_event,
                    triggers,
                    occasion=occasion,
                    by=by,
                    at=now,
                    run_url=project.github.run_url,
                    console=console,
                )
            )
        try:
            record_deliveries(project.storage, deliveries)
        except Exception as exc:  # the triggers' outcome was said above and is raised below
            console.warn(f"what the deploy triggers did could not be recorded in the registry: {exc}")
            problems.append(exc)
    _raise_failures(delivery_error(deliveries), problems, project)
    return deliveries


def deploy_triggers(project: Project, environ: Mapping[str, str] | None = None) -> list[Trigger]:
    """Every trigger mlci.yaml configures: the MLflow alias first (a deployment may load
    `models:/<model>@<alias>`), GitHub's next (the dispatch and the others get the deployment id)."""
    spec = project.config.promote.triggers
    triggers: list[Trigger] = []
    if project.mlflow is not None:
        triggers.append(MlflowAliasTrigger(project.mlflow, project.storage))
    if spec.deployment:
        triggers.append(DeploymentTrigger(project.github))
    if spec.dispatch:
        triggers.append(DispatchTrigger(project.github))
    return triggers + configured_triggers(project.config, os.environ if environ is None else environ)


def _raise_failures(failed: DeployError | None, problems: list[Exception], project: Project) -> None:
    """Raise every failure at once: the triggers' first, then the outputs' and the record's."""
    errors: list[MlciError] = [failed] if failed is not None else []
    errors += [problem for problem in problems if isinstance(problem, MlciError)]
    bugs = [problem for problem in problems if not isinstance(problem, MlciError)]
    if bugs:
        for error in errors:
            project.console.warn(str(error))
        raise bugs[0]
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DeployError("\n".join(str(error) for error in errors), exit_code=max(e.exit_code for e in errors))


def _who(project: Project) -> str:
    try:
        return project.provenance().by
    except MlciError:
        return project.github.actor or "unknown"


def _write_outputs(project: Project, moved: list[Moved], *, alias: str, moves_aliases: bool) -> None:
    """`alias` and every move as JSON (`promotions`); `model`, `version` and `model-uri` only when
    exactly one model moved; `promoted` when this command moves aliases (not `mlci deploy`)."""
    branch = project.config.store.branch
    described = [
        {
            "model": item.move.model,
            "version": item.move.to_version,
            "previous_version": item.move.from_version,
            "model_uri": model_uri(branch, item.move.model, item.move.to_version, item.file_name),
        }
        for item in moved
    ]
    single = described[0] if len(described) == 1 else {}
    outputs: dict[str, OutputValue] = {
        "alias": alias,
        "model": single.get("model", ""),
        "version": single.get("version", ""),
        "model-uri": single.get("model_uri", ""),
        "promotions": json.dumps(described),
    }
    if moves_aliases:
        outputs["promoted"] = bool(moved)
    project.write_outputs(outputs)
