"""What a report shows about where and when a run was trained, read from the run's lineage.

Lineage comes from `run.json`, which may be old, from another machine or edited by hand, so every
field is read defensively: a value of the wrong type is shown as unknown rather than failing.
"""

from __future__ import annotations

import math
from typing import Any

from mlci.compare.result import RunSummary
from mlci.runs import Run


def summarize_run(run: Run) -> RunSummary:
    """The trust-relevant facts of `run`: lineage keys `git.commit`, `git.branch`, `git.dirty`,
    `config_hash`, `started_at` and `duration_seconds`."""
    lineage = run.lineage
    recorded_git = lineage.get("git")
    git: dict[str, Any] = recorded_git if isinstance(recorded_git, dict) else {}
    return RunSummary(
        commit=_text(git.get("commit")),
        branch=_text(git.get("branch")),
        dirty=git.get("dirty") if isinstance(git.get("dirty"), bool) else None,
        mode=run.mode,
        task=_text(run.task),
        config_hash=_text(lineage.get("config_hash")),
        started_at=_text(lineage.get("started_at")),
        duration_seconds=_seconds(lineage.get("duration_seconds")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)
