"""Telling everyone that a registry alias moved, or did not: the terminal, the job's outputs, the
deploy triggers. Shared by `mlci promote`, `mlci rollback` and `mlci run`."""

from __future__ import annotations

import json
import os

import click

from mlci.config import Config
from mlci.console import Console
from mlci.deploy import AliasMoved, fire_triggers, model_uri
from mlci.promote import Promotion
from mlci.registry.entries import AliasMove


def announce_promotions(config: Config, outcomes: list[Promotion], *, console: Console) -> None:
    """One line per model, the step outputs, then the triggers of every move."""
    for outcome in outcomes:
        registered = "registered" if outcome.registered else "already registered as"
        head = f"{outcome.model}: {registered} version {outcome.version.number}"
        if outcome.promoted:
            click.echo(f"{head}; promoted to {outcome.move.alias}: {outcome.verdict.reason}")
        else:
            click.echo(f"{head}; not promoted: {outcome.verdict.reason}")
    moves = [(o.move, o.version.model_file) for o in outcomes if o.move is not None]
    _write_outputs(config, moves, alias=outcomes[0].move.alias if moves else config.promote.alias)
    for move, model_file in moves:
        _trigger(config, move, model_file["name"] if model_file else None, console=console)


def announce_rollback(config: Config, move: AliasMove, *, console: Console) -> None:
    click.echo(f"{move.model}: {move.alias} moved back from version {move.from_version} to {move.to_version}")
    from mlci.registry.registry import RegistryView
    from mlci.store import open_storage

    version = RegistryView(open_storage(config)).version(move.model, move.to_version)
    _write_outputs(config, [(move, version.model_file)], alias=move.alias)
    _trigger(config, move, version.model_file["name"] if version.model_file else None, console=console)


def _trigger(config: Config, move: AliasMove, file_name: str | None, *, console: Console) -> None:
    uri = model_uri(config.store.branch, move.model, move.to_version, file_name)
    moved = AliasMoved(
        move=move, commit=move.commit or "", model_uri=uri, repository=os.environ.get("GITHUB_REPOSITORY")
    )
    fire_triggers(config, moved, console=console)


def _write_outputs(config: Config, moves: list[tuple[AliasMove, dict | None]], *, alias: str) -> None:
    """`promoted`, `alias`, and for a single move `model`, `version`, `model-uri`; all moves as JSON."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    from mlci.github.actions_io import write_outputs

    described = [
        {
            "model": move.model,
            "version": move.to_version,
            "previous_version": move.from_version,
            "model_uri": model_uri(config.store.branch, move.model, move.to_version, (file or {}).get("name")),
        }
        for move, file in moves
    ]
    single = described[0] if len(described) == 1 else {}
    write_outputs(
        path,
        {
            "promoted": bool(moves),
            "alias": alias,
            "model": single.get("model", " ".join(d["model"] for d in described)),
            "version": single.get("version", " ".join(str(d["version"]) for d in described)),
            "model-uri": single.get("model_uri", ""),
            "promotions": json.dumps(described),
        },
    )
