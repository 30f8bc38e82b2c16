"""`predictions.csv`: a run's test-set predictions, one row per test row. A documented format,
which command-mode models may write too:

    y_true           the target value
    y_pred           the predicted value
    proba_<class>    classifiers with predict_proba: one column per class, in `classes_` order
    score            binary classifiers without predict_proba: the decision function
    score_<class>    other classifiers without predict_proba: one decision column per class

Metrics are computed from these columns, never by predicting again, so a later look at the file
(a bootstrap, a report) sees exactly what the recorded metrics saw.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.config.fields import ConfigField
from mlci.config.records import record
from mlci.config.yamlsource import display_path
from mlci.errors import MetricsFileError

if TYPE_CHECKING:
    import pandas as pd

FILE_NAME = "predictions.csv"
Y_TRUE, Y_PRED = "y_true", "y_pred"
PROBA_PREFIX, SCORE_PREFIX, SCORE_COLUMN = "proba_", "score_", "score"


@record
class PredictionsSummary:
    """What mlci learns from a command's predictions file without loading it into pandas."""

    rows: int
    classification: bool


def predict_test_set(
    model: Any, x_test: pd.DataFrame, y_test: pd.Series, *, classification: bool
) -> tuple[pd.DataFrame, list[Any] | None]:
    """The fitted `model`'s predictions on the test rows in the `predictions.csv` layout, and the
    class order for classifiers (None for regressors)."""
    import pandas as pd

    columns: dict[str, Any] = {Y_TRUE: y_test.to_numpy(), Y_PRED: model.predict(x_test)}
    classes = None
    if classification:
        classes = list(model.classes_)
        if callable(getattr(model, "predict_proba", None)):
            probabilities = model.predict_proba(x_test)
            for position, label in enumerate(classes):
                columns[f"{PROBA_PREFIX}{label}"] = probabilities[:, position]
        elif callable(getattr(model, "decision_function", None)):
            scores = model.decision_function(x_test)
            if scores.ndim == 1:
                columns[SCORE_COLUMN] = scores
            else:
                for position, label in enumerate(classes):
                    columns[f"{SCORE_PREFIX}{label}"] = scores[:, position]
    return pd.DataFrame(columns), classes


def read_predictions(path: Path) -> tuple[pd.DataFrame, list[Any] | None]:
    """A `predictions.csv` and its class order (None when it has no per-class columns and so
    does not tell), with labels of the same type as in `y_true`."""
    import pandas as pd

    frame = pd.read_csv(path)
    return frame, classes_from_columns(frame)


def classes_from_columns(frame: pd.DataFrame) -> list[Any] | None:
    """The class labels named by `proba_<class>` (or `score_<class>`) columns, in column order.

    A CSV header is text, so each name is matched to the label in `y_true` or `y_pred` that prints
    the same; a class that never occurs in either is converted to `y_true`'s type."""
    for prefix in (PROBA_PREFIX, SCORE_PREFIX):
        names = [str(column)[len(prefix) :] for column in frame.columns if str(column).startswith(prefix)]
        if names:
            break
    else:
        return None
    seen = {str(label): _plain(label) for column in (Y_TRUE, Y_PRED) for label in frame[column].unique()}
    dtype = frame[Y_TRUE].dtype
    return [seen[name] if name in seen else _as_label(name, dtype) for name in names]


def prediction_columns(raw: bytes, names: Iterable[str] = (Y_TRUE, Y_PRED)) -> dict[str, Any]:
    """The columns `names` of a predictions file's bytes, as written (text), each a pyarrow string
    array; a column the file lacks, or every column of a file that is no CSV, is left out.

    Read with pyarrow's CSV reader, which parses only what is asked for (a million rows in a
    fraction of a second); a file it refuses (rows of unequal length, text that is not UTF-8) is
    read as Python's csv module reads it, so an odd file still pairs as it always did."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    wanted = list(dict.fromkeys(names))
    header = _header(raw)
    present = [name for name in wanted if name in header]
    if len(set(header)) != len(header):
        return _columns_by_csv_module(raw, wanted)
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(raw),
            read_options=pa_csv.ReadOptions(use_threads=False),
            convert_options=pa_csv.ConvertOptions(
                include_columns=present, column_types={name: pa.string() for name in present}
            ),
        )
    except (pa.ArrowException, ValueError):
        return _columns_by_csv_module(raw, wanted)
    return {name: table.column(name).combine_chunks() for name in present}


def _header(raw: bytes) -> list[str]:
    line = raw[: raw.find(b"\n") + 1] if b"\n" in raw else raw
    try:
        return next(csv.reader(io.StringIO(line.decode("utf-8", errors="replace"))), [])
    except csv.Error:
        return []


def _columns_by_csv_module(raw: bytes, wanted: list[str]) -> dict[str, Any]:
    import pyarrow as pa

    # A damaged file reads as other values, never as an error: it simply pairs with nothing.
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace")))
    try:
        header = next(reader, [])
        rows = [row for row in reader if row]
    except csv.Error:
        return {}
    return {
        name: pa.array([row[i] if i < len(row) else "" for row in rows], type=pa.string())
        for i, name in enumerate(header)
        if name in wanted
    }


def summarize_predictions_file(path: Path, *, field: ConfigField) -> PredictionsSummary:
    """Check that a command's predictions file is a CSV with `y_true` and `y_pred` columns and count
    its rows; `MetricsFileError` naming the file otherwise."""
    shown = display_path(path)
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            header = next(reader, None)
            rows = sum(1 for row in reader if row)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise field.error(f"{shown} is not a readable CSV file: {exc}", kind=MetricsFileError) from None
    except OSError as exc:
        raise field.error(f"{shown}: cannot read it: {exc.strerror or exc}", kind=MetricsFileError) from None
    columns = [name.strip() for name in header or []]
    missing = [name for name in (Y_TRUE, Y_PRED) if name not in columns]
    if missing:
        found = ", ".join(columns) if columns else "no header at all"
        raise field.error(
            f"{shown} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (its header: {found})",
            kind=MetricsFileError,
            hint="A predictions file is a CSV with y_true and y_pred columns, one row per test row, "
            "plus proba_<class> columns for classifiers.",
        )
    classification = any(name.startswith((PROBA_PREFIX, SCORE_PREFIX)) or name == SCORE_COLUMN for name in columns)
    return PredictionsSummary(rows=rows, classification=classification)


def _as_label(name: str, dtype: Any) -> Any:
    import numpy as np

    try:
        return _plain(np.array([name]).astype(dtype)[0])
    except (TypeError, ValueError):
        return name


def _plain(label: Any) -> Any:
    """A numpy scalar as the Python value it holds, so labels compare and print like the data."""
    return label.item() if hasattr(label, "item") and type(label).__module__ == "numpy" else label
