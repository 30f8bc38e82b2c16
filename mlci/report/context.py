"""The data a report template gets: a plain-dict structure, stable for user templates, documented
once, in templates/README.md (a test holds that list to what `template_context` builds).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict
from typing import Any

from mlci.compare.metrics import within_tolerance
from mlci.compare.numbers import MISSING, format_percent, metric_format
from mlci.compare.result import Comparison, GateResult, MetricChange, ModelComparison, ParamChange, RunSummary
from mlci.report.chart import trend_chart
from mlci.report.marker import report_marker, sanitize_identity
from mlci.report.verdict import verdict_of

SHORT_SHA = 7
COMPACT_ABOVE = 5
ARROWS = {"maximize": "↑", "minimize": "↓"}
METRIC_EMOJI = {"improved": "🟢", "regressed": "🔴", "unchanged": "⚪", "new": "🆕", "removed": "🗑️"}
MODEL_EMOJI = {**METRIC_EMOJI, "mixed": "🟡"}
GATE_EMOJI = {True: "✅", False: "❌", None: "⏭️"}
GATE_WORDS = {False: "failed", True: "passed", None: "not checked"}
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
ANCHOR_NAME_LENGTH = 60

LEGEND = (
    "🟢 better · 🔴 worse · 🟡 mixed · ⚪ no change · 🆕 new · 🗑️ removed · ↑ higher is better · "
    "↓ lower is better · - no value on that side · ✅ gate passed · ❌ gate failed · ⏭️ gate not checked · "
    "[a, b] the change's paired-bootstrap confidence interval (within noise when it holds 0)"
)


def template_context(comparison: Comparison, *, title: str, identity: str) -> dict[str, Any]:
    """The context every report template is rendered with (documented in this module's docstring)."""
    verdict = verdict_of(comparison)
    base, head = comparison.base, comparison.head
    anchors = model_anchors([model.name for model in comparison.models], identity=identity)
    models = [
        _model_view(
            model,
            base_commit=base.commit,
            anchor=anchors[model.name],
            trained=model.name not in comparison.training_failures,
        )
        for model in comparison.models
    ]
    return {
        "marker": report_marker(identity),
        "identity": identity,
        "title": title,
        "comparison": comparison.to_json(),
        "verdict": {**asdict(verdict), "emoji": GATE_EMOJI[verdict.passed]},
        "base": {
            "ref": base.ref,
            "commit": base.commit,
            "short": base.commit[:SHORT_SHA],
            "requested_commit": base.requested_commit,
            "requested_short": base.requested_commit[:SHORT_SHA],
            "distance": base.distance,
            "exact": base.commit == base.requested_commit,
            "note": base.note,
            "first_run": base.first_run,
            "exists": base.exists,
        },
        "head": {
            "commit": head.commit,
            "short": head.commit[:SHORT_SHA] if head.commit else "no commit",
            "branch": head.branch,
            "branch_text": head.branch or "detached HEAD",
            "dirty": head.dirty,
        },
        "compact": len(models) > COMPACT_ABOVE,
        "failed_gates": [
            {"model": model["name"], "anchor": model["anchor"], **gate}
            for model in models
            for gate in model["failed_gates"]
        ],
        "failed_gates_anchor": failed_gates_anchor(identity),
        "training_failures": [
            {"model": model, "reason": reason, "anchor": anchors.get(model, "")}
            for model, reason in comparison.training_failures.items()
        ],
        "models": models,
        "notes": list(comparison.notes),
        "legend": LEGEND,
        "generated_at": comparison.generated_at,
    }


def model_anchors(names: list[str], *, identity: str) -> dict[str, str]:
    """model name -> `mlci-{identity}-{name}`, the name cut short and made of letters, digits, `_`
    and `-` (names from a comparison file may hold anything, and a dot could start a link), and
    unique: two reports on one pull request, or two names that clean up alike, never share one."""
    anchors: dict[str, str] = {}
    taken = {failed_gates_anchor(identity)}
    prefix = f"mlci-{sanitize_identity(identity)}-"
    for name in names:
        anchor = prefix + (_ANCHOR_UNSAFE.sub("-", name)[:ANCHOR_NAME_LENGTH].strip("-") or "model")
        candidate, number = anchor, 1
        while candidate in taken:
            number += 1
            candidate = f"{anchor}-{number}"
        taken.add(candidate)
        anchors[name] = candidate
    return anchors


def failed_gates_anchor(identity: str) -> str:
    """The anchor name of the report's list of failed gates, which no model's anchor takes."""
    return f"mlci-{sanitize_identity(identity)}-failed-gates"


def _model_view(model: ModelComparison, *, base_commit: str, anchor: str, trained: bool) -> dict[str, Any]:
    gates = [_gate_view(gate) for gate in model.gates]
    return {
        "name": model.name,
        "status": model.status,
        "emoji": MODEL_EMOJI[model.status],
        "passed": model.passed,
        "anchor": anchor,
        "quiet": model.status == "unchanged" and model.passed and trained,
        "notes": list(model.notes),
        "metrics": [_metric_view(metric) for metric in model.metrics],
        "gates": gates,
        "failed_gates": [gate for gate in gates if gate["passed"] is False],
        "other_gates": [gate for gate in gates if gate["passed"] is not False],
        "gates_summary": gates_summary(model.gates),
        "params": [_param_view(param) for param in model.params],
        "run_details": _run_details(model.base_run, model.head_run),
        "trend_chart": trend_chart(model, base_commit=base_commit),
        "data": model.data.to_json() if model.data else None,
        "rescore": asdict(model.rescore) if model.rescore else None,
        "head_run": asdict(model.head_run) if model.head_run else None,
        "base_run": asdict(model.base_run) if model.base_run else None,
    }


def gates_summary(gates: list[GateResult]) -> str:
    """`❌ 1 failed, ✅ 2 passed`: the model's gates counted by outcome, failures first; `-` for none."""
    counts = Counter(gate.passed for gate in gates)
    parts = [
        f"{GATE_EMOJI[outcome]} {counts[outcome]} {GATE_WORDS[outcome]}" for outcome in GATE_WORDS if counts[outcome]
    ]
    return ", ".join(parts) or MISSING


def _metric_view(metric: MetricChange) -> dict[str, Any]:
    form = metric_format(metric.base, metric.head)
    change_text = change_text_of(metric)
    emoji = METRIC_EMOJI[metric.status]
    return {
        **asdict(metric),
        "arrow": ARROWS.get(metric.goal, ""),
        "emoji": emoji,
        "base_text": form.value(metric.base),
        "head_text": form.value(metric.head),
        "change_text": change_text,
        "change_cell": _change_cell(metric, change_text, emoji),
        "interval_text": interval_text_of(metric),
    }


def interval_text_of(metric: MetricChange) -> str | None:
    """`[-0.0810, -0.0120]`: the bootstrap's interval of the change in the metric's decimals, or
    None without one."""
    if metric.interval is None:
        return None
    form = metric_format(metric.base, metric.head)
    low, high = metric.interval
    return f"[{form.change(low)}, {form.change(high)}]"


def _change_cell(metric: MetricChange, change_text: str, emoji: str) -> str:
    if metric.status in ("new", "removed"):
        return f"{emoji} {metric.status}"
    if metric.noise == "within_noise" and change_text != "±0":
        return f"{change_text}, within noise"
    if metric.status == "unchanged":
        return change_text
    return f"{emoji} {change_text}"


def change_text_of(metric: MetricChange) -> str:
    """`+0.0312 (+3.4%)` in the metric's decimals; `±0` for a difference that is float rounding; `-`
    when a side is missing."""
    if metric.change is None or metric.base is None:
        return MISSING
    if metric.status == "unchanged" and within_tolerance(metric.change, reference=metric.base):
        return "±0"
    change = metric_format(metric.base, metric.head).change(metric.change)
    relative = format_percent(metric.relative_change)
    return f"{change} ({relative})" if relative else change


def _gate_view(gate: GateResult) -> dict[str, Any]:
    return {**asdict(gate), "emoji": GATE_EMOJI[gate.passed]}


def _param_view(param: ParamChange) -> dict[str, Any]:
    return {
        **asdict(param),
        "base_text": MISSING if param.kind == "added" else param_text(param.base),
        "head_text": MISSING if param.kind == "removed" else param_text(param.head),
    }


def param_text(value: Any) -> str:
    """A parameter value as recorded: text as it is, anything else in JSON notation (`null`, `true`)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _run_details(base: RunSummary | None, head: RunSummary | None) -> list[dict[str, str]]:
    if base is None and head is None:
        return []
    base_values, head_values = _run_facts(base), _run_facts(head)
    # A fact neither side recorded (say, the task of a command-mode model) is left out, not shown as `- | -`.
    return [
        {"label": label, "base": base_values[label] or MISSING, "head": head_values[label] or MISSING}
        for label in base_values
        if base_values[label] or head_values[label]
    ]


def _run_facts(run: RunSummary | None) -> dict[str, str | None]:
    if run is None:
        run = RunSummary(
            commit=None,
            branch=None,
            dirty=None,
            mode="",
            task=None,
            config_hash=None,
            started_at=None,
            duration_seconds=None,
        )
    return {
        "commit": run.commit[:SHORT_SHA] if run.commit else None,
        "branch": run.branch,
        "uncommitted changes": None if run.dirty is None else "yes" if run.dirty else "no",
        "mode": run.mode or None,
        "task": run.task,
        "trained at": run.started_at,
        "duration": format_duration(run.duration_seconds),
        "config hash": run.config_hash,
    }


def format_duration(seconds: float | None) -> str | None:
    """`0.42 s`, `12.3 s`, `2 min 5 s`, `1 h 3 min`."""
    if seconds is None:
        return None
    if seconds < 1:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
