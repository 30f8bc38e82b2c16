"""The hidden first line of every Markdown report, by which a later run finds its own comment."""

from __future__ import annotations

import re

DEFAULT_IDENTITY = "default"
MAX_IDENTITY_LENGTH = 100

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_DASHES = re.compile(r"-{2,}")


def report_marker(identity: str = DEFAULT_IDENTITY) -> str:
    """`<!-- mlci-report:{identity} -->`; two workflows reporting on one pull request use two identities.

    The identity is reduced to letters, digits and `_.-`, without `--`, so it can never close the
    HTML comment early or make it invalid. The rule is the one `mlci.github.comments` uses to find the
    comment (that module is not imported here: it pulls in the HTTP client), so both agree on the marker.
    """
    cleaned = _DASHES.sub("-", _UNSAFE.sub("-", identity).strip("-"))[:MAX_IDENTITY_LENGTH]
    return f"<!-- mlci-report:{cleaned or DEFAULT_IDENTITY} -->"


def ensure_marker(text: str, marker: str) -> str:
    """`text` starting with `marker`: a user template that leaves it out still gets it as its first line."""
    if text.startswith(marker):
        return text
    return f"{marker}\n{text}"
