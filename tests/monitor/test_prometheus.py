"""The monitor's Prometheus metrics: a file in the text exposition format that prometheus-client's
own parser reads, and a push to a real Pushgateway whose series read back with their labels."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mlci.errors import OutsideError
from mlci.monitor.prometheus import push
from mlci.monitor.result import ModelMonitor, MonitorResult
from testing.monitoring import mlci, production_project, sample, write_batch
from testing.pushgateway import pushgateway_binary, read_metrics, running_pushgateway

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return production_project(tmp_path_factory.mktemp("prometheus") / "project", rows=600)


@pytest.fixture
def pushgateway(tmp_path: Path) -> Iterator[str]:
    binary = pushgateway_binary()
    if binary is None:
        pytest.skip("prometheus-pushgateway is not installed and apt-get could not install it")
    with running_pushgateway(binary, tmp_path) as url:
        yield url


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels, read with prometheus-client's parser."""
    found = {}
    for family in text_string_to_metric_families(text):
        for point in family.samples:
            found[(point.name, tuple(sorted(point.labels.items())))] = point.value
    return found


def key(name: str, **labels: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(labels.items()))


SERIES = {"model": "churn", "alias": "production", "version": "1"}


def test_the_prom_file_parses_and_holds_every_series(production: Path, tmp_path: Path) -> None:
    batch = write_batch(production, sample(400, seed=3, shift={"x1": 3.0}, flip=0.3))
    prom = tmp_path / "monitor.prom"
    started = time.time()
    result = mlci(production, "monitor", "--batch", str(batch), "--prom-file", str(prom))
    assert result.exit_code == 1, result.output
    found = samples(prom.read_text())
    assert found[key("mlci_monitor_healthy", **SERIES)] == 0
    assert found[key("mlci_monitor_batch_rows", **SERIES)] == 400
    assert found[key("mlci_monitor_metric_decayed", **SERIES, metric="accuracy")] == 1
    assert found[key("mlci_monitor_feature_psi", **SERIES, feature="x1")] > 1
    assert found[key("mlci_monitor_feature_drifted", **SERIES, feature="x1")] == 1
    assert found[key("mlci_monitor_feature_drifted", **SERIES, feature="x2")] == 0
    last = found[key("mlci_monitor_last_run_timestamp_seconds", model="churn", alias="production")]
    assert started - 2 <= last <= time.time() + 1


def test_pushed_series_read_back_from_a_real_pushgateway(production: Path, pushgateway: str) -> None:
    batch = write_batch(production, sample(400, seed=4))
    result = mlci(production, "monitor", "--batch", str(batch), "--pushgateway", pushgateway)
    assert result.exit_code == 0, result.output
    found = samples(read_metrics(pushgateway))
    pushed = {**SERIES, "job": "mlci_monitor", "instance": ""}
    assert found[key("mlci_monitor_healthy", **pushed)] == 1
    assert found[key("mlci_monitor_metric", **pushed, metric="accuracy")] > 0.8
    assert found[key("mlci_monitor_feature_psi", **pushed, feature="x1")] < 0.25
    group = {"model": "churn", "alias": "production", "job": "mlci_monitor", "instance": ""}
    assert key("mlci_monitor_last_run_timestamp_seconds", **group) in found


def test_a_pushgateway_that_cannot_be_reached_is_an_outside_failure() -> None:
    waits: list[float] = []
    healthy = ModelMonitor(
        model="churn",
        alias="production",
        version=1,
        commit="0" * 40,
        batch="batch.csv",
        rows=300,
        verdict="healthy",
        alerts=[],
        drifted_features=[],
        decayed_metrics=[],
        drifted_share=0.0,
        checked_at="2025-05-02T10:00:00+00:00",
    )
    with pytest.raises(OutsideError) as caught:
        push(MonitorResult([healthy], healthy.checked_at), "http://127.0.0.1:9", sleep=waits.append)
    assert "could not push the monitor metrics to the Pushgateway at http://127.0.0.1:9" in str(caught.value)
    assert waits == [1.0, 2.0]
