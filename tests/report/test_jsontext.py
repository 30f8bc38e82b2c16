"""The comparison's JSON writer: the same text `json.dumps(indent=2, sort_keys=True)` writes."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any

import pytest

from mlci.report.jsontext import dumps_sorted_indented
from tests.report.helpers import failing, passing


class Level(IntEnum):
    HIGH = 3


def reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        None,
        "plain",
        {"b": 1, "a": [1, 2.5, None, True, False, "x"], "c": {}, "d": [], "e": {"z": [[], {}]}},
        {"floats": [0.1, 1e-300, 1e300, -0.0, float("nan"), float("inf"), float("-inf"), 12345678901234567890.0]},
        {"ints": [0, -1, 10**30, Level.HIGH], "bools": [True, False]},
        {"text": 'quote " backslash \\ newline \n tab \t control \x01 bidi \u202e é 漢 \ud800'},
        {2: "int keys", 10: "sort as numbers"},
        {1.5: "float key"},
        {True: "bool key"},
        {None: "null key"},
        {"tuples": (1, (2, 3)), "other": date(2026, 1, 2), "nested": [{"b": 2, "a": 1}]},
    ],
)
def test_writes_what_json_dumps_writes(value: Any) -> None:
    assert dumps_sorted_indented(value) == reference(value)


@pytest.mark.parametrize("make", [passing, failing])
def test_a_whole_comparison_is_written_as_json_dumps_writes_it(tmp_path: Path, make) -> None:
    _, comparison = make(tmp_path)
    document = comparison.to_json()
    assert dumps_sorted_indented(document) == reference(document)


@pytest.mark.parametrize("make", [passing, failing])
def test_the_document_holds_what_asdict_gives(tmp_path: Path, make) -> None:
    _, comparison = make(tmp_path)
    document = comparison.to_json()
    for model, entry in zip(comparison.models, document["models"], strict=True):
        expected = {**asdict(model), "data": model.data.to_json() if model.data else None, "passed": model.passed}
        assert entry == expected
    assert document["base"] == asdict(comparison.base) and document["head"] == asdict(comparison.head)
