"""Making untrusted text safe to show: model, metric, parameter and branch names, notes from runs.

Anyone who can open a pull request controls some of these strings (a branch name, a metric key in a
command's metrics file), and the report is posted with the workflow's token. So a name must not be
able to break a table, inject HTML, ping people or link issues.
"""

from __future__ import annotations

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
    text = one_line(value, max_length=max_length)
    text = _REFERENCE.sub(lambda match: match.group(1) + ZERO_WIDTH_JOINER, text)
    text = _AUTOLINK.sub(lambda match: (match.group(1) or match.group(2)) + ZERO_WIDTH_JOINER, text)
    return "".join(_MARKDOWN_SPECIALS.get(char, char) for char in text)
