"""The data a report template gets: a documented plain-dict structure, stable for user templates.

Top-level keys:

- `marker` (str): the hidden first line, `<!-- mlci-report:{identity} -->`; `identity` (str).
- `title` (str): `report.title` from `mlci.yaml` (the default title for a report rendered from a
  comparison file by `mlci comment`).
- `comparison` (dict): exactly the `--format json` document (see `mlci/templates/comparison.schema.json`).
- `verdict`: `passed` (bool), `emoji` (✅ or ❌), `headline` ("1 gate failed"), `summary`
  ("2 models: 1 improved, 1 unchanged"), `failed`, `passed_gates`, `not_checked` (ints).
- `base`: `ref`, `commit`, `short` (7-character sha), `requested_commit`, `requested_short`, `distance`,
  `exact` (bool: the requested commit's own record was used), `note`.
- `head`: `commit`, `short` ("no commit" in a repository without one), `branch` (None when detached),
  `branch_text`, `dirty`.
- `failed_gates`: list of gates (below) that failed, each with its `model` name too.
- `training_failures`: list of `model`, `reason`: models whose training failed in this checkout.
- `models`: list, in report order, of
  - `name`, `status` (improved, regressed, mixed, unchanged, new, removed), `emoji`, `passed`, `notes`;
  - `metrics`: `name`, `goal`, `arrow` (↑ maximize, ↓ minimize), `base`, `head`, `change`,
    `relative_change` (numbers or None), `status`, `emoji`, and display text `base_text`, `head_text`
    (`-` when missing), `change_text` (`+0.0312 (+3.4%)`), `change_cell` (`change_text` with the
    emoji; `🆕 new` / `🗑️ removed` when a side is missing);
  - `gates`: `metric`, `kind` (min, max, max_drop), `limit`, `limit_text`, `value`, `passed`
    (True, False, or None when not checked), `emoji`, `message`;
  - `failed_gates`: the gates of this model that failed;
  - `params`: `name`, `kind` (added, removed, changed), `base`, `head`, `base_text`, `head_text`;
  - `run_details`: rows `label`, `base`, `head` (text; `-` when unknown; rows unknown on both sides are
    left out); empty when neither side ran;
  - `trend_chart`: a Mermaid chart of the first metric on the base branch, or None;
  - `data`: what changed in the training data, as in the JSON document (`target` None when the
    target was not on both sides), or None when not checked;
  - `head_run`, `base_run`: the raw run summaries as in the JSON document, or None.
- `notes` (list of str): remarks on the whole comparison; `legend` (str): what the emojis mean;
  `generated_at` (str, ISO 8601).

Filters: `escape` (also `e`) makes any untrusted text safe in Markdown, `number`, `change` and
`percent` format numbers the way the default report does. Every name, note and message comes from
branches, configs or metrics files: pass it through `escape`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Any

from mlci.compare.metrics import within_tolerance
from mlci.compare.numbers import MISSING, format_change, format_number, format_percent
from mlci.compare.result import Comparison, GateResult, MetricChange, ModelComparison, ParamChange, RunSummary
from mlci.report.marker import report_marker
from mlci.report.verdict import verdict_of

SHORT_SHA = 7
ARROWS = {"maximize": "↑", "minimize": "↓"}
METRIC_EMOJI = {"improved": "🟢", "regressed": "🔴", "unchanged": "⚪", "new": "🆕", "removed": "🗑️"}
MODEL_EMOJI = {**METRIC_EMOJI, "mixed": "🟡"}
GATE_EMOJI = {True: "✅", False: "❌", None: "⏭️"}
MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 _.:,()-]")

LEGEND = (
    "🟢 better · 🔴 worse · 🟡 mixed · ⚪ no change · 🆕 new · 🗑️ removed · ↑ higher is better · "
    "↓ lower is better · - no value on that side · ✅ gate passed · ❌ gate failed · ⏭️ gate not checked · "
    "[a, b] the change's paired-bootstrap confidence interval (within noise when it holds 0)"
)


def template_context(comparison: Comparison, *, title: str, identity: str) -> dict[str, Any]:
    """The context every report template is rendered with (documented in this module's docstring)."""
    verdict = verdict_of(comparison)
    base, head = comparison.base, comparison.head
    models = [_model_view(model) for model in comparison.models]
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
        },
        "head": {
            "commit": head.commit,
            "short": head.commit[:SHORT_SHA] if head.commit else "no commit",
            "branch": head.branch,
            "branch_text": head.branch or "detached HEAD",
            "dirty": head.dirty,
        },
        "failed_gates": [{"model": model["name"], **gate} for model in models for gate in model["failed_gates"]],
        "training_failures": [
            {"model": model, "reason": reason} for model, reason in comparison.training_failures.items()
        ],
        "models": models,
        "notes": list(comparison.notes),
        "legend": LEGEND,
        "generated_at": comparison.generated_at,
    }


def _model_view(model: ModelComparison) -> dict[str, Any]:
    gates = [_gate_view(gate) for gate in model.gates]
    return {
        "name": model.name,
        "status": model.status,
        "emoji": MODEL_EMOJI[model.status],
        "passed": model.passed,
        "notes": list(model.notes),
        "metrics": [_metric_view(metric) for metric in model.metrics],
        "gates": gates,
        "failed_gates": [gate for gate in gates if gate["passed"] is False],
        "params": [_param_view(param) for param in model.params],
        "run_details": _run_details(model.base_run, model.head_run),
        "trend_chart": _trend_chart(model),
        "data": model.data.to_json() if model.data else None,
        "head_run": asdict(model.head_run) if model.head_run else None,
        "base_run": asdict(model.base_run) if model.base_run else None,
    }


def _metric_view(metric: MetricChange) -> dict[str, Any]:
    change_text = change_text_of(metric)
    emoji = METRIC_EMOJI[metric.status]
    return {
        **asdict(metric),
        "arrow": ARROWS.get(metric.goal, ""),
        "emoji": emoji,
        "base_text": format_number(metric.base),
        "head_text": format_number(metric.head),
        "change_text": change_text,
        "change_cell": _change_cell(metric, change_text, emoji),
        "interval_text": _interval_text(metric),
    }


def _trend_chart(model: ModelComparison) -> str | None:
    """A Mermaid line chart of the model's first metric over the recent records of the base branch,
    with this run's value as the last point (`PR`); None without at least two points to draw."""
    metric = next((m for m in model.metrics if m.name in model.trend), None)
    if metric is None or metric.head is None:
        return None
    points = [*model.trend[metric.name], ("PR", metric.head)]
    if len(points) < 3:
        return None
    # Labels are short commits, but they come from the comparison document, which a pull request's
    # run may have written: nothing in them may end the string or the code block.
    labels = ", ".join(f'"{MERMAID_UNSAFE.sub(" ", label)[:SHORT_SHA]}"' for label, _ in points)
    values = ", ".join(f"{value:.6g}" for _, value in points)
    # Mermaid is parsed by GitHub, so the title keeps only characters that cannot end the string.
    title = MERMAID_UNSAFE.sub(" ", f"{model.name}: {metric.name} on the base branch, then this PR")
    return f'xychart-beta\n    title "{title}"\n    x-axis [{labels}]\n    line [{values}]'


def _interval_text(metric: MetricChange) -> str | None:
    """`[-0.081, -0.012]`: the bootstrap's interval of the change, or None without one."""
    if metric.interval is None:
        return None
    low, high = metric.interval
    return f"[{format_change(low)}, {format_change(high)}]"


def _change_cell(metric: MetricChange, change_text: str, emoji: str) -> str:
    if metric.status in ("new", "removed"):
        return f"{emoji} {metric.status}"
    if metric.noise == "within_noise" and change_text != "±0":
        return f"{change_text}, within noise"
    if metric.status == "unchanged":
        return change_text
    return f"{emoji} {change_text}"


def change_text_of(metric: MetricChange) -> str:
    """`+0.0312 (+3.4%)`; `±0` for a difference that is float rounding; `-` when a side is missing."""
    if metric.change is None or metric.base is None:
        return MISSING
    if metric.status == "unchanged" and within_tolerance(metric.change, reference=metric.base):
        return "±0"
    relative = format_percent(metric.relative_change)
    return f"{format_change(metric.change)} ({relative})" if relative else format_change(metric.change)


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
