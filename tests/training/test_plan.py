"""The matrix a plan becomes: one job per changed model, or buckets of them above `plan.max_jobs`."""

from __future__ import annotations

from mlci.training.plan import Plan, Planned


def plan_of(count: int, max_jobs: int) -> Plan:
    planned = [Planned(f"m{index}", "config changed") for index in range(count)]
    return Plan(base_ref="main", base_commit=None, planned=planned, unchanged=[], libraries={}, max_jobs=max_jobs)


def test_up_to_max_jobs_each_model_gets_its_own_job() -> None:
    include = plan_of(3, max_jobs=3).matrix()["include"]
    assert include[0] == {"name": "m0", "model": "m0", "models": "m0", "reason": "config changed"}
    assert len(include) == 3


def test_above_max_jobs_the_models_are_spread_over_max_jobs_buckets() -> None:
    include = plan_of(300, max_jobs=256).matrix()["include"]
    assert len(include) == 256
    sizes = [len(entry["models"].split()) for entry in include]
    assert sizes.count(2) == 44 and sizes.count(1) == 212
    assert [name for entry in include for name in entry["models"].split()] == [f"m{index}" for index in range(300)]
    assert include[0] == {"name": "bucket-1", "models": "m0 m1", "reason": "m0: config changed; m1: config changed"}


def test_nothing_planned_is_an_empty_matrix_and_any_false() -> None:
    empty = plan_of(0, max_jobs=256)
    assert empty.matrix() == {"include": []} and empty.any is False
    assert empty.to_json()["any"] is False
