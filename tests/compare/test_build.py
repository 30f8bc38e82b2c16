"""Which models a comparison holds, with which status, gates, params and notes."""

from __future__ import annotations

from pathlib import Path

from mlci.compare.result import HeadInfo
from tests.compare.factories import BASE_SHA, compare, make_config, make_run


def by_name(comparison) -> dict:
    return {model.name: model for model in comparison.models}


def test_a_model_trained_on_both_sides(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    comparison = compare(
        config,
        head_runs={
            "iris": make_run("iris", {"accuracy": 0.95, "f1_macro": 0.94}, params={"C": 10.0}),
            "churn": make_run("churn", {"auc": 0.8, "latency_ms": 86.0}),
        },
        base_runs={
            "iris": make_run("iris", {"accuracy": 0.93, "f1_macro": 0.94}, params={"C": 1.0}, commit=BASE_SHA),
            "churn": make_run("churn", {"auc": 0.8, "latency_ms": 80.0}, commit=BASE_SHA),
        },
    )
    iris, churn = comparison.models
    assert (iris.name, iris.status, churn.name, churn.status) == ("iris", "improved", "churn", "regressed")
    assert [(m.name, m.status) for m in iris.metrics] == [("accuracy", "improved"), ("f1_macro", "unchanged")]
    assert [(p.name, p.base, p.head) for p in iris.params] == [("C", 1.0, 10.0)]
    assert [(g.kind, g.passed) for g in iris.gates] == [("min", True), ("max_drop", True)]
    assert iris.head_run.commit != iris.base_run.commit and iris.base_run.branch == "main"
    assert iris.head_run.config_hash == "0123456789abcdef" and iris.head_run.duration_seconds == 2.5
    assert iris.notes == [] and comparison.passed


def test_metrics_follow_the_config_order_then_extra_ones(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    comparison = compare(
        config,
        head_runs={"iris": make_run("iris", {"zeta": 1.0, "f1_macro": 0.9, "accuracy": 0.9})},
        base_runs={"iris": make_run("iris", {"accuracy": 0.9, "alpha": 2.0}, commit=BASE_SHA)},
    )
    iris = by_name(comparison)["iris"]
    assert [(m.name, m.status) for m in iris.metrics] == [
        ("accuracy", "unchanged"),
        ("f1_macro", "new"),
        ("alpha", "removed"),
        ("zeta", "new"),
    ]


def test_the_goal_comes_from_the_head_run(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    head = make_run("iris", {"accuracy": 0.9, "f1_macro": 0.5}, goals={"accuracy": "maximize", "f1_macro": "minimize"})
    base = make_run("iris", {"accuracy": 0.9, "f1_macro": 0.6}, commit=BASE_SHA)
    metric = by_name(compare(config, {"iris": head}, {"iris": base}))["iris"].metrics[1]
    assert (metric.goal, metric.status) == ("minimize", "improved")


def test_a_model_without_a_base_run_is_new_and_max_drop_is_not_checked(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    comparison = compare(
        config, head_runs={"iris": make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9})}, base_runs={}
    )
    iris = by_name(comparison)["iris"]
    assert iris.status == "new" and {m.status for m in iris.metrics} == {"new"}
    assert [(g.kind, g.passed) for g in iris.gates] == [("min", True), ("max_drop", None)]
    assert iris.params == [] and iris.base_run is None and comparison.passed


def test_a_model_only_the_base_has_is_removed_and_not_gated(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    comparison = compare(
        config,
        head_runs={
            "iris": make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9}),
            "legacy": make_run("legacy", {"auc": 0.1}),
        },
        base_runs={"legacy": make_run("legacy", {"auc": 0.7}, commit=BASE_SHA)},
    )
    names = [model.name for model in comparison.models]
    assert names == ["iris", "churn", "legacy"]
    legacy = by_name(comparison)["legacy"]
    assert legacy.status == "removed" and legacy.gates == [] and legacy.head_run is None
    assert [(m.name, m.base, m.head, m.status) for m in legacy.metrics] == [("auc", 0.7, None, "removed")]


def test_a_configured_model_not_trained_here_keeps_the_base_values(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    comparison = compare(
        config,
        head_runs={"iris": make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9})},
        base_runs={"churn": make_run("churn", {"auc": 0.8, "latency_ms": 500.0}, commit=BASE_SHA)},
    )
    churn = by_name(comparison)["churn"]
    assert churn.status == "unchanged" and churn.gates == [] and churn.head_run is None
    assert [(m.name, m.base, m.head, m.status) for m in churn.metrics] == [
        ("auc", 0.8, None, "unchanged"),
        ("latency_ms", 500.0, None, "unchanged"),
    ]
    assert any("not trained in this checkout" in note for note in churn.notes)
    # Its base value breaks `max: 100`, but nothing new was measured: the PR is not blamed for it.
    assert comparison.passed


def test_a_model_that_failed_to_train_shows_the_base_values_and_fails_the_comparison(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    stale = make_run("churn", {"auc": 0.99, "latency_ms": 1.0})
    reason = "mlci.yaml:9: models.churn.timeout: churn: timed out after 30m"
    comparison = compare(
        config,
        head_runs={"iris": make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9}), "churn": stale},
        base_runs={"churn": make_run("churn", {"auc": 0.8, "latency_ms": 50.0}, commit=BASE_SHA)},
        failed={"churn": reason},
    )
    churn = by_name(comparison)["churn"]
    # The run this checkout still holds from before is not this commit's: its values are not shown.
    assert [(m.name, m.base, m.head) for m in churn.metrics] == [("auc", 0.8, None), ("latency_ms", 50.0, None)]
    assert churn.notes == [f"training failed in this checkout: {reason}; showing the base's values, gates not checked"]
    assert not comparison.passed and by_name(comparison)["iris"].passed
    assert comparison.to_json()["training_failures"] == {"churn": reason}


def test_a_configured_model_with_no_run_anywhere_is_new_and_empty(tmp_path: Path) -> None:
    comparison = compare(make_config(tmp_path), head_runs={}, base_runs={})
    churn = by_name(comparison)["churn"]
    assert churn.status == "new" and churn.metrics == [] and "not trained in this checkout" in churn.notes[0]


def test_a_gated_metric_missing_from_the_head_run_fails(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    comparison = compare(
        config,
        head_runs={"iris": make_run("iris", {"f1_macro": 0.9})},
        base_runs={"iris": make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9}, commit=BASE_SHA)},
    )
    assert not comparison.passed
    assert [(model, gate.kind) for model, gate in comparison.failed_gates] == [("iris", "min"), ("iris", "max_drop")]


def test_runs_from_another_commit_or_a_dirty_tree_get_notes(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    stale = make_run("iris", {"accuracy": 0.95, "f1_macro": 0.9}, commit="1234567" + "0" * 33, dirty=True)
    comparison = compare(
        config, head_runs={"iris": stale}, base_runs={}, head=HeadInfo(commit="b" * 40, branch="feature", dirty=True)
    )
    assert by_name(comparison)["iris"].notes == [
        "trained at 1234567, not at the current commit",
        "trained with uncommitted changes",
    ]
    assert any("uncommitted changes" in note for note in comparison.notes)


def test_json_document_has_schema_version_and_passed_flags(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    comparison = compare(config, head_runs={"iris": make_run("iris", {"accuracy": 0.5, "f1_macro": 0.5})}, base_runs={})
    data = comparison.to_json()
    assert data["schema_version"] == 1 and data["passed"] is False
    assert data["generated_at"] == "2026-11-22T12:00:00+00:00"
    assert [model["passed"] for model in data["models"]] == [False, True]
