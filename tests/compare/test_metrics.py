"""One metric's status from its goal, and a model's status from its metrics."""

from __future__ import annotations

import pytest

from mlci.compare.metrics import compare_metric, model_status


@pytest.mark.parametrize(
    ("goal", "base", "head", "status"),
    [
        ("maximize", 0.90, 0.95, "improved"),
        ("maximize", 0.90, 0.85, "regressed"),
        ("minimize", 120.0, 100.0, "improved"),
        ("minimize", 100.0, 120.0, "regressed"),
    ],
)
def test_status_follows_the_goal(goal: str, base: float, head: float, status: str) -> None:
    metric = compare_metric("m", goal=goal, base=base, head=head)
    assert metric.status == status
    assert metric.change == pytest.approx(head - base)
    assert metric.relative_change == pytest.approx((head - base) / abs(base))


def test_relative_change_divides_by_the_absolute_base() -> None:
    metric = compare_metric("neg_loss", goal="maximize", base=-2.0, head=-1.0)
    assert metric.status == "improved" and metric.relative_change == pytest.approx(0.5)


def test_float_rounding_is_not_a_change() -> None:
    noisy = 0.1 + 0.2  # 0.30000000000000004
    assert compare_metric("accuracy", goal="maximize", base=0.3, head=noisy).status == "unchanged"
    assert compare_metric("latency_ms", goal="minimize", base=1e6, head=1e6 + 1e-4).status == "unchanged"


def test_a_tiny_real_change_still_counts() -> None:
    assert compare_metric("accuracy", goal="maximize", base=0.9, head=0.9 + 1e-6).status == "improved"
    assert compare_metric("latency_ms", goal="minimize", base=1e6, head=1e6 + 10).status == "regressed"


def test_zero_base_has_no_relative_change() -> None:
    metric = compare_metric("r2", goal="maximize", base=0.0, head=0.5)
    assert metric.status == "improved" and metric.change == 0.5 and metric.relative_change is None


def test_one_sided_metrics_are_new_or_removed() -> None:
    new = compare_metric("auc", goal="maximize", base=None, head=0.8)
    removed = compare_metric("auc", goal="maximize", base=0.8, head=None)
    assert (new.status, new.change, new.relative_change) == ("new", None, None)
    assert (removed.status, removed.change, removed.relative_change) == ("removed", None, None)


def test_a_noise_test_decides_what_is_unchanged() -> None:
    class EverythingIsNoise:
        def is_noise(self, *, metric: str, base: float, head: float) -> bool:
            return True

    metric = compare_metric("accuracy", goal="maximize", base=0.5, head=0.9, noise=EverythingIsNoise())
    assert metric.status == "unchanged" and metric.change == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["improved", "unchanged"], "improved"),
        (["regressed", "unchanged", "new"], "regressed"),
        (["improved", "regressed"], "mixed"),
        (["unchanged", "new", "removed"], "unchanged"),
        ([], "unchanged"),
    ],
)
def test_model_status_from_its_metrics(statuses: list[str], expected: str) -> None:
    values = {
        "improved": (0.5, 0.6),
        "regressed": (0.6, 0.5),
        "unchanged": (0.5, 0.5),
        "new": (None, 0.5),
        "removed": (0.5, None),
    }
    metrics = [
        compare_metric(f"m{i}", goal="maximize", base=values[s][0], head=values[s][1]) for i, s in enumerate(statuses)
    ]
    assert [m.status for m in metrics] == statuses
    assert model_status(metrics) == expected
