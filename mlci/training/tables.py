"""Reading a CSV, TSV or Parquet data file into a DataFrame, or just its header, with clear errors.

This is the one table reader of mlci: training, `mlci validate`, `mlci init` and the data checks of
a report all read tables here, so a format one of them accepts the others accept too. That includes
CSV and TSV files without a header row (`header: false` in mlci.yaml), whose columns are named
`col_0`, `col_1`, ... in their order.

The format comes from the file's extension so that a typo in a path fails with a message that
lists what works, instead of pandas guessing and failing later on a column it cannot find.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlci.config.fields import ConfigField
from mlci.config.records import record
from mlci.config.yamlsource import display_path
from mlci.errors import DataError, MlciError

if TYPE_CHECKING:
    import pandas as pd

TableFormat = Literal["csv", "tsv", "parquet"]

COMPRESSIONS = (".gz", ".bz2", ".xz", ".zip", ".zst")
SUPPORTED = ".csv, .tsv (either optionally compressed: .gz, .bz2, .xz, .zip, .zst), .parquet or .pq"
# pandas keeps a DataFrame's index in Parquet files as extra columns named like this.
PANDAS_INDEX_PREFIX = "__index_level_"
# The names of a headerless file's columns, by position.
HEADERLESS_PREFIX = "col_"


@record
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


def read_table(
    path: Path,
    *,
    field: ConfigField | None = None,
    content: bytes | None = None,
    rows: int | None = None,
    header: bool = True,
) -> pd.DataFrame:
    """The table at `path`: all of it, or its first `rows` rows. `content` reads those bytes instead
    of the file (a file as it was at another commit), the format still told by `path`'s name. Without
    `header`, a CSV or TSV file's first row is data and its columns are `col_0`, `col_1`, ...

    Raises `DataError` when the file is missing, of an unknown format, unparseable or has no rows;
    located at `field` of mlci.yaml when given, else naming the file alone.
    """
    import pandas as pd

    shown = display_path(path)
    kind = _check_file(path, field=field) if content is None else _format_of(path, field=field)
    _check_header_option(kind, header, path=path, field=field)
    source: Path | io.BytesIO = path if content is None else io.BytesIO(content)
    compression = _compression(path) if content is not None else "infer"
    try:
        if kind == "parquet":
            frame = _read_parquet(source, rows=rows)
        elif not header:
            frame = pd.read_csv(source, sep=_separator(kind), header=None, nrows=rows, compression=compression)
            frame.columns = headerless_columns(len(frame.columns))
        else:
            names = _csv_header(source, kind=kind, compression=compression)
            _check_unique_columns(names, path=path, field=field)
            frame = _read_csv_with_header(source, kind=kind, rows=rows, compression=compression)
            if frame is None:
                # pandas would take a first column the header does not name for the index, and shift
                # every column by one: refused instead.
                raise _error(
                    field,
                    f"{shown}: its rows have {len(names) + 1} values but its header names {len(names)} columns",
                    hint="Name every column in the header row (an index column needs a name too).",
                )
    except pd.errors.EmptyDataError:
        hint = "It should start with a header row naming the columns." if header else None
        raise _error(field, f"{shown} is empty", hint=hint) from None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError, EOFError) as exc:
        # pyarrow's errors derive from OSError or ValueError; its message names what is wrong with the file.
        raise _error(field, f"{shown} could not be read as {kind.upper()}: {_first_line(exc)}") from None
    frame.columns = [str(column) for column in frame.columns]
    if frame.empty:
        raise _error(field, f"{shown} has no rows" if len(frame.columns) else f"{shown} is empty")
    return _without_nullable_booleans(frame)


def _read_csv_with_header(
    source: Path | io.BytesIO, *, kind: TableFormat, rows: int | None, compression: Any
) -> pd.DataFrame | None:
    """The CSV or TSV table whose first row names its columns; None when its first data row holds one
    value more than the header names (the unnamed index column of a frame written with its index)."""
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        # The one sign pandas gives of that row, with `index_col=False`, is this warning.
        warnings.filterwarnings("error", message="Length of header", category=pd.errors.ParserWarning)
        try:
            return pd.read_csv(source, sep=_separator(kind), nrows=rows, compression=compression, index_col=False)
        except pd.errors.ParserWarning:
            return None


def headerless_columns(count: int) -> list[str]:
    """The names mlci gives the columns of a file without a header row: `col_0`, `col_1`, ..."""
    return [f"{HEADERLESS_PREFIX}{index}" for index in range(count)]


def looks_headerless(path: Path, *, rows: int = 100) -> bool:
    """Whether the CSV or TSV file at `path` seems to start with data rather than a header row: every
    column that holds numbers below its first row holds one in it too, and there is such a column.
    (A header names the columns, so a numeric column's first cell would be text.) A file of text
    columns only cannot tell, and is taken to have a header."""
    import pandas as pd

    kind = table_format(path)
    if kind not in ("csv", "tsv"):
        return False
    try:
        frame = pd.read_csv(path, sep=_separator(kind), header=None, nrows=rows, dtype=str)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError, EOFError):
        return False
    if len(frame) < 2:
        return False
    numeric_columns = 0
    for column in frame.columns:
        below = pd.to_numeric(frame[column].iloc[1:], errors="coerce")
        if below.isna().any():
            continue
        numeric_columns += 1
        if pd.isna(pd.to_numeric(frame[column].iloc[0], errors="coerce")):
            return False
    return numeric_columns > 0


def _check_header_option(kind: TableFormat, header: bool, *, path: Path, field: ConfigField | None) -> None:
    if not header and kind == "parquet":
        raise _error(
            field,
            f"{display_path(path)} is a Parquet file, whose columns have names; `header: false` is for CSV "
            "and TSV files without a header row",
            hint="Remove `header: false`, or use the column names the file has.",
        )


def _check_unique_columns(names: list[str], *, path: Path, field: ConfigField | None) -> None:
    """Refuse a header that names a column twice: pandas would silently rename the second (`age.1`),
    and the model would learn from a column nobody named."""
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        hint = "Give every column its own name in the header row."
        if all(is_number(name) for name in names):
            hint = "Its first row looks like values: if the file has no header row, add `header: false`."
        raise _error(
            field,
            f"{display_path(path)} names the column{'s' if len(twice) > 1 else ''} "
            f"{', '.join(repr(name) for name in twice)} more than once",
            hint=hint,
        )


def is_number(text: str) -> bool:
    """Whether `text` reads as a number (`3`, `-0.5`, `1e-3`, `nan`): what a cell holds, not a name."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_header(source: Path | io.BytesIO, *, kind: TableFormat, compression: str | None) -> list[str]:
    """The header row as written, before pandas makes its names unique."""
    import pandas as pd

    first = pd.read_csv(source, sep=_separator(kind), header=None, nrows=1, dtype=str, compression=compression)
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return ["" if pd.isna(value) else str(value) for value in first.iloc[0]] if len(first) else []


def _read_parquet(source: Path | io.BytesIO, *, rows: int | None) -> pd.DataFrame:
    """The table, with a named index that pandas kept in the file turned back into columns: they are
    columns of the file (`read_header` lists them), so a config may use them as the target."""
    import pyarrow.parquet as pq

    if rows is None:
        import pandas as pd

        frame = pd.read_parquet(source)
    else:
        parquet = pq.ParquetFile(source)
        first = next(parquet.iter_batches(batch_size=rows), None)
        frame = first.to_pandas() if first is not None else parquet.schema_arrow.empty_table().to_pandas()
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    return frame


def read_header(path: Path, *, field: ConfigField, header: bool = True) -> TableHeader:
    """The column names of the table at `path` and whether it has any row, reading at most one row
    (see `read_table` for `header`)."""
    import pandas as pd

    shown = display_path(path)
    kind = _check_file(path, field=field)
    _check_header_option(kind, header, path=path, field=field)
    if not header:
        frame = read_table(path, field=field, rows=1, header=False)
        return TableHeader(columns=list(frame.columns), has_rows=True)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            metadata = pq.ParquetFile(path).metadata
            names = [str(name) for name in metadata.schema.to_arrow_schema().names]
            columns = [name for name in names if not name.startswith(PANDAS_INDEX_PREFIX)]
            return TableHeader(columns=columns, has_rows=metadata.num_rows > 0)
        _check_unique_columns(_csv_header(path, kind=kind, compression="infer"), path=path, field=field)
        frame = pd.read_csv(path, sep=_separator(kind), nrows=1)
    except pd.errors.EmptyDataError:
        raise field.error(f"{shown} is empty", kind=DataError) from None
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError, EOFError) as exc:
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


def _check_file(path: Path, *, field: ConfigField | None) -> TableFormat:
    shown = display_path(path)
    if not path.exists():
        raise _error(
            field, f"{shown}: no such file", hint="Paths in mlci.yaml are relative to the folder that holds it."
        )
    if path.is_dir():
        raise _error(field, f"{shown} is a folder, not a data file")
    return _format_of(path, field=field)


def _format_of(path: Path, *, field: ConfigField | None) -> TableFormat:
    kind = table_format(path)
    if kind is None:
        raise _error(
            field,
            f"{display_path(path)} is not a CSV or Parquet file (judging by its extension)",
            hint=f"mlci reads {SUPPORTED}.",
        )
    return kind


def _compression(path: Path) -> str | None:
    """pandas' name for the compression of bytes read from somewhere else than `path` itself."""
    suffix = path.suffix.lower()
    return {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zip": "zip", ".zst": "zstd"}.get(suffix)


def _error(field: ConfigField | None, message: str, *, hint: str | None = None) -> MlciError:
    if field is None:
        return DataError(message, hint=hint)
    return field.error(message, kind=DataError, hint=hint)


def _separator(kind: TableFormat) -> str:
    return "\t" if kind == "tsv" else ","


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
