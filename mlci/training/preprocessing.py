"""The default preprocessing: what lets a bare estimator train on a real table with text columns
and missing values, as a data scientist would set it up by hand.

Numeric columns are imputed with the median and scaled; categorical ones (text, category, and
true/false columns with gaps) are imputed with the most frequent value and one-hot encoded,
ignoring categories the training rows never showed. Gapless true/false columns are only one-hot
encoded: scikit-learn's imputer refuses their dtype, and they have nothing to impute.
The result is an ordinary scikit-learn Pipeline, saved as the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlci.config.fields import ConfigField
from mlci.config.records import record
from mlci.errors import DataError

if TYPE_CHECKING:
    import pandas as pd


def needs_preprocessing(estimator: Any, *, setting: str) -> bool:
    """Whether mlci wraps `estimator`: not when the config says `preprocessing: none`, and not when
    the estimator is already a Pipeline (which then owns its preprocessing)."""
    from sklearn.pipeline import Pipeline

    return setting != "none" and not isinstance(estimator, Pipeline)


@record
class ColumnKinds:
    numeric: list[str]
    categorical: list[str]
    boolean: list[str]


def column_kinds(features: pd.DataFrame, *, field: ConfigField) -> ColumnKinds:
    """The feature columns by how they are preprocessed; `DataError` for a column that fits no kind
    (dates, durations), which the default preprocessing cannot turn into numbers."""
    import pandas as pd

    kinds = ColumnKinds(numeric=[], categorical=[], boolean=[])
    for column in features.columns:
        dtype = features[column].dtype
        if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.BooleanDtype):
            kinds.boolean.append(column)
        elif (
            pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_object_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
        ):
            kinds.categorical.append(column)
        elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
            kinds.numeric.append(column)
        else:
            raise field.error(
                f"column {column!r} has type {dtype}, which the default preprocessing cannot use",
                kind=DataError,
                hint="List it under `drop`, derive numbers from it in your data, or make the "
                "estimator a Pipeline that handles it (see `entrypoint`).",
            )
    return kinds


def with_preprocessing(estimator: Any, features: pd.DataFrame, *, field: ConfigField) -> Any:
    """`estimator` behind a ColumnTransformer suited to `features`' columns, as one Pipeline."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.utils import get_tags

    kinds = column_kinds(features, field=field)
    # Many estimators (histogram gradient boosting, for one) refuse sparse input; only hand them
    # a sparse one-hot matrix when they say they accept it.
    sparse = bool(get_tags(estimator).input_tags.sparse)
    transformers = []
    if kinds.numeric:
        transformers.append(
            (
                "numeric",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="median")),
                        ("scale", StandardScaler()),
                    ]
                ),
                kinds.numeric,
            )
        )
    if kinds.categorical:
        transformers.append(
            (
                "categorical",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="most_frequent")),
                        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=sparse)),
                    ]
                ),
                kinds.categorical,
            )
        )
    if kinds.boolean:
        transformers.append(("boolean", OneHotEncoder(handle_unknown="ignore", sparse_output=sparse), kinds.boolean))
    columns = ColumnTransformer(transformers, sparse_threshold=0.3 if sparse else 0.0)
    return Pipeline([("preprocess", columns), ("model", estimator)])
