"""Making untrusted text safe to show: model, metric, parameter and branch names, notes from runs.

Anyone who can open a pull request controls some of these strings (a branch name, a metric key in a
command's metrics file), and the report is posted with the workflow's token. So a name must not be
able to break a table, inject HTML, ping people or link issues.

Where the text goes decides how: Markdown text (a sentence, a table cell) takes backslash escapes;
HTML (a `<summary>` line, which GitHub does not read as Markdown) takes entities and would show a
backslash as it is; and a Markdown code span shows everything as it is, escapes included, so inline
code is an HTML `<code>` element around escaped Markdown text instead.
"""

from __future__ import annotations

import html
import re

from mlci.console import visible

MAX_LENGTH = 200
ELLIPSIS = "…"

# Zero width joiner: invisible when rendered, but GitHub's mention and issue-reference filters need a
# word character right after `@` / `#`, so `@\u200doctocat` neither pings nor links. An HTML entity such
# as `&#64;` would not do: GitHub decodes entities before it looks for mentions in the rendered text.
ZERO_WIDTH_JOINER = "\u200d"

_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_WHITESPACE = re.compile(r"[ \t]+")
_MARKDOWN_SPECIALS = {
    **{char: "\\" + char for char in "\\|*_`[]#~$!"},
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}
_LINK_ENTITIES = str.maketrans({"[": "&#x5b;", "]": "&#x5d;", "!": "&#x21;"})
_REFERENCE = re.compile(r"([@#])(?=[\w-])")
# GitHub turns bare `https://...` and `www....` into links; a name should never become one.
_AUTOLINK = re.compile(r"(:)(?=//)|(?<![\w.])(www)(?=\.)", re.IGNORECASE)


def one_line(value: object, *, max_length: int = MAX_LENGTH) -> str:
    """`value` as text on one line, without control characters, cut to `max_length` with an ellipsis."""
    text = _LINE_BREAKS.sub(" ", str(value))
    # Terminal escapes, bidi overrides that make a name read as another one, lone surrogates.
    text = visible(text)
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) > max_length:
        text = text[: max(max_length - 1, 0)].rstrip() + ELLIPSIS
    return text


def escape_markdown(value: object, *, max_length: int = MAX_LENGTH) -> str:
    """`value` made safe inside a GitHub Markdown table cell or a sentence: on one line, Markdown
    punctuation backslash-escaped, `& < >` as HTML entities, @-mentions, #-references and bare links
    broken by an invisible joiner."""
    text = _defused(one_line(value, max_length=max_length))
    return "".join(_MARKDOWN_SPECIALS.get(char, char) for char in text)


def escape_html(value: object, *, max_length: int = MAX_LENGTH) -> str:
    """`value` made safe as text inside HTML, such as a `<summary>` line: on one line, `& < > "` as
    entities, mentions, references and bare links broken as in `escape_markdown`. No backslashes:
    HTML would show them. `[`, `]` and `!` are entities too, so that even read as Markdown the text
    could never make a link or an image."""
    text = html.escape(_defused(one_line(value, max_length=max_length)), quote=True)
    return text.translate(_LINK_ENTITIES)


def escape_code(value: object, *, max_length: int = MAX_LENGTH) -> str:
    """`value` as inline code that reads exactly as written: an HTML `<code>` element around
    `escape_markdown` text. Not a Markdown code span: a code span shows backslash escapes as they
    are, and cannot hold a `|` in a table; and text from a pull request is never left raw in the
    Markdown, where one parsing slip would make it live HTML."""
    return f"<code>{escape_markdown(value, max_length=max_length)}</code>"


def _defused(text: str) -> str:
    """`text` with mentions, issue references and bare links broken by an invisible joiner."""
    text = _REFERENCE.sub(lambda match: match.group(1) + ZERO_WIDTH_JOINER, text)
    return _AUTOLINK.sub(lambda match: (match.group(1) or match.group(2)) + ZERO_WIDTH_JOINER, text)
