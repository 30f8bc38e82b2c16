"""The parameters diff between a base run and a head run."""

from __future__ import annotations

import math

from mlci.compare.params import diff_params


def test_added_removed_and_changed_keys_with_values_as_recorded() -> None:
    base = {"C": 1.0, "solver": "lbfgs", "penalty": "l2", "max_iter": 100}
    head = {"C": 10.0, "solver": "lbfgs", "max_iter": 100, "tol": 1e-4}
    diff = {p.name: (p.kind, p.base, p.head) for p in diff_params(base, head)}
    assert diff == {"C": ("changed", 1.0, 10.0), "penalty": ("removed", "l2", None), "tol": ("added", None, 1e-4)}


def test_sorted_by_name() -> None:
    assert [p.name for p in diff_params({}, {"b": 1, "a": 2, "c": 3})] == ["a", "b", "c"]


def test_a_key_set_to_null_is_not_a_removed_key() -> None:
    [change] = diff_params({"random_state": 0}, {"random_state": None})
    assert (change.kind, change.base, change.head) == ("changed", 0, None)


def test_true_and_1_differ_but_nan_equals_nan() -> None:
    assert [p.name for p in diff_params({"flag": 1, "x": math.nan}, {"flag": True, "x": math.nan})] == ["flag"]


def test_nested_values_compare_by_content() -> None:
    assert diff_params({"grid": {"a": [1, 2]}}, {"grid": {"a": [1, 2]}}) == []
    assert [p.name for p in diff_params({"grid": {"a": [1, 2]}}, {"grid": {"a": [1, 3]}})] == ["grid"]
