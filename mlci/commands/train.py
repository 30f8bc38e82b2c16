"""`mlci train`: train the chosen models, taking over the runs of those that did not change."""

from __future__ import annotations

from mlci.commands.project import Project
from mlci.compare.baseline import recorded_base
from mlci.training import TrainResult, train_models


def train(
    project: Project, models: list[str], *, force: bool = False, base_ref: str | None = None
) -> list[TrainResult]:
    """Train `models` (all when empty). With `base_ref`, an unchanged model also takes over the run
    recorded for that ref (see `mlci.training.reuse`); `force` trains every one anyway."""
    base = None
    if base_ref and not force:
        record = recorded_base(project.git, project.storage, base_ref)
        base = (record, project.storage) if record is not None else None
    return train_models(project.config, models, console=project.console, force=force, base=base)


def summary(results: list[TrainResult]) -> str:
    """`trained a, b; unchanged c`: what one training pass did."""
    reused = [r.run.model for r in results if r.run.lineage.get("reused_from")]
    trained = [r.run.model for r in results if r.run.model not in reused]
    parts = [f"trained {', '.join(trained)}" if trained else "", f"unchanged {', '.join(reused)}" if reused else ""]
    return "; ".join(part for part in parts if part) or "nothing to train"
