"""A frame written to CSV exactly as pandas' `to_csv(index=False)` writes it, ten times faster.

pandas formats every number in Python and writes row by row: four seconds for a 1.4-million-row
predictions file. pyarrow's CSV writer formats in native code, but lays numbers out its own way
(`151` for `151.0`, `1e-7` for `1e-07`, quotes around text), and a predictions file's text matters:
its `y_true` column, as written, is fingerprinted into the run's lineage and compared with the base's.
So the columns are formatted with pyarrow, then laid out as pandas lays them out: the digits of both
are the shortest that read back as the same number, only the notation differs, and the few values
where the two choose different notations get pandas' own text. Anything this does not cover (a text
value that needs quoting, other column types, a platform whose line end is not `\\n`) is written by
pandas itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# What makes Python's csv writer (pandas' own) quote a value.
NEEDS_QUOTES = r'[,"\r\n]'
# numpy's notation: scientific below 1e-4 and from 1e16 on, as Python's repr.
FIXED_LOW, FIXED_HIGH = 1e-4, 1e16
ARROW_FIXED_BELOW = 1e6
# Below this many rows a file is written in milliseconds: threads would cost more than they save.
PARALLEL_FROM_ROWS = 100_000


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` to `path` as `frame.to_csv(path, index=False)` would, byte for byte."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = list(frame.columns)
    texts = _columns_as_text(frame, names) if os.linesep == "\n" else [None]
    plain_names = all(isinstance(name, str) and not re.search(NEEDS_QUOTES, name) for name in names)
    if not plain_names or len(set(names)) != len(names) or any(text is None for text in texts) or not names:
        frame.to_csv(path, index=False)
        return
    table = pa.table(dict(zip(names, texts, strict=True)))
    # pyarrow quotes a header whatever the quoting style; pandas quotes none of these names.
    with path.open("wb") as stream:
        stream.write((",".join(names) + "\n").encode())
        options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
        pa_csv.write_csv(table, stream, write_options=options)


def _columns_as_text(frame: pd.DataFrame, names: list[str]) -> list[Any]:
    """Every column as text (see `_as_text`). Large columns are formatted side by side: pyarrow and
    numpy let go of Python's lock while they work, so each column can have a core of its own."""
    columns = [frame[name] for name in names]
    if len(frame) < PARALLEL_FROM_ROWS or len(columns) < 2:
        return [_as_text(column) for column in columns]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(columns), os.cpu_count() or 1)) as pool:
        return list(pool.map(_as_text, columns))


def _as_text(column: pd.Series) -> Any:
    """The column's values as pandas writes them, as a pyarrow string array; None when not covered."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = column.to_numpy()
    kind = values.dtype.kind
    if kind in "iu":
        return pa.array(values).cast(pa.string())
    if kind == "b":
        return pc.if_else(pa.array(values), "True", "False")
    if kind == "f" and values.dtype.itemsize == 8:
        return _floats_as_text(values)
    if kind == "f" and values.dtype.itemsize == 4:
        # numpy lays out single-precision numbers by rules of its own: its text, as pandas writes it.
        return pa.array(np.where(np.isnan(values), "", values.astype(str)))
    if kind != "O" and str(column.dtype) not in ("str", "string"):
        return None
    values = column.to_numpy(dtype=object)
    try:
        text = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None  # not all text: pandas writes each value's str(), left to it
    if pc.any(pc.match_substring_regex(text, NEEDS_QUOTES)).as_py():
        return None
    return text.fill_null("") if text.null_count else text


def _floats_as_text(values: Any) -> Any:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = np.isnan(values)
    # NaN is null, written empty as pandas writes it.
    text = pa.array(values, mask=missing if missing.any() else None).cast(pa.string())
    size = np.abs(values)
    finite = ~missing & (size != np.inf)
    scientific = finite & (size != 0) & ((size < FIXED_LOW) | (size >= FIXED_HIGH))
    # pyarrow writes fixed notation from 1e-4 up to beyond a million (the tests hold it to that), so
    # only numbers outside that range are looked at for the notation it chose.
    outside = np.flatnonzero(finite & ((size < FIXED_LOW) | (size >= ARROW_FIXED_BELOW)))
    written_scientific = np.zeros(len(values), dtype=bool)
    if outside.size:
        written_scientific[outside] = np.asarray(pc.match_substring(text.take(outside), "e"))
    with np.errstate(invalid="ignore"):
        integral = finite & ~scientific & (values == np.trunc(values))
    # Only these can be laid out otherwise than pandas does; most values of most columns are not.
    touched = np.flatnonzero(scientific | written_scientific | integral)
    if touched.size == 0:
        return text
    changed = text.take(touched)
    changed = pc.replace_substring_regex(changed, r"^(-?\d+)$", r"\1.0")  # 151 -> 151.0
    changed = pc.replace_substring_regex(changed, r"e([+-])(\d)$", r"e\10\2")  # 1e-7 -> 1e-07
    other_notation = (scientific != written_scientific)[touched]
    if other_notation.any():
        changed = pc.replace_with_mask(
            changed, pa.array(other_notation), pa.array(values[touched[other_notation]].astype(str))
        )
    mask = np.zeros(len(values), dtype=bool)
    mask[touched] = True
    return pc.replace_with_mask(text, pa.array(mask), changed)
