"""The result of comparing a head's runs with a base's: plain data, rendered by `mlci.report`.

`Comparison.to_json()` is the documented `--format json` schema. Bump `SCHEMA_VERSION` on any
change that could break a reader (renaming or removing a field, changing a meaning); adding a
field is not such a change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = 1

NoiseVerdict = Literal["real", "within_noise", "unknown"]
MetricStatus = Literal["improved", "regressed", "unchanged", "new", "removed"]
ModelStatus = Literal["improved", "regressed", "mixed", "unchanged", "new", "removed"]
GateKind = Literal["min", "max", "max_drop", "data"]
ParamChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class MetricChange:
    """One metric of one model on both sides. `change` is head minus base, in the metric's units;
    `relative_change` divides it by |base| (None when base is missing or zero)."""

    name: str
    goal: str
    base: float | None
    head: float | None
    change: float | None
    relative_change: float | None
    status: MetricStatus
    noise: NoiseVerdict | None = None
    """`real`, `within_noise` (the interval holds zero, so the status is `unchanged`) or `unknown`
    (no paired predictions); None when no bootstrap was attempted."""
    interval: tuple[float, float] | None = None
    """The confidence interval of `change` from the paired bootstrap."""


@dataclass(frozen=True)
class GateResult:
    """One limit checked. `passed` is None when it could not be checked (no base for max_drop).

    `value` is what was held against `limit`: the head value for min and max; for max_drop the
    worsening against the base (in the metric's units, or in percent of the base when `limit_text`
    ends in `%`), None when there was nothing to measure."""

    metric: str
    kind: GateKind
    limit: float
    limit_text: str
    value: float | None
    passed: bool | None
    message: str


@dataclass(frozen=True)
class ParamChange:
    """One parameter that differs; `kind` tells an added or removed key from one set to None."""

    name: str
    base: Any
    head: Any
    kind: ParamChangeKind = "changed"


@dataclass(frozen=True)
class RunSummary:
    """What a reader needs to trust a run: where and when it was trained."""

    commit: str | None
    branch: str | None
    dirty: bool | None
    mode: str
    task: str | None
    config_hash: str | None
    started_at: str | None
    duration_seconds: float | None


@dataclass(frozen=True)
class ModelComparison:
    name: str
    status: ModelStatus
    metrics: list[MetricChange]
    gates: list[GateResult] = field(default_factory=list)
    params: list[ParamChange] = field(default_factory=list)
    head_run: RunSummary | None = None
    base_run: RunSummary | None = None
    notes: list[str] = field(default_factory=list)
    trend: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    data: dict[str, Any] | None = None
    """What changed in the training data since the base (see `mlci.compare.datacheck`), when checked."""
    """metric -> [(short commit, value)] over the base branch's recent records, oldest first."""

    @property
    def passed(self) -> bool:
        return all(g.passed is not False for g in self.gates)

    @property
    def failed_gates(self) -> list[GateResult]:
        return [g for g in self.gates if g.passed is False]


@dataclass(frozen=True)
class BaseInfo:
    """Which recorded commit the head was compared with, and why that one."""

    ref: str
    requested_commit: str
    commit: str
    distance: int
    note: str
    first_run: bool = False
    """Nothing was recorded for the ref or its ancestors: every model is new, and only head gates apply."""


@dataclass(frozen=True)
class HeadInfo:
    commit: str | None
    branch: str | None
    dirty: bool


@dataclass(frozen=True)
class Comparison:
    base: BaseInfo
    head: HeadInfo
    models: list[ModelComparison]
    generated_at: str
    notes: list[str] = field(default_factory=list)
    training_failures: dict[str, str] = field(default_factory=dict)
    """Models whose training failed in this checkout, with why: their rows show the base's values,
    and the comparison does not pass."""

    @property
    def passed(self) -> bool:
        return all(m.passed for m in self.models) and not self.training_failures

    @property
    def failed_gates(self) -> list[tuple[str, GateResult]]:
        return [(m.name, g) for m in self.models for g in m.failed_gates]

    def to_json(self) -> dict[str, Any]:
        models = []
        for model in self.models:
            entry = asdict(model)
            entry["passed"] = model.passed
            models.append(entry)
        return {
            "schema_version": SCHEMA_VERSION,
            "passed": self.passed,
            "generated_at": self.generated_at,
            "base": asdict(self.base),
            "head": asdict(self.head),
            "notes": list(self.notes),
            "training_failures": dict(self.training_failures),
            "models": models,
        }
