"""The trend chart: a Mermaid `xychart-beta` line of a model's first metric over the recent records
of the base branch, then this run's value, drawn by GitHub from the report's text.

What GitHub's Mermaid accepts and shows decides the details: values are plain decimals (the chart
refuses `2.5e+06`); the line's colours are set, because the default light theme draws the first
line in a near-white lavender, and are chosen to keep at least 3:1 contrast (WCAG's bar for
graphics) on GitHub's light (#ffffff) and dark (#0d1117) backgrounds alike; and the last base point
is the base value the table shows (re-scored on this run's rows when the data changed), not the
recorded one, so the chart and the table never disagree.
"""

from __future__ import annotations

import json
import re

from mlci.compare.numbers import plain_decimal
from mlci.compare.result import ModelComparison
from mlci.git import SHORT_SHA_LENGTH, short_sha

# GitHub's Primer blue, orange, purple, green and pink at the shades readable on both themes.
PALETTE = ("#1f6feb", "#bc4c00", "#8957e5", "#0e8a16", "#bf3989")
THEME = "%%{init: " + json.dumps({"themeVariables": {"xyChart": {"plotColorPalette": ", ".join(PALETTE)}}}) + "}%%"
# Labels and the title are quoted strings in the chart: nothing in them may end the string or the
# code block around the chart. Labels are short commits, but a pull request's run may have written
# the comparison document they come from.
MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 _.:,()-]")
PR_LABEL = "PR"


def trend_chart(model: ModelComparison, *, base_commit: str) -> str | None:
    """The chart's Mermaid text, or None without a base history and a value of this run to draw
    (at least three points in all)."""
    metric = next((m for m in model.metrics if m.name in model.trend), None)
    if metric is None or metric.head is None:
        return None
    history = list(model.trend[metric.name])
    if history and metric.base is not None and history[-1][0] == short_sha(base_commit):
        history[-1] = (history[-1][0], metric.base)
    points = [*history, (PR_LABEL, metric.head)]
    if len(points) < 3:
        return None
    labels = ", ".join(f'"{MERMAID_UNSAFE.sub(" ", label)[:SHORT_SHA_LENGTH]}"' for label, _ in points)
    values = ", ".join(plain_decimal(value) for _, value in points)
    title = MERMAID_UNSAFE.sub(" ", f"{model.name}: {metric.name} on the base branch, then this PR")
    return f'{THEME}\nxychart-beta\n    title "{title}"\n    x-axis [{labels}]\n    line [{values}]'
