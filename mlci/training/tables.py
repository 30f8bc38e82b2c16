"""Reading a CSV or Parquet data file into a DataFrame, or just its header, with clear errors.

The format comes from the file's extension so that a typo in a path fails with a message that
lists what works, instead of pandas guessing and failing later on a column it cannot find.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mlci.config.yamlsource import display_path
from mlci.errors import DataError
from mlci.training.fields import ConfigField

if TYPE_CHECKING:
    import pandas as pd

TableFormat = Literal["csv", "tsv", "parquet"]

COMPRESSIONS = (".gz", ".bz2", ".xz", ".zip", ".zst")
SUPPORTED = ".csv, .tsv (either optionally compressed: .gz, .bz2, .xz, .zip, .zst), .parquet or .pq"
# pandas keeps a DataFrame's index in Parquet files as extra columns named like this.
PANDAS_INDEX_PREFIX = "__index_level_"


@dataclass(frozen=True)
class TableHeader:
    """What `mlci validate` learns from a data file without reading its rows."""

    columns: list[str]
    has_rows: bool


def table_format(path: Path) -> TableFormat | None:
    """`csv`, `tsv` or `parquet` from the file name, or None for anything else."""
    name = path.name.lower()
    for compression in ("", *COMPRESSIONS):
        if name.endswith(".csv" + compression):
            return "csv"
        if name.endswith(".tsv" + compression):
            return "tsv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return None


def read_table(path: Path, *, field: ConfigField) -> pd.DataFrame:
    """The whole table at `path`; `DataError` located at `field` when it is missing, of an unknown
    format, unparseable or has no rows."""
    import pandas as pd

    shown = display_path(path)
    kind = _check_file(path, field=field)
    try:
        frame = pd.read_parquet(path) if kind == "parquet" else pd.read_csv(path, sep=_separator(kind))
    except pd.errors.EmptyDataError:
        raise field.error(
            f"{shown} is empty", kind=DataError, hint="It should start with a header row naming the columns."
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError) as exc:
        # pyarrow's errors derive from OSError or ValueError; its message names what is wrong with the file.
        raise field.error(f"{shown} could not be read as {kind.upper()}: {_first_line(exc)}", kind=DataError) from None
    frame.columns = [str(column) for column in frame.columns]
    if frame.empty:
        raise field.error(f"{shown} has no rows" if len(frame.columns) else f"{shown} is empty", kind=DataError)
    return _without_nullable_booleans(frame)


def read_header(path: Path, *, field: ConfigField) -> TableHeader:
    """The column names of the table at `path` and whether it has any row, reading at most one row."""
    import pandas as pd

    shown = display_path(path)
    kind = _check_file(path, field=field)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            metadata = pq.ParquetFile(path).metadata
            names = [str(name) for name in metadata.schema.to_arrow_schema().names]
            columns = [name for name in names if not name.startswith(PANDAS_INDEX_PREFIX)]
            return TableHeader(columns=columns, has_rows=metadata.num_rows > 0)
        frame = pd.read_csv(path, sep=_separator(kind), nrows=1)
    except pd.errors.EmptyDataError:
        raise field.error(f"{shown} is empty", kind=DataError) from None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError) as exc:
        raise field.error(f"{shown} could not be read as {kind.upper()}: {_first_line(exc)}", kind=DataError) from None
    return TableHeader(columns=[str(column) for column in frame.columns], has_rows=len(frame) > 0)


def _without_nullable_booleans(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable true/false columns (Parquet written from pandas keeps them) as CSV would give them:
    scikit-learn's missing-value checks fail on pandas' NA in them."""
    import numpy as np
    import pandas as pd

    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.BooleanDtype):
            plain = values.astype(object).where(values.notna(), np.nan) if values.hasnans else values.astype(bool)
            frame[column] = plain
    return frame


def _check_file(path: Path, *, field: ConfigField) -> TableFormat:
    shown = display_path(path)
    if not path.exists():
        raise field.error(
            f"{shown}: no such file",
            kind=DataError,
            hint="Paths in mlci.yaml are relative to the folder that holds it.",
        )
    if path.is_dir():
        raise field.error(f"{shown} is a folder, not a data file", kind=DataError)
    kind = table_format(path)
    if kind is None:
        raise field.error(
            f"{shown} is not a CSV or Parquet file (judging by its extension)",
            kind=DataError,
            hint=f"mlci reads {SUPPORTED}.",
        )
    return kind


def _separator(kind: TableFormat) -> str:
    return "\t" if kind == "tsv" else ","


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
