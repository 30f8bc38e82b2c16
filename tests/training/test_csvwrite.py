"""Predictions written fast are the very file pandas writes: same bytes, so the same frame read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlci.training.csvwrite import write_frame


def random_floats(count: int, seed: int, dtype: type = np.float64) -> np.ndarray:
    """Floats of every magnitude and digit count: random bit patterns, decimals, and the edges of
    where numbers change notation."""
    generator = np.random.default_rng(seed)
    width = np.dtype(dtype).itemsize
    bits = generator.integers(0, 2 ** (8 * width) - 1, size=count, dtype=np.uint64).astype(f"u{width}")
    patterns = bits.view(dtype)
    scale = 10.0 ** generator.integers(0, 8, size=count)
    decimals = (np.round(generator.normal(scale=1000, size=count) * scale) / scale).astype(dtype)
    edges = np.array(
        [0.0, -0.0, 1.0, 151.0, 0.1, 1e-4, 9.999e-5, 1e-5, 1e15, 9999999999999998.0, 1e16, 1e17, 1e22, 5e-324,
         123456789012345.0, 2.0**53, 1e-7, 0.30000000000000004, np.inf, -np.inf, np.nan, 3.4e38],
        dtype=dtype,
    )  # fmt: skip
    # Where pyarrow and numpy both write fixed notation, densely: the usual predictions and probabilities.
    usual = (10.0 ** generator.uniform(-4, 7, size=count) * generator.choice([-1, 1], size=count)).astype(dtype)
    powers = (10.0 ** np.arange(-30, 30)).astype(dtype)
    return np.concatenate([patterns, decimals, usual, edges, powers, -powers, np.nextafter(powers, 0), powers * 1.5])


def assert_written_as_pandas_writes(frame: pd.DataFrame, tmp_path: Path) -> None:
    expected, written = tmp_path / "pandas.csv", tmp_path / "mlci.csv"
    frame.to_csv(expected, index=False)
    write_frame(frame, written)
    assert written.read_bytes() == expected.read_bytes()
    pd.testing.assert_frame_equal(pd.read_csv(written), pd.read_csv(expected))


@pytest.mark.parametrize("seed", range(3))
def test_floats_of_every_kind_are_written_as_pandas_writes_them(seed: int, tmp_path: Path) -> None:
    values = random_floats(20_000, seed)
    with np.errstate(over="ignore", invalid="ignore"):
        narrow = values.astype(np.float32)
    frame = pd.DataFrame({"y_true": values, "y_pred": values[::-1], "score": narrow})
    assert_written_as_pandas_writes(frame, tmp_path)


def test_single_precision_floats_are_written_as_pandas_writes_them(tmp_path: Path) -> None:
    values = random_floats(20_000, 7, dtype=np.float32)
    assert_written_as_pandas_writes(pd.DataFrame({"proba_0": values, "proba_1": values[::-1]}), tmp_path)


def test_a_classifiers_predictions_are_written_as_pandas_writes_them(tmp_path: Path) -> None:
    generator = np.random.default_rng(1)
    probabilities = generator.dirichlet([1, 1, 1], size=5000)
    labels = np.array(["setosa", "versicolor", "virginica"], dtype=object)
    drawn = labels[generator.integers(0, 3, size=(2, 5000))]
    frame = pd.DataFrame({"y_true": drawn[0], "y_pred": drawn[1]})
    for position, label in enumerate(labels):
        frame[f"proba_{label}"] = probabilities[:, position]
    assert_written_as_pandas_writes(frame, tmp_path)
    numbered = pd.DataFrame({"y_true": generator.integers(0, 2, 500), "y_pred": generator.integers(0, 2, 500)})
    numbered["flag"] = numbered["y_true"] == 1
    numbered["unsigned"] = numbered["y_pred"].astype(np.uint8)
    assert_written_as_pandas_writes(numbered, tmp_path)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["a,b", "c"], dtype=object),  # needs quotes
        pd.Series(['say "hi"', "c"], dtype=object),
        pd.Series(["line\nbreak", "c"], dtype=object),
        pd.Series([1, "mixed"], dtype=object),  # pandas writes str() of each
        pd.Series(["x", None], dtype=object),
        pd.Series([np.nan, "x"], dtype=object),
        pd.Series(pd.Categorical(["a", "b"])),
        pd.Series([1, None], dtype="Int64"),
        pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02"])),
        pd.Series(["x", "y"], dtype="string"),
    ],
    ids=lambda column: str(column.dtype) + ":" + repr(column.iloc[0]),
)
def test_any_other_column_is_still_written_as_pandas_writes_it(column: pd.Series, tmp_path: Path) -> None:
    assert_written_as_pandas_writes(pd.DataFrame({"y_true": [0.5, 1.0], "y_pred": column.to_numpy()}), tmp_path)
    assert_written_as_pandas_writes(pd.DataFrame({"y_true": [0.5, 1.0], "label, quoted": [1, 2]}), tmp_path)


def test_a_frame_without_rows_is_written_as_pandas_writes_it(tmp_path: Path) -> None:
    assert_written_as_pandas_writes(pd.DataFrame({"y_true": np.array([], dtype=float), "y_pred": []}), tmp_path)


def test_a_large_frame_whose_columns_are_formatted_side_by_side_is_still_pandas_text(tmp_path: Path) -> None:
    from mlci.training.csvwrite import PARALLEL_FROM_ROWS

    floats = random_floats(PARALLEL_FROM_ROWS // 3, seed=11)
    rows = len(floats)
    assert rows >= PARALLEL_FROM_ROWS
    generator = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "y_true": generator.integers(0, 3, rows),
            "y_pred": generator.choice(["cat", "dog", "ünï"], rows),
            "proba_a": floats,
            "proba_b": generator.permutation(floats),
            "flag": generator.random(rows) > 0.5,
        }
    )
    assert_written_as_pandas_writes(frame, tmp_path)
