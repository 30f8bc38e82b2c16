"""Compare this checkout's runs with the runs recorded for a base ref: the one comparison every
command shows (`compare`, `report`, `run`, the actions), made the same way whatever renders it.

Everything a reader may need is always part of it: the bootstrap, the base re-scored where the test
inputs differ, the data checks and the trend. What is slow is done only when something changed (a
data check whose file is the base's is settled by fingerprints alone) and kept in the result cache
under `.mlci/cache/`, so a second command in the same job finds it done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from mlci.compare.baseline import NoBaselineError, RecordReader, default_base_ref, resolve_baseline
from mlci.compare.baseside import BaseSide, base_side
from mlci.compare.build import build_comparison
from mlci.compare.cache import ResultCache
from mlci.compare.noise import head_predictions
from mlci.compare.result import NO_COMMIT, BaseInfo, Comparison, HeadInfo, ModelComparison
from mlci.compare.trend import metric_history
from mlci.config import Config
from mlci.console import Console
from mlci.errors import GitError, StoreError
from mlci.git import Git
from mlci.runs import Run, read_latest_runs
from mlci.runs.fingerprint import fingerprint_key, project_cache
from mlci.store.records import Record
from mlci.store.storage import StorageView


def compare_with_base(
    config: Config,
    base_ref: str | None,
    *,
    git: Git,
    storage: StorageView,
    console: Console,
    first_run_ok: bool = False,
    base_label: str | None = None,
    failed: Mapping[str, str] | None = None,
    no_base: str | None = None,
) -> Comparison:
    """Compare the latest runs in `.mlci/runs` with the runs recorded for `base_ref` in `storage`
    (the default branch as git tells it when None), shown as `base_label` when given.

    With `first_run_ok`, a base with nothing recorded (a repository's first pull request) gives a
    comparison in which every model is new, instead of `NoBaselineError`. `no_base` says why there
    is no base commit at all (a repository's first commit): every model is new, and nothing is looked
    up. `failed` names the models whose training just failed, with why: whatever earlier run of
    theirs is here is not compared.
    """
    if not git.is_repository():
        raise GitError(f"{config.root} is not a git repository; comparisons need its history")
    failed = failed or {}
    head_runs = {name: run for name, run in read_latest_runs(config.work_dir).items() if name not in failed}
    if not failed and not any(name in config.models for name in head_runs):
        raise StoreError("there are no runs in this checkout to compare", hint="Run `mlci train` first.")
    cache = ResultCache(config.work_dir / "cache")
    head_commit, head_branch = git.position()
    # Asked before the base's records are read, while the results branch may still be fetching.
    head = HeadInfo(commit=head_commit, branch=head_branch, dirty=git.is_dirty(ignore=config.ignored_changes))
    sides: dict[str, BaseSide] = {}
    base_runs: dict[str, Run] = {}
    trends: dict[str, dict[str, list[tuple[str, float]]]] = {}
    if no_base is not None:
        base = _no_base(no_base)
    else:
        if base_ref is None:
            branch = git.default_branch()
            ref, base_label = default_base_ref(git, branch), base_label or branch
        else:
            ref = base_ref
        records = RecordReader(storage, console)
        try:
            baseline = resolve_baseline(git, storage, ref, head=head_commit, records=records)
        except NoBaselineError as exc:
            if not first_run_ok:
                raise
            base = _first_run(git, ref, reason=str(exc), shown=base_label or ref)
        else:
            base, base_runs = baseline.info, dict(baseline.record.runs)
            sides = _base_sides(config, head_runs, baseline.record, storage, console=console, cache=cache)
            base_runs.update({name: side.run for name, side in sides.items()})
            trends = metric_history(git, storage, baseline.info.requested_commit, records=records)
    if base_label:
        base = replace(base, ref=base_label)
    console.detail(f"base: {base.note}")
    comparison = build_comparison(
        config=config,
        head=head,
        base=base,
        head_runs=head_runs,
        base_runs=base_runs,
        model_noise={name: side.noise for name, side in sides.items() if side.noise is not None},
        failed=failed,
    )
    models = [_with_base_side(model, sides.get(model.name), trends.get(model.name, {})) for model in comparison.models]
    if not base.first_run:
        models = [
            _with_data_check(config, model, base, base_runs, git=git, console=console, cache=cache) for model in models
        ]
    project_cache(config.work_dir).save()
    return replace(comparison, models=models)


def _base_sides(
    config: Config,
    head_runs: Mapping[str, Run],
    record: Record,
    storage: StorageView,
    *,
    console: Console,
    cache: ResultCache,
) -> dict[str, BaseSide]:
    """The base side of every configured model trained here and recorded on the base."""
    sides = {}
    for name, model in config.models.items():
        head_run, base_run = head_runs.get(name), record.runs.get(name)
        if head_run is not None and base_run is not None:
            sides[name] = base_side(
                config,
                model,
                head_run,
                base_run,
                record,
                storage,
                head_bytes=head_predictions(config, head_run),
                console=console,
                cache=cache,
            )
    return sides


def _with_base_side(
    model: ModelComparison, side: BaseSide | None, trend: dict[str, list[tuple[str, float]]]
) -> ModelComparison:
    if side is None or side.rescore is None:
        return replace(model, trend=trend)
    return replace(model, trend=trend, rescore=side.rescore, notes=[*model.notes, side.rescore.note])


def _with_data_check(
    config: Config,
    model: ModelComparison,
    base: BaseInfo,
    base_runs: Mapping[str, Run],
    *,
    git: Git,
    console: Console,
    cache: ResultCache,
) -> ModelComparison:
    """`model` with what changed in its training data, and the data gates mlci.yaml enforces."""
    spec = config.models.get(model.name)
    base_run = base_runs.get(model.name)
    if spec is None or spec.data is None or model.head_run is None or base_run is None:
        return model
    from mlci.compare.datacheck import check_model_data, data_gates  # only models with a `data:` section

    fingerprints = base_run.lineage.get("fingerprints")
    key = fingerprint_key(spec.data.train, config.root)
    recorded = fingerprints.get(key) if isinstance(fingerprints, dict) else None
    check = check_model_data(
        spec,
        base.commit,
        git=git,
        console=console,
        recorded=recorded if isinstance(recorded, str) else None,
        fingerprints=project_cache(config.work_dir),
        cache=cache,
        root=config.project_root,
    )
    if check is None:
        return model
    settings = config.data_checks
    gates = data_gates(check, max_psi=settings.max_psi, fail_on_schema_change=settings.fail_on_schema_change)
    return replace(model, data=check, gates=[*model.gates, *gates] if check.changed else model.gates)


def _first_run(git: Git, ref: str, *, reason: str, shown: str) -> BaseInfo:
    commit = git.resolve(ref)
    note = f"{reason}. Every model is new here; the numbers become the baseline once recorded on {shown}."
    return BaseInfo(ref=ref, requested_commit=commit, commit=commit, distance=0, note=note, first_run=True)


def _no_base(reason: str) -> BaseInfo:
    note = f"{reason}: every model is new, nothing is compared, and only the gates that need no base (min, max) apply"
    return BaseInfo(ref="none", requested_commit=NO_COMMIT, commit=NO_COMMIT, distance=0, note=note, first_run=True)
