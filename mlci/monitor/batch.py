"""The fresh data a monitor run checks: the newest file a path or glob pattern matches.

Scheduled jobs usually add a file per day or hour (`data/incoming/2025-05-02.parquet`); the newest is
the batch. "Newest" is by modification time, and among files written within the same second (a fresh
git checkout writes them all at once) the last by name, so date-stamped names pick the latest date.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import TYPE_CHECKING

from mlci.config.fields import ConfigField
from mlci.config.yamlsource import display_path
from mlci.errors import DataError
from mlci.training.tables import SUPPORTED, read_table, table_format

if TYPE_CHECKING:
    import pandas as pd

# The columns a message names before it says how many more there are.
COLUMNS_SHOWN = 5


def find_batch(pattern: str, *, root: Path, field: ConfigField | None) -> Path:
    """The newest data file `pattern` (relative to `root`) matches; `DataError` when none does."""
    full = Path(pattern) if Path(pattern).is_absolute() else root / pattern
    if not glob.has_magic(str(full)):
        return full
    matches = [Path(name) for name in glob.glob(str(full), recursive=True)]
    tables = [path for path in matches if path.is_file() and table_format(path) is not None]
    if not tables:
        message = f"no data file matches {pattern!r}" + (f" ({len(matches)} other files do)" if matches else "")
        hint = f"The batch is a data file: {SUPPORTED}."
        raise field.error(message, kind=DataError, hint=hint) if field else DataError(message, hint=hint)
    return max(tables, key=lambda path: (int(path.stat().st_mtime), path.name))


def read_batch(path: Path, *, header: bool, field: ConfigField | None) -> pd.DataFrame:
    """The batch's rows, read by the one table reader (so any file training reads works here too)."""
    if not path.is_file():
        message = f"{display_path(path)}: no such file"
        raise field.error(message, kind=DataError) if field else DataError(message)
    return read_table(path, header=header, field=field)


def features_lacking(frame: pd.DataFrame, features: list[str]) -> str | None:
    """The features `frame` lacks, as a message names them (`the feature column 'x2'`, `the feature
    columns 'x1', 'x2'`: the first few, then how many more); None when it has them all."""
    missing = [column for column in features if column not in frame.columns]
    if not missing:
        return None
    named = ", ".join(repr(column) for column in missing[:COLUMNS_SHOWN])
    more = f" and {len(missing) - COLUMNS_SHOWN} more" if len(missing) > COLUMNS_SHOWN else ""
    return f"the feature column{'s' if len(missing) > 1 else ''} {named}{more}"
