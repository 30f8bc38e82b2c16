"""The hidden first line of every Markdown report, by which a later run finds its own comment."""

from __future__ import annotations

import re

DEFAULT_IDENTITY = "default"
MAX_IDENTITY_LENGTH = 100

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_DASHES = re.compile(r"-{2,}")


ANY_MARKER_LINE = re.compile(r"\A<!-- mlci-report:[A-Za-z0-9_.-]* -->\n?")


def sanitize_identity(identity: str) -> str:
    """Letters, digits and `_.-` only, without `--`, so an identity can never close the HTML comment
    early, make it invalid, or match another identity's marker."""
    cleaned = _DASHES.sub("-", _UNSAFE.sub("-", identity).strip("-"))[:MAX_IDENTITY_LENGTH]
    return cleaned or DEFAULT_IDENTITY


def report_marker(identity: str = DEFAULT_IDENTITY) -> str:
    """`<!-- mlci-report:{identity} -->`; two workflows reporting on one pull request use two identities."""
    return f"<!-- mlci-report:{sanitize_identity(identity)} -->"


def without_marker(text: str) -> str:
    """`text` without a leading report marker line, whichever identity it names."""
    return ANY_MARKER_LINE.sub("", text, count=1)


def ensure_marker(text: str, marker: str) -> str:
    """`text` starting with `marker`: a user template that leaves it out still gets it as its first line."""
    if text.startswith(marker):
        return text
    return f"{marker}\n{text}"
