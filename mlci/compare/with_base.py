"""Compare this checkout's runs with the runs recorded for a base ref."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from mlci.compare.baseline import NoBaselineError, RecordReader, default_base_ref, resolve_baseline
from mlci.compare.bootstrap import ModelNoise
from mlci.compare.build import build_comparison
from mlci.compare.datacheck import check_model_data, data_gates
from mlci.compare.noise import ROWS_DIFFER, comparison_noise, noise_settings, paired_noise
from mlci.compare.rescore import rescore_base
from mlci.compare.result import BaseInfo, Comparison, HeadInfo, ModelComparison
from mlci.compare.trend import metric_history
from mlci.config import Config
from mlci.console import MAYBE_LONG, Console
from mlci.errors import GitError, StoreError
from mlci.git import Git
from mlci.runs import Run, read_latest_runs
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
    data_checks: bool = False,
    rescore: bool = False,
    failed: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare the latest runs in `.mlci/runs` with the runs recorded for `base_ref` in `storage`.

    With `first_run_ok`, a base with nothing recorded (a repository's first pull request) gives a
    comparison in which every model is new, instead of `NoBaselineError`. `failed` names the models
    whose training just failed, with why: whatever earlier run of theirs is here is not compared.
    """
    if not git.is_repository():
        raise GitError(f"{config.root} is not a git repository; comparisons need its history")
    failed = failed or {}
    head_runs = {name: run for name, run in read_latest_runs(config.work_dir).items() if name not in failed}
    if not failed and not any(name in config.models for name in head_runs):
        raise StoreError("there are no runs in this checkout to compare", hint="Run `mlci train` first.")
    ref = base_ref or default_base_ref(git)
    rescore_notes: dict[str, str] = {}
    records = RecordReader(storage, console)
    try:
        baseline = resolve_baseline(git, storage, ref, head=git.head(), records=records)
    except NoBaselineError as exc:
        if not first_run_ok:
            raise
        base, base_runs, model_noise, trends = _first_run(git, ref, reason=str(exc)), {}, {}, {}
    else:
        base, base_runs = baseline.info, baseline.record.runs
        model_noise = comparison_noise(config, head_runs, baseline.record, storage, console=console)
        if rescore:
            base_runs, rescore_notes = _same_data(config, head_runs, baseline.record, storage, model_noise, console)
        trends = metric_history(git, storage, baseline.info.requested_commit, records=records)
    if base_label:
        base = replace(base, ref=base_label)
    console.detail(f"base: {base.note}")
    head = HeadInfo(commit=git.head(), branch=git.branch(), dirty=git.is_dirty())
    comparison = build_comparison(
        config=config,
        head=head,
        base=base,
        head_runs=head_runs,
        base_runs=base_runs,
        model_noise=model_noise,
        failed=failed,
    )
    models = [
        replace(
            model,
            trend=trends.get(model.name, {}),
            notes=[*model.notes, rescore_notes[model.name]] if model.name in rescore_notes else model.notes,
        )
        for model in comparison.models
    ]
    if data_checks and not base.first_run:
        models = [_with_data_check(config, model, base.commit, git=git, console=console) for model in models]
    return replace(comparison, models=models)


def _same_data(
    config: Config,
    head_runs: dict[str, Run],
    record: Record,
    storage: StorageView,
    model_noise: dict[str, ModelNoise],
    console: Console,
) -> tuple[dict[str, Run], dict[str, str]]:
    """Base runs re-scored on this run's test rows where the rows differ (see `mlci.compare.rescore`);
    `model_noise` is updated in place with the pairs that re-scoring makes possible."""
    base_runs, notes = dict(record.runs), {}
    for name, noise in model_noise.items():
        if noise.unknown_reason != ROWS_DIFFER:
            continue
        spec, head_run, base_run = config.models[name], head_runs[name], record.runs[name]
        with console.step(f"{name}: re-scoring the base model on this run's test rows", after=MAYBE_LONG):
            rescored = rescore_base(config, spec, head_run, base_run, record, storage)
        notes[name] = rescored.note
        if rescored.metrics is None:
            continue
        metrics = {metric: rescored.metrics.get(metric, value) for metric, value in base_run.metrics.items()}
        base_runs[name] = replace(base_run, metrics=metrics)
        model_noise[name] = paired_noise(
            config, spec, head_run, base_runs[name], rescored.predictions, noise_settings(config), console=console
        )
    return base_runs, notes


def _with_data_check(
    config: Config, model: ModelComparison, base_commit: str, *, git: Git, console: Console
) -> ModelComparison:
    """`model` with what changed in its training data, and the data gates mlci.yaml enforces."""
    spec = config.models.get(model.name)
    if spec is None or model.head_run is None or model.base_run is None:
        return model
    check = check_model_data(spec, base_commit, git=git, console=console)
    if check is None:
        return model
    settings = config.data_checks
    gates = data_gates(check, max_psi=settings.max_psi, fail_on_schema_change=settings.fail_on_schema_change)
    return replace(model, data=check, gates=[*model.gates, *gates] if check.changed else model.gates)


def _first_run(git: Git, ref: str, *, reason: str) -> BaseInfo:
    commit = git.resolve(ref)
    note = f"{reason}. Every model is new here; the numbers become the baseline once recorded on {ref}."
    return BaseInfo(ref=ref, requested_commit=commit, commit=commit, distance=0, note=note, first_run=True)
