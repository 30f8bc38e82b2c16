"""The model registry on the store: versions, aliases and the history of every alias move.

Layout, per model (one folder per version and per move, so concurrent writers rarely touch the same
file; `aliases.json` is the one file an alias move must change, which is what makes it a
compare-and-set under `Storage.update`):

    registry/<model>/versions/<n>/version.json   the run, its lineage and the model file's digest
    registry/<model>/versions/<n>/<model file>   the model file as the run kept it, in any format (its
                                                 format, sha256 and size are in version.json)
    registry/<model>/aliases.json                {"aliases": {"production": 3}}
    registry/<model>/history/<sequence>.json     one alias move: from, to, who, when, why
    registry/<model>/deliveries/<sequence>.json  what the deploy triggers of that move did, each time
                                                 they fired (written after firing; the move's own
                                                 entry is never rewritten)

Functions here only read a `StorageView` and return the changes to make; the caller applies them
with `Storage.update`, which re-runs them on a newer state when another writer got there first, so
version numbers and history sequences are never handed out twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from mlci.config.records import record
from mlci.errors import StoreError
from mlci.registry.entries import (
    AliasMove,
    Delivery,
    ModelVersion,
    decode_aliases,
    decode_deliveries,
    decode_move,
    decode_version,
    encode,
    encode_aliases,
    encode_deliveries,
)
from mlci.runs import Run
from mlci.runs.modelformat import model_format
from mlci.store.storage import StorageView

ROOT = "registry"
VERSION_FILE = "version.json"
ALIASES_FILE = "aliases.json"


class RegistryView:
    """Read access to the registry in one state of the store."""

    def __init__(self, view: StorageView) -> None:
        self.view = view

    def models(self) -> list[str]:
        return [name for name in self.view.list(ROOT) if self.version_numbers(name)]

    def version_numbers(self, model: str) -> list[int]:
        names = self.view.list(f"{ROOT}/{model}/versions")
        return sorted(int(name) for name in names if name.isdigit() and not name.startswith("0"))

    def version(self, model: str, number: int) -> ModelVersion:
        path = f"{ROOT}/{model}/versions/{number}/{VERSION_FILE}"
        raw = self.view.read(path)
        if raw is None:
            known = ", ".join(map(str, self.version_numbers(model))) or "none"
            raise StoreError(f"{model} has no version {number} in the registry (versions: {known})")
        version = decode_version(raw, where=path)
        if version.model != model or version.number != number:
            raise StoreError(f"{path}: says it is {version.model} version {version.number}; the file was moved")
        return version

    def versions(self, model: str) -> list[ModelVersion]:
        return [self.version(model, number) for number in self.version_numbers(model)]

    def version_for_commit(self, model: str, commit: str | None) -> ModelVersion | None:
        return next((v for v in self.versions(model) if commit and v.commit == commit), None)

    def model_file(self, version: ModelVersion) -> bytes | None:
        """The model file of `version`, checked against the digest recorded when it was registered."""
        if version.model_file is None:
            return None
        path = f"{ROOT}/{version.model}/versions/{version.number}/{version.model_file['name']}"
        content = self.view.read(path)
        if content is None:
            raise StoreError(f"{path} is missing from the registry")
        if hashlib.sha256(content).hexdigest() != version.model_file["sha256"]:
            raise StoreError(f"{path}: its content does not match the digest recorded when it was registered")
        return content

    def aliases(self, model: str) -> dict[str, int]:
        path = f"{ROOT}/{model}/{ALIASES_FILE}"
        raw = self.view.read(path)
        return decode_aliases(raw, where=path) if raw is not None else {}

    def history(self, model: str) -> list[AliasMove]:
        folder = f"{ROOT}/{model}/history"
        moves = []
        for name in self._history_files(model):
            path = f"{folder}/{name}"
            moves.append(decode_move(self.view.read(path) or b"", where=path))
        return sorted(moves, key=lambda move: move.sequence)

    def holder(self, model: str, alias: str) -> ModelVersion | None:
        number = self.aliases(model).get(alias)
        return self.version(model, number) if number is not None else None

    def deliveries(self, model: str, sequence: int) -> list[Delivery]:
        """Every firing of the deploy triggers of move `sequence`, oldest first (none recorded: empty)."""
        path = deliveries_path(model, sequence)
        raw = self.view.read(path)
        if raw is None:
            return []
        deliveries = decode_deliveries(raw, where=path)
        if any(d.model != model or d.sequence != sequence for d in deliveries):
            raise StoreError(f"{path}: says it is about another move; the file was moved")
        return deliveries

    def last_move(self, model: str, alias: str) -> AliasMove | None:
        """The move that pointed `alias` at its current version, or None when it never moved."""
        moves = [move for move in self.history(model) if move.alias == alias]
        return moves[-1] if moves else None

    def _history_files(self, model: str) -> list[str]:
        return [name for name in self.view.list(f"{ROOT}/{model}/history") if name.endswith(".json")]


@record
class Registration:
    version: ModelVersion
    changes: dict[str, bytes | None]

    @property
    def is_new(self) -> bool:
        return bool(self.changes)


def register_version(
    view: StorageView,
    *,
    run: Run,
    model_file: tuple[str, bytes] | None,
    provenance: Mapping[str, Any],
    now: str,
) -> Registration:
    """The next version of `run.model`, or the version already registered for the run's commit.

    One commit's run is registered once: re-running the main-branch job must not mint a new version
    of the same model.
    """
    registry = RegistryView(view)
    existing = registry.version_for_commit(run.model, run.commit)
    if existing is not None:
        return Registration(version=existing, changes={})
    if not run.commit:
        raise StoreError(f"{run.model}: the run has no commit, so it cannot be registered")
    number = max(registry.version_numbers(run.model), default=0) + 1
    folder = f"{ROOT}/{run.model}/versions/{number}"
    changes: dict[str, bytes | None] = {}
    file_info = None
    if model_file is not None:
        name, content = model_file
        file_info = {
            "name": name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "format": model_format(content, name),
        }
        changes[f"{folder}/{name}"] = content
    version = ModelVersion(
        model=run.model,
        number=number,
        commit=run.commit,
        run=run,
        registered_at=now,
        model_file=file_info,
        provenance=dict(provenance),
    )
    changes[f"{folder}/{VERSION_FILE}"] = encode(version.to_json())
    return Registration(version=version, changes=changes)


def move_alias(
    view: StorageView,
    *,
    model: str,
    alias: str,
    to_version: int,
    kind: str,
    reason: str,
    by: str,
    now: str,
    commit: str | None = None,
    pull_request: int | None = None,
    run_url: str | None = None,
) -> tuple[AliasMove, dict[str, bytes | None]]:
    """The changes that point `alias` at `to_version` and append the move to the history."""
    registry = RegistryView(view)
    aliases = registry.aliases(model)
    history = registry.history(model)
    move = AliasMove(
        sequence=max((m.sequence for m in history), default=0) + 1,
        model=model,
        alias=alias,
        from_version=aliases.get(alias),
        to_version=to_version,
        kind=kind,
        reason=reason,
        at=now,
        by=by,
        commit=commit,
        pull_request=pull_request,
        run_url=run_url,
    )
    changes: dict[str, bytes | None] = {
        f"{ROOT}/{model}/{ALIASES_FILE}": encode_aliases({**aliases, alias: to_version}),
        f"{ROOT}/{model}/history/{move.sequence:06d}.json": encode(move.to_json()),
    }
    return move, changes


def deliveries_path(model: str, sequence: int) -> str:
    return f"{ROOT}/{model}/deliveries/{sequence:06d}.json"


def add_deliveries(view: StorageView, deliveries: list[Delivery]) -> dict[str, bytes | None]:
    """The changes that append `deliveries` to the documents of their moves."""
    changes: dict[str, bytes | None] = {}
    registry = RegistryView(view)
    for key in dict.fromkeys((d.model, d.sequence) for d in deliveries):
        model, sequence = key
        added = [d for d in deliveries if (d.model, d.sequence) == key]
        changes[deliveries_path(model, sequence)] = encode_deliveries(
            model, sequence, registry.deliveries(model, sequence) + added
        )
    return changes


def previous_holder(history: list[AliasMove], alias: str, current: int | None) -> int | None:
    """The version to roll `alias` back to from `current`: the holder promoted before it.

    Versions that were rolled back from are skipped, so rolling back twice goes two promotions
    back instead of toggling between the last two versions.
    """
    moves = [move for move in history if move.alias == alias]
    promoted = [move.to_version for move in moves if move.kind != "rollback"]
    rolled_back_from = {move.from_version for move in moves if move.kind == "rollback"}
    if current not in promoted:
        return None
    earlier = promoted[: len(promoted) - promoted[::-1].index(current) - 1]
    candidates = [v for v in earlier if v != current and v not in rolled_back_from]
    return candidates[-1] if candidates else None
