"""Reading `mlci.yaml`'s values with their place in the file: every check a section's parser makes
(a mapping with known keys, text, numbers, paths, durations) fails with the file, line and field."""

from __future__ import annotations

import math
import re
from functools import partial
from pathlib import Path
from typing import Any

from mlci.config.durations import parse_duration
from mlci.config.files import FolderResolver, confine, project_root
from mlci.config.yamlsource import FieldPath, YamlSource
from mlci.errors import ConfigError

MAX_SEED = 2**32 - 1
PERCENT = re.compile(r"^\s*(\d+(\.\d+)?)\s*%\s*$")


class Reader:
    """Type checks that know where in the file each value sits."""

    def __init__(self, source: YamlSource) -> None:
        self.source = source
        self.root = source.path.resolve().parent
        self.project = project_root(self.root)
        # Many models name the same files (a shared script, a params file): each is resolved once,
        # and the many files in one folder (each model's outputs) look up that folder once.
        self._paths: dict[tuple[str, bool], Path] = {}
        self._resolve = FolderResolver()

    def fail(self, path: FieldPath, message: str, *, hint: str | None = None) -> ConfigError:
        return self.source.error(path, message, hint=hint)

    def mapping(
        self,
        path: FieldPath,
        value: Any,
        *,
        allowed: set[str] | None = None,
        required: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> dict[str, Any]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping (key: value), not {kind_of(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be text, not {kind_of(key)} {key!r}")
            if allowed is not None and key not in allowed:
                close = close_match(key, sorted(allowed), n=1)
                hint = f"did you mean `{close[0]}`?" if close else f"allowed: {', '.join(sorted(allowed))}"
                raise self.fail((*path, key), f"unknown key ({hint})")
        for key in sorted(required):
            if key not in value:
                raise self.fail(path, f"missing required key `{key}`")
        return value

    def text(self, path: FieldPath, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be non-empty text, not {kind_of(value)}")
        return value

    def number(self, path: FieldPath, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(path, f"must be a finite number, not {kind_of(value)} {value!r}")
        return float(value)

    def integer(self, path: FieldPath, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"must be a whole number, not {kind_of(value)} {value!r}")
        return value

    def duration(self, path: FieldPath, value: Any) -> float:
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise self.fail(path, str(exc)) from None

    def path(self, path: FieldPath, value: Any, *, inside: bool = True) -> Path:
        """The path `value` (relative to the config's folder), resolved. Unless `inside` is false it
        must stay inside the project (the repository that holds the config), symlinks followed."""
        raw = self.text(path, value)
        found = self._paths.get((raw, inside))
        if found is None:
            if inside:
                found = confine(self.root / raw, self.project, error=partial(self.fail, path), resolve=self._resolve)
            else:
                found = self._resolve(self.root / raw)
            self._paths[(raw, inside)] = found
        return found

    def seed(self, path: FieldPath, value: Any) -> int:
        seed = self.integer(path, value)
        if not 0 <= seed <= MAX_SEED:
            raise self.fail(path, f"must be between 0 and {MAX_SEED} (2**32 - 1), not {seed}")
        return seed

    def drop(self, path: FieldPath, value: Any) -> tuple[float, bool]:
        """A `max_drop`: a number in the metric's units, or a percentage of the reference value
        (`"2%"`); the amount and whether it is a percentage."""
        match = PERCENT.match(value) if isinstance(value, str) else None
        if match:
            return float(match.group(1)), True
        if isinstance(value, str):
            raise self.fail(path, f"must be a number or a percentage like '2%', not {value!r}")
        drop = self.number(path, value)
        if drop < 0:
            raise self.fail(path, "must not be negative")
        return drop, False

    def flag(self, path: FieldPath, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"must be true or false, not {value!r}")
        return value

    def text_list(self, path: FieldPath, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list, not {kind_of(value)}")
        return [self.text((*path, i), item) for i, item in enumerate(value)]


def close_match(word: str, choices: list[str], n: int) -> list[str]:
    """The choices closest to a mistyped `word`; only a refusal asks, so difflib is loaded only then."""
    import difflib

    return difflib.get_close_matches(word, choices, n=n)


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
