"""The verdict on one metric of one model, and on a model from its metrics.

Whether a difference counts is decided by a `NoiseTest`. Today that is float rounding only; a
statistical test (a bootstrap confidence interval over the test-set predictions) plugs in as another
`NoiseTest` without changing how statuses are derived.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from mlci.compare.bootstrap import ChangeInterval
from mlci.compare.result import MetricChange, MetricStatus, ModelStatus, NoiseVerdict
from mlci.config.records import record

FLOAT_TOLERANCE = 1e-9


class NoiseTest(Protocol):
    """Decides whether the difference between two values of a metric is noise rather than a change."""

    def is_noise(self, *, metric: str, base: float, head: float) -> bool: ...


@record
class FloatNoise:
    """Differences that float arithmetic alone can produce (summing in another order, another BLAS)
    are not changes. This is not statistics: it says nothing about sampling noise."""

    tolerance: float = FLOAT_TOLERANCE

    def is_noise(self, *, metric: str, base: float, head: float) -> bool:
        return within_tolerance(head - base, reference=base, tolerance=self.tolerance)


FLOAT_NOISE = FloatNoise()


def within_tolerance(difference: float, *, reference: float, tolerance: float = FLOAT_TOLERANCE) -> bool:
    """Whether `difference` is float rounding relative to `reference` (absolute near zero)."""
    return abs(difference) <= tolerance * max(1.0, abs(reference))


def is_better(goal: str, difference: float) -> bool:
    """Whether moving by `difference` (head minus base) goes the way `goal` wants."""
    return difference > 0 if goal == "maximize" else difference < 0


def compare_metric(
    name: str,
    *,
    goal: str,
    base: float | None,
    head: float | None,
    noise: NoiseTest = FLOAT_NOISE,
    interval: ChangeInterval | None = None,
    paired: bool | None = None,
) -> MetricChange:
    """Compare one metric's base and head values; either side may be missing (new / removed)."""
    if base is None or head is None:
        status: MetricStatus = "new" if base is None else "removed"
        return MetricChange(
            name=name, goal=goal, base=base, head=head, change=None, relative_change=None, status=status
        )
    change = head - base
    relative = change / abs(base) if base != 0 else None
    verdict: NoiseVerdict | None = None
    bounds = None
    if interval is not None:
        bounds = (interval.low, interval.high)
        verdict = "within_noise" if interval.holds_zero else "real"
    elif paired is False:
        verdict = "unknown"
    if noise.is_noise(metric=name, base=base, head=head) or verdict == "within_noise":
        status = "unchanged"
    else:
        status = "improved" if is_better(goal, change) else "regressed"
    return MetricChange(
        name=name,
        goal=goal,
        base=base,
        head=head,
        change=change,
        relative_change=relative,
        status=status,
        noise=verdict,
        interval=bounds,
    )


def model_status(metrics: Iterable[MetricChange]) -> ModelStatus:
    """The status of a model trained on both sides: regressed or improved when its metrics only moved
    one way, mixed when they moved both ways. Metrics measured on one side only move neither way."""
    statuses = {metric.status for metric in metrics}
    improved, regressed = "improved" in statuses, "regressed" in statuses
    if improved and regressed:
        return "mixed"
    if regressed:
        return "regressed"
    if improved:
        return "improved"
    return "unchanged"
