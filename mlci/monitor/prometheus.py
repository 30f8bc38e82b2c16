"""A monitor run as Prometheus metrics: the text exposition format for a file (node_exporter's
textfile collector) and a push to a Pushgateway, both through `prometheus-client` (`mlci[prometheus]`).

Series, labelled by model, alias and (except the timestamp) version:

    mlci_monitor_healthy                       1 healthy or not enough data, 0 drift or decay
    mlci_monitor_enough_data                   0 when the batch was too small for a verdict
    mlci_monitor_batch_rows                    rows in the batch
    mlci_monitor_metric{metric}                the metric on the batch
    mlci_monitor_metric_recorded{metric}       the value the version recorded
    mlci_monitor_metric_decayed{metric}        1 when it decayed
    mlci_monitor_feature_psi{feature}          each feature's PSI against the training data
    mlci_monitor_feature_drifted{feature}      1 when it drifted
    mlci_monitor_drifted_share                 the share of features that drifted
    mlci_monitor_last_run_timestamp_seconds    when the check ran: alert on `time() - it` to learn
                                               that a schedule stopped running (model and alias only,
                                               so a new version does not start a new series)

Each model and alias is pushed as its own group (`job="mlci_monitor"`, `model`, `alias`), so checking
one model never deletes another's series.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mlci.errors import ConfigError, OutsideError
from mlci.monitor.result import ModelMonitor, MonitorResult

JOB = "mlci_monitor"
PUSH_ATTEMPTS = 3
PUSH_TIMEOUT = 10.0
INSTALL_HINT = 'Install the Prometheus extra: pip install "mlci[prometheus]" (or `extras: prometheus` on the action).'


def exposition(result: MonitorResult) -> bytes:
    """Every model's series in Prometheus' text exposition format."""
    client = _client()
    registry = client.CollectorRegistry()
    _fill(registry, result.models)
    return client.generate_latest(registry)


def push(result: MonitorResult, url: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
    """Push each model's series to the Pushgateway at `url`, replacing that model and alias's group;
    `OutsideError` when it cannot be reached or refuses, after `PUSH_ATTEMPTS` tries."""
    client = _client()
    from prometheus_client.exposition import push_to_gateway

    for model in result.models:
        registry = client.CollectorRegistry()
        _fill(registry, [model])
        grouping = {"model": model.model, "alias": model.alias}
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            try:
                push_to_gateway(url, job=JOB, registry=registry, grouping_key=grouping, timeout=PUSH_TIMEOUT)
                break
            except OSError as exc:  # urllib's URLError and HTTPError are OSErrors
                if attempt == PUSH_ATTEMPTS:
                    raise OutsideError(
                        f"could not push the monitor metrics to the Pushgateway at {url}: {exc}",
                        hint="Check --pushgateway (MLCI_PUSHGATEWAY) and that the gateway is up; the verdict "
                        "and the history were not affected.",
                    ) from None
                sleep(2.0 ** (attempt - 1))


def _client() -> Any:
    try:
        import prometheus_client
    except ImportError:
        message = "--prom-file and --pushgateway need prometheus-client, which is not installed"
        raise ConfigError(message, hint=INSTALL_HINT) from None
    return prometheus_client


def _fill(registry: Any, models: list[ModelMonitor]) -> None:
    from prometheus_client import Gauge

    def gauge(name: str, text: str, *extra: str) -> Any:
        return Gauge(name, text, ["model", "alias", "version", *extra], registry=registry)

    healthy = gauge("mlci_monitor_healthy", "1 when the alias holder shows no drift or decay on the latest batch")
    enough = gauge("mlci_monitor_enough_data", "0 when the latest batch had too few rows for a verdict")
    rows = gauge("mlci_monitor_batch_rows", "Rows in the latest batch")
    metric = gauge("mlci_monitor_metric", "The metric on the latest batch", "metric")
    recorded = gauge("mlci_monitor_metric_recorded", "The metric as the version recorded it", "metric")
    decayed = gauge("mlci_monitor_metric_decayed", "1 when the metric decayed on the latest batch", "metric")
    psi = gauge("mlci_monitor_feature_psi", "The feature's PSI against the version's training data", "feature")
    drifted = gauge("mlci_monitor_feature_drifted", "1 when the feature drifted", "feature")
    share = gauge("mlci_monitor_drifted_share", "The share of features that drifted")
    last = Gauge(
        "mlci_monitor_last_run_timestamp_seconds",
        "When the monitor last checked the alias holder (Unix time)",
        ["model", "alias"],
        registry=registry,
    )
    for model in models:
        labels = (model.model, model.alias, str(model.version))
        healthy.labels(*labels).set(0 if model.verdict == "alert" else 1)
        enough.labels(*labels).set(0 if model.verdict == "not_enough_data" else 1)
        rows.labels(*labels).set(model.rows)
        for check in model.metrics:
            metric.labels(*labels, check.metric).set(check.value)
            recorded.labels(*labels, check.metric).set(check.recorded)
            decayed.labels(*labels, check.metric).set(int(check.decayed))
        for feature in model.features:
            psi.labels(*labels, feature.column).set(float("inf") if feature.psi is None else feature.psi)
            drifted.labels(*labels, feature.column).set(int(feature.drifted))
        if model.drifted_share is not None:
            share.labels(*labels).set(model.drifted_share)
        last.labels(model.model, model.alias).set(datetime.fromisoformat(model.checked_at).timestamp())
