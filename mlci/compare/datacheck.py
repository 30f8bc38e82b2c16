"""What changed in a model's training data between the base and this run.

The base's data is read from git at the base commit (`git show <commit>:<path>`), so this works for
data committed with the project; data kept elsewhere is reported as not checked. The checks:
columns added, removed or retyped; row counts; missing-value rates; the target's distribution; and
per-feature drift, as the population stability index (PSI, for numeric and categorical columns) and
a two-sample Kolmogorov-Smirnov test for numeric ones. Features come worst first.

PSI reading, by the usual convention: below 0.1 no real shift, 0.1-0.25 a moderate one, above 0.25 a
large one. `data_checks.max_psi` in mlci.yaml turns "large" into a failed check.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.compare.cache import ResultCache
from mlci.compare.decode import decode_as
from mlci.compare.result import DataCheck, FeatureDrift, GateResult, TargetShift
from mlci.config import DataSpec, ModelSpec
from mlci.console import MAYBE_LONG, Console
from mlci.errors import DataError
from mlci.git import Git
from mlci.runs.fingerprint import FingerprintCache, fingerprint_bytes

if TYPE_CHECKING:
    import pandas as pd

CACHE_KIND = "datacheck"
PSI_BINS = 10
PSI_FLOOR = 1e-4  # an empty bin would make PSI infinite; this floor is the usual remedy
WORST_SHOWN = 5


def data_gates(check: DataCheck, *, max_psi: float | None, fail_on_schema_change: bool) -> list[GateResult]:
    """The failed or passed data checks that mlci.yaml asks to enforce."""
    results = []
    if fail_on_schema_change:
        changes = [f"+{c}" for c in check.added_columns] + [f"-{c}" for c in check.removed_columns]
        changes += [f"{c} {a}->{b}" for c, a, b in check.retyped_columns]
        message = f"the columns of {check.path} changed: {', '.join(changes)}" if changes else "no schema change"
        results.append(_data_gate("schema", 0.0, float(len(changes)), not changes, message))
    if max_psi is not None and check.drift:
        worst = check.drift[0]
        passed = worst.psi <= max_psi
        verdict = "within" if passed else "above"
        message = f"largest drift: {worst.column} PSI {worst.psi:.3f}, {verdict} the allowed {max_psi:g}"
        results.append(_data_gate("drift", max_psi, worst.psi, passed, message))
    return results


def _data_gate(metric: str, limit: float, value: float, passed: bool, message: str) -> GateResult:
    return GateResult(
        metric=metric, kind="data", limit=limit, limit_text=f"{limit:g}", value=value, passed=passed, message=message
    )


def check_model_data(
    model: ModelSpec,
    base_commit: str,
    *,
    git: Git,
    console: Console,
    recorded: str | None = None,
    fingerprints: FingerprintCache | None = None,
    cache: ResultCache | None = None,
    root: Path | None = None,
) -> DataCheck | None:
    """The data check of `model` against its data at `base_commit`; None for models without `data:`.

    `recorded` is the fingerprint the base run recorded for the training file: when this checkout's
    file has the same, nothing changed, and neither git nor the file's content is read. A check made
    before for the same two versions of the file is taken from `cache`. `root` is the repository's top
    folder (git is asked when it is not given).

    Data that cannot be compared (outside the repository, not committed at the base, unreadable on
    either side) gives a check with a note saying why, never an error: the report still stands.
    """
    if model.data is None:
        return None
    path = model.data.train
    try:
        relative = path.resolve().relative_to((root or git.root()).resolve()).as_posix()
    except ValueError:
        return DataCheck(path=str(path), changed=False, note="outside the repository, so not compared")
    head_fingerprint = _fingerprint(path, fingerprints or FingerprintCache(None))
    if recorded is not None and recorded == head_fingerprint:
        return DataCheck(path=relative, changed=False)
    cache = cache or ResultCache(None)
    check = _cached(cache, relative, recorded, head_fingerprint, data=model.data)
    if check is not None:
        return check
    base_bytes = git.file_at(base_commit, relative)
    if base_bytes is None:
        return DataCheck(path=relative, changed=False, note="not in git at the base commit, so not compared")
    base_fingerprint = fingerprint_bytes(base_bytes)
    if base_fingerprint == head_fingerprint:
        return DataCheck(path=relative, changed=False)
    check = _cached(cache, relative, base_fingerprint, head_fingerprint, data=model.data)
    if check is not None:
        return check
    with console.step(f"{model.name}: checking what changed in {relative}", after=MAYBE_LONG):
        check = _check(path, relative, base_bytes, data=model.data)
    if head_fingerprint is not None:
        key = _key(relative, base_fingerprint, head_fingerprint, data=model.data)
        cache.put(CACHE_KIND, key, check.to_json())
    return check


def _check(path: Path, relative: str, base_bytes: bytes, *, data: DataSpec) -> DataCheck:
    # The table reader (and pandas behind it) loads only when the data's fingerprint has changed.
    from mlci.training.tables import read_table

    try:
        base = read_table(path, content=base_bytes, header=data.header)
    except DataError as exc:
        return DataCheck(path=relative, changed=True, note=f"the base's version could not be read: {exc.message}")
    try:
        head = read_table(path, header=data.header)
    except DataError as exc:
        return DataCheck(path=relative, changed=True, note=f"this run's version could not be read: {exc.message}")
    return compare_frames(relative, base, head, target=data.target)


def _fingerprint(path: Path, fingerprints: FingerprintCache) -> str | None:
    try:
        return fingerprints.fingerprint(path)
    except DataError:  # gone or unreadable: the check says so when it reads the file
        return None


def _key(relative: str, base: str, head: str, *, data: DataSpec) -> dict[str, str]:
    return {"path": relative, "base": base, "head": head, "target": data.target, "header": str(data.header).lower()}


def _cached(
    cache: ResultCache, relative: str, base: str | None, head: str | None, *, data: DataSpec
) -> DataCheck | None:
    if base is None or head is None:
        return None
    found = cache.get(CACHE_KIND, _key(relative, base, head, data=data))
    if found is None:
        return None
    try:
        return decode_as(found, DataCheck, where="a cached data check")
    except DataError:
        return None


def compare_frames(path: str, base: pd.DataFrame, head: pd.DataFrame, *, target: str) -> DataCheck:
    """What differs between the `base` and `head` versions of a data file: schema, rows, missing values,
    the target, and the drift of every other common column, worst first."""
    import pandas as pd

    base_columns, head_columns = list(base.columns), list(head.columns)
    common = [c for c in head_columns if c in base_columns]
    retyped = [
        (c, str(base[c].dtype), str(head[c].dtype))
        for c in common
        if pd.api.types.is_numeric_dtype(base[c]) != pd.api.types.is_numeric_dtype(head[c])
    ]
    missing = []
    for column in common:
        before, after = float(base[column].isna().mean()), float(head[column].isna().mean())
        if abs(after - before) >= 0.005:
            missing.append((column, before, after))
    drift = []
    retyped_names = {c for c, _, _ in retyped}
    for column in common:
        if column == target or column in retyped_names:
            continue
        drift.append(_drift(column, base[column], head[column]))
    drift.sort(key=lambda d: d.psi, reverse=True)
    return DataCheck(
        path=path,
        changed=True,
        added_columns=[c for c in head_columns if c not in base_columns],
        removed_columns=[c for c in base_columns if c not in head_columns],
        retyped_columns=retyped,
        rows=(len(base), len(head)),
        missing=missing,
        target=_target_shift(base, head, target) if target in base.columns and target in head.columns else None,
        drift=drift,
    )


def _drift(column: str, base: pd.Series, head: pd.Series) -> FeatureDrift:
    import numpy as np
    import pandas as pd

    before, after = base.dropna(), head.dropna()
    if pd.api.types.is_numeric_dtype(before) and before.nunique() > PSI_BINS:
        edges = np.unique(np.quantile(before.to_numpy(dtype=float), np.linspace(0, 1, PSI_BINS + 1)))
        edges[0], edges[-1] = -np.inf, np.inf
        expected = np.histogram(before, bins=edges)[0] / max(len(before), 1)
        actual = np.histogram(after, bins=edges)[0] / max(len(after), 1)
        from scipy.stats import ks_2samp

        pvalue = float(ks_2samp(before, after).pvalue) if len(before) and len(after) else None
        return FeatureDrift(column=column, kind="numeric", psi=_psi(expected, actual), ks_pvalue=pvalue)
    categories = sorted(set(before.astype(str)) | set(after.astype(str)))
    expected = before.astype(str).value_counts(normalize=True).reindex(categories, fill_value=0).to_numpy()
    actual = after.astype(str).value_counts(normalize=True).reindex(categories, fill_value=0).to_numpy()
    return FeatureDrift(column=column, kind="categorical", psi=_psi(expected, actual))


def _psi(expected: Any, actual: Any) -> float:
    import numpy as np

    e, a = np.clip(expected, PSI_FLOOR, None), np.clip(actual, PSI_FLOOR, None)
    value = float(np.sum((a - e) * np.log(a / e)))
    return value if math.isfinite(value) else float("inf")


def _target_shift(base: pd.DataFrame, head: pd.DataFrame, target: str) -> TargetShift:
    import pandas as pd

    before, after = base[target].dropna(), head[target].dropna()
    if pd.api.types.is_numeric_dtype(before) and before.nunique() > 20:
        return TargetShift(kind="numeric", mean=(float(before.mean()), float(after.mean())))
    shares_before = before.astype(str).value_counts(normalize=True)
    shares_after = after.astype(str).value_counts(normalize=True)
    labels = sorted(set(shares_before.index) | set(shares_after.index))
    return TargetShift(
        kind="classes",
        shares={label: (float(shares_before.get(label, 0.0)), float(shares_after.get(label, 0.0))) for label in labels},
    )
