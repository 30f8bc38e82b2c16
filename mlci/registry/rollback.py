"""Rollback: move an alias back to the version that held it before, and say why."""

from __future__ import annotations

from datetime import UTC, datetime

from mlci.config import Config
from mlci.errors import ConfigError, StoreError
from mlci.registry.entries import AliasMove
from mlci.registry.registry import RegistryView, move_alias, previous_holder
from mlci.runs.provenance import Provenance
from mlci.store.storage import Storage, StorageView

DEFAULT_REASON = "rolled back"


def rollback_model(
    config: Config,
    model: str,
    *,
    storage: Storage,
    provenance: Provenance,
    alias: str | None,
    to_version: int | None,
    reason: str | None,
) -> AliasMove:
    """Point `alias` of `model` at `to_version`, or at the holder before the current one."""
    alias = alias or config.promote.alias
    if model not in config.models:
        raise ConfigError(f"unknown model {model!r}; mlci.yaml defines {', '.join(config.models)}")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    done: list[AliasMove] = []

    def change(view: StorageView) -> dict[str, bytes | None]:
        done.clear()
        registry = RegistryView(view)
        current = registry.aliases(model).get(alias)
        if current is None:
            raise StoreError(
                f"{model} has no {alias!r} alias to roll back", hint="`mlci models show` lists its aliases."
            )
        target = to_version if to_version is not None else previous_holder(registry.history(model), alias, current)
        if target is None:
            raise StoreError(
                f"{model}@{alias} is version {current} and no earlier version held it",
                hint="Name a version with --to.",
            )
        registry.version(model, target)  # refuses a version that does not exist, listing the ones that do
        if target == current:
            raise StoreError(f"{model}@{alias} already is version {current}")
        move, changes = move_alias(
            view,
            model=model,
            alias=alias,
            to_version=target,
            kind="rollback",
            reason=(reason or "").strip() or DEFAULT_REASON,
            by=provenance.by,
            now=now,
            commit=provenance.commit,
            run_url=provenance.run_url,
        )
        done.append(move)
        return changes

    storage.update(change, message=f"mlci: roll back {model}@{alias}")
    return done[0]
