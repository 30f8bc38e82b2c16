"""Every gate kind: min, max, max_drop (absolute and percent, maximize and minimize), missing sides."""

from __future__ import annotations

import pytest

from mlci.compare.gates import evaluate_gates
from mlci.compare.metrics import compare_metric
from mlci.compare.result import GateResult
from mlci.config import GateSpec


def check(gate: GateSpec, *, goal: str, base: float | None, head: float | None) -> list[GateResult]:
    metric = compare_metric(gate.metric, goal=goal, base=base, head=head)
    return evaluate_gates([gate], {metric.name: metric})


def test_min_fails_below_and_passes_at_the_limit() -> None:
    [failed] = check(GateSpec("accuracy", min=0.9), goal="maximize", base=0.95, head=0.8712)
    assert (failed.kind, failed.passed, failed.value, failed.limit_text) == ("min", False, 0.8712, "0.9")
    assert failed.message == "accuracy 0.8712 is below the minimum 0.9"
    [met] = check(GateSpec("accuracy", min=0.9), goal="maximize", base=0.95, head=0.9)
    assert met.passed is True and met.message == "accuracy 0.9000 meets the minimum 0.9"


def test_max_checks_the_head_value_whatever_the_goal() -> None:
    [over] = check(GateSpec("latency_ms", max=100), goal="minimize", base=90.0, head=130.0)
    assert over.passed is False and over.message == "latency_ms 130.0 is above the maximum 100"
    [within] = check(GateSpec("accuracy", max=0.99), goal="maximize", base=0.9, head=0.95)
    assert within.passed is True


def test_messages_read_numbers_as_the_metrics_table_does() -> None:
    [above] = check(GateSpec("mse", max=2_500_000), goal="minimize", base=2_450_000.0, head=2_510_000.0)
    assert above.message == "mse 2,510,000 is above the maximum 2,500,000"
    [dropped] = check(GateSpec("accuracy", max_drop=0.0001), goal="maximize", base=0.9281, head=0.92794)
    assert dropped.message == "accuracy dropped 0.0002 (0.017%), more than the allowed 0.0001"


def test_limits_hold_up_to_float_rounding() -> None:
    [result] = check(GateSpec("accuracy", max_drop=0.02), goal="maximize", base=0.91, head=0.89)
    assert 0.91 - 0.89 > 0.02 and result.passed is True


def test_max_drop_absolute_on_a_maximize_metric() -> None:
    [failed] = check(GateSpec("accuracy", max_drop=0.02), goal="maximize", base=0.92, head=0.8888)
    assert failed.passed is False and failed.value == pytest.approx(0.0312)
    assert failed.message == "accuracy dropped 0.0312 (3.4%), more than the allowed 0.02"
    [passed] = check(GateSpec("accuracy", max_drop=0.02), goal="maximize", base=0.92, head=0.91)
    assert passed.passed is True and passed.message == "accuracy dropped 0.0100 (1.1%), within the allowed 0.02"


def test_max_drop_percent_on_a_minimize_metric_counts_a_rise_as_the_drop() -> None:
    gate = GateSpec("latency_ms", max_drop=10, max_drop_is_percent=True)
    [failed] = check(gate, goal="minimize", base=100.0, head=112.0)
    assert failed.passed is False and failed.value == pytest.approx(12.0) and failed.limit_text == "10%"
    assert failed.message == "latency_ms rose 12.0 (12.0%), more than the allowed 10%"
    [passed] = check(gate, goal="minimize", base=100.0, head=108.0)
    assert passed.passed is True and passed.value == pytest.approx(8.0)


def test_max_drop_percent_on_a_maximize_metric() -> None:
    gate = GateSpec("accuracy", max_drop=2, max_drop_is_percent=True)
    [failed] = check(gate, goal="maximize", base=0.92, head=0.8888)
    assert failed.passed is False
    assert failed.message == "accuracy dropped 0.0312 (3.4%), more than the allowed 2%"


def test_an_improvement_never_fails_max_drop() -> None:
    [maximize] = check(GateSpec("accuracy", max_drop=0), goal="maximize", base=0.9, head=0.95)
    [minimize] = check(
        GateSpec("latency_ms", max_drop=0, max_drop_is_percent=True), goal="minimize", base=100.0, head=80.0
    )
    assert maximize.passed is True and maximize.value == pytest.approx(-0.05)
    assert minimize.passed is True and minimize.value == pytest.approx(-20.0)
    assert "did not get worse" in maximize.message


def test_max_drop_without_a_base_value_is_not_checked() -> None:
    [result] = check(GateSpec("accuracy", min=0.5, max_drop=0.02), goal="maximize", base=None, head=0.9)[1:]
    assert result.kind == "max_drop" and result.passed is None and result.value is None
    assert "no base value to compare with" in result.message


def test_a_percent_drop_from_a_zero_base_fails() -> None:
    [result] = check(GateSpec("r2", max_drop=5, max_drop_is_percent=True), goal="maximize", base=0.0, head=-0.1)
    assert result.passed is False and result.value is None and "base of 0" in result.message


def test_every_limit_fails_when_the_metric_disappeared() -> None:
    gate = GateSpec("accuracy", min=0.9, max=1.0, max_drop=0.02)
    results = check(gate, goal="maximize", base=0.95, head=None)
    assert [(r.kind, r.passed) for r in results] == [("min", False), ("max", False), ("max_drop", False)]
    assert all("has no value in this run" in r.message for r in results)
    assert evaluate_gates([GateSpec("auc", min=0.5)], {})[0].passed is False


def test_one_result_per_limit_in_a_fixed_order() -> None:
    results = check(GateSpec("accuracy", max_drop=0.1, min=0.5, max=1.0), goal="maximize", base=0.9, head=0.9)
    assert [r.kind for r in results] == ["min", "max", "max_drop"] and all(r.passed for r in results)
