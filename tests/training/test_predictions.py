"""`predictions.csv` read and written fast, and exactly as before: the text of every value as written."""

from __future__ import annotations

import csv
import io

import pytest

from mlci.runs.fingerprint import fingerprint_chunks
from mlci.training.predictions import prediction_columns
from mlci.training.testinputs import target_fingerprint


def by_csv_module(raw: bytes) -> dict[str, list[str]]:
    """How these columns were read before: Python's csv module, short rows padded with ''."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace")))
    header = next(reader, [])
    rows = [row for row in reader if row]
    return {name: [row[i] if i < len(row) else "" for row in rows] for i, name in enumerate(header)}


FILES = {
    "numbers as written": b"y_true,y_pred,proba_1\n151.0,150,0.5\n1e-07,-0.0,0.25\n,nan,1\n",
    "quoted labels": b'y_pred,y_true\n"a,b",x\n"say ""hi""", y\n\n"",z\n',
    "windows line ends": b"y_true,y_pred\r\n1,0\r\n0,0\r\n",
    "ragged rows": b"y_true,y_pred,score\n1,0,0.3\n0\n1,1\n",
    "not UTF-8": b"y_true,y_pred\n\xff,a\nb,b\n",
    "one column missing": b"y_true,proba_1\n1,0.4\n",
    "no rows": b"y_true,y_pred\n",
}


@pytest.mark.parametrize("raw", FILES.values(), ids=FILES.keys())
def test_the_columns_read_are_the_text_the_csv_module_reads(raw: bytes) -> None:
    expected = {name: values for name, values in by_csv_module(raw).items() if name in ("y_true", "y_pred")}
    found = {name: column.to_pylist() for name, column in prediction_columns(raw).items()}
    assert found == expected


def test_a_file_that_is_no_csv_has_no_columns() -> None:
    assert prediction_columns(b"") == {}
    assert prediction_columns(b"\x00\x01 binary") == {}


def test_the_target_fingerprint_is_the_one_runs_recorded_before() -> None:
    # A run recorded by an earlier mlci keeps its fingerprint: each value as written, then a zero byte.
    raw = b'y_true,y_pred\n151.0,150\n"a,b",x\n0,0\n'
    before = fingerprint_chunks(value.encode() + b"\x00" for value in by_csv_module(raw)["y_true"])
    assert target_fingerprint(raw) == (3, before)
    assert target_fingerprint(b"y_pred\n1\n") == (0, fingerprint_chunks([]))
