"""Compare this checkout's runs with the runs recorded for a base ref."""

from __future__ import annotations

from dataclasses import asdict, replace

from mlci.baseline import NoBaselineError, default_base_ref, resolve_baseline
from mlci.compare.build import build_comparison
from mlci.compare.noise import comparison_noise
from mlci.compare.result import BaseInfo, Comparison, HeadInfo, ModelComparison
from mlci.compare.trend import metric_history
from mlci.config import Config
from mlci.console import Console
from mlci.errors import GitError, StoreError
from mlci.git import Git
from mlci.runs import read_latest_runs
from mlci.store import open_storage
from mlci.store.gitbranch import remote_git


def compare_with_base(
    config: Config,
    base_ref: str | None,
    *,
    console: Console,
    first_run_ok: bool = False,
    base_label: str | None = None,
    data_checks: bool = False,
) -> Comparison:
    """Compare the latest runs in `.mlci/runs` with the runs recorded for `base_ref`.

    With `first_run_ok`, a base with nothing recorded (a repository's first pull request) gives a
    comparison in which every model is new, instead of `NoBaselineError`.
    """
    git = remote_git(config.root)
    if not git.is_repository():
        raise GitError(f"{config.root} is not a git repository; comparisons need its history")
    head_runs = read_latest_runs(config.work_dir)
    if not any(name in config.models for name in head_runs):
        raise StoreError("there are no runs in this checkout to compare", hint="Run `mlci train` first.")
    ref = base_ref or default_base_ref(git)
    storage = open_storage(config, console=console)
    try:
        baseline = resolve_baseline(git, storage, ref, head=git.head())
    except NoBaselineError as exc:
        if not first_run_ok:
            raise
        base, base_runs, model_noise, trends = _first_run(git, ref, reason=str(exc)), {}, {}, {}
    else:
        base, base_runs = baseline.info, baseline.record.runs
        model_noise = comparison_noise(config, head_runs, baseline.record, storage)
        trends = metric_history(git, storage, baseline.info.requested_commit)
    if base_label:
        base = replace(base, ref=base_label)
    console.detail(f"base: {base.note}")
    head = HeadInfo(commit=git.head(), branch=git.branch(), dirty=git.is_dirty())
    comparison = build_comparison(
        config=config, head=head, base=base, head_runs=head_runs, base_runs=base_runs, model_noise=model_noise
    )
    models = [replace(model, trend=trends.get(model.name, {})) for model in comparison.models]
    if data_checks and not base.first_run:
        models = [_with_data_check(config, model, base.commit) for model in models]
    return replace(comparison, models=models)


def _with_data_check(config: Config, model: ModelComparison, base_commit: str) -> ModelComparison:
    """`model` with what changed in its training data, and the data gates mlci.yaml enforces."""
    from mlci.compare.datacheck import check_model_data, data_gates

    spec = config.models.get(model.name)
    if spec is None or model.head_run is None or model.base_run is None:
        return model
    check = check_model_data(config, spec, base_commit)
    if check is None:
        return model
    settings = config.data_checks
    gates = data_gates(check, max_psi=settings.max_psi, fail_on_schema_change=settings.fail_on_schema_change)
    data = {**asdict(check), "schema_changed": check.schema_changed}
    return replace(model, data=data, gates=[*model.gates, *gates] if check.changed else model.gates)


def _first_run(git: Git, ref: str, *, reason: str) -> BaseInfo:
    commit = git.resolve(ref)
    note = f"{reason}. Every model is new here; the numbers become the baseline once recorded on {ref}."
    return BaseInfo(ref=ref, requested_commit=commit, commit=commit, distance=0, note=note, first_run=True)
