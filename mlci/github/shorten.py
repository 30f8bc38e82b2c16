"""Fit Markdown into a size limit without breaking it: fold away details first, cut lines last.

GitHub refuses comments over 65,536 characters and cuts job summaries over 1 MiB, both silently
unreadable for a long report. A report keeps what a reader needs first (verdict, failed gates, the
tables) outside `<details>` blocks, and what can wait inside them; so a long report first loses
whole `<details>` blocks, the innermost first and, among those, the last first, which never leaves
a table or a block half written. Only when that is not enough is the rest cut at a line boundary
(tables stay whole row by row), and an open code fence or `<details>` block is closed so the note
after the cut is shown, not swallowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mlci.config.records import record

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
BLOCK_START = re.compile(r"^ {0,3}<details\b", re.IGNORECASE)
# Enough for a closing fence and the few </details> tags `_closers` adds to a cut inside one line.
CLOSERS_ROOM = 64


def utf8_size(text: str) -> int:
    """Size in bytes once written as UTF-8 (how GitHub measures a job summary)."""
    return len(text.encode("utf-8"))


def utf16_size(text: str) -> int:
    """Size in UTF-16 code units: an emoji beyond the Basic Multilingual Plane counts twice, as in
    JavaScript's `length`, so a text within a limit counted this way is within it however a
    character limit is counted."""
    return len(text.encode("utf-16-le")) // 2


def shorten_markdown(text: str, *, limit: int, note: Callable[[int], str], size: Callable[[str], int] = len) -> str:
    """`text` itself when `size(text) <= limit`; else `text` without enough of its `<details>` blocks
    (see the module docstring), or failing that its longest whole-line start, followed by `note`.

    `note(over)` gets how far over the limit the full text is and returns the line that says so;
    `size` measures text (characters by default, `utf8_size` for bytes).
    """
    total = size(text)
    if total <= limit:
        return text
    tail = f"\n\n{note(total - limit)}\n"
    budget = limit - size(tail)
    folded, fits = _fold_details(text, budget=budget, size=size)
    if fits:
        return folded.rstrip("\n") + tail
    return _cut(folded, limit=limit, tail=tail, size=size)


@record
class _Block:
    start: int
    end: int
    depth: int


def _fold_details(text: str, *, budget: int, size: Callable[[str], int]) -> tuple[str, bool]:
    """`text` without its `<details>` blocks, innermost and last first, until it fits `budget`; and
    whether it does. A block is whole lines, from one starting with `<details` to the line that
    closes it; a blank line after it goes with it."""
    lines = text.splitlines(keepends=True)
    sizes = [size(line) for line in lines]
    used = sum(sizes)
    removed = [False] * len(lines)
    for block in sorted(_blocks(lines), key=lambda block: (-block.depth, -block.start)):
        if used <= budget:
            break
        if removed[block.start]:
            continue  # inside a block already left out
        end = block.end + 1 if block.end + 1 < len(lines) and not lines[block.end + 1].strip() else block.end
        for index in range(block.start, end + 1):
            if not removed[index]:
                removed[index] = True
                used -= sizes[index]
    kept = "".join(line for line, gone in zip(lines, removed, strict=True) if not gone)
    return kept, used <= budget


def _blocks(lines: list[str]) -> list[_Block]:
    """The `<details>` blocks made of whole lines, outside code fences, with their nesting depth."""
    blocks: list[_Block] = []
    open_at: list[int | None] = []
    outside, _ = _outside_fences(lines)
    for index, line in outside:
        opens = len(DETAILS_OPEN.findall(line))
        # Only a block that starts a line can be left out whole; one opened mid-line is kept.
        open_at += [index if BLOCK_START.match(line) and n == 0 else None for n in range(opens)]
        for _ in DETAILS_CLOSE.findall(line):
            if not open_at:
                break
            start = open_at.pop()
            if start is not None and start != index:
                blocks.append(_Block(start=start, end=index, depth=len(open_at)))
    return blocks


def _cut(text: str, *, limit: int, tail: str, size: Callable[[str], int]) -> str:
    """The longest whole-line start of `text` that fits `limit` with `tail`, with what it left open closed."""
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
    outside, fence = _outside_fences(head.splitlines())
    open_details = sum(len(DETAILS_OPEN.findall(line)) - len(DETAILS_CLOSE.findall(line)) for _, line in outside)
    closers = f"\n{fence}" if fence is not None else ""
    return closers + "\n\n</details>" * min(max(open_details, 0), 3)


def _outside_fences(lines: list[str]) -> tuple[list[tuple[int, str]], str | None]:
    """The lines outside fenced code blocks (fence lines excluded), with their index; and the fence
    still open after the last line, if any."""
    outside: list[tuple[int, str]] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        marker = FENCE.match(line)
        if marker:
            token = marker.group(1)
            if fence is None:
                fence = token
            elif token[0] == fence[0] and len(token) >= len(fence):
                fence = None
        elif fence is None:
            outside.append((index, line))
    return outside, fence
