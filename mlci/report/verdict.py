"""The one-line answer a reader looks for first: did the gates pass, and what happened to the models."""

from __future__ import annotations

from collections import Counter

from mlci.compare.result import Comparison
from mlci.config.records import record

STATUS_ORDER = ("regressed", "mixed", "improved", "unchanged", "new", "removed")


@record
class Verdict:
    """`headline` is about gates ("1 gate failed"), led by models that failed to train when any did;
    `summary` about models ("2 models: 1 improved, ...")."""

    passed: bool
    headline: str
    summary: str
    failed: int
    passed_gates: int
    not_checked: int


def verdict_of(comparison: Comparison) -> Verdict:
    """Count the gates and model statuses of `comparison` into a verdict."""
    gates = [gate for model in comparison.models for gate in model.gates]
    failed = sum(gate.passed is False for gate in gates)
    passed = sum(gate.passed is True for gate in gates)
    not_checked = sum(gate.passed is None for gate in gates)
    if failed:
        others = [
            text for count, text in ((passed, f"{passed} passed"), (not_checked, f"{not_checked} not checked")) if count
        ]
        headline = f"{_count(failed, 'gate')} failed" + (f" ({', '.join(others)})" if others else "")
    elif passed:
        headline = "All gates passed" + (f" ({not_checked} not checked)" if not_checked else "")
    elif not_checked:
        headline = "No gate could be checked (no base values to compare with)"
    else:
        headline = "No gates set"
    untrained = len(comparison.training_failures)
    if untrained:
        gates_part = headline[0].lower() + headline[1:]
        headline = f"{_count(untrained, 'model')} failed to train; {gates_part}"
    return Verdict(
        passed=failed == 0 and not untrained,
        headline=headline,
        summary=model_summary(comparison),
        failed=failed,
        passed_gates=passed,
        not_checked=not_checked,
    )


def model_summary(comparison: Comparison) -> str:
    """`2 models: 1 improved, 1 unchanged`, statuses in order of urgency."""
    counts: Counter[str] = Counter(model.status for model in comparison.models)
    parts = [f"{counts[status]} {status}" for status in STATUS_ORDER if counts[status]]
    total = _count(len(comparison.models), "model")
    return f"{total}: {', '.join(parts)}" if parts else f"{total}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
