"""How a model's metrics moved over the recent recorded commits of the base branch.

The history is read from the same store as the base's record, along the base's first-parent line
(what the branch actually contained), newest last; the pull request's own value is added by the
report. Bounded: at most `points` records, found within `search` commits.
"""

from __future__ import annotations

from mlci.compare.baseline import RecordReader, first_parent_history
from mlci.git import Git, short_sha
from mlci.store.storage import StorageView

TREND_POINTS = 12
TREND_SEARCH = 200


def metric_history(
    git: Git,
    storage: StorageView,
    base_commit: str,
    *,
    points: int = TREND_POINTS,
    search: int = TREND_SEARCH,
    records: RecordReader | None = None,
) -> dict[str, dict[str, list[tuple[str, float]]]]:
    """model -> metric -> [(short commit, value)], oldest first, from the last `points` records.
    Damaged records are left out (see `RecordReader`)."""
    records = records or RecordReader(storage)
    history: dict[str, dict[str, list[tuple[str, float]]]] = {}
    found = 0
    # A shallow CI checkout is deepened as needed (bounded by `search`), as the baseline search does.
    commits = first_parent_history(git, base_commit, limit=search)
    recorded = set(storage.list("runs"))
    # The records the trend will show, read together; a damaged one among them costs a read more.
    records.prefetch([commit for commit in commits if commit in recorded][:points])
    for commit in commits:
        record = records.load(commit)
        if record is None:
            continue
        for model, run in record.runs.items():
            for metric, value in run.metrics.items():
                history.setdefault(model, {}).setdefault(metric, []).insert(0, (short_sha(commit), value))
        found += 1
        if found == points:
            break
    return history
