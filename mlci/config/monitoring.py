"""The `monitor:` and `retrain:` sections of `mlci.yaml`, and each model's own `monitor:` over the first.

A model's `monitor:` overrides the repository-wide one key by key (`drift:` too, one threshold at a
time), so a section can say only what differs. `performance:` names metrics; the repository-wide one
applies to each model that lists the metric, and must name at least one that some model lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, get_args

from mlci.config.schema import (
    ALIAS_NAME,
    AlertMode,
    DriftSpec,
    MetricSpec,
    MonitorSpec,
    RetrainMode,
    RetrainSpec,
    RetrainTrigger,
    WatchSpec,
)
from mlci.config.yamlsource import FieldPath

if TYPE_CHECKING:
    from mlci.config.reader import Reader

MONITOR_KEYS = {"batch", "alias", "min_rows", "performance", "drift", "alert"}
DRIFT_KEYS = {field.name for field in fields(DriftSpec)}
WATCH_KEYS = {"max_drop", "significant"}
RETRAIN_KEYS = {"when", "data", "data_timeout", "mode", "allow_unreviewed"}
ALERT_MODES: tuple[AlertMode, ...] = get_args(AlertMode)
RETRAIN_TRIGGERS: tuple[RetrainTrigger, ...] = get_args(RetrainTrigger)
RETRAIN_MODES: tuple[RetrainMode, ...] = get_args(RetrainMode)
# Below this, drift and decay cannot be told from the noise of a handful of rows.
MIN_ROWS_FLOOR = 20


@dataclass
class MonitorFields:
    """The keys one `monitor:` section sets, validated, and where its `performance:` entries sit."""

    values: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, float] = field(default_factory=dict)
    watch_paths: dict[str, FieldPath] = field(default_factory=dict)

    def spec(self, over: MonitorFields | None = None, *, metrics: Iterable[str] | None = None) -> MonitorSpec:
        """The section's `MonitorSpec`, with `over` (a model's own section) on top of it. `metrics`
        (a model's metric names) keeps this section's `performance:` to the metrics the model has."""
        values = dict(self.values)
        if metrics is not None and values.get("performance") is not None:
            names = set(metrics)
            values["performance"] = tuple(watch for watch in values["performance"] if watch.metric in names)
        drift = dict(self.drift)
        if over is not None:
            values.update(over.values)
            drift.update(over.drift)
        return MonitorSpec(**values, drift=replace(DriftSpec(), **drift))

    def check_used(self, reader: Reader, model_metrics: Iterable[tuple[MetricSpec, ...]]) -> None:
        """A ConfigError for a `performance:` metric no model lists (a typo would watch nothing)."""
        listed = {metric.name for metrics in model_metrics for metric in metrics}
        for name, path in self.watch_paths.items():
            if name not in listed:
                raise reader.fail(path, f"no model lists the metric {name!r}")


def parse_monitor(reader: Reader, value: Any, path: FieldPath = ("monitor",)) -> MonitorFields:
    """The keys a `monitor:` section sets, each checked where it stands."""
    raw = reader.mapping(path, value, allowed=MONITOR_KEYS)
    found = MonitorFields()
    if raw.get("batch") is not None:
        found.values["batch"] = reader.text((*path, "batch"), raw["batch"])
    if raw.get("alias") is not None:
        alias = reader.text((*path, "alias"), raw["alias"])
        if not ALIAS_NAME.match(alias):
            raise reader.fail((*path, "alias"), f"{alias!r} is not a usable alias name (letters, digits, _.-)")
        found.values["alias"] = alias
    if raw.get("min_rows") is not None:
        rows = reader.integer((*path, "min_rows"), raw["min_rows"])
        if rows < MIN_ROWS_FLOOR:
            raise reader.fail(
                (*path, "min_rows"),
                f"must be at least {MIN_ROWS_FLOOR}, not {rows}",
                hint="On fewer rows, drift and decay cannot be told from noise; 200 is the default.",
            )
        found.values["min_rows"] = rows
    if "performance" in raw:
        found.values["performance"] = _parse_performance(reader, (*path, "performance"), raw["performance"], found)
    if raw.get("drift") is not None:
        found.drift = _parse_drift(reader, (*path, "drift"), raw["drift"])
    if raw.get("alert") is not None:
        alert = raw["alert"]
        if alert not in ALERT_MODES:
            raise reader.fail(
                (*path, "alert"),
                f"must be {' or '.join(ALERT_MODES)}, not {alert!r}",
                hint="`issue`: one GitHub issue per model and alias while it is unhealthy; `none`: exit code only.",
            )
        found.values["alert"] = alert
    return found


def model_monitor(
    reader: Reader, path: FieldPath, value: Any, repository: MonitorFields, metrics: tuple[MetricSpec, ...]
) -> MonitorSpec:
    """A model's `MonitorSpec`: the repository-wide section with the model's own (at `path`) over it."""
    names = [metric.name for metric in metrics]
    own = parse_monitor(reader, value, path) if value is not None else None
    if own is not None:
        for name, where in own.watch_paths.items():
            if name not in names:
                raise reader.fail(where, f"the model does not list the metric {name!r} (metrics: {', '.join(names)})")
    return repository.spec(own, metrics=names)


def _parse_performance(reader: Reader, path: FieldPath, value: Any, found: MonitorFields) -> tuple[WatchSpec, ...]:
    """`performance: {accuracy: {max_drop: 0.03, significant: true}}`; a bare name list takes the defaults."""
    if isinstance(value, list):
        value = {reader.text((*path, index), name): None for index, name in enumerate(value)}
    raw = reader.mapping(path, value)
    watches = []
    for metric, limits in raw.items():
        where = (*path, metric)
        limits = reader.mapping(where, limits, allowed=WATCH_KEYS)
        watch = WatchSpec(metric=metric)
        if limits.get("max_drop") is not None:
            drop, percent = reader.drop((*where, "max_drop"), limits["max_drop"])
            watch = replace(watch, max_drop=drop, max_drop_is_percent=percent)
        if "significant" in limits:
            watch = replace(watch, significant=reader.flag((*where, "significant"), limits["significant"]))
        found.watch_paths[metric] = where
        watches.append(watch)
    return tuple(watches)


def _parse_drift(reader: Reader, path: FieldPath, value: Any) -> dict[str, float]:
    raw = reader.mapping(path, value, allowed=DRIFT_KEYS)
    drift = {}
    for key, item in raw.items():
        number = reader.number((*path, key), item)
        if key == "max_psi" and number <= 0:
            raise reader.fail((*path, key), "must be positive; 0.25 is the usual line for a large shift")
        if key != "max_psi" and not 0 < number <= 1:
            raise reader.fail((*path, key), f"must be above 0 and at most 1, not {number}")
        drift[key] = number
    return drift


def parse_retrain(reader: Reader, value: Any) -> RetrainSpec:
    """The `retrain:` section: what triggers a retrain, the command that refreshes the data, and how
    the retrained model reaches the alias (`mode: promote` only with `allow_unreviewed: true`)."""
    path: FieldPath = ("retrain",)
    raw = reader.mapping(path, value, allowed=RETRAIN_KEYS)
    spec = RetrainSpec()
    if "when" in raw:
        when = reader.text_list((*path, "when"), raw["when"]) if raw["when"] is not None else []
        for index, trigger in enumerate(when):
            if trigger not in RETRAIN_TRIGGERS:
                raise reader.fail((*path, "when", index), f"must be {' or '.join(RETRAIN_TRIGGERS)}, not {trigger!r}")
        spec = replace(spec, when=tuple(dict.fromkeys(when)))  # type: ignore[arg-type]
    if raw.get("data") is not None:
        spec = replace(spec, data=reader.text((*path, "data"), raw["data"]))
    if raw.get("data_timeout") is not None:
        spec = replace(spec, data_timeout=reader.duration((*path, "data_timeout"), raw["data_timeout"]))
    if "allow_unreviewed" in raw:
        spec = replace(spec, allow_unreviewed=reader.flag((*path, "allow_unreviewed"), raw["allow_unreviewed"]))
    if raw.get("mode") is not None:
        mode = raw["mode"]
        if mode not in RETRAIN_MODES:
            raise reader.fail((*path, "mode"), f"must be {' or '.join(RETRAIN_MODES)}, not {mode!r}")
        if mode == "promote" and not spec.allow_unreviewed:
            raise reader.fail(
                (*path, "mode"),
                "`promote` puts a retrained model in production with no one reviewing it",
                hint="Keep `mode: pr` (a pull request reviewed like any change), or say so with "
                "`allow_unreviewed: true` in `retrain:`.",
            )
        spec = replace(spec, mode=mode)
    return spec
