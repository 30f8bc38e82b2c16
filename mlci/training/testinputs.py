"""What a run's test-set predictions were made from, as fingerprints kept in its lineage.

Two runs whose predictions have the same `y_true` column may still have predicted from different
inputs: the same rows with a feature rescaled, or a pipeline fixed upstream of the data file. So a
run records, beside its predictions, the number of test rows, a fingerprint of its target (the
`y_true` column as written in `predictions.csv`) and, when mlci made the predictions itself, a
fingerprint of each feature column the model was given (its type and values, in row order). A
comparison re-scores the base model when these differ (see `mlci.compare.inputs`); one per column
lets it say which features changed, and tell a column whose values changed from one the pull request
merely added or stopped using.

A command model records the rows and the target only: which features its program used is not
visible to mlci, which could not re-score such a model anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlci.runs.fingerprint import fingerprint_chunks
from mlci.training.predictions import Y_TRUE, prediction_columns

if TYPE_CHECKING:
    import pandas as pd

# A byte that cannot occur in text read from a data file: it keeps one value from running into the next.
VALUE_END = b"\x00"
# numpy kinds whose values are fixed-size bytes: booleans, integers, floats, complex, dates, durations.
RAW_KINDS = "biufcmM"


def describe_test_inputs(predictions: bytes, features: pd.DataFrame | None = None) -> dict[str, Any]:
    """`rows`, `target` and (given the test rows' `features`) `features`, column -> fingerprint: what
    a run keeps of its test inputs, from its `predictions.csv` bytes."""
    rows, target = target_fingerprint(predictions)
    described: dict[str, Any] = {"rows": rows, "target": target}
    if features is not None:
        described["features"] = {str(name): column_fingerprint(features[name]) for name in features.columns}
    return described


def target_fingerprint(predictions: bytes) -> tuple[int, str]:
    """The number of rows of a predictions file and the fingerprint of its `y_true` column, as written."""
    column = prediction_columns(predictions, (Y_TRUE,)).get(Y_TRUE)
    values: list[str] = [] if column is None else column.to_pylist()
    # Each value followed by VALUE_END, hashed as one piece: a million rows in a fraction of a second.
    end = VALUE_END.decode()
    joined = end.join(values) + end if values else ""
    return len(values), fingerprint_chunks([joined.encode()])


def column_fingerprint(column: pd.Series) -> str:
    """The fingerprint of a column's type and values, in row order (its index is not part of it)."""
    return fingerprint_chunks(_column_chunks(column))


def _column_chunks(column: pd.Series) -> Iterator[bytes]:
    import numpy as np

    yield str(column.dtype).encode() + VALUE_END
    values = column.to_numpy()
    if values.dtype.kind in RAW_KINDS:
        yield np.ascontiguousarray(values).tobytes()
    else:
        # Text, categories, mixed values: as they print, which is what a reader of the file sees.
        yield VALUE_END.join(str(value).encode("utf-8", errors="surrogatepass") for value in values)
