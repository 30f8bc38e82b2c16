"""What `mlci monitor` found, per model and alias, and its stable JSON (`schema_version`).

The JSON is a stable schema (`templates/monitor.schema.json`): a field is never renamed or removed
without raising `schema_version`. The history on the results branch keeps one model's part of it per
run, and the alert issue on GitHub is written from it. These classes hold data only: `render.py` shows
them as text and Markdown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, field
from typing import Any, Literal

from mlci.config.records import record

SCHEMA_VERSION = 1

Verdict = Literal["healthy", "alert", "not_enough_data"]
Alert = Literal["drift", "decay"]


@record
class FeatureCheck:
    """One feature of the batch against the same feature of the version's training data."""

    column: str
    kind: str
    """numeric, categorical, or retyped (numeric on one side only: drifted by definition)."""
    psi: float | None
    ks_pvalue: float | None
    drifted: bool


@record
class MetricCheck:
    """One metric of the version on the batch, against the value it recorded on its own test set."""

    metric: str
    goal: str
    recorded: float
    value: float
    low: float
    high: float
    """The bootstrap interval of the metric on the batch (`confidence`, over its rows)."""
    confidence: float
    drop: float
    """How much worse than recorded, in the metric's direction (negative: better)."""
    max_drop: float
    """The allowed drop in the metric's units (a percentage already applied to the recorded value)."""
    significant: bool
    """The whole interval lies on the worse side of the recorded value: the drop is no batch noise."""
    decayed: bool


@record
class ModelMonitor:
    """One model's check: which version the alias held, on which batch, and what was found."""

    model: str
    alias: str
    version: int
    commit: str
    batch: str
    rows: int
    verdict: Verdict
    alerts: list[Alert]
    drifted_features: list[str]
    decayed_metrics: list[str]
    drifted_share: float | None
    """The share of features that drifted; None when the training data could not be compared."""
    features: list[FeatureCheck] = field(default_factory=list)
    metrics: list[MetricCheck] = field(default_factory=list)
    missing: list[tuple[str, float, float]] = field(default_factory=list)
    """Columns whose share of missing values changed: (column, training share, batch share)."""
    notes: list[str] = field(default_factory=list)
    checked_at: str = ""

    @property
    def status(self) -> str:
        """`healthy`, `drift`, `decay`, `drift and decay` or `not enough data`: the verdict in words."""
        if self.verdict == "not_enough_data":
            return "not enough data"
        return " and ".join(self.alerts) or "healthy"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}


@record
class MonitorResult:
    """Every model checked in one `mlci monitor` run."""

    models: list[ModelMonitor]
    checked_at: str

    @property
    def alerting(self) -> list[ModelMonitor]:
        """The models with drift or decay: the run's exit code is 1 when there is any."""
        return [model for model in self.models if model.verdict == "alert"]

    @property
    def healthy(self) -> bool:
        return not self.alerting

    def to_retrain(self, when: Collection[str]) -> list[str]:
        """The models, sorted, that raised an alert of a kind in `when` (`retrain.when`): what a
        scheduled monitor proposes to retrain. "Not enough data" raises none."""
        return sorted({m.model for m in self.alerting if any(kind in when for kind in m.alerts)})

    def only(self, names: set[str]) -> MonitorResult:
        """The part of this result about the models in `names`."""
        return MonitorResult(models=[m for m in self.models if m.model in names], checked_at=self.checked_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "checked_at": self.checked_at,
            "healthy": self.healthy,
            "models": [model.to_json() for model in self.models],
        }
