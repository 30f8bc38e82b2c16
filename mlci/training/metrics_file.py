"""The metrics file a command-mode model writes: JSON, YAML or TOML, read like DVC reads metrics,
or the `Name: value` lines of CML's `metrics.txt`.

Nested keys are joined with dots (`{"test": {"auc": 0.9}}` gives `test.auc`) and list items by
their index (`folds.0`), so one file can hold any layout and `mlci.yaml` names the values it wants.
Only the declared metrics are taken, and each must be a finite number: a metric that is text, a
boolean, NaN or infinite cannot be compared, so it is an error rather than a silent gap.

A `.txt` file holds one metric per line, `Accuracy: 0.844` or `accuracy = 0.844` (names may hold
spaces), with `#` comments and blank lines ignored. Every other line is an error naming its line:
a line that does not parse is more likely a metric gone wrong than prose to skip.

The same reader reads a command model's parameter files (`params:`), which DVC keeps in YAML, JSON
or TOML too.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from mlci.config.fields import ConfigField
from mlci.config.files import VALUE_FORMATS, extensions, load_json, read_text_bounded
from mlci.config.yamlsource import display_path, parse_yaml
from mlci.errors import ConfigError, MetricsFileError, MlciError

FORMATS = {**VALUE_FORMATS, ".txt": "text"}
# `name: value` or `name = value`; the name may hold spaces and colons, the value is the last word.
TEXT_LINE = re.compile(r"^(?P<name>.*?\S)\s*[:=]\s*(?P<value>[^\s:=]+)$")
MAX_LINE_SHOWN = 80
MAX_KEYS_SHOWN = 20
# Far above any file of named values; a file this large is output gone wrong, not metrics.
MAX_METRICS_BYTES = 10 * 1024 * 1024


def metrics_format(path: Path) -> str | None:
    """`JSON`, `YAML`, `TOML` or `text` from the file's extension, or None."""
    return FORMATS.get(path.suffix.lower())


def flatten(data: Any, prefix: str = "", *, lists: bool = True) -> dict[str, Any]:
    """`{"a": {"b": 1}, "c": [2, 3]}` -> `{"a.b": 1, "c.0": 2, "c.1": 3}` (`{"a.b": 1, "c": [2, 3]}`
    without `lists`); a scalar at the top is kept under the key `prefix`. Iterative, so any depth a
    parser accepted flattens too."""
    flat: dict[str, Any] = {}
    stack: list[tuple[str, Any]] = [(prefix, data)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            items = [(str(inner), item) for inner, item in value.items()]
        elif isinstance(value, list) and lists:
            items = [(str(index), item) for index, item in enumerate(value)]
        else:
            flat[key] = value
            continue
        stack.extend((f"{key}.{inner}" if key else inner, item) for inner, item in reversed(items))
    return flat


def read_metrics_file(path: Path, *, field: ConfigField) -> dict[str, Any]:
    """Every value in the metrics file at `path`, flattened; `MetricsFileError` located at `field`
    when it cannot be read or parsed."""
    return flatten(read_values_file(path, field=field, what="metrics file", kind=MetricsFileError, formats=FORMATS))


def read_values_file(
    path: Path, *, field: ConfigField, what: str, kind: type[MlciError], formats: dict[str, str]
) -> dict[str, Any] | list[Any]:
    """The named values in the file at `path` (`what`: "metrics file"), parsed by its extension
    among `formats`, not yet flattened; `kind` located at `field` when it cannot be read or parsed."""
    shown = display_path(path)
    fail = partial(field.error, kind=kind)
    file_format = formats.get(path.suffix.lower())
    if file_format is None:
        raise fail(
            f"{shown}: cannot tell the format of a {what} from its extension",
            hint=f"Name it {extensions(formats)}.",
        )
    text = read_text_bounded(path, limit=MAX_METRICS_BYTES, what=f"a {what}", error=fail)
    if not text.strip():
        raise fail(f"{shown} is empty")
    if file_format == "text":
        return _text_lines(text, shown=shown, fail=fail)
    return _parsed(text, path, file_format, fail=fail)


def _parsed(text: str, path: Path, file_format: str, *, fail: Callable[..., MlciError]) -> dict[str, Any] | list[Any]:
    shown = display_path(path)
    try:
        if file_format == "JSON":
            data = load_json(text)
        elif file_format == "TOML":
            data = tomllib.loads(text)
        else:
            data = parse_yaml(text, path).data
    except ConfigError as exc:  # parse_yaml's, which names the line
        raise fail(exc.message, hint=exc.hint) from None
    except ValueError as exc:  # JSON's and TOML's errors, and documents nested too deeply
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise fail(f"{shown} is not valid {file_format}: {reason}") from None
    except RecursionError:
        raise fail(f"{shown} is not valid {file_format}: nested too deeply to read") from None
    if not isinstance(data, (dict, list)):
        raise fail(
            f"{shown} holds a single {type(data).__name__}, not named values",
            hint='Write an object of named values, e.g. {"test": {"auc": 0.91}}.',
        )
    return data


def _text_lines(text: str, *, shown: str, fail: Callable[..., MlciError]) -> dict[str, Any]:
    """`Accuracy: 0.844` lines as {name: number}; the first line that is not one is an error naming it."""
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = TEXT_LINE.match(line)
        value = _text_number(match.group("value")) if match else None
        if match is None or value is None:
            cut = line if len(line) <= MAX_LINE_SHOWN else line[:MAX_LINE_SHOWN] + "..."
            raise fail(
                f"{shown}:{number}: {cut!r} is not a metric line",
                hint="Each line of a .txt metrics file is `name: number` (or `name = number`), like "
                "`Accuracy: 0.844`; lines starting with # are comments. Write other output elsewhere.",
            )
        name = match.group("name")
        if name in lines:
            raise fail(f"{shown}:{number}: metric {name!r} again (first on line {lines[name]})")
        values[name], lines[name] = value, number
    return values


def _text_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def keys_listed(values: dict[str, Any]) -> str:
    """The keys of flattened `values` for a hint, as many as are useful: `test.auc, test.loss, ...`."""
    keys = [key if key.isprintable() else repr(key) for key in values if key]
    return (", ".join(keys[:MAX_KEYS_SHOWN]) + (", ..." if len(keys) > MAX_KEYS_SHOWN else "")) or "none"


def pick_metrics(values: dict[str, Any], names: Sequence[str], *, path: Path, field: ConfigField) -> dict[str, float]:
    """The declared metrics `names` from the flattened `values` of the file at `path`, as floats.
    Keys the config does not declare are ignored."""
    shown = display_path(path)
    picked = {}
    for name in names:
        if name not in values:
            raise field.error(
                f"{shown} has no metric {name!r}",
                kind=MetricsFileError,
                hint=f"Its keys are: {keys_listed(values)}. Nested keys are joined with dots "
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
