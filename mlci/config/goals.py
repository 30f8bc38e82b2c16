"""Which way is better for well-known metric names, without importing scikit-learn."""

from __future__ import annotations

from mlci.config.metric_names import expand_alias
from mlci.config.schema import Goal

_MINIMIZE_SUFFIXES = ("_error", "_loss", "_deviance", "loss", "error", "_ms", "_seconds", "latency")
_MAXIMIZE_PREFIXES = (
    "accuracy",
    "balanced_accuracy",
    "f1",
    "precision",
    "recall",
    "roc_auc",
    "auc",
    "average_precision",
    "jaccard",
    "r2",
    "explained_variance",
    "matthews",
    "top_k",
    "neg_",
    "adjusted_",
    "mutual_info",
    "normalized_mutual",
    "homogeneity",
    "completeness",
    "v_measure",
    "fowlkes",
    "rand_score",
    "d2_",
)


def goal_from_name(name: str) -> Goal | None:
    """The usual goal for a metric called `name` (its last dotted part: `test.rmse`), short names
    included, or None when the name does not tell."""
    leaf = expand_alias(name.rsplit(".", 1)[-1]).lower()
    if leaf.startswith(_MAXIMIZE_PREFIXES):
        return "maximize"
    if leaf.endswith(_MINIMIZE_SUFFIXES) or leaf.startswith("brier"):
        return "minimize"
    return None
