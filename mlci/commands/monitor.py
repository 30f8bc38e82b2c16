"""`mlci monitor`: each model's alias holder on fresh data; its history, Prometheus metrics and alert.

Everything is checked before anything is written: bad input (a batch without the model's features, an
empty batch, an alias no version holds, a model file mlci will not load) ends the command with exit
code 2 before a history entry, a metric or an alert exists.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from mlci.commands.alerts import alert_of, alert_on_github
from mlci.commands.project import Project
from mlci.config import ModelSpec
from mlci.config.files import write_output
from mlci.config.records import record
from mlci.config.schema import AlertMode
from mlci.errors import ConfigError, StoreError
from mlci.monitor.check import monitor_model, watched_alias
from mlci.monitor.history import record_changes
from mlci.monitor.render import render_markdown, render_model_markdown, render_text
from mlci.monitor.result import MonitorResult
from mlci.registry.registry import RegistryView
from mlci.training.train import select_models


@record
class MonitorOptions:
    """What the command line asks beyond the config: each None means mlci.yaml decides."""

    batch: Path | None = None
    alias: str | None = None
    output_format: str = "text"
    prom_file: Path | None = None
    pushgateway: str | None = None
    alert: AlertMode | None = None


def monitor(project: Project, names: list[str], options: MonitorOptions) -> tuple[str, MonitorResult]:
    """Check `names` (default: every model with a batch to check and a version holding its alias),
    keep each finding in the history, write and push the metrics, alert; the rendered result and
    the result. The exit code is the caller's: 1 when `result.alerting`."""
    config = project.config
    registry = RegistryView(project.storage)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    models = _chosen(project, registry, names, options)
    checked = [
        monitor_model(
            config, model, registry=registry, git=project.git, alias=options.alias, batch=options.batch, now=now
        )
        for model in models
    ]
    result = MonitorResult(models=checked, checked_at=now)
    project.storage.update(lambda _view: record_changes(checked), message=f"mlci monitor: {len(checked)} model(s)")
    if options.prom_file is not None or options.pushgateway:
        from mlci.monitor.prometheus import exposition, push

        if options.prom_file is not None:
            write_output(options.prom_file, exposition(result).decode(), option="--prom-file")
        if options.pushgateway:
            push(result, options.pushgateway)
    alerted = {m.name for m in models if (options.alert or m.monitor.alert) == "issue"}
    issues: dict[str, str] = {}
    if alerted:
        checks = result.only(alerted).models
        issues = alert_on_github(project, [alert_of(check, details=render_model_markdown(check)) for check in checks])
        for model, url in sorted(issues.items()):
            project.console.info(f"alert: {model}: {url}")
    _write_outputs(project, result, issues=issues)
    return render(result, options.output_format), result


def _write_outputs(project: Project, result: MonitorResult, *, issues: dict[str, str]) -> None:
    """The step outputs a workflow's later jobs decide on: above all `retrain-models`, the models whose
    alerts are of a kind `retrain.when` names (a JSON list, `[]` when none, so a job's `if:` can test it),
    and `issue-urls`, each alerting model's issue, for the retrain pull request to name its reason."""
    when = project.config.retrain.when
    retrain = result.to_retrain(when)
    for model in result.alerting:
        if model.model not in retrain:
            kinds = " and ".join(model.alerts)
            wanted = ", ".join(when) or "nothing (retrain.when is empty)"
            project.console.info(f"{model.model}: {kinds}, but retrain.when asks for {wanted}: no retrain proposed")
    drifted = {f"{m.model}@{m.alias}": m.drifted_features for m in result.models if m.drifted_features}
    project.write_outputs(
        {
            "healthy": result.healthy,
            "drifted-features": json.dumps(drifted, sort_keys=True),
            # The first model's, by name: what a workflow with one model (or one issue) reads.
            "issue-url": issues[min(issues)] if issues else "",
            "issue-urls": json.dumps(issues, sort_keys=True),
            "retrain-models": json.dumps(retrain),
        }
    )


def render(result: MonitorResult, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(result.to_json(), indent=2, sort_keys=True)
    if output_format == "markdown":
        return render_markdown(result)
    return render_text(result)


def _chosen(project: Project, registry: RegistryView, names: list[str], options: MonitorOptions) -> list[ModelSpec]:
    """The models named, else those that can be monitored: with `data:`, a batch (in mlci.yaml or
    --batch) and a version holding the alias; the others are said and left out."""
    config = project.config
    if names:
        return select_models(config, names)
    chosen = []
    for model in config.models.values():
        alias = watched_alias(config, model, options.alias)
        if model.data is None:
            why = "a command model (monitor needs `data:`)"
        elif model.monitor.batch is None and options.batch is None:
            why = "no monitor.batch"
        elif registry.aliases(model.name).get(alias) is None:
            why = f"no version holds {alias}"
        else:
            chosen.append(model)
            continue
        project.console.info(f"{model.name}: not monitored: {why}")
    if not chosen:
        if any(model.monitor.batch for model in config.models.values()) or options.batch:
            raise StoreError(
                "no model can be monitored: none has a version holding its alias",
                hint="`mlci promote` registers versions and moves the alias; name a model to see why.",
            )
        raise ConfigError(
            "nothing to monitor: no model has a batch of fresh data",
            hint="Add `monitor: {batch: data/incoming/*.parquet}` to mlci.yaml, or pass --batch.",
        )
    return chosen
