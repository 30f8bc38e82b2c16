"""What changed in a model's parameters between the base run and the head run."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mlci.compare.result import ParamChange


def diff_params(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[ParamChange]:
    """Added, removed and changed keys of two flat parameter dicts, sorted by name; values as recorded."""
    changes = []
    for name in sorted(set(base) | set(head), key=str):
        if name not in base:
            changes.append(ParamChange(name=name, base=None, head=head[name], kind="added"))
        elif name not in head:
            changes.append(ParamChange(name=name, base=base[name], head=None, kind="removed"))
        elif not _same(base[name], head[name]):
            changes.append(ParamChange(name=name, base=base[name], head=head[name], kind="changed"))
    return changes


def _same(left: Any, right: Any) -> bool:
    # Python's == says True == 1 and NaN != NaN; for parameters the first is a change and the second is not.
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
        return True
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)
