"""Telling everyone that registry aliases moved, or did not: a line each on the terminal, the step
outputs, and the deploy triggers of every move. Shared by `mlci promote`, `mlci rollback` and
`mlci run`."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

import click

from mlci.commands.project import Project
from mlci.github.deployments import GitHubTrigger
from mlci.registry.entries import AliasMove
from mlci.registry.promotion import Promotion
from mlci.registry.registry import RegistryView
from mlci.registry.triggers import AliasMoved, Trigger, configured_triggers, fire_triggers, model_uri


def announce_promotions(project: Project, outcomes: list[Promotion]) -> None:
    """One line per model, the step outputs, then the triggers of every move."""
    for outcome in outcomes:
        registered = "registered" if outcome.registered else "already registered as"
        head = f"{outcome.model}: {registered} version {outcome.version.number}"
        if outcome.move is not None:
            click.echo(f"{head}; promoted to {outcome.move.alias}: {outcome.decision.reason}")
        else:
            click.echo(f"{head}; not promoted: {outcome.decision.reason}")
    moves = [(o.move, o.version.model_file) for o in outcomes if o.move is not None]
    _write_outputs(project, moves, alias=moves[0][0].alias if moves else project.config.promote.alias)
    for move, model_file in moves:
        _trigger(project, move, model_file["name"] if model_file else None)


def announce_rollback(project: Project, move: AliasMove) -> None:
    click.echo(f"{move.model}: {move.alias} moved back from version {move.from_version} to {move.to_version}")
    version = RegistryView(project.storage).version(move.model, move.to_version)
    _write_outputs(project, [(move, version.model_file)], alias=move.alias)
    _trigger(project, move, version.model_file["name"] if version.model_file else None)


def deploy_triggers(project: Project, environ: Mapping[str, str] | None = None) -> list[Trigger]:
    """Every trigger mlci.yaml configures, GitHub's first (a deploy workflow gets the deployment id)."""
    spec = project.config.promote.triggers
    triggers: list[Trigger] = []
    if spec.deployment or spec.dispatch:
        triggers.append(GitHubTrigger(project.github, deployment=spec.deployment, dispatch=spec.dispatch))
    return triggers + configured_triggers(project.config, os.environ if environ is None else environ)


def _trigger(project: Project, move: AliasMove, file_name: str | None) -> None:
    uri = model_uri(project.config.store.branch, move.model, move.to_version, file_name)
    moved = AliasMoved(move=move, commit=move.commit or "", model_uri=uri, repository=project.github.repository)
    fire_triggers(moved, deploy_triggers(project), console=project.console)


def _write_outputs(project: Project, moves: list[tuple[AliasMove, dict | None]], *, alias: str) -> None:
    """`promoted`, `alias`, and for a single move `model`, `version`, `model-uri`; all moves as JSON."""
    branch = project.config.store.branch
    described = [
        {
            "model": move.model,
            "version": move.to_version,
            "previous_version": move.from_version,
            "model_uri": model_uri(branch, move.model, move.to_version, (file or {}).get("name")),
        }
        for move, file in moves
    ]
    single = described[0] if len(described) == 1 else {}
    project.write_outputs(
        {
            "promoted": bool(moves),
            "alias": alias,
            "model": single.get("model", " ".join(str(d["model"]) for d in described)),
            "version": single.get("version", " ".join(str(d["version"]) for d in described)),
            "model-uri": single.get("model_uri", ""),
            "promotions": json.dumps(described),
        }
    )
