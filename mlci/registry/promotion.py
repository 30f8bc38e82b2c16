"""Promotion: register a commit's recorded models and move the alias to the ones that win.

The whole decision runs inside one `Storage.update`: registering the version, reading the current
alias holder, comparing with it, and moving the alias. When another run moves the alias meanwhile,
the results branch rejects the push and the decision is taken again against the new holder, so an
alias is never moved on the strength of a comparison with a model that no longer holds it.

A version wins the alias from its holder when

- it is not a model the alias was rolled back from (see `mlci.registry.holds`);
- every gate passes against the holder, as in a pull request's comparison;
- its first metric gains on the holder's. With `promote.require: significant` (the default) the gain
  must be real: whenever both versions kept test-set predictions, the paired bootstrap's interval of
  the change must exclude zero in the challenger's favour, on the same test rows (the holder
  re-scored on the challenger's rows when they differ, as the comparison does). A model trained
  without a seed scores 0.844, 0.856, 0.860 on identical code; each of those is not a better model.
  Without predictions on both sides any gain counts, and the decision says significance was not
  tested. `better` is that rule for every model.

A tie, a gain within the noise or a loss keeps the model already deployed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mlci.compare.baseside import BaseSide, base_side
from mlci.compare.build import compare_model
from mlci.compare.cache import ResultCache
from mlci.compare.metrics import is_better, within_tolerance
from mlci.compare.numbers import metric_format
from mlci.compare.result import HeadInfo, MetricChange
from mlci.config import Config, ModelSpec
from mlci.config.parse import alias_problem
from mlci.config.records import record
from mlci.config.schema import Requirement
from mlci.console import Console
from mlci.errors import ConfigError, StoreError
from mlci.git import short_sha
from mlci.registry.card import FILE_NAME as CARD_FILE
from mlci.registry.card import model_card
from mlci.registry.entries import AliasMove, ModelVersion
from mlci.registry.holds import Holds
from mlci.registry.registry import RegistryView, move_alias, register_version
from mlci.runs import Run
from mlci.runs.provenance import Provenance
from mlci.store.records import Record, load_record
from mlci.store.storage import Storage, StorageView


@record
class Decision:
    wins: bool
    reason: str


@record
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


@record
class _Contest:
    """What every model's decision in one promotion reads: the commit's record and where to look."""

    config: Config
    record: Record
    alias: str
    console: Console
    cache: ResultCache


def promote_models(
    config: Config,
    names: list[str],
    *,
    storage: Storage,
    provenance: Provenance,
    alias: str | None,
    force: bool,
    reason: str | None,
    console: Console,
    registering_only: str | None = None,
) -> list[Promotion]:
    """Register and, where they win, promote `names` (default: every recorded model) of the record of
    the commit `provenance` names.

    `registering_only` says why this call moves no alias (promotion on push is turned off): each
    version is registered, and its decision says what promoting it would have done.
    """
    alias = alias or config.promote.alias
    problem = alias_problem(alias)
    if problem is not None:
        raise ConfigError(f"--alias: {problem}")
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
    contest = _Contest(config, record, alias, console, ResultCache(config.work_dir / "cache"))
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
            registry = RegistryView(view)
            holder = registry.holder(name, alias)
            version = registration.version
            move = None
            if holder is not None and holder.number == version.number:
                verdict = Decision(False, f"version {version.number} already holds {alias}")
            else:
                verdict = _judge(contest, registry, version, holder)
                if registering_only is not None:
                    would = "would" if verdict.wins else "would not"
                    verdict = Decision(False, f"{registering_only}; it {would} be promoted: {verdict.reason}")
                elif verdict.wins or force:
                    kind = "promote" if verdict.wins else "force"
                    why = verdict.reason if verdict.wins else f"forced: {reason} (without --force: {verdict.reason})"
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


def _judge(contest: _Contest, registry: RegistryView, version: ModelVersion, holder: ModelVersion | None) -> Decision:
    """Whether `version` should take the alias from `holder`: never a model rolled back from it, else
    the challenge."""
    exclusion = Holds(registry, version.model).exclusion(contest.alias, version)
    if exclusion is not None:
        return Decision(False, exclusion.reason(version.number))
    spec = contest.config.models[version.model]
    side = _holder_side(contest, registry.view, spec, version.run, holder) if holder is not None else None
    return challenge(spec, version.run, holder, side, alias=contest.alias, require=contest.config.promote.require)


def _holder_side(
    contest: _Contest, view: StorageView, spec: ModelSpec, challenger: Run, holder: ModelVersion
) -> BaseSide | str:
    """The holder as the challenger is compared with it (re-scored on the challenger's test rows when
    they differ, and the bootstrap of the two), or why it cannot be."""
    try:
        holder_record = load_record(view, holder.commit)
    except StoreError as exc:
        return f"the record of version {holder.number} cannot be read ({exc})"
    if holder_record is None or spec.name not in holder_record.runs:
        return f"the run of version {holder.number} is not recorded on the results branch"
    return base_side(
        contest.config,
        spec,
        challenger,
        holder.run,
        holder_record,
        view,
        head_bytes=contest.record.run_file(view, spec.name, "predictions"),
        console=contest.console,
        cache=contest.cache,
        names=("this version", f"version {holder.number}"),
    )


def challenge(
    spec: ModelSpec,
    challenger: Run,
    holder: ModelVersion | None,
    side: BaseSide | str | None = None,
    *,
    alias: str,
    require: Requirement = "significant",
) -> Decision:
    """Whether `challenger` should take `alias` from `holder`: every gate passes against the holder, and
    the model's first metric gains on it as `require` says (see the module's docstring). `side` is the
    holder as `base_side` found it (re-scored, with the bootstrap's intervals), or why there is none."""
    found = side if isinstance(side, BaseSide) else None
    comparison = compare_model(
        spec,
        head=HeadInfo(commit=challenger.commit, branch=None, dirty=False),
        head_run=challenger,
        base_run=found.run if found else holder.run if holder else None,
        bootstrap=found.noise if found else None,
    )
    failed = [gate.message for gate in comparison.gates if gate.passed is False]
    if failed:
        return Decision(False, "fails its gates: " + "; ".join(failed))
    if holder is None:
        return Decision(True, f"first version to hold {alias}")
    primary = next((m for m in comparison.metrics if m.base is not None and m.head is not None), None)
    if primary is None or primary.base is None or primary.head is None or primary.change is None:
        return Decision(False, f"no metric in common with version {holder.number} to compare on")
    against = f"version {holder.number}"
    if found is not None and found.rescore is not None and found.rescore.rescored:
        against += " (re-scored on this version's test rows)"
    fmt = metric_format(primary.base, primary.head)
    if require == "significant" and primary.interval is not None:
        low, high = primary.interval
        shown = f"{fmt.change(primary.change)} [{fmt.change(low)}, {fmt.change(high)}]"
        if primary.noise == "within_noise":
            return Decision(False, f"no significant gain over {against} on {primary.name} ({shown})")
        if primary.status == "improved":
            return Decision(True, f"significantly better than {against} on {primary.name} ({shown})")
        return Decision(False, f"worse than {against} on {primary.name} ({shown})")
    values = f"{fmt.value(primary.head)} vs {fmt.value(primary.base)}"
    if within_tolerance(primary.change, reference=primary.base):
        return Decision(False, f"no better than {against} on {primary.name} ({values})")
    if not is_better(primary.goal, primary.change):
        return Decision(False, f"worse than {against} on {primary.name} ({values})")
    untested = f"; significance not tested: {_untested(side, primary)}" if require == "significant" else ""
    return Decision(True, f"better than {against} on {primary.name} ({values}){untested}")


def _untested(side: BaseSide | str | None, primary: MetricChange) -> str:
    """Why the bootstrap gave no interval for the first metric."""
    if isinstance(side, str):
        return side
    if side is None or side.noise is None:
        return "the bootstrap is off (noise.resamples: 0)"
    if side.noise.unknown_reason:
        return side.noise.unknown_reason
    return f"the bootstrap cannot compute {primary.name} from the predictions"


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
