"""Were the base's and this run's test-set predictions made from the same inputs?

Each run keeps fingerprints of its test inputs (see `mlci.training.testinputs`): the number of test
rows, the target as written in `predictions.csv`, and each feature column mlci gave the model. The
features that count are those both runs were given: a column the pull request added, or stopped
using, changes the model, not the inputs both models can be judged on. A base run recorded before
runs kept these fingerprints is judged by its predictions' `y_true` column alone, the way mlci always
paired predictions: the same rows with other feature values then go unnoticed, since nothing recorded
says what they were.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from mlci.compare.result import ChangedInputs
from mlci.config.records import record
from mlci.runs import TEST_INPUTS_KEY, Run


@record
class TestInputs:
    """What one run's test-set predictions were made from; `features` (column -> fingerprint) None
    when not known."""

    __test__ = False  # a name pytest would otherwise take for a test class

    rows: int
    target: str
    features: dict[str, str] | None = None

    @classmethod
    def of(cls, run: Run, predictions: bytes | None) -> TestInputs | None:
        """What `run` recorded; else what its predictions' bytes say; None when neither is known."""
        recorded = _recorded(run.lineage.get(TEST_INPUTS_KEY))
        if recorded is not None:
            return recorded
        if predictions is None:
            return None
        # Reading a predictions file loads its CSV reader: only for runs recorded before test inputs were.
        from mlci.training.testinputs import target_fingerprint

        rows, target = target_fingerprint(predictions)
        return cls(rows=rows, target=target)


@record
class InputsDifference:
    """What differs between two runs' test inputs (`because`), and for `features` which columns."""

    because: ChangedInputs
    columns: list[str] = field(default_factory=list)


def inputs_difference(head: TestInputs | None, base: TestInputs | None) -> InputsDifference | None:
    """What differs between the two sides' test inputs: `rows`, `target` or `features`; None when
    they are the same, or when either side's are unknown (there is then nothing to re-score on)."""
    if head is None or base is None:
        return None
    changed = _changed_features(head, base)
    if head.rows != base.rows:
        return InputsDifference("rows")
    if head.target != base.target:
        # Other target values on unchanged features is a relabelling; with other features too, other rows.
        known = head.features is not None and base.features is not None
        return InputsDifference("target" if known and not changed else "rows")
    return InputsDifference("features", changed) if changed else None


def _changed_features(head: TestInputs, base: TestInputs) -> list[str]:
    """The feature columns both sides were given whose type or values differ, in the head's order."""
    if head.features is None or base.features is None:
        return []
    return [name for name, value in head.features.items() if name in base.features and base.features[name] != value]


def _recorded(value: Any) -> TestInputs | None:
    """The lineage's `test_inputs`, when it holds what mlci writes there (a record may be old or edited)."""
    if not isinstance(value, dict):
        return None
    rows, target, features = value.get("rows"), value.get("target"), value.get("features")
    if isinstance(rows, bool) or not isinstance(rows, int) or not isinstance(target, str):
        return None
    known = None
    if isinstance(features, dict) and all(isinstance(value, str) for value in features.values()):
        known = {str(name): str(value) for name, value in features.items()}
    return TestInputs(rows=rows, target=target, features=known)
