"""Read a YAML file safely and remember where each value came from.

Every YAML document mlci reads (the config, metrics files) goes through `parse_yaml`. It composes
the text into nodes with libyaml's safe loader when available (the pure-Python one otherwise), which
builds no Python objects and keeps the line of every key, so errors can say
`mlci.yaml:7: models.iris.estimator.class: ...`; then it builds the values from those same nodes.

Between the two it walks the document as its aliases expand it, and refuses one that repeats more
than `MAX_ALIAS_NODES` nodes through aliases (a few hundred bytes of nested aliases can otherwise
stand for billions of nodes) or whose alias refers to a node that contains it (it never ends).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.config.files import display_path, read_text_bounded
from mlci.config.records import record
from mlci.config.yamlcache import cached_yaml, keep_yaml, kept_lines
from mlci.errors import ConfigError

if TYPE_CHECKING:
    import yaml

__all__ = ["MAX_ALIAS_NODES", "MAX_CONFIG_BYTES", "YamlSource", "display_path", "dotted", "load_yaml", "parse_yaml"]

MAX_CONFIG_BYTES = 1024 * 1024
# Nodes visited again through aliases, in all. A config that shares a few sections between models
# repeats some hundreds; an alias bomb reaches this within a few levels and is refused at once.
MAX_ALIAS_NODES = 10_000
# Deeper than any real config or metrics file, and shallow enough to construct without exhausting the stack.
MAX_NESTING = 1_000
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


@record
class YamlSource:
    """A parsed YAML document plus the line number (1-based) of every key and item in it."""

    path: Path
    data: Any
    lines: Mapping[FieldPath, int] = field(default_factory=dict)

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


class _LinesOnDemand(Mapping[FieldPath, int]):
    """The lines of a config read back from the cache, worked out the first time an error asks for
    one: most commands meet no error, and a config of hundreds of models has thousands of keys. When
    the kept lines are damaged, they come from parsing the text again."""

    def __init__(self, kept: str, text: str, path: Path) -> None:
        self._kept, self._text, self._path = kept, text, path
        self._lines: dict[FieldPath, int] | None = None

    def _all(self) -> dict[FieldPath, int]:
        if self._lines is None:
            self._lines = kept_lines(self._kept)
            if self._lines is None:
                self._lines = dict(parse_yaml(self._text, self._path).lines)
        return self._lines

    def __getitem__(self, path: FieldPath) -> int:
        return self._all()[path]

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def load_yaml(
    path: Path, *, max_bytes: int = MAX_CONFIG_BYTES, cache: Path | None = None, keep: bool = True
) -> YamlSource:
    """Parse the config file `path`; raise `ConfigError` for any problem, never a traceback. With a
    `cache` folder, a text parsed before is read from there, and (when `keep`) a new one kept there
    (see `mlci.config.yamlcache`)."""
    text = read_text_bounded(
        path, limit=max_bytes, what="a config file", missing_hint="Run `mlci init` to write a starter mlci.yaml."
    )
    if cache is None:
        return parse_yaml(text, path)
    kept = cached_yaml(cache, text)
    if kept is not None:
        return YamlSource(path=path, data=kept[0], lines=_LinesOnDemand(kept[1], text, path))
    source = parse_yaml(text, path)
    if keep:
        keep_yaml(cache, text, source.data, source.lines)
    return source


def parse_yaml(text: str, path: Path) -> YamlSource:
    """Parse YAML text that came from `path` (named in messages); `ConfigError` naming file and
    line when it is not valid YAML, expands too far through aliases, or nests too deeply."""
    import yaml

    shown = display_path(path)
    # libyaml's loader when PyYAML was built with it: several times faster, same safe constructors.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        lines = _index(node, shown) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{shown}{line}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: not valid YAML: {exc}") from None
    except RecursionError:
        # Only the pure-Python loader recurses per level; libyaml refuses deep nesting itself.
        raise ConfigError(f"{shown}: not valid YAML: nested too deeply to read") from None
    finally:
        loader.dispose()
    return YamlSource(path=path, data=data, lines=lines)


def _index(root: yaml.Node, shown: str) -> dict[FieldPath, int]:
    """The line of every key and item, walking the document as its aliases expand it.

    Refuses duplicate keys, an alias inside the node it refers to, and more than `MAX_ALIAS_NODES`
    nodes visited again through aliases. Iterative, so a deeply nested document cannot exhaust
    Python's stack. Merged mappings (`<<: *base`) are walked for the count but give no lines: their
    keys are where the anchor is, not where they are used.
    """
    import yaml

    lines: dict[FieldPath, int] = {}
    seen: set[int] = set()
    open_collections: set[int] = set()  # the collections around the node being looked at
    repeated = 0
    # (node, its field path or None when it gives no lines, the line that brought it here, depth, leaving?)
    stack: list[tuple[yaml.Node, FieldPath | None, int, int, bool]] = [(root, (), root.start_mark.line + 1, 0, False)]
    while stack:
        node, path, line, depth, leaving = stack.pop()
        if leaving:
            open_collections.discard(id(node))
            continue
        if depth > MAX_NESTING:
            # libyaml refuses deep documents only in some releases; constructing one would recurse.
            raise ConfigError(f"{shown}:{line}: not valid YAML: nested deeper than {MAX_NESTING} levels")
        again = id(node) in seen
        if again:
            repeated += 1
            if repeated > MAX_ALIAS_NODES:
                raise ConfigError(
                    f"{shown}:{line}: YAML aliases repeat more than {MAX_ALIAS_NODES:,} nodes in this document; "
                    "mlci does not expand documents that grow this much",
                    hint="Write the repeated parts out, or repeat them through fewer levels of aliases.",
                )
        seen.add(id(node))
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            continue
        open_collections.add(id(node))
        stack.append((node, path, line, depth, True))
        for child, child_path, child_line in reversed(_children(node, path, shown, lines)):
            if id(child) in open_collections:
                raise ConfigError(
                    f"{shown}:{child_line}: a YAML alias here refers to a node that contains it, "
                    "so the document would never end"
                )
            # Inside a repeated part, problems are reported at the alias that repeated it.
            stack.append((child, child_path, line if again else child_line, depth + 1, False))
    return lines


def _children(
    node: yaml.MappingNode | yaml.SequenceNode, path: FieldPath | None, shown: str, lines: dict[FieldPath, int]
) -> list[tuple[yaml.Node, FieldPath | None, int]]:
    """The values of a mapping or the items of a sequence, each with its field path and the line
    that names it; records those lines (and refuses a key written twice) when `path` is not None."""
    import yaml

    children: list[tuple[yaml.Node, FieldPath | None, int]] = []
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path = None if path is None else (*path, index)
            if item_path is not None:
                lines[item_path] = item.start_mark.line + 1
            children.append((item, item_path, item.start_mark.line + 1))
        return children
    keys: set[str] = set()
    for key_node, value_node in node.value:
        key, key_line = str(key_node.value), key_node.start_mark.line + 1
        if key == "<<" or path is None:
            children.append((value_node, None, key_line))
            continue
        if key in keys:
            raise ConfigError(f"{shown}:{key_line}: {dotted((*path, key))}: key appears twice")
        keys.add(key)
        lines[(*path, key)] = key_line
        children.append((value_node, (*path, key), key_line))
    return children
