"""Watching processes a test started through mlci: did they end, and what were their pids."""

from __future__ import annotations

import time
from pathlib import Path


def running(pid: int) -> bool:
    """Whether `pid` runs: a zombie (dead, not yet reaped by an init that never reaps) does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def read_pids(path: Path, *, timeout: float = 20) -> list[int]:
    """The pids a command wrote to `path` (space separated), waiting for it to be written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text().strip() if path.is_file() else ""
        if text:
            return [int(pid) for pid in text.split()]
        time.sleep(0.02)
    raise AssertionError(f"nothing wrote its pids to {path}")
