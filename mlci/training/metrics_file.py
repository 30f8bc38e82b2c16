"""The metrics file a command-mode model writes: JSON, YAML or TOML, read like DVC reads metrics.

Nested keys are joined with dots (`{"test": {"auc": 0.9}}` gives `test.auc`) and list items by
their index (`folds.0`), so one file can hold any layout and `mlci.yaml` names the values it wants.
Only the declared metrics are taken, and each must be a finite number: a metric that is text, a
boolean, NaN or infinite cannot be compared, so it is an error rather than a silent gap.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from mlci.config.fields import ConfigField
from mlci.config.files import load_json, read_text_bounded
from mlci.config.yamlsource import display_path, parse_yaml
from mlci.errors import ConfigError, MetricsFileError

FORMATS = {".json": "JSON", ".yaml": "YAML", ".yml": "YAML", ".toml": "TOML"}
MAX_KEYS_SHOWN = 20
# Far above any file of named values; a file this large is output gone wrong, not metrics.
MAX_METRICS_BYTES = 10 * 1024 * 1024


def metrics_format(path: Path) -> str | None:
    """`JSON`, `YAML` or `TOML` from the file's extension, or None."""
    return FORMATS.get(path.suffix.lower())


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": 1}, "c": [2, 3]}` -> `{"a.b": 1, "c.0": 2, "c.1": 3}`; a scalar at the top is
    kept under the key `prefix`. Iterative, so any depth a parser accepted flattens too."""
    flat: dict[str, Any] = {}
    stack: list[tuple[str, Any]] = [(prefix, data)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            items = [(str(inner), item) for inner, item in value.items()]
        elif isinstance(value, list):
            items = [(str(index), item) for index, item in enumerate(value)]
        else:
            flat[key] = value
            continue
        stack.extend((f"{key}.{inner}" if key else inner, item) for inner, item in reversed(items))
    return flat


def read_metrics_file(path: Path, *, field: ConfigField) -> dict[str, Any]:
    """Every value in the metrics file at `path`, flattened; `MetricsFileError` located at `field`
    when it cannot be read or parsed."""
    shown = display_path(path)
    kind = metrics_format(path)
    if kind is None:
        raise field.error(
            f"{shown}: cannot tell the format of a metrics file from its extension",
            kind=MetricsFileError,
            hint="Name it .json, .yaml, .yml or .toml.",
        )
    fail = partial(field.error, kind=MetricsFileError)
    text = read_text_bounded(path, limit=MAX_METRICS_BYTES, what="a metrics file", error=fail)
    if not text.strip():
        raise fail(f"{shown} is empty")
    try:
        if kind == "JSON":
            data = load_json(text)
        elif kind == "TOML":
            data = tomllib.loads(text)
        else:
            data = parse_yaml(text, path).data
    except ConfigError as exc:  # parse_yaml's, which names the line
        raise fail(exc.message, hint=exc.hint) from None
    except ValueError as exc:  # JSON's and TOML's errors, and documents nested too deeply
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise fail(f"{shown} is not valid {kind}: {reason}") from None
    except RecursionError:
        raise fail(f"{shown} is not valid {kind}: nested too deeply to read") from None
    if not isinstance(data, (dict, list)):
        raise field.error(
            f"{shown} holds a single {type(data).__name__}, not named metrics",
            kind=MetricsFileError,
            hint='Write an object of named values, e.g. {"test": {"auc": 0.91}}.',
        )
    return flatten(data)


def pick_metrics(values: dict[str, Any], names: Sequence[str], *, path: Path, field: ConfigField) -> dict[str, float]:
    """The declared metrics `names` from the flattened `values` of the file at `path`, as floats.
    Keys the config does not declare are ignored."""
    shown = display_path(path)
    picked = {}
    for name in names:
        if name not in values:
            keys = [key if key.isprintable() else repr(key) for key in values if key]
            listed = ", ".join(keys[:MAX_KEYS_SHOWN]) + (", ..." if len(keys) > MAX_KEYS_SHOWN else "")
            raise field.error(
                f"{shown} has no metric {name!r}",
                kind=MetricsFileError,
                hint=f"Its keys are: {listed or 'none'}. Nested keys are joined with dots "
                "(test.auc) and list items by index (folds.0).",
            )
        picked[name] = _number(values[name], name=name, shown=shown, field=field)
    return picked


def _number(value: Any, *, name: str, shown: str, field: ConfigField) -> float:
    if isinstance(value, bool):
        raise field.error(f"{shown}: metric {name!r} is {str(value).lower()}, not a number", kind=MetricsFileError)
    if isinstance(value, str):
        hint = None
        try:
            float(value)
            hint = "Write it as a number, without quotes (in YAML, write 1.0e-3 rather than 1e-3)."
        except ValueError:
            pass
        raise field.error(
            f"{shown}: metric {name!r} is the text {value!r}, not a number", kind=MetricsFileError, hint=hint
        )
    if not isinstance(value, (int, float)):
        raise field.error(f"{shown}: metric {name!r} is {_kind(value)}, not a number", kind=MetricsFileError)
    number = float(value)
    if math.isnan(number):
        raise field.error(
            f"{shown}: metric {name!r} is NaN",
            kind=MetricsFileError,
            hint="The training produced no valid value for it; a metric must be a finite number.",
        )
    if math.isinf(number):
        raise field.error(
            f"{shown}: metric {name!r} is infinite", kind=MetricsFileError, hint="A metric must be a finite number."
        )
    return number


def _kind(value: Any) -> str:
    if value is None:
        return "empty (null)"
    return type(value).__name__
