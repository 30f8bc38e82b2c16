"""Rendering a comparison: `text` for the terminal, `markdown` for pull requests and job summaries,
`json` for machines (the documented schema in `mlci/templates/comparison.schema.json`)."""

from __future__ import annotations

import json

from mlci.compare.result import Comparison
from mlci.config import Config
from mlci.errors import MlciError
from mlci.report.markdown import render_markdown
from mlci.report.marker import report_marker
from mlci.report.text import render_text

FORMATS = ("text", "markdown", "json")

__all__ = ["FORMATS", "render", "render_json", "render_markdown", "render_text", "report_marker"]


def render(comparison: Comparison, fmt: str, *, config: Config, color: bool = False) -> str:
    """`comparison` in format `fmt` (text, markdown or json); `color` only affects text."""
    if fmt == "text":
        return render_text(comparison, color=color)
    if fmt == "markdown":
        return render_markdown(comparison, config=config)
    if fmt == "json":
        return render_json(comparison)
    raise MlciError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_json(comparison: Comparison) -> str:
    """The stable `--format json` document: keys sorted, so identical comparisons give identical text."""
    return json.dumps(comparison.to_json(), indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
