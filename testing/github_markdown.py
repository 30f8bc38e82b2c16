"""What GitHub makes of a report, checked the way a reader would see it.

A report is rendered by cmark-gfm, GitHub's own Markdown engine (the `cmarkgfm` binding, with the
extensions GitHub turns on), and the HTML is read back: every table written in the Markdown must be
a table, every list item a list item, every heading a heading, every line starting with `<details>`
a `<details>` element, closed, that starts with its `<summary>`; no text may show an escape a reader
was never meant to see (`\\|`, `\\_`, `&lt;`, `&amp;`); the report marker is the first line; and
every Mermaid `xychart-beta` chart keeps to the grammar below. The test suite runs this on every
report it renders and on every comment the stand-in GitHub receives.

The grammar is the subset of Mermaid's `xychart-beta` that mlci writes: an optional `%%{init: ...}%%`
directive holding a JSON object, then `xychart-beta`, a `title "..."`, an `x-axis [...]` of quoted
labels, an optional `y-axis`, and one or more `line [...]` series of plain decimals (Mermaid refuses
exponents such as `2.5e+06`), each as long as the x-axis.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser

MARKER_LINE = re.compile(r"<!-- mlci-report:[A-Za-z0-9_.-]+ -->")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
TABLE_DELIMITER_ROW = re.compile(r"^ {0,3}\|(?:\s*:?-+:?\s*\|)+\s*$")
LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:\s|$)")
HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
DETAILS_LINE = re.compile(r"^ {0,3}<details\b", re.IGNORECASE)
# What a reader should never see: an escape meant for the Markdown parser, or an entity meant for
# the HTML one.
VISIBLE_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
VISIBLE_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

NUMBER = r"-?\d+(?:\.\d+)?"
LABEL = r'"[^"\n]*"'
XY_INIT = re.compile(r"%%\{init: (?P<config>\{.*\})\}%%")
XY_TITLE = re.compile(rf"    title {LABEL}")
XY_X_AXIS = re.compile(rf"    x-axis \[(?P<labels>{LABEL}(?:, {LABEL})*)\]")
XY_Y_AXIS = re.compile(rf"    y-axis(?: {LABEL})?(?: {NUMBER} --> {NUMBER})?")
XY_LINE = re.compile(rf"    line \[(?P<values>{NUMBER}(?:, {NUMBER})*)\]")


def render_html(markdown: str) -> str:
    """`markdown` as GitHub's engine renders it, raw HTML kept (GitHub sanitizes it afterwards)."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


def markdown_problems(markdown: str, *, marker: bool = True) -> list[str]:
    """Everything a reader on GitHub would see broken in `markdown`; empty when it renders as written.
    `marker`: whether it must start with the report marker (a report does; a fragment need not)."""
    problems = []
    lines = markdown.splitlines()
    if marker and (not lines or not MARKER_LINE.fullmatch(lines[0])):
        problems.append(f"the first line is not the report marker: {lines[0][:80] if lines else ''!r}")
    source = _block_lines(lines)
    page = _Page()
    page.feed(render_html(markdown))
    page.close()
    expected = {
        "table": sum(bool(TABLE_DELIMITER_ROW.match(line)) for line in source),
        "li": sum(bool(LIST_ITEM.match(line)) for line in source),
        "heading": sum(bool(HEADING.match(line)) for line in source),
        "details": sum(bool(DETAILS_LINE.match(line)) for line in source),
    }
    for kind, count in expected.items():
        if page.counts[kind] != count:
            problems.append(f"{count} {kind} line(s) in the Markdown, {page.counts[kind]} {kind}(s) on GitHub")
    for text in page.texts:
        for pattern, what in ((VISIBLE_ESCAPE, "an escape"), (VISIBLE_ENTITY, "an entity")):
            found = pattern.search(text)
            if found:
                problems.append(f"{what} shows as text: {found.group()!r} in {text.strip()[:120]!r}")
    problems += page.problems
    problems += [problem for chart in page.charts if "xychart-beta" in chart for problem in xychart_problems(chart)]
    return problems


def visible_text(html: str) -> str:
    """The text a reader sees in a piece of HTML: tags dropped, entities decoded."""
    page = _Page()
    page.feed(html)
    page.close()
    return "".join(page.texts)


def assert_renders_on_github(markdown: str, *, marker: bool = True) -> None:
    """Raise AssertionError listing every problem `markdown_problems` finds."""
    problems = markdown_problems(markdown, marker=marker)
    if problems:
        raise AssertionError("the Markdown does not render as written on GitHub:\n- " + "\n- ".join(problems))


def xychart_problems(chart: str) -> list[str]:
    """Where `chart` leaves the `xychart-beta` grammar mlci writes (see the module docstring)."""
    lines = chart.rstrip("\n").split("\n")
    problems = []
    init = XY_INIT.fullmatch(lines[0]) if lines else None
    if init:
        try:
            if not isinstance(json.loads(init.group("config")), dict):
                problems.append("the init directive does not hold a JSON object")
        except ValueError as exc:
            problems.append(f"the init directive is not JSON: {exc}")
        lines = lines[1:]
    if not lines or lines[0] != "xychart-beta":
        return [*problems, f"the chart does not start with xychart-beta: {lines[:1]!r}"]
    body = lines[1:]
    if not body or not XY_TITLE.fullmatch(body[0]):
        return [*problems, f"no title line first: {body[:1]!r}"]
    x_axis = XY_X_AXIS.fullmatch(body[1]) if len(body) > 1 else None
    if not x_axis:
        return [*problems, f"not an x-axis of quoted labels: {body[1:2]!r}"]
    labels = len(re.findall(LABEL, x_axis.group("labels")))
    series = body[2:]
    if series and XY_Y_AXIS.fullmatch(series[0]):
        series = series[1:]
    if not series:
        problems.append("no line series")
    for line in series:
        match = XY_LINE.fullmatch(line)
        if not match:
            problems.append(f"not a line of plain decimals: {line!r}")
        elif len(match.group("values").split(", ")) != labels:
            problems.append(f"a line of {len(match.group('values').split(', '))} values on {labels} labels")
    return problems


def _block_lines(lines: list[str]) -> list[str]:
    """The lines outside fenced code blocks, where Markdown structure is written."""
    outside, fence = [], None
    for line in lines:
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
        elif fence is not None and match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
            fence = None
        elif fence is None:
            outside.append(line)
    return outside


class _Page(HTMLParser):
    """The rendered HTML, read for what a reader sees: text, tables, list items, headings, details."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.counts: Counter[str] = Counter()
        self.texts: list[str] = []
        self.charts: list[str] = []
        self.problems: list[str] = []
        self._open_details = 0
        self._awaiting_summary = False
        self._in_pre = 0
        self._chart: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._awaiting_summary and tag != "summary":
            self.problems.append(f"a <details> whose first element is <{tag}>, not <summary>")
        self._awaiting_summary = False
        if tag == "details":
            self.counts["details"] += 1
            self._open_details += 1
            self._awaiting_summary = True
        elif tag in HEADINGS:
            self.counts["heading"] += 1
        elif tag in ("table", "li"):
            self.counts[tag] += 1
        elif tag == "pre":
            self._in_pre += 1
            if ("lang", "mermaid") in attrs:
                self._chart = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self._open_details -= 1
            if self._open_details < 0:
                self.problems.append("a </details> without its <details>")
                self._open_details = 0
        elif tag == "pre":
            self._in_pre = max(self._in_pre - 1, 0)
            if self._chart is not None:
                self.charts.append("".join(self._chart))
                self._chart = None

    def handle_data(self, data: str) -> None:
        if self._awaiting_summary and data.strip():
            self.problems.append(f"a <details> that starts with text, not <summary>: {data.strip()[:60]!r}")
            self._awaiting_summary = False
        if self._chart is not None:
            self._chart.append(data)
        elif not self._in_pre:
            self.texts.append(data)

    def close(self) -> None:
        super().close()
        if self._open_details:
            self.problems.append(f"{self._open_details} <details> left open")
