"""Build a `Comparison` from the head's runs and the base's runs, following `mlci.yaml`.

Which models appear and with which status:

- every model in `mlci.yaml`, in the file's order, then every model that only the base has (it was
  removed from the config: status `removed`, gates not checked);
- a configured model with no run on the base is `new`;
- a configured model with no run in this checkout was not trained here (a pull request that trains
  only the models it changed leaves the others alone). It is `unchanged`, not `removed`: the model
  still exists and nothing in this checkout changed it. Its metrics list the base's values with
  status `unchanged` and no head value, a note says "not trained in this checkout", and its gates are
  not checked, since there is no new value to hold against them;
- a configured model whose training failed here (`failed`) is shown as one not trained, with a note
  saying why, whatever run of it this checkout still holds from before: the comparison fails;
- otherwise the status follows the metrics (see `mlci.compare.metrics.model_status`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from mlci.compare.bootstrap import ModelNoise
from mlci.compare.gates import evaluate_gates
from mlci.compare.lineage import summarize_run
from mlci.compare.metrics import FLOAT_NOISE, NoiseTest, compare_metric, model_status
from mlci.compare.params import diff_params
from mlci.compare.result import BaseInfo, Comparison, HeadInfo, MetricChange, ModelComparison, RunSummary
from mlci.config import Config, ModelSpec
from mlci.runs import Run

NOT_TRAINED_NOTE = "not trained in this checkout; showing the base's values, gates not checked"
SHORT_SHA = 7


def build_comparison(
    *,
    config: Config,
    head: HeadInfo,
    base: BaseInfo,
    head_runs: dict[str, Run],
    base_runs: dict[str, Run],
    generated_at: str | None = None,
    noise: NoiseTest = FLOAT_NOISE,
    model_noise: Mapping[str, ModelNoise] | None = None,
    failed: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare every model of `config` (and every model only the base has) between the two sides.

    `generated_at` defaults to now (UTC, ISO 8601); `noise` decides which differences are not changes;
    `model_noise` holds the paired bootstrap's intervals per model, where one was made; `failed` names
    the models whose training failed in this checkout, with why.
    """
    failed = failed or {}
    models = [
        _failed(name, base_runs.get(name), failed[name])
        if name in failed
        else _compare_configured(
            spec,
            head=head,
            head_run=head_runs.get(name),
            base_run=base_runs.get(name),
            noise=noise,
            bootstrap=(model_noise or {}).get(name),
        )
        for name, spec in config.models.items()
    ]
    models += [_removed(name, run) for name, run in base_runs.items() if name not in config.models]
    notes = []
    if head.dirty:
        notes.append("this checkout has uncommitted changes, so its runs match no commit exactly")
    return Comparison(
        base=base,
        head=head,
        models=models,
        notes=notes,
        generated_at=generated_at or datetime.now(UTC).isoformat(timespec="seconds"),
        training_failures={name: reason for name, reason in failed.items() if name in config.models},
    )


def _compare_configured(
    spec: ModelSpec,
    *,
    head: HeadInfo,
    head_run: Run | None,
    base_run: Run | None,
    noise: NoiseTest,
    bootstrap: ModelNoise | None = None,
) -> ModelComparison:
    if head_run is None:
        return _not_trained(spec.name, base_run)
    metrics = _compare_metrics(spec, head_run=head_run, base_run=base_run, noise=noise, bootstrap=bootstrap)
    head_summary = summarize_run(head_run)
    return ModelComparison(
        name=spec.name,
        status="new" if base_run is None else model_status(metrics),
        metrics=metrics,
        gates=evaluate_gates(spec.gates, {metric.name: metric for metric in metrics}),
        params=diff_params(base_run.params, head_run.params) if base_run else [],
        head_run=head_summary,
        base_run=summarize_run(base_run) if base_run else None,
        notes=_head_run_notes(head_summary, head=head) + _reuse_notes(head_run) + _noise_notes(bootstrap),
    )


def _compare_metrics(
    spec: ModelSpec, *, head_run: Run, base_run: Run | None, noise: NoiseTest, bootstrap: ModelNoise | None
) -> list[MetricChange]:
    base_metrics = base_run.metrics if base_run else {}
    configured = [metric.name for metric in spec.metrics]
    # Configured metrics first, in the config's order; then whatever else either run measured.
    extra = sorted((set(head_run.metrics) | set(base_metrics)) - set(configured))
    changes = []
    for name in [*configured, *extra]:
        if name not in head_run.metrics and name not in base_metrics:
            continue
        goal = head_run.goals.get(name) or (base_run.goals.get(name) if base_run else None)
        changes.append(
            compare_metric(
                name,
                goal=goal or _configured_goal(spec, name),
                base=base_metrics.get(name),
                head=head_run.metrics.get(name),
                noise=noise,
                interval=bootstrap.intervals.get(name) if bootstrap else None,
                paired=None if bootstrap is None else name in bootstrap.intervals,
            )
        )
    return changes


def _configured_goal(spec: ModelSpec, name: str) -> str:
    # Runs always carry a goal per metric; this only guards a hand-edited record.
    return next((m.goal for m in spec.metrics if m.name == name and m.goal), "maximize")


def _head_run_notes(run: RunSummary, *, head: HeadInfo) -> list[str]:
    notes = []
    if head.commit is not None and run.commit != head.commit:
        where = run.commit[:SHORT_SHA] if run.commit else "no known commit"
        notes.append(f"trained at {where}, not at the current commit")
    if run.dirty:
        notes.append("trained with uncommitted changes")
    return notes


def _noise_notes(bootstrap: ModelNoise | None) -> list[str]:
    """Why the noise is unknown, whenever it is: for the whole model, or for some of its metrics
    (those with one reason together, so ten unnamed metrics make one note, not ten)."""
    if bootstrap is None:
        return []
    if bootstrap.unknown_reason:
        return [f"noise unknown: {bootstrap.unknown_reason}"]
    by_reason: dict[str, list[str]] = {}
    for name, reason in bootstrap.unknown.items():
        by_reason.setdefault(reason, []).append(name)
    return [f"noise unknown for {', '.join(names)}: {reason}" for reason, names in by_reason.items()]


def _reuse_notes(run: Run) -> list[str]:
    origin = run.lineage.get("reused_from")
    if not isinstance(origin, dict):
        return []
    commit = str(origin.get("commit") or "an earlier run")[:SHORT_SHA]
    return [f"not retrained: config, data, deps and libraries are unchanged since {commit}, so its run is reused"]


def _not_trained(name: str, base_run: Run | None) -> ModelComparison:
    if base_run is None:
        return ModelComparison(
            name=name,
            status="new",
            metrics=[],
            notes=["not trained in this checkout, and the base has no run of it either"],
        )
    metrics = [
        MetricChange(
            name=metric,
            goal=base_run.goals[metric],
            base=value,
            head=None,
            change=None,
            relative_change=None,
            status="unchanged",
        )
        for metric, value in base_run.metrics.items()
    ]
    return ModelComparison(
        name=name, status="unchanged", metrics=metrics, base_run=summarize_run(base_run), notes=[NOT_TRAINED_NOTE]
    )


def _failed(name: str, base_run: Run | None, reason: str) -> ModelComparison:
    shown = _not_trained(name, base_run)
    values = "showing the base's values" if base_run is not None else "and the base has no run of it"
    return replace(shown, notes=[f"training failed in this checkout: {reason}; {values}, gates not checked"])


def _removed(name: str, base_run: Run) -> ModelComparison:
    metrics = [
        compare_metric(metric, goal=base_run.goals[metric], base=value, head=None)
        for metric, value in base_run.metrics.items()
    ]
    return ModelComparison(
        name=name, status="removed", metrics=metrics, base_run=summarize_run(base_run), notes=["no longer in mlci.yaml"]
    )


def compare_model(
    spec: ModelSpec,
    *,
    head: HeadInfo,
    head_run: Run | None,
    base_run: Run | None,
    noise: NoiseTest = FLOAT_NOISE,
    bootstrap: ModelNoise | None = None,
) -> ModelComparison:
    """One model's comparison, for callers that compare two runs outside a whole-project comparison
    (a challenger with the alias holder); `bootstrap` holds the paired bootstrap's intervals, when made."""
    return _compare_configured(spec, head=head, head_run=head_run, base_run=base_run, noise=noise, bootstrap=bootstrap)
