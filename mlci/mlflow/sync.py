"""Bringing MLflow in line with the results branch, which decides: the versions mlci registered, and
the alias holders mlci's compare-and-set promotion chose.

MLflow's alias set is a plain overwrite, so two jobs setting it at once leave whichever wrote last.
The alias is therefore set to the holder read from the results branch at that moment, and read
again afterwards: when it moved meanwhile, the alias is set again. Whichever job writes last has
read the holder after its write, so the last write is the results branch's holder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from mlci.config.records import record
from mlci.errors import StoreError
from mlci.git import short_sha
from mlci.mlflow.client import MlflowError
from mlci.mlflow.mirror import Mirror, MirroredVersion
from mlci.registry.entries import ModelVersion
from mlci.registry.registry import RegistryView
from mlci.store.records import load_record, recorded_commits
from mlci.store.storage import Storage, StorageView

T = TypeVar("T")
# Rounds of set-then-check before giving up on an alias that other jobs keep moving.
ALIAS_ROUNDS = 5


def mirror_version(mirror: Mirror, storage: StorageView, version: ModelVersion) -> MirroredVersion:
    """The MLflow model version of `version`, logging its recorded run first when MLflow lacks it."""
    record = load_record(storage, version.commit)
    if record is None or version.model not in record.runs:
        raise StoreError(f"{version.model} version {version.number}: its run is not recorded on the results branch")
    run = mirror.log_record(storage.read, record, version.model)
    return mirror.ensure_version(version, run)


def set_alias_to_holder(mirror: Mirror, storage: Storage, model: str, alias: str) -> str:
    """Point MLflow's `model@alias` at the version holding `alias` on the results branch now; what was done."""
    for _ in range(ALIAS_ROUNDS):
        holder = read_fresh(storage, lambda view: RegistryView(view).holder(model, alias))
        if holder is None:
            return f"{alias} holds no version on the results branch; MLflow left as it is"
        mirrored = mirror_version(mirror, storage, holder)
        mirror.set_alias(model, alias, mirrored.number)
        now = read_fresh(storage, lambda view: RegistryView(view).aliases(model).get(alias))
        if now == holder.number:
            return f"models:/{model}@{alias} is MLflow version {mirrored.number} (version {holder.number})"
    raise MlflowError(f"{model}@{alias} kept moving on the results branch while its MLflow alias was set")


def read_fresh(storage: Storage, read: Callable[[StorageView], T]) -> T:
    """`read` of the newest state of `storage` (fetched again, where it lives on a remote)."""
    result: list[T] = []

    def look(view: StorageView) -> dict[str, bytes | None]:
        result[:] = [read(view)]
        return {}

    storage.update(look, message="mlci: read")
    return result[0]


class MlflowAliasTrigger:
    """The MLflow alias, set after every move like the deploy triggers, its outcome kept with theirs
    (`mlflow: fired` or `failed` in `mlci models history`). First of them: a deployment that loads
    `models:/<model>@<alias>` finds the new version."""

    name = "mlflow"

    def __init__(self, mirror: Mirror, storage: Storage) -> None:
        self.mirror = mirror
        self.storage = storage

    def unavailable(self) -> str | None:
        return None

    def fire(self, payload: dict[str, Any]) -> str:
        return set_alias_to_holder(self.mirror, self.storage, payload["model"], payload["alias"])


@record
class AliasCheck:
    """An alias as the results branch and MLflow each see it."""

    alias: str
    holder: int
    mlflow: str | None
    """What MLflow says: `version 3`, `MLflow version 7 (not mlci's)`, `not set`; None when it agrees."""


def check_aliases(mirror: Mirror, model: str, aliases: dict[str, int]) -> list[AliasCheck]:
    """Every alias of `model` whose MLflow copy points elsewhere than the results branch's holder."""
    moved = []
    for alias, holder in sorted(aliases.items()):
        target = mirror.alias_target(model, alias)
        if target is not None and target.mlci_version == holder:
            continue
        if target is None:
            seen = "not set"
        elif target.mlci_version is None:
            seen = f"MLflow version {target.mlflow_version}, which mlci did not register"
        else:
            seen = f"version {target.mlci_version} (MLflow version {target.mlflow_version})"
        moved.append(AliasCheck(alias=alias, holder=holder, mlflow=seen))
    return moved


def sync_mirror(mirror: Mirror, storage: Storage, *, say: Callable[[str], None]) -> list[str]:
    """Create what MLflow lacks (a run per recorded run, a model version per registered version) and
    set every alias to the results branch's holder; the changes made, one line each, each also `say`-d."""
    registry = RegistryView(storage)
    changes: list[str] = []
    for commit in recorded_commits(storage):
        record = load_record(storage, commit)
        if record is None:
            continue
        for model, run in sorted(record.runs.items()):
            if mirror.find_run(run, commit=commit, info=record.info) is None:
                logged = mirror.log_record(storage.read, record, model)
                changes.append(f"{model}: logged the run of {short_sha(commit)} as MLflow run {logged.run_id}")
                say(changes[-1])
    for model in registry.models():
        for version in registry.versions(model):
            before = mirror.find_version(model, version.commit)
            if before is not None:
                continue
            mirrored = mirror_version(mirror, storage, version)
            changes.append(f"{model}: version {version.number} is now MLflow version {mirrored.number}")
            say(changes[-1])
        for check in check_aliases(mirror, model, registry.aliases(model)):
            done = set_alias_to_holder(mirror, storage, model, check.alias)
            changes.append(f"{model}: {check.alias} was {check.mlflow}; {done}")
            say(changes[-1])
    return changes
