"""Which models a commit must train, as a GitHub matrix: mlci fans out on the engine users already
run instead of growing a scheduler of its own.

A model is planned when its fingerprint (config section, data, `deps`, library versions) differs from
the run the base recorded, with the reason why; the others are listed as unchanged, and the job that
gathers the runs takes them over from the base's record. GitHub runs at most 256 jobs of one matrix
and fails on an empty one, so above `plan.max_jobs` changed models each job trains a bucket of them,
and `any` tells the workflow whether to start the matrix at all.
"""

from __future__ import annotations

from typing import Any

from mlci.config import Config
from mlci.config.records import record
from mlci.runs.changes import NEW_MODEL, NOT_RECORDED, why_changed
from mlci.runs.fingerprint import project_cache
from mlci.runs.lineage import current_inputs, library_versions
from mlci.store.records import Record

PLAN_SCHEMA_VERSION = 1


@record
class Planned:
    """A model to train, and why."""

    model: str
    reason: str


@record
class Plan:
    """The models to train (in config order) and those unchanged since the base's record."""

    base_ref: str | None
    base_commit: str | None
    planned: list[Planned]
    unchanged: list[str]
    libraries: dict[str, str]
    max_jobs: int

    @property
    def any(self) -> bool:
        return bool(self.planned)

    def matrix(self) -> dict[str, list[dict[str, str]]]:
        """`{"include": [...]}` for `strategy.matrix`: one entry per model (`name`, `model`, `models`,
        `reason`), or, with more models than `max_jobs`, one per bucket of them (`name`, `models`,
        `reason`). `models` always holds what the job trains, `name` what its artifacts are called."""
        if len(self.planned) <= self.max_jobs:
            return {
                "include": [
                    {"name": item.model, "model": item.model, "models": item.model, "reason": item.reason}
                    for item in self.planned
                ]
            }
        return {"include": [_bucket_entry(number, bucket) for number, bucket in enumerate(self._buckets(), start=1)]}

    def _buckets(self) -> list[list[Planned]]:
        """`max_jobs` buckets of consecutive models, their sizes differing by one at most."""
        size, extra = divmod(len(self.planned), self.max_jobs)
        buckets, start = [], 0
        for index in range(self.max_jobs):
            end = start + size + (1 if index < extra else 0)
            buckets.append(self.planned[start:end])
            start = end
        return buckets

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": PLAN_SCHEMA_VERSION,
            "base": {"ref": self.base_ref, "commit": self.base_commit},
            "matrix": self.matrix(),
            "unchanged": self.unchanged,
            "any": self.any,
            "libraries": self.libraries,
        }


def _bucket_entry(number: int, bucket: list[Planned]) -> dict[str, str]:
    return {
        "name": f"bucket-{number}",
        "models": " ".join(item.model for item in bucket),
        "reason": "; ".join(f"{item.model}: {item.reason}" for item in bucket),
    }


def plan_models(config: Config, base: Record | None, *, base_ref: str | None) -> Plan:
    """The plan of `config`'s models against `base`, the record they are compared with (None: nothing
    is recorded, so every model is trained). Missing `deps` raise `ConfigError`."""
    planned, unchanged = [], []
    try:
        for model in config.models.values():
            now = current_inputs(config, model)
            reason = why_changed(config, model, now, base.runs.get(model.name) if base is not None else None)
            if base is None and reason == NEW_MODEL:
                reason = NOT_RECORDED
            if reason is None:
                unchanged.append(model.name)
            else:
                planned.append(Planned(model.name, reason))
    finally:
        project_cache(config.work_dir).save()
    return Plan(
        base_ref=base_ref,
        base_commit=base.commit if base is not None else None,
        planned=planned,
        unchanged=unchanged,
        libraries=library_versions(),
        max_jobs=config.plan.max_jobs,
    )
