"""Checking a model's gates (`min`, `max`, `max_drop` in `mlci.yaml`) against a comparison.

A value equal to a limit up to float rounding meets it: a gate `max_drop: 0.02` must not fail
because 0.91 - 0.89 is 0.020000000000000018 in binary floating point.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from mlci.compare.metrics import within_tolerance
from mlci.compare.numbers import MetricFormat, format_limit, format_percent, metric_format
from mlci.compare.result import GateResult, MetricChange
from mlci.config import GateSpec
from mlci.config.records import record


def evaluate_gates(gates: Iterable[GateSpec], metrics: Mapping[str, MetricChange]) -> list[GateResult]:
    """One result per limit of every gate, in the order min, max, max_drop.

    `metrics` maps metric names to this model's comparison; a gated metric missing from it (or with
    no head value) fails every limit on it, because a metric that disappeared can hide a regression.
    """
    results = []
    for gate in gates:
        metric = metrics.get(gate.metric)
        if gate.min is not None:
            results.append(_check_bound(_MIN, gate.metric, gate.min, metric))
        if gate.max is not None:
            results.append(_check_bound(_MAX, gate.metric, gate.max, metric))
        if gate.max_drop is not None:
            results.append(_check_max_drop(gate, metric))
    return results


def _exceeds(value: float, limit: float) -> bool:
    return value > limit and not within_tolerance(value - limit, reference=limit)


@record
class _Bound:
    """How a `min` or a `max` limit reads and which side of it fails."""

    kind: Literal["min", "max"]
    name: str
    inside: str
    outside: str

    def breached_by(self, value: float, limit: float) -> bool:
        return _exceeds(limit, value) if self.kind == "min" else _exceeds(value, limit)


_MIN = _Bound("min", "minimum", inside="meets", outside="is below")
_MAX = _Bound("max", "maximum", inside="is within", outside="is above")


def _check_bound(bound: _Bound, name: str, limit: float, metric: MetricChange | None) -> GateResult:
    text = format_limit(limit)
    head = metric.head if metric else None
    if metric is None or head is None:
        passed, message = False, f"{name} has no value in this run, so the {bound.name} {text} is not met"
    else:
        passed = not bound.breached_by(head, limit)
        verdict = bound.inside if passed else bound.outside
        message = f"{name} {_format_of(metric).value(head)} {verdict} the {bound.name} {text}"
    return GateResult(
        metric=name, kind=bound.kind, limit=limit, limit_text=text, value=head, passed=passed, message=message
    )


def _format_of(metric: MetricChange) -> MetricFormat:
    """The metric's one number format, so a gate message reads its values as the report's table does."""
    return metric_format(metric.base, metric.head)


def _check_max_drop(gate: GateSpec, metric: MetricChange | None) -> GateResult:
    name, limit = gate.metric, float(gate.max_drop or 0.0)
    text = f"{format_limit(limit)}%" if gate.max_drop_is_percent else format_limit(limit)

    def result(value: float | None, passed: bool | None, message: str) -> GateResult:
        return GateResult(
            metric=name, kind="max_drop", limit=limit, limit_text=text, value=value, passed=passed, message=message
        )

    if metric is None or metric.head is None:
        return result(None, False, f"{name} has no value in this run, so the allowed drop {text} is not met")
    if metric.base is None:
        return result(None, None, f"{name}: no base value to compare with, so the allowed drop {text} was not checked")
    base, head = metric.base, metric.head
    # The worsening in the goal's direction: positive when the metric got worse, negative when it improved.
    drop = base - head if metric.goal == "maximize" else head - base
    relative = drop / abs(base) if base != 0 else None
    percent = relative * 100 if relative is not None else None
    value = percent if gate.max_drop_is_percent else drop
    if drop <= 0 or within_tolerance(drop, reference=base):
        return result(
            value if value is not None else 0.0,
            True,
            f"{name} did not get worse than the base {_format_of(metric).value(base)} (allowed drop {text})",
        )
    verb = "dropped" if metric.goal == "maximize" else "rose"
    amount = _format_of(metric).value(drop) + (
        f" ({format_percent(relative, signed=False)})" if relative is not None else ""
    )
    if value is None:
        return result(
            None,
            False,
            f"{name} {verb} {amount} from a base of 0, which is no percentage of it, so more than the allowed {text}",
        )
    passed = not _exceeds(value, limit)
    limit_phrase = "within the allowed" if passed else "more than the allowed"
    message = f"{name} {verb} {amount}, {limit_phrase} {text}"
    if not passed and gate.significant:
        if metric.noise == "within_noise":
            return result(value, True, f"{message}, but within noise, and the gate fails only on a real drop")
        if metric.noise != "real":
            return result(value, False, f"{message}; whether it is real is unknown (no paired predictions)")
    return result(value, passed, message)
