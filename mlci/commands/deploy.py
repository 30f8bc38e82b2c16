"""`mlci deploy MODEL[@ALIAS]`: fire the deploy triggers again for the version an alias points at."""

from __future__ import annotations

import click

from mlci.commands.alias_moves import Moved, fire_moves
from mlci.commands.project import Project
from mlci.console import printable
from mlci.errors import ConfigError
from mlci.registry.deliveries import deploy_target
from mlci.registry.entries import Delivery
from mlci.registry.registry import RegistryView
from mlci.registry.show import parse_reference


def deploy(project: Project, reference: str) -> Delivery:
    """Fire every trigger again for the move that put the alias where it is, and record it as a
    `deploy` delivery of that move. Raises when a trigger failed, or when none could fire."""
    model, alias = parse_reference(reference, default_target=project.config.promote.alias)
    if alias.isdigit():
        raise ConfigError(
            f"{reference!r} names version {alias}; mlci deploy takes an alias (MODEL or MODEL@ALIAS)",
            hint=f"To deploy version {alias}, move the alias to it: `mlci rollback {model} --to {alias}`.",
        )
    move, version = deploy_target(RegistryView(project.storage), model, alias)
    click.echo(
        printable(
            f"{model}@{alias}: firing the deploy triggers again for version {version.number} "
            f"({move.kind} by {move.by} at {move.at})"
        )
    )
    [delivery] = fire_moves(project, [Moved(move, version)], alias=alias, occasion="deploy")
    if not any(outcome.outcome == "fired" for outcome in delivery.triggers):
        skipped = "; ".join(f"{t.trigger}: {t.detail}" for t in delivery.triggers) or "mlci.yaml turns them all off"
        raise ConfigError(
            f"no deploy trigger could fire for {model}@{alias} ({skipped})",
            hint="Run it in GitHub Actions (with GITHUB_TOKEN), or configure `promote.triggers` webhook or command.",
        )
    return delivery
