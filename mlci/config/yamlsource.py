"""Read a YAML file safely and remember where each value came from.

`yaml.safe_load` gives the values; composing the same text into nodes (which builds no Python
objects, so it is as safe as `safe_load`) gives the line of every key, so errors can say
`mlci.yaml:7: models.iris.estimator.class: ...`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlci.errors import ConfigError

MAX_CONFIG_BYTES = 1024 * 1024

FieldPath = tuple[str | int, ...]


def dotted(path: FieldPath) -> str:
    """`("models", "iris", "metrics", 0)` -> `models.iris.metrics[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class YamlSource:
    """A parsed YAML document plus the line number (1-based) of every key and item in it."""

    path: Path
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def error(self, path: FieldPath, message: str, *, hint: str | None = None) -> ConfigError:
        """A `ConfigError` that names file, line and field."""
        line = self.line_of(path)
        where = f"{display_path(self.path)}:{line}" if line else display_path(self.path)
        field_name = f" {dotted(path)}:" if path else ""
        return ConfigError(f"{where}:{field_name} {message}", hint=hint)


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it, else as it is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml(path: Path, *, max_bytes: int = MAX_CONFIG_BYTES) -> YamlSource:
    """Parse `path` with the safe loader; raise `ConfigError` for any problem, never a traceback."""
    shown = display_path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such file", hint="Run `mlci init` to write a starter mlci.yaml.") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror}") from None
    if size > max_bytes:
        raise ConfigError(f"{shown}: is {size:,} bytes; the limit for a config file is {max_bytes:,}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror}") from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlSource:
    """Parse YAML text that came from `path` (used in messages)."""
    shown = display_path(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{shown}{line}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: not valid YAML: {exc}") from None
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _index_node(node, (), lines, shown)
    return YamlSource(path=path, data=data, lines=lines)


def _index_node(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int], shown: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key == "<<":
                continue
            if key in seen:
                where = dotted((*path, key))
                raise ConfigError(f"{shown}:{key_node.start_mark.line + 1}: {where}: key appears twice")
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index_node(value_node, (*path, key), lines, shown)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _index_node(item, (*path, index), lines, shown)
