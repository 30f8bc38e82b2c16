"""The terminal rendering: one aligned table per model, status words, and a verdict line at the end.

Plain text that survives any log viewer: no emoji, only the ↑/↓ arrows; colour only when asked
for (the caller knows whether stdout is a terminal). Names pass through `one_line`, which drops
control characters, so a metric name cannot carry terminal escape sequences.
"""

from __future__ import annotations

from mlci.compare.numbers import metric_format
from mlci.compare.result import Comparison, GateResult, MetricChange, ModelComparison
from mlci.report.context import ARROWS, SHORT_SHA, change_text_of, interval_text_of, param_text
from mlci.report.escape import one_line
from mlci.report.verdict import verdict_of

STATUS_COLORS = {"improved": "green", "regressed": "red", "mixed": "yellow", "new": "cyan", "removed": "magenta"}
GATE_WORDS = {True: "pass", False: "FAIL", None: "skip"}
GATE_COLORS = {True: "green", False: "red", None: "yellow"}
HEADER = ("Metric", "base", "head", "change", "status")
NOISE_SUFFIX = {"within_noise": " (within noise)", "real": " (real)"}
INDENT = "  "
COLUMN_GAP = "   "


def render_text(comparison: Comparison, *, color: bool = False) -> str:
    """The comparison as terminal text; `color` adds ANSI colours to status words and the verdict."""
    paint = _Paint(color)
    base, head = comparison.base, comparison.head
    lines = [f"Base: {one_line(base.ref)} ({base.commit[:SHORT_SHA]})" if base.exists else "Base: none (first record)"]
    if base.first_run or base.commit != base.requested_commit:
        lines.append(f"      {one_line(base.note, max_length=300)}")
    head_sha = head.commit[:SHORT_SHA] if head.commit else "no commit"
    dirty = ", with uncommitted changes" if head.dirty else ""
    lines.append(f"Head: {one_line(head.branch or 'detached HEAD')} ({head_sha}){dirty}")
    lines += [f"Note: {one_line(note, max_length=300)}" for note in comparison.notes]
    for model in comparison.models:
        lines += ["", *_model_lines(model, paint)]
    failed = comparison.failed_gates
    if failed:
        lines += ["", "Failed gates:"]
        lines += [f"{INDENT}{one_line(model)}: {one_line(gate.message, max_length=300)}" for model, gate in failed]
    verdict = verdict_of(comparison)
    word = paint("PASSED", "green") if verdict.passed else paint("FAILED", "red")
    lines += ["", f"{word}: {verdict.headline}; {verdict.summary}"]
    return "\n".join(lines) + "\n"


def _model_lines(model: ModelComparison, paint: _Paint) -> list[str]:
    lines = [f"{one_line(model.name)}: {paint(model.status, STATUS_COLORS.get(model.status))}"]
    lines += [f"{INDENT}note: {one_line(note, max_length=300)}" for note in model.notes]
    if model.metrics:
        lines += _metric_table(model.metrics, paint)
    else:
        lines.append(f"{INDENT}no metrics on either side")
    if model.gates:
        lines.append(f"{INDENT}gates:")
        lines += [_gate_line(gate, paint) for gate in model.gates]
    if model.params:
        lines.append(f"{INDENT}parameters:")
        for param in model.params:
            before = "-" if param.kind == "added" else one_line(param_text(param.base))
            after = "-" if param.kind == "removed" else one_line(param_text(param.head))
            lines.append(f"{INDENT * 2}{one_line(param.name)}: {before} -> {after}")
    return lines


def _metric_table(metrics: list[MetricChange], paint: _Paint) -> list[str]:
    rows = [_metric_row(metric) for metric in metrics]
    widths = [max(len(row[i]) for row in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = []
    for index, row in enumerate([HEADER, *rows]):
        name, base, head, change, status = row
        if index:
            status = paint(status, STATUS_COLORS.get(status.split(" ")[0]))
        cells = [name.ljust(widths[0]), base.rjust(widths[1]), head.rjust(widths[2]), change.ljust(widths[3]), status]
        lines.append((INDENT + COLUMN_GAP.join(cells)).rstrip())
    return lines


def _metric_row(metric: MetricChange) -> tuple[str, str, str, str, str]:
    form = metric_format(metric.base, metric.head)
    noise = "" if change_text_of(metric) == "±0" else NOISE_SUFFIX.get(metric.noise or "", "")
    return (
        f"{one_line(metric.name)} {ARROWS.get(metric.goal, '')}".rstrip(),
        form.value(metric.base),
        form.value(metric.head),
        _change_with_interval(metric),
        metric.status + noise,
    )


def _change_with_interval(metric: MetricChange) -> str:
    text = change_text_of(metric)
    interval = interval_text_of(metric)
    if interval is None or text == "±0":
        return text
    return f"{text} {interval}"


def _gate_line(gate: GateResult, paint: _Paint) -> str:
    word = paint(GATE_WORDS[gate.passed], GATE_COLORS[gate.passed])
    return f"{INDENT * 2}{word}  {one_line(gate.message, max_length=300)}"


ANSI_COLORS = {"red": 31, "green": 32, "yellow": 33, "magenta": 35, "cyan": 36}


class _Paint:
    """Colours a word when colour is on; a no-op otherwise, so callers never branch on it."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, color: str | None) -> str:
        if not self.enabled or color not in ANSI_COLORS:
            return text
        bold = "1;" if color == "red" else ""
        return f"\033[{bold}{ANSI_COLORS[color]}m{text}\033[0m"
