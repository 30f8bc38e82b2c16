"""`mlci promote`: register this commit's recorded models and move the alias to those that win."""

from __future__ import annotations

from mlci.commands.alias_moves import announce_promotions
from mlci.commands.project import Project
from mlci.mlflow.sync import mirror_version
from mlci.registry.promotion import Promotion, promote_models


def promote(
    project: Project,
    models: list[str],
    *,
    alias: str | None,
    force: bool,
    reason: str | None,
    registering_only: str | None = None,
) -> list[Promotion]:
    """Promote HEAD's recorded `models` (all when empty), then say what happened and fire the triggers.
    With `registering_only` (why no alias may move), the versions are only registered."""
    storage, provenance = project.storage, project.provenance()
    outcomes = promote_models(
        project.config,
        models,
        storage=storage,
        provenance=provenance,
        alias=alias,
        force=force,
        reason=reason,
        console=project.console,
        registering_only=registering_only,
    )
    problems = mirror_registrations(project, [outcome for outcome in outcomes if outcome.move is None])
    announce_promotions(project, outcomes, alias=alias or project.config.promote.alias, problems=problems)
    return outcomes


def mirror_registrations(project: Project, outcomes: list[Promotion]) -> list[Exception]:
    """Create the MLflow model version of each version registered without moving the alias (a moved
    one gets it from the MLflow trigger, with the alias); what failed, to raise after the triggers."""
    mirror = project.mlflow
    if mirror is None:
        return []
    for outcome in outcomes:
        try:
            mirrored = mirror_version(mirror, project.storage, outcome.version)
        except Exception as exc:  # the outputs and triggers still come; raised with what else failed
            project.console.warn(f"{outcome.model}: version {outcome.version.number} not mirrored to MLflow: {exc}")
            return [exc]
        if mirrored.created:
            project.console.info(
                f"{outcome.model}: version {outcome.version.number} is MLflow version {mirrored.number}"
            )
    return []
