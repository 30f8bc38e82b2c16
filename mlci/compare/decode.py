"""Reading a comparison back from its `--format json` document, as strictly as its schema reads it.

`mlci comment` renders the report of the fork-safe pattern from a comparison that a pull request's
run wrote, so every byte of the document is untrusted. It is decoded into the dataclasses of
`mlci.compare.result`, driven by their type hints:

- a string is a string of at most `MAX_TEXT` characters; a number is a finite number (never a
  bool); a whole number is an int; a `Literal` is one of its values; `X | None` is X or null; a
  list, a fixed-length tuple (a JSON list) and an object with string keys hold what their hints say;
- a field without a default (or marked `IN_EVERY_DOCUMENT`) is required, any other may be left out;
- a field that must meet more than its type carries the rule in its annotation
  (`Annotated[str, COMMIT]`, see `result.Check`); a field typed `Any` holds plain JSON, nested at
  most `MAX_DEPTH` deep, with finite numbers and bounded strings;
- fields the dataclasses do not know are ignored, as the schema asks of every reader: they never
  reach a report, which is rendered only from what was decoded;
- `schema_version` must be the one this mlci writes, and the properties written beside the fields
  (`JSON_DERIVED`: `passed`, `schema_changed`) must be there and agree with them: a document whose
  `passed` says otherwise than its gates was not written by mlci, and its verdict cannot be trusted.

So a field added to the dataclasses with a default is read, type-checked, with no change here.
The tests hold this reader against `templates/comparison.schema.json` with the `jsonschema`
package, which mlci itself does not need.
"""

from __future__ import annotations

import json
import math
import types
import typing
from dataclasses import MISSING, Field, fields, is_dataclass
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, Union

from mlci.compare.result import IN_EVERY_DOCUMENT, SCHEMA_VERSION, Check, Comparison
from mlci.errors import DataError

MAX_TEXT = 10_000
MAX_DEPTH = 20

_NONE = type(None)
T = TypeVar("T")


class _Invalid(Exception):
    """One problem, at a path inside the document (`models[0].metrics[1].base`)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def comparison_from_text(text: str | bytes, *, where: str) -> Comparison:
    """Parse and decode a comparison document; `DataError` naming `where` and the field when it is
    not one mlci could have written."""
    try:
        # Decoded here, not by `json`, which would take a byte-order mark as leave to read UTF-16 or 32.
        document = text.decode("utf-8") if isinstance(text, bytes) else text
        data = json.loads(document, parse_constant=_refuse_constant, object_pairs_hook=_object_without_duplicates)
    except UnicodeDecodeError:
        raise DataError(f"{where}: not UTF-8 text, so not a comparison mlci wrote") from None
    except json.JSONDecodeError as exc:
        raise DataError(
            f"{where}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}",
            hint="It should be the comparison written by `mlci report --json-output FILE` "
            "(or `mlci compare --format json`), not a rendered report.",
        ) from None
    except _Invalid as exc:
        raise DataError(f"{where}: {exc.problem}") from None
    except (ValueError, RecursionError) as exc:
        # Numbers with thousands of digits, or lists nested thousands deep.
        raise DataError(f"{where}: not a JSON document mlci can read ({type(exc).__name__}: {exc})"[:300]) from None
    return comparison_from_json(data, where=where)


def comparison_from_json(data: Any, *, where: str) -> Comparison:
    """Decode parsed JSON into a `Comparison` (see the module's docstring for the rules)."""
    if not isinstance(data, dict):
        raise DataError(f"{where}: a comparison is a JSON object, not {_kind(data)}")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        shown = "missing" if "schema_version" not in data else json.dumps(version)[:40]
        raise DataError(
            f"{where}: schema_version is {shown}; this mlci reads comparisons of schema_version {SCHEMA_VERSION}",
            hint="Use the same major version of mlci (mlci-dev/mlci@v1) in the workflow that writes the "
            "comparison and in the one that posts it.",
        )
    return decode_as(data, Comparison, where=where)


def decode_as(data: Any, cls: type[T], *, where: str) -> T:
    """Decode parsed JSON into `cls`, a dataclass of `mlci.compare.result`, by the rules above;
    `DataError` naming `where` and the field when it does not fit."""
    try:
        decoded: T = _decode(data, cls, "")
    except _Invalid as exc:
        raise DataError(f"{where}: {exc.path or 'the document'}: {exc.problem}") from None
    return decoded


def _decode(value: Any, hint: Any, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is Annotated:
        inner, *rules = typing.get_args(hint)
        decoded = _decode(value, inner, path)
        for rule in rules:
            if isinstance(rule, Check) and not rule.test(decoded):
                raise _Invalid(path, f"expected {rule.description}")
        return decoded
    if hint is Any:
        _check_plain(value, path, depth=0)
        return value
    if origin in (Union, types.UnionType):
        return _decode_union(value, typing.get_args(hint), path)
    if origin is Literal:
        choices = typing.get_args(hint)
        if isinstance(value, str) and value in choices:
            return value
        raise _Invalid(path, f"expected one of {', '.join(map(json.dumps, choices))}, got {_kind(value)}")
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_decode(entry, item, f"{path}[{index}]") for index, entry in enumerate(_expect(value, list, path))]
    if origin is tuple:
        items = typing.get_args(hint)
        entries = _expect(value, list, path)
        if len(entries) != len(items):
            raise _Invalid(path, f"expected a list of {len(items)} items, got {len(entries)}")
        pairs = enumerate(zip(entries, items, strict=True))
        return tuple(_decode(entry, item, f"{path}[{index}]") for index, (entry, item) in pairs)
    if origin is dict:
        _key, item = typing.get_args(hint)
        return {
            _text(key, f"{path} (a key)"): _decode(entry, item, f"{path}[{json.dumps(key[:40])}]")
            for key, entry in _expect(value, dict, path).items()
        }
    if isinstance(hint, type) and is_dataclass(hint):
        return _decode_dataclass(value, hint, path)
    if hint is str:
        return _text(value, path)
    if hint is bool:
        return _expect(value, bool, path)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(path, f"expected a whole number, got {_kind(value)}")
        return value
    if hint is float:
        return _number(value, path)
    if hint is _NONE:
        if value is not None:
            raise _Invalid(path, f"expected null, got {_kind(value)}")
        return None
    raise TypeError(f"mlci.compare.decode cannot read {hint!r} at {path}; teach it the type")


def _decode_union(value: Any, arms: tuple[Any, ...], path: str) -> Any:
    if value is None and _NONE in arms:
        return None
    candidates = [arm for arm in arms if arm is not _NONE]
    if len(candidates) == 1:
        return _decode(value, candidates[0], path)
    problems = []
    for arm in candidates:
        try:
            return _decode(value, arm, path)
        except _Invalid as exc:
            if exc.path != path:
                raise  # the value had this arm's shape; the problem is inside it
            problems.append(exc.problem)
    raise _Invalid(path, "; ".join(problems))


def _decode_dataclass(value: Any, cls: type, path: str) -> Any:
    entries = _expect(value, dict, path)
    hints = _hints(cls)
    arguments = {}
    for spec in fields(cls):
        where = f"{path}.{spec.name}" if path else spec.name
        if spec.name in entries:
            arguments[spec.name] = _decode(entries[spec.name], hints[spec.name], where)
        elif _required(spec):
            raise _Invalid(where, "missing")
    decoded = cls(**arguments)
    for name in getattr(cls, "JSON_DERIVED", ()):
        where = f"{path}.{name}" if path else name
        expected = getattr(decoded, name)
        if name not in entries:
            raise _Invalid(where, "missing")
        if entries[name] != expected or type(entries[name]) is not type(expected):
            raise _Invalid(where, f"expected {json.dumps(expected)}, as the rest of the document says")
    return decoded


def _required(spec: Field[Any]) -> bool:
    no_default = spec.default is MISSING and spec.default_factory is MISSING
    return no_default or IN_EVERY_DOCUMENT.items() <= spec.metadata.items()


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _expect(value: Any, kind: type, path: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        expected = {list: "a list", dict: "an object", bool: "true or false"}[kind]
        raise _Invalid(path, f"expected {expected}, got {_kind(value)}")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(path, f"expected a string, got {_kind(value)}")
    if len(value) > MAX_TEXT:
        raise _Invalid(path, f"a string of {len(value)} characters; at most {MAX_TEXT} are allowed")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(path, f"expected a number, got {_kind(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise _Invalid(path, "expected a finite number")
    return number


def _check_plain(value: Any, path: str, *, depth: int) -> None:
    """Plain JSON for an `Any` field: bounded strings, finite numbers, not nested too deep."""
    if depth > MAX_DEPTH:
        raise _Invalid(path, f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        _text(value, path)
    elif isinstance(value, float):
        _number(value, path)
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            _check_plain(entry, f"{path}[{index}]", depth=depth + 1)
    elif isinstance(value, dict):
        for key, entry in value.items():
            _text(key, path)
            _check_plain(entry, f"{path}[{json.dumps(key[:40])}]", depth=depth + 1)


def _kind(value: Any) -> str:
    """What a JSON value is, in words, without repeating it (it may be long or hostile)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _refuse_constant(name: str) -> Any:
    raise _Invalid("", f"{name} is not a number JSON allows (NaN and infinities are refused)")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two values for one key would let different readers see different documents.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Invalid("", f"the key {json.dumps(key[:40])} appears twice in one object")
        result[key] = value
    return result
