"""`mlci promote`: register this commit's recorded models and move the alias to those that win."""

from __future__ import annotations

from mlci.commands.alias_moves import announce_promotions
from mlci.commands.project import Project
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
    announce_promotions(project, outcomes, alias=alias or project.config.promote.alias)
    return outcomes
