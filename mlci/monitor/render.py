"""A monitor result for people: text for the terminal, Markdown for GitHub (an issue, a job summary).

Every name in it (models, aliases, features, metrics, file names) comes from a config or a data file,
so the Markdown escapes each one for where it goes, as the report does.
"""

from __future__ import annotations

from mlci.compare.numbers import metric_format
from mlci.monitor.result import MetricCheck, ModelMonitor, MonitorResult
from mlci.report.escape import escape_code, escape_markdown

FEATURES_SHOWN = 10
ICONS = {"healthy": "✅", "alert": "🔴", "not_enough_data": "⚪"}


def headline(model: ModelMonitor) -> str:
    """`iris@production (version 3): decay: accuracy; drift: x1, x2` and the like."""
    parts = []
    if model.decayed_metrics:
        parts.append(f"decay: {', '.join(model.decayed_metrics)}")
    if "drift" in model.alerts:
        parts.append(f"drift: {', '.join(model.drifted_features)}")
    found = "; ".join(parts) or model.status
    return f"{model.model}@{model.alias} (version {model.version}): {found}"


def render_text(result: MonitorResult) -> str:
    """A block per model: the verdict line, then metrics and the worst features."""
    lines = []
    for model in result.models:
        lines.append(f"{headline(model)} on {model.batch} ({model.rows} rows)")
        for check in model.metrics:
            lines.append(f"  {_metric_line(check)}")
        for feature in model.features[:FEATURES_SHOWN]:
            psi = "-" if feature.psi is None else f"{feature.psi:.3f}"
            ks = "" if feature.ks_pvalue is None else f", KS p {feature.ks_pvalue:.3g}"
            lines.append(f"  {feature.column}: PSI {psi}{ks}{' (drifted)' if feature.drifted else ''}")
        lines.extend(f"  note: {note}" for note in model.notes)
    return "\n".join(lines) or "no models to monitor"


def render_markdown(result: MonitorResult) -> str:
    """A verdict line, then a section per model with its metrics and features as tables."""
    alerting = result.alerting
    verdict = (
        f"🔴 **{len(alerting)} of {len(result.models)} model(s) need attention**"
        if alerting
        else f"✅ **{len(result.models)} model(s) healthy**"
    )
    out = ["## mlci monitor", "", verdict, ""]
    for model in result.models:
        name = escape_markdown(f"{model.model}@{model.alias}")
        out += [
            f"### {ICONS[model.verdict]} {name}: {escape_markdown(model.status)}",
            "",
            f"Version {model.version} ({model.commit[:7]}) on {escape_code(model.batch)}: {model.rows} rows, "
            f"checked {escape_markdown(model.checked_at)}",
            "",
        ]
        if model.metrics:
            out += ["| Metric | recorded | on the batch | interval | decayed |", "| :--- | ---: | ---: | ---: | :--- |"]
            for check in model.metrics:
                number = metric_format(check.recorded, check.value)
                interval = f"[{number.value(check.low)}, {number.value(check.high)}]"
                out.append(
                    f"| {escape_markdown(check.metric)} | {number.value(check.recorded)} | {number.value(check.value)} "
                    f"| {interval} | {'🔴 yes' if check.decayed else 'no'} |"
                )
            out.append("")
        if model.features:
            out += ["| Feature (worst first) | PSI | KS p-value | drifted |", "| :--- | ---: | ---: | :--- |"]
            for feature in model.features[:FEATURES_SHOWN]:
                psi = "-" if feature.psi is None else f"{feature.psi:.3f}"
                ks = "-" if feature.ks_pvalue is None else f"{feature.ks_pvalue:.3f}"
                out.append(
                    f"| {escape_markdown(feature.column)} | {psi} | {ks} | {'🔴 yes' if feature.drifted else 'no'} |"
                )
            out.append("")
        out += [f"- {escape_markdown(note, max_length=500)}" for note in model.notes]
        if model.notes:
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def render_model_markdown(model: ModelMonitor) -> str:
    """One model's check as GitHub Markdown, as a run of that model alone shows it: the alert issue's
    figures."""
    return render_markdown(MonitorResult(models=[model], checked_at=model.checked_at))


def _metric_line(check: MetricCheck) -> str:
    number = metric_format(check.recorded, check.value)
    interval = f"[{number.value(check.low)}, {number.value(check.high)}]"
    state = "decayed" if check.decayed else "within the allowed drop" if check.drop <= check.max_drop else "noise"
    return (
        f"{check.metric}: {number.value(check.value)} {interval} on the batch, recorded {number.value(check.recorded)}"
        f" ({state}; allowed drop {number.value(check.max_drop)})"
    )
