"""Has the data drifted? The batch against the data the version was trained on, feature by feature.

The same checks as a pull request's data block (`mlci.compare.datacheck`): PSI over ten quantile bins
of the training values (categories for text columns) and a Kolmogorov-Smirnov test for numeric ones.
A numeric feature drifted when its PSI is above `max_psi` *and* the KS test says the shift is no
sampling noise (p below `ks_pvalue`); a categorical one when its PSI is above `max_psi`; a feature
numeric on one side only always. The batch drifted when at least `max_drifted_share` of the features did.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mlci.compare.datacheck import compare_frames
from mlci.config.records import record
from mlci.config.schema import DriftSpec
from mlci.monitor.result import FeatureCheck

if TYPE_CHECKING:
    import pandas as pd


@record
class DriftFindings:
    features: list[FeatureCheck]
    missing: list[tuple[str, float, float]]

    @property
    def drifted(self) -> list[str]:
        return [feature.column for feature in self.features if feature.drifted]

    @property
    def share(self) -> float:
        return len(self.drifted) / len(self.features) if self.features else 0.0

    def batch_drifted(self, spec: DriftSpec) -> bool:
        return bool(self.drifted) and self.share >= spec.max_drifted_share


def check_drift(
    train: pd.DataFrame, batch: pd.DataFrame, *, features: list[str], path: str, spec: DriftSpec
) -> DriftFindings:
    """Every feature of `features` in `batch` against `train`, worst first."""
    compared = [column for column in features if column in train.columns]
    # No target: a feature's drift is what matters here, and the batch may have no labels at all.
    check = compare_frames(path, train[compared], batch[compared], target="")
    found = [
        FeatureCheck(column=column, kind="retyped", psi=None, ks_pvalue=None, drifted=True)
        for column, _before, _after in check.retyped_columns
    ]
    for drift in check.drift:
        noise_ruled_out = drift.ks_pvalue is None or drift.ks_pvalue < spec.ks_pvalue
        drifted = drift.psi > spec.max_psi and noise_ruled_out
        # JSON has no infinity: a PSI too large to be a number is kept as no number, and drifted.
        psi = drift.psi if math.isfinite(drift.psi) else None
        found.append(
            FeatureCheck(column=drift.column, kind=drift.kind, psi=psi, ks_pvalue=drift.ks_pvalue, drifted=drifted)
        )
    return DriftFindings(features=found, missing=list(check.missing))
