"""`mlci rollback`: move a model's alias back, record why, and fire the deploy triggers."""

from __future__ import annotations

from mlci.commands.alias_moves import announce_rollback
from mlci.commands.project import Project
from mlci.registry.entries import AliasMove
from mlci.registry.rollback import DEFAULT_REASON, rollback_model


def rollback(
    project: Project, model: str, *, alias: str | None, to_version: int | None, reason: str | None
) -> AliasMove:
    """Roll `model`'s alias back; without a reason, the history says how it was asked for."""
    if not (reason or "").strip() and project.github.event_name == "workflow_dispatch":
        reason = f"{DEFAULT_REASON} by workflow_dispatch"
    storage, provenance = project.storage, project.provenance()
    move = rollback_model(
        project.config, model, storage=storage, provenance=provenance, alias=alias, to_version=to_version, reason=reason
    )
    announce_rollback(project, move)
    return move
