"""The config as the last command parsed it, kept as JSON under `.mlci/cache/config/` by the hash of
its text, so the commands of one job (train, compare, report) parse an unchanged `mlci.yaml` once.

Parsing YAML costs several times what the rest of a comparison does for a config of hundreds of
models (libyaml builds a Python object for every node, then the values are built from those), while
JSON of the same values reads back with the C parser at once. Only documents whose values JSON holds
exactly (mappings with string keys, lists, strings, numbers, booleans, null) are kept; one with a
date or binary value is parsed every time.

Like every cache of mlci's, a convenience and never a source of truth: an entry that cannot be read
or does not hold what it should is a miss, one that cannot be written is skipped. The key is the text
itself (and mlci's version), so an edited config never meets an old entry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xxhash

from mlci import __version__
from mlci.config.files import keep_newest, load_json, write_atomically

__all__ = ["KEEP", "cached_yaml", "keep_yaml", "kept_lines"]

FORMAT = 2
KEEP = 8
_JSON_SCALARS = (str, int, float, bool, type(None))


def cached_yaml(folder: Path, text: str) -> tuple[Any, str] | None:
    """The values kept for the YAML `text` and the text of their key lines (read with `kept_lines`
    when an error needs one), or None when there are none."""
    path = _entry(folder, text)
    try:
        entry = load_json(path.read_bytes())
        data, rows = entry["data"], entry["lines"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (data, rows) if isinstance(rows, str) else None


def kept_lines(rows: str) -> dict[tuple[str | int, ...], int] | None:
    """The line of every key and item from the text `cached_yaml` gave; None when it is damaged."""
    try:
        entries = load_json(rows)
        if not isinstance(entries, list):
            return None
        paths: list[tuple[str | int, ...]] = []
        lines = {}
        for parent, key, line in entries:
            if not (type(parent) is int and type(key) in (str, int) and type(line) is int):
                return None
            field_path = (*paths[parent], key) if parent >= 0 else (key,)
            paths.append(field_path)
            lines[field_path] = line
    except (ValueError, TypeError, IndexError):
        return None
    return lines


def keep_yaml(folder: Path, text: str, data: Any, lines: Mapping[tuple[str | int, ...], int]) -> None:
    """Keep what `text` parsed to, when JSON holds it exactly; drop the oldest entries beyond `KEEP`."""
    rows = _line_rows(lines)
    if rows is None or not _fits_json(data):
        return
    path = _entry(folder, text)
    try:
        # The lines are kept as one string: json reads a string back far faster than the thousands
        # of small lists they are, and only an error ever needs them.
        lines_text = json.dumps(rows, separators=(",", ":"))
        document = json.dumps({"data": data, "lines": lines_text}, separators=(",", ":"))
        write_atomically(path, document.encode())
        keep_newest(folder, "*.json", KEEP)
    except (OSError, ValueError, RecursionError):
        return


def _line_rows(lines: Mapping[tuple[str | int, ...], int]) -> list[tuple[int, str | int, int]] | None:
    """The lines as `(row of the parent's path or -1 at the top, last key, line)`: a fraction of the
    size of whole paths. None when a parent comes after its child (the walk that makes them never
    does so)."""
    rows: list[tuple[int, str | int, int]] = []
    row_of: dict[tuple[str | int, ...], int] = {}
    for path, line in lines.items():
        parent = row_of.get(path[:-1], -1 if len(path) == 1 else None)
        if parent is None:
            return None
        row_of[path] = len(rows)
        rows.append((parent, path[-1], line))
    return rows


def _entry(folder: Path, text: str) -> Path:
    digest = xxhash.xxh3_128_hexdigest(f"{FORMAT}\0{__version__}\0{text}".encode("utf-8", "surrogatepass"))
    return folder / f"{digest}.json"


def _fits_json(data: Any) -> bool:
    """Whether JSON gives back exactly `data`: only mappings with string keys, lists and JSON's
    scalars. Iterative, as a document may nest deeper than Python's stack."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if not all(type(key) is str for key in value):
                return False
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif type(value) not in _JSON_SCALARS:
            return False
    return True
