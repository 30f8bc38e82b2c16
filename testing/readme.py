"""The README's generated blocks (the actions reference, the bad-input table, the example report):
each sits between a BEGIN and an END comment line, and its module prints it or, with `--write`,
puts it in README.md, so the documentation is always made from the thing it documents."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def replace_block(readme: str, block: str, *, begin: str, end: str) -> str:
    """`readme` with everything from the `begin` line to the `end` line swapped for `block` (which
    holds both lines)."""
    start, stop = readme.index(begin), readme.index(end) + len(end)
    return readme[:start] + block.rstrip("\n") + readme[stop:]


def command_line(render: Callable[[], str], replaced: Callable[[str], str]) -> None:
    """`python -m testing.<module>` prints the block; with `--write` it replaces it in README.md."""
    if sys.argv[1:] == ["--write"]:
        README.write_text(replaced(README.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(render())
