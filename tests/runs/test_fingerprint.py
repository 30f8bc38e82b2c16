"""Fingerprints of files and folders: content-based, stable, relative to the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import xxhash

from mlci.errors import DataError
from mlci.runs.fingerprint import CHUNK_BYTES, FingerprintCache, fingerprint_file, fingerprint_paths


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_file_fingerprint_is_the_xxh3_of_its_bytes_even_across_chunks(tmp_path: Path) -> None:
    data = bytes(range(256)) * (CHUNK_BYTES // 256 * 2 + 7)
    path = write(tmp_path / "big.bin", data)

    assert fingerprint_file(path) == "xxh3:" + xxhash.xxh3_128(data).hexdigest()


def test_folders_are_expanded_sorted_and_skip_tool_folders(tmp_path: Path) -> None:
    write(tmp_path / "src" / "b.py", b"b")
    write(tmp_path / "src" / "a" / "z.py", b"z")
    write(tmp_path / "src" / ".git" / "HEAD", b"ref")
    write(tmp_path / "src" / ".mlci" / "runs" / "x", b"x")
    write(tmp_path / "src" / "__pycache__" / "b.pyc", b"cache")
    write(tmp_path / "data.csv", b"a,b\n1,2\n")

    prints = fingerprint_paths([tmp_path / "src", tmp_path / "data.csv"], root=tmp_path)

    assert list(prints) == ["data.csv", "src/a/z.py", "src/b.py"]
    assert prints["src/b.py"] == fingerprint_file(tmp_path / "src" / "b.py")


def test_a_change_of_content_changes_the_fingerprint_and_a_touch_does_not(tmp_path: Path) -> None:
    path = write(tmp_path / "params.yaml", b"alpha: 1\n")
    first = fingerprint_paths([path], root=tmp_path)
    path.write_bytes(b"alpha: 1\n")
    same = fingerprint_paths([path], root=tmp_path)
    path.write_bytes(b"alpha: 2\n")

    assert first == same
    assert fingerprint_paths([path], root=tmp_path) != first


def test_paths_outside_the_root_are_keyed_relative_to_it(tmp_path: Path) -> None:
    shared = write(tmp_path / "shared" / "lookup.csv", b"x")
    project = tmp_path / "project"
    project.mkdir()

    assert list(fingerprint_paths([shared], root=project)) == ["../shared/lookup.csv"]


def test_a_missing_path_is_a_data_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv: no such file or folder"):
        fingerprint_paths([tmp_path / "nope.csv"], root=tmp_path)


def test_the_cache_skips_reading_a_file_whose_size_and_time_did_not_change(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", b"a,b\n1,2\n")
    cache = FingerprintCache(tmp_path / ".mlci" / "cache" / "fingerprints.json")
    first = fingerprint_paths([path], root=tmp_path, cache=cache)
    cache.save()

    stat = path.stat()
    path.write_bytes(b"a,b\n9,9\n")  # same size; the old modification time put back
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    reloaded = FingerprintCache(tmp_path / ".mlci" / "cache" / "fingerprints.json")
    assert fingerprint_paths([path], root=tmp_path, cache=reloaded) == first  # not re-read: the cache answered

    path.write_bytes(b"a,b\n9,9\n")  # a real edit moves the modification time
    assert fingerprint_paths([path], root=tmp_path, cache=reloaded) != first


def test_a_damaged_cache_file_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", b"x")
    cache_file = write(tmp_path / "cache.json", b"{not json")
    assert fingerprint_paths([path], root=tmp_path, cache=FingerprintCache(cache_file)) == {
        "data.csv": fingerprint_file(path)
    }
