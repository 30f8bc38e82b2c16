"""Promotion: register a commit's recorded models and move the alias to the ones that win.

The whole decision runs inside one `Storage.update`: registering the version, reading the current
alias holder, comparing with it, and moving the alias. When another run moves the alias meanwhile,
the results branch rejects the push and the decision is taken again against the new holder, so an
alias is never moved on the strength of a comparison with a model that no longer holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from mlci.compare.build import compare_model
from mlci.compare.result import HeadInfo
from mlci.config import Config, ModelSpec
from mlci.errors import ConfigError, StoreError
from mlci.git import short_sha
from mlci.registry.card import FILE_NAME as CARD_FILE
from mlci.registry.card import model_card
from mlci.registry.entries import AliasMove, ModelVersion
from mlci.registry.registry import RegistryView, move_alias, register_version
from mlci.runs import Run
from mlci.runs.provenance import Provenance
from mlci.store.records import Record, load_record
from mlci.store.storage import Storage, StorageView


@dataclass(frozen=True)
class Decision:
    wins: bool
    reason: str


@dataclass(frozen=True)
class Promotion:
    """What happened to one model."""

    model: str
    version: ModelVersion
    registered: bool
    decision: Decision
    move: AliasMove | None

    @property
    def promoted(self) -> bool:
        return self.move is not None


def promote_models(
    config: Config,
    names: list[str],
    *,
    storage: Storage,
    provenance: Provenance,
    alias: str | None,
    force: bool,
    reason: str | None,
) -> list[Promotion]:
    """Register and, where they win, promote `names` (default: every recorded model) of the record of
    the commit `provenance` names."""
    alias = alias or config.promote.alias
    commit = provenance.commit
    if commit is None:
        raise StoreError("the repository has no commits yet; nothing to promote")
    if force and not (reason or "").strip():
        raise ConfigError("--force needs --reason: the history keeps why a gate was overridden")
    record = load_record(storage, commit)
    if record is None:
        raise StoreError(
            f"{short_sha(commit)} has no recorded runs to promote",
            hint="Run `mlci train` and `mlci record` on this commit first.",
        )
    models = _models_to_promote(config, record, names)
    files = {name: _model_file(config, storage, record, name) for name in models}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    outcomes: dict[str, Promotion] = {}

    def change(view: StorageView) -> dict[str, bytes | None]:
        outcomes.clear()
        changes: dict[str, bytes | None] = {}
        for name in models:
            run = record.runs[name]
            registration = register_version(
                view, run=run, model_file=files[name], provenance=provenance.to_json(), now=now
            )
            changes.update(registration.changes)
            holder = RegistryView(view).holder(name, alias)
            version = registration.version
            if holder is not None and holder.number == version.number:
                verdict, move = Decision(False, f"version {version.number} already holds {alias}"), None
            else:
                verdict = challenge(config.models[name], run, holder, alias=alias)
                move = None
                if verdict.wins or force:
                    kind = "promote" if verdict.wins else "force"
                    why = verdict.reason if verdict.wins else f"forced: {reason} (gates said: {verdict.reason})"
                    move, move_changes = move_alias(
                        view,
                        model=name,
                        alias=alias,
                        to_version=version.number,
                        kind=kind,
                        reason=why,
                        by=provenance.by,
                        now=now,
                        commit=commit,
                        pull_request=provenance.pull_request,
                        run_url=provenance.run_url,
                    )
                    changes.update(move_changes)
            if registration.is_new or move is not None:
                folder = f"registry/{name}/versions/{version.number}"
                decision = (
                    f"{'Promoted' if move else 'Not promoted'} to `{alias}`: {move.reason if move else verdict.reason}"
                )
                changes[f"{folder}/{CARD_FILE}"] = model_card(
                    version,
                    description=config.models[name].description,
                    decision=decision,
                    model_file=model_file[1] if (model_file := files[name]) else None,
                )
            outcomes[name] = Promotion(
                model=name, version=version, registered=registration.is_new, decision=verdict, move=move
            )
        return changes

    summary = ", ".join(models)
    storage.update(change, message=f"mlci: promote {summary} at {short_sha(commit)} to {alias}")
    return [outcomes[name] for name in models]


def challenge(spec: ModelSpec, challenger: Run, holder: ModelVersion | None, *, alias: str) -> Decision:
    """Whether `challenger` should take `alias` from `holder`: every gate passes against the holder and
    the model's first metric is better, not just equal (a tie keeps the model already deployed)."""
    comparison = compare_model(
        spec,
        head=HeadInfo(commit=challenger.commit, branch=None, dirty=False),
        head_run=challenger,
        base_run=holder.run if holder else None,
    )
    failed = [gate.message for gate in comparison.gates if gate.passed is False]
    if failed:
        return Decision(False, "fails its gates: " + "; ".join(failed))
    if holder is None:
        return Decision(True, f"first version to hold {alias}")
    primary = next((m for m in comparison.metrics if m.base is not None and m.head is not None), None)
    if primary is None:
        return Decision(False, f"no metric in common with version {holder.number} to compare on")
    values = f"{primary.head:.4g} vs {primary.base:.4g}"
    if primary.status == "improved":
        return Decision(True, f"better than version {holder.number} on {primary.name} ({values})")
    word = "worse than" if primary.status == "regressed" else "no better than"
    return Decision(False, f"{word} version {holder.number} on {primary.name} ({values})")


def _models_to_promote(config: Config, record: Record, names: list[str]) -> list[str]:
    unknown = [name for name in names if name not in config.models]
    if unknown:
        raise ConfigError(f"unknown model {', '.join(unknown)}; mlci.yaml defines {', '.join(config.models)}")
    chosen = names or [name for name in config.models if name in record.runs]
    missing = [name for name in chosen if name not in record.runs]
    if missing:
        raise StoreError(f"{', '.join(missing)} not recorded for {short_sha(record.commit)}; train and record it first")
    return chosen


def _model_file(config: Config, storage: StorageView, record: Record, name: str) -> tuple[str, bytes] | None:
    file_name = record.runs[name].files.get("model")
    if file_name is None:
        return None
    content = record.run_file(storage, name, "model")
    if content is None:
        raise StoreError(f"runs/{record.commit}/{name}/{file_name} is missing from the store")
    limit = config.registry.max_model_mb
    if len(content) > limit * 1024 * 1024:
        raise StoreError(
            f"{name}: the model file is {len(content) / 1024 / 1024:.1f} MB, over the registry's limit of {limit:g} MB",
            hint="Raise `registry: {max_model_mb: ...}` in mlci.yaml, or make the model smaller.",
        )
    return file_name, content
