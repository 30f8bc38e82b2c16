"""Rendering a comparison: `text` for the terminal, `markdown` for pull requests and job summaries,
`json` for machines (the documented schema in `templates/comparison.schema.json`)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from mlci.compare.result import json_fields
from mlci.console import LONE_SURROGATE, UNPRINTABLE
from mlci.errors import MlciError
from mlci.report.jsontext import dumps_sorted_indented
from mlci.report.marker import DEFAULT_IDENTITY, report_marker

if TYPE_CHECKING:
    from mlci.compare.result import Comparison
    from mlci.config import Config

FORMATS = ("text", "markdown", "json")
# Only ever inside JSON strings: the controls below U+0020 JSON escapes itself.
_UNSAFE_IN_JSON = re.compile(f"{UNPRINTABLE.pattern}|{LONE_SURROGATE.pattern}")

__all__ = ["FORMATS", "render", "render_json", "render_markdown", "render_text", "report_marker"]


def render_markdown(comparison: Comparison, *, config: Config, identity: str = DEFAULT_IDENTITY) -> str:
    """The Markdown report of `comparison` (see `mlci.report.markdown.render_markdown`)."""
    # The Markdown and text renderers load on first use: `--format json`, the machines' format,
    # needs neither (nor the templates, escaping and charts behind them).
    from mlci.report import markdown

    return markdown.render_markdown(comparison, config=config, identity=identity)


def render_text(comparison: Comparison, *, color: bool = False) -> str:
    """The terminal's table of `comparison` (see `mlci.report.text.render_text`)."""
    from mlci.report import text

    return text.render_text(comparison, color=color)


def render(comparison: Comparison, fmt: str, *, config: Config, color: bool = False, indent: bool = False) -> str:
    """`comparison` in format `fmt` (text, markdown or json); `color` only affects text, `indent` json."""
    if fmt == "text":
        return render_text(comparison, color=color)
    if fmt == "markdown":
        return render_markdown(comparison, config=config)
    if fmt == "json":
        return render_json(comparison, indent=indent)
    raise MlciError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_json(comparison: Comparison, *, indent: bool = False) -> str:
    """The stable `--format json` document: keys sorted, so identical comparisons give identical text.

    Compact, on one line, for the programs that read it (json's C encoder writes it in one pass,
    several times faster than any indented form); with `indent`, two spaces per level, for a person
    at a terminal. Readable text stays as it is; characters that could rewrite a terminal (controls,
    bidi overrides) or that no encoding can write (lone surrogates) are written as `\\uXXXX` escapes,
    which parse back to exactly the same strings.
    """
    document = comparison.json_document()
    if indent:
        text = dumps_sorted_indented(document, default=json_fields)
    else:
        # A comparison is a tree of frozen records, never a cycle: json's check for one (it notes
        # every container it enters) would be 40% of the writing.
        text = json.dumps(
            document,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=json_fields,
            check_circular=False,
        )
    # json escapes the controls below U+0020 itself; in ASCII only DEL is left to look for.
    if not (text.isascii() and "\x7f" not in text):
        text = _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text + "\n"
