"""`mlci train`: train the chosen models, taking over the runs of those that did not change."""

from __future__ import annotations

from mlci.commands.project import Project
from mlci.compare.baseline import recorded_base
from mlci.training.train import ModelOutcome, TrainingPass, train_models


def train(
    project: Project,
    models: list[str],
    *,
    force: bool = False,
    base_ref: str | None = None,
    fail_fast: bool = False,
    timeout: float | None = None,
) -> TrainingPass:
    """Train `models` (all when empty), each even when another failed (unless `fail_fast`). With
    `base_ref`, an unchanged model also takes over the run recorded for that ref (see
    `mlci.training.reuse`); `force` trains every one anyway; `timeout` replaces each model's limit."""
    base = None
    if base_ref and not force:
        record = recorded_base(project.git, project.storage, base_ref, console=project.console)
        base = (record, project.storage) if record is not None else None
    return train_models(
        project.config,
        models,
        console=project.console,
        force=force,
        base=base,
        fail_fast=fail_fast,
        timeout=timeout,
    )


def outcome_line(outcome: ModelOutcome) -> str:
    """`iris: trained: accuracy=0.9737`, `churn: failed: ...`: one model's outcome on one line."""
    if outcome.result is not None:
        metrics = ", ".join(f"{name}={value:.4g}" for name, value in outcome.result.run.metrics.items())
        return f"{outcome.model}: {outcome.status}: {metrics}"
    if outcome.error is not None:
        return f"{outcome.model}: failed: {outcome.reason}"
    return f"{outcome.model}: {outcome.reason}"


def summary(trained: TrainingPass) -> str:
    """`trained a, b; unchanged c; failed d`: what one training pass did."""
    parts = []
    for status in ("trained", "unchanged", "failed", "not tried"):
        names = [outcome.model for outcome in trained.outcomes if outcome.status == status]
        if names:
            parts.append(f"{status} {', '.join(names)}")
    return "; ".join(parts) or "nothing to train"
