"""A model file's format, read from its content as real libraries write it; never by loading it."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io
from sklearn.linear_model import LogisticRegression

from mlci.runs.modelformat import model_format


def fitted() -> LogisticRegression:
    return LogisticRegression().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1])


def joblib_bytes(tmp_path: Path, **options: object) -> bytes:
    path = tmp_path / "model.out"
    joblib.dump(fitted(), path, **options)
    return path.read_bytes()


def test_skops_is_told_by_its_archive_whatever_its_name() -> None:
    content = skops.io.dumps(fitted())
    assert model_format(content, "model.skops") == "skops"
    assert model_format(content, "model.bin") == "skops"


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_a_pickle_is_told_by_its_first_bytes_under_any_name(protocol: int) -> None:
    content = pickle.dumps(fitted(), protocol=protocol)
    assert model_format(content, "model.bin") == "pickle"
    assert model_format(content, "model.skops") == "pickle"


def test_joblib_files_are_told_apart_from_plain_pickles_compressed_or_not(tmp_path: Path) -> None:
    # What DVC and CML examples write: `joblib.dump(model, "model.pkl")`, often compressed.
    assert model_format(joblib_bytes(tmp_path), "model.pkl") == "joblib"
    for compress in ("zlib", "gzip", "bz2", "xz", "lzma"):
        assert model_format(joblib_bytes(tmp_path, compress=compress), "model.pkl") == "joblib", compress


def test_a_pytorch_style_archive_with_a_pickle_inside_is_a_pickle() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"weights": [1, 2]}))
        archive.writestr("archive/version", "3\n")
    assert model_format(buffer.getvalue(), "model.pt") == "pickle"


def test_onnx_is_told_by_its_protobuf_header() -> None:
    # ir_version 8, producer_name "skl2onnx": how every ONNX ModelProto begins.
    content = b"\x08\x08\x12\x08skl2onnx\x1a\x051.0.0" + b"\x00" * 20
    assert model_format(content, "model.bin") == "onnx"


def test_the_extension_decides_only_when_the_content_says_nothing() -> None:
    protocol_zero = pickle.dumps([1, 2], protocol=0)  # plain text, no magic number
    assert model_format(protocol_zero, "model.pkl") == "pickle"
    assert model_format(protocol_zero, "model.joblib") == "joblib"
    assert model_format(b"\x04\x22\x4d\x18lz4 frame", "model.joblib") == "joblib"
    assert model_format(b"{}", "model.onnx") == "onnx"
    assert model_format(b"weights", "model.h5") == "other"
    # A broken zip named .skops is not a skops file; neither is a zip without skops' schema.
    assert model_format(b"PK\x03\x04broken", "model.skops") == "other"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("saved_model.pb", b"graph")
    assert model_format(buffer.getvalue(), "model.zip") == "other"
