"""The data a report template gets: a documented plain-dict structure, stable for user templates.

Top-level keys:

- `marker` (str): the hidden first line, `<!-- mlci-report:{identity} -->`; `identity` (str).
- `title` (str): `report.title` from `mlci.yaml` (the default title for a report rendered from a
  comparison file by `mlci comment`).
- `comparison` (dict): exactly the `--format json` document (see `mlci/templates/comparison.schema.json`).
- `verdict`: `passed` (bool), `emoji` (✅ or ❌), `headline` ("1 gate failed"), `summary`
  ("2 models: 1 improved, 1 unchanged"), `failed`, `passed_gates`, `not_checked` (ints).
- `base`: `ref`, `commit`, `short` (7-character sha), `requested_commit`, `requested_short`, `distance`,
  `exact` (bool: the requested commit's own record was used), `note`, `first_run` (bool: nothing was
  recorded to compare with), `exists` (bool: false when there is no base commit at all, as on a
  repository's first commit; `commit` is then all zeros).
- `head`: `commit`, `short` ("no commit" in a repository without one), `branch` (None when detached),
  `branch_text`, `dirty`.
- `compact` (bool): more than `COMPACT_ABOVE` (5) models, so the default report leads with a summary
  table, folds each model's details and puts the quiet models on one line.
- `failed_gates`: list of gates (below) that failed, each with its `model` name and the model's
  `anchor` too; `failed_gates_anchor` (str): the anchor name of the list of failed gates.
- `training_failures`: list of `model`, `reason`, `anchor`: models whose training failed in this checkout.
- `models`: list, in report order, of
  - `name`, `status` (improved, regressed, mixed, unchanged, new, removed), `emoji`, `passed`, `notes`;
  - `anchor` (str): a name for `<a name="...">` that links can point at (`#anchor`), unique in the
    report and between reports of other identities;
  - `quiet` (bool): unchanged, trained, and no gate failed: what a long report folds away;
  - `metrics`: `name`, `goal`, `arrow` (↑ maximize, ↓ minimize), `base`, `head`, `change`,
    `relative_change` (numbers or None), `status`, `emoji`, and display text `base_text`, `head_text`
    (`-` when missing), `change_text` (`+0.0312 (+3.4%)`), `change_cell` (`change_text` with the
    emoji; `🆕 new` / `🗑️ removed` when a side is missing), `interval_text` (`[-0.0800, -0.0100]`,
    or None without an interval). A metric's texts share one number of decimals (see
    `mlci.compare.numbers`), with thousands separators and never an exponent;
  - `gates`: `metric`, `kind` (min, max, max_drop), `limit`, `limit_text`, `value`, `passed`
    (True, False, or None when not checked), `emoji`, `message`;
  - `failed_gates`: the gates of this model that failed; `other_gates`: the rest (passed or not
    checked); `gates_summary` (str): "❌ 1 failed, ✅ 2 passed", or `-` without gates;
  - `params`: `name`, `kind` (added, removed, changed), `base`, `head`, `base_text`, `head_text`;
  - `run_details`: rows `label`, `base`, `head` (text; `-` when unknown; rows unknown on both sides are
    left out); empty when neither side ran;
  - `trend_chart`: a Mermaid chart of the first metric on the base branch (the last base point is
    the table's base value), or None;
  - `data`: what changed in the training data, as in the JSON document (`target` None when the
    target was not on both sides), or None when not checked;
  - `rescore`: the base re-scored on this run's test inputs, as in the JSON document (`because`,
    `columns`, `rescored`, `rows`, `recorded`, `note`), or None when the test inputs are the base's;
  - `head_run`, `base_run`: the raw run summaries as in the JSON document, or None.
- `notes` (list of str): remarks on the whole comparison; `legend` (str): what the emojis mean;
  `generated_at` (str, ISO 8601).

Filters: `escape` (also `e`) makes any untrusted text safe in Markdown text and table cells; `html`
makes it safe inside HTML such as a `<summary>` line (GitHub does not read Markdown there, so
backslash escapes would show); `code` writes it as inline code that shows it exactly (a Markdown
code span would show the escapes). `number`, `change` and `percent` format numbers the way the
default report does, `count` a whole number with thousands separators. Every name, note and message
comes from branches, configs or metrics files: pass it through one of `escape`, `html` or `code`.
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
