"""A command model's parameter files (`params: [params.yaml]`, DVC's habit), as a run records them.

Each file is YAML, JSON or TOML, read by the same bounded reader as metrics files, and its nested
keys are joined with dots (`train.lr`). Lists stay whole values: a parameter such as `layers: [64,
32]` is one setting, and diffing it item by item would only scatter it over several rows. A file
may name the keys (or whole sections) to record, as a DVC stage does, so a shared `params.yaml`
records only what this model reads.

Recorded names are `<file>:<key>` (`params.yaml:train.lr`): the file says where to change a value,
two files may use the same key, and adding a file never renames what was recorded before.
"""

from __future__ import annotations

import datetime
from typing import Any

from mlci.config import Config, ModelSpec
from mlci.config.fields import model_field
from mlci.config.files import VALUE_FORMATS
from mlci.config.schema import ParamsFileSpec
from mlci.config.yamlsource import display_path
from mlci.errors import ConfigError
from mlci.training.metrics_file import flatten, keys_listed, read_values_file
from mlci.training.params import json_safe


def command_params(config: Config, model: ModelSpec) -> dict[str, Any]:
    """The values of `model`'s parameter files, named `<file>:<key>`, in the files' order;
    `ConfigError` at the `params` entry of a file that cannot be read or lacks a key it names."""
    params: dict[str, Any] = {}
    for index, spec in enumerate(model.params):
        for key, value in file_params(config, model, index).items():
            params[f"{spec.name}:{key}"] = value
    return params


def file_params(config: Config, model: ModelSpec, index: int) -> dict[str, Any]:
    """The flattened values of `model`'s parameter file number `index`, only the keys it names."""
    spec = model.params[index]
    field = model_field(config, model.name, "params", index)
    data = read_values_file(spec.path, field=field, what="parameter file", kind=ConfigError, formats=VALUE_FORMATS)
    values = flatten(data, lists=False)
    if spec.keys is not None:
        values = _selected(values, spec, shown=display_path(spec.path), field_error=field.error)
    return {key: json_safe(_dated(value)) for key, value in values.items()}


def _dated(value: Any) -> Any:
    """Dates and times as ISO text: YAML and TOML both parse `2024-01-01` into a date, and a report
    should show what the file says, not Python's repr."""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def _selected(values: dict[str, Any], spec: ParamsFileSpec, *, shown: str, field_error: Any) -> dict[str, Any]:
    """The values under each key of `spec.keys`: the key itself, or a section's keys (`train` gives
    `train.lr` and `train.depth`)."""
    assert spec.keys is not None
    picked: dict[str, Any] = {}
    for wanted in spec.keys:
        found = {key: value for key, value in values.items() if key == wanted or key.startswith(f"{wanted}.")}
        if not found:
            raise field_error(
                f"{shown} has no parameter {wanted!r}",
                hint=f"Its keys are: {keys_listed(values)}. Nested keys are joined with dots (train.lr).",
            )
        picked.update(found)
    return picked
