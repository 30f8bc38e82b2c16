"""A run's `params`: the estimator's parameters as plain JSON, so `mlci compare` can show what changed.

Values that JSON cannot hold are recorded as their `repr`, minus memory addresses, which differ
from one process to the next and would make every run look changed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
MAX_ARRAY_ITEMS = 100


def estimator_params(estimator: Any, configured: Mapping[str, Any]) -> dict[str, Any]:
    """`configured` (the params written in mlci.yaml) over the estimator's own parameters: all
    constructor arguments of a plain estimator; for a Pipeline, the nested `step__param` values
    that are plain scalars (the steps themselves are described by those)."""
    from sklearn.pipeline import Pipeline

    params: dict[str, Any] = {}
    if callable(getattr(estimator, "get_params", None)):
        deep = isinstance(estimator, Pipeline)
        for name, value in estimator.get_params(deep=deep).items():
            if deep and not _is_scalar(value):
                continue
            params[name] = json_safe(value)
    for name, value in configured.items():
        params[name] = json_safe(value)
    return dict(sorted(params.items()))


def json_safe(value: Any) -> Any:
    """`value` as JSON can hold it: scalars as they are (numpy ones unwrapped), lists and mappings
    of those, a non-finite float as its text, anything else as its repr."""
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    elif isinstance(value, np.ndarray) and value.size <= MAX_ARRAY_ITEMS:
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if _is_scalar(value):
        return value
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, Mapping) and all(isinstance(key, str) for key in value):
        return {key: json_safe(item) for key, item in value.items()}
    return ADDRESS.sub("", repr(value))


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))
