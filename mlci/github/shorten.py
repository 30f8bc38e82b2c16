"""Fit Markdown into a size limit without breaking it: cut at a line, close what the cut left open.

GitHub refuses comments over 65,536 characters and cuts job summaries over 1 MiB, both silently
unreadable for a long report. Cutting at a line boundary keeps tables whole row by row; an open
code fence or `<details>` block is closed so the note after the cut is shown, not swallowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
# Enough for a closing fence and the few </details> tags `_closers` adds to a cut inside one line.
CLOSERS_ROOM = 64


def utf8_size(text: str) -> int:
    """Size in bytes once written as UTF-8 (how GitHub measures a job summary)."""
    return len(text.encode("utf-8"))


def shorten_markdown(text: str, *, limit: int, note: Callable[[int], str], size: Callable[[str], int] = len) -> str:
    """`text` itself when `size(text) <= limit`; else its longest whole-line start that fits with `note`.

    `note(over)` gets how far over the limit the full text is and returns the line that says so;
    `size` measures text (characters by default, `utf8_size` for bytes).
    """
    total = size(text)
    if total <= limit:
        return text
    tail = f"\n\n{note(total - limit)}\n"
    budget = limit - size(tail)
    kept: list[str] = []
    used = 0
    for line in text.splitlines(keepends=True):
        line_size = size(line)
        if used + line_size > budget:
            break
        kept.append(line)
        used += line_size
    # Closing what the cut left open takes room too: give back whole lines until everything fits.
    while kept:
        head = "".join(kept)
        shortened = head.rstrip("\n") + _closers(head) + tail
        if size(shortened) <= limit:
            return shortened
        kept.pop()
    head = _prefix_within(text, budget - CLOSERS_ROOM, size)
    shortened = head + _closers(head) + tail
    if budget <= CLOSERS_ROOM or size(shortened) > limit:
        raise ValueError(f"limit {limit} leaves no room for the truncation note")
    return shortened


def _prefix_within(text: str, budget: int, size: Callable[[str], int]) -> str:
    """The longest prefix of one over-long line that fits `budget`."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if size(text[:middle]) <= budget:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def _closers(head: str) -> str:
    """Markdown that closes a code fence and `<details>` blocks the cut left open."""
    fence: str | None = None
    open_details = 0
    for line in head.splitlines():
        marker = FENCE.match(line)
        if marker:
            token = marker.group(1)
            if fence is None:
                fence = token
            elif token[0] == fence[0] and len(token) >= len(fence):
                fence = None
            continue
        if fence is None:
            open_details += len(DETAILS_OPEN.findall(line)) - len(DETAILS_CLOSE.findall(line))
    closers = f"\n{fence}" if fence is not None else ""
    return closers + "\n\n</details>" * min(max(open_details, 0), 3)
