"""A model's training and test data: read, checked against the config, and split.

Every check here exists because the failure it prevents would otherwise surface deep inside
scikit-learn with a message about arrays rather than about the user's file and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.config import Config, DataSpec, ModelSpec
from mlci.config.fields import ConfigField, model_field
from mlci.config.records import record
from mlci.config.yamlsource import display_path
from mlci.console import Console
from mlci.errors import DataError, MlciError
from mlci.training.tables import is_number, read_table

if TYPE_CHECKING:
    import pandas as pd

MAX_ROWS_SHOWN = 5


@record
class Dataset:
    """Features and target of the training and the test rows."""

    x_train: pd.DataFrame
    y_train: pd.Series
    x_test: pd.DataFrame
    y_test: pd.Series
    split: str

    @property
    def rows(self) -> dict[str, int]:
        return {"train": len(self.x_train), "test": len(self.x_test)}


def load_dataset(config: Config, model: ModelSpec, *, classification: bool | None, console: Console) -> Dataset:
    """Read `model`'s data, check target and `drop` columns, and hold out its test rows: the `test`
    file when there is one, else a seeded split of `train` (stratified for classification).
    `classification` is None when the task is not known yet (`validate` does not call an entrypoint):
    then the checks that depend on it are left to training."""
    data = model.data
    assert data is not None, "only declarative and entrypoint models have data"
    field = model_field(config, model.name, "data")
    train = read_table(data.train, field=field.child("train"), header=data.header)
    features = feature_columns(train.columns, data, field=field, path=data.train)
    check_target(
        train, data.target, path=data.train, field=field.child("target"), classification=classification, data=data
    )
    if data.test is not None:
        test = read_table(data.test, field=field.child("test"), header=data.header)
        missing = [column for column in [*features, data.target] if column not in test.columns]
        if missing:
            raise field.child("test").error(
                f"{display_path(data.test)} lacks {_some(missing)}, which {display_path(data.train)} has",
                kind=DataError,
                hint="The test file needs the same feature and target columns as the training file.",
            )
        check_target(
            test, data.target, path=data.test, field=field.child("test"), classification=classification, data=data
        )
        return Dataset(
            x_train=train[features],
            y_train=train[data.target],
            x_test=test[features],
            y_test=test[data.target],
            split=f"test file {display_path(data.test)}",
        )
    return _split(train, features, data, field=field, classification=classification, console=console)


def feature_columns(columns: Sequence[str], data: DataSpec, *, field: ConfigField, path: Path) -> list[str]:
    """The columns the model learns from: all but the target and the `drop` columns. Raises
    `DataError` naming the field when the target or a `drop` column is not among `columns`."""
    problems = column_problems(columns, data, field=field, path=path)
    if problems:
        raise problems[0]
    excluded = {data.target, *data.drop}
    features = [column for column in columns if column not in excluded]
    if not features:
        raise field.error(
            f"{display_path(path)} has no feature columns left once the target and `drop` columns are set aside",
            kind=DataError,
        )
    return features


def column_problems(columns: Sequence[str], data: DataSpec, *, field: ConfigField, path: Path) -> list[MlciError]:
    """A `DataError` for the target and for each `drop` column that is not among `columns`."""
    present = list(columns)
    wanted = [(field.child("target"), data.target)]
    wanted += [(field.child("drop", index), column) for index, column in enumerate(data.drop)]
    hint = f"Its columns are: {', '.join(present)}."
    # A header of numbers is rare; a first row of values read as one is not.
    if data.header and present and 2 * sum(map(is_number, present)) >= len(present):
        hint += " They look like values: if the file has no header row, add `header: false` (col_0, col_1, ...)."
    return [
        where.error(
            f"column {column!r} is not in {display_path(path)}{_did_you_mean(column, present)}",
            kind=DataError,
            hint=hint,
        )
        for where, column in wanted
        if column not in present
    ]


def check_target(
    frame: pd.DataFrame, target: str, *, path: Path, field: ConfigField, classification: bool | None, data: DataSpec
) -> None:
    """Refuse a target with missing values, a single class for a classifier, or the wrong kind of
    values for the task (when it is known)."""
    import pandas as pd

    values = frame[target]
    missing = values.isna().to_numpy().nonzero()[0]
    if len(missing):
        # Line numbers in the file: pandas counts rows from zero, and a header takes the first line.
        first = 2 if data.header else 1
        lines = ", ".join(str(row + first) for row in missing[:MAX_ROWS_SHOWN])
        more = f" and {len(missing) - MAX_ROWS_SHOWN} more" if len(missing) > MAX_ROWS_SHOWN else ""
        where = f" (lines {lines}{more})" if path.suffix.lower() != ".parquet" else ""
        raise field.error(
            f"target column {target!r} of {display_path(path)} is empty in {len(missing)} of {len(values)} rows{where}",
            kind=DataError,
            hint="Drop those rows or fill them in; a model cannot learn from an unknown target.",
        )
    if classification is None:
        return
    if classification:
        classes = values.unique()
        if len(classes) < 2:
            raise field.error(
                f"target column {target!r} of {display_path(path)} has a single class "
                f"({classes[0]!r}); a classifier needs at least two",
                kind=DataError,
            )
        if pd.api.types.is_float_dtype(values) and not (values == values.round()).all():
            raise field.error(
                f"target column {target!r} of {display_path(path)} holds continuous numbers "
                f"({len(classes)} distinct values), but the estimator is a classifier",
                kind=DataError,
                hint="Use a regressor for a numeric target.",
            )
    elif not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise field.error(
            f"target column {target!r} of {display_path(path)} is not numeric "
            f"(e.g. {values.iloc[0]!r}), but the estimator is a regressor",
            kind=DataError,
            hint="Use a classifier for a categorical target.",
        )


def _split(
    train: pd.DataFrame,
    features: list[str],
    data: DataSpec,
    *,
    field: ConfigField,
    classification: bool | None,
    console: Console,
) -> Dataset:
    from sklearn.model_selection import train_test_split

    size = data.split.test_size
    rows = len(train)
    if isinstance(size, int) and size >= rows:
        raise field.child("split", "test_size").error(
            f"holds out {size} rows, but {display_path(data.train)} has only {rows}", kind=DataError
        )
    x, y = train[features], train[data.target]
    described = f"{size:g}" if isinstance(size, float) else f"{size} rows"
    split_args = {"test_size": size, "random_state": data.split.seed}
    stratified = False
    try:
        if classification:
            try:
                x_train, x_test, y_train, y_test = train_test_split(x, y, stratify=y, **split_args)
                stratified = True
            except ValueError as exc:
                # Too few rows of some class to put one on each side; an unstratified split still works.
                console.warn(
                    f"{display_path(data.train)}: cannot stratify the split ({exc}); splitting without stratification"
                )
                x_train, x_test, y_train, y_test = train_test_split(x, y, **split_args)
        else:
            x_train, x_test, y_train, y_test = train_test_split(x, y, **split_args)
    except ValueError as exc:
        raise field.child("split").error(
            f"cannot split {display_path(data.train)} ({rows} rows): {exc}", kind=DataError
        ) from None
    how = "stratified " if stratified else ""
    return Dataset(
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        split=f"{how}split of {display_path(data.train)}, test_size {described}, seed {data.split.seed}",
    )


def _did_you_mean(name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {choice.lower().strip(): choice for choice in choices}
        match = lowered.get(name.lower().strip())
        close = [match] if match else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def _some(columns: list[str]) -> str:
    shown = ", ".join(repr(column) for column in columns[:MAX_ROWS_SHOWN])
    more = f" and {len(columns) - MAX_ROWS_SHOWN} more" if len(columns) > MAX_ROWS_SHOWN else ""
    return f"column{'s' if len(columns) > 1 else ''} {shown}{more}"
