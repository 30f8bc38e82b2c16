"""The result cache: a convenience that is never trusted beyond what it can read back whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlci.compare import cache as cache_module
from mlci.compare.cache import ResultCache

KEY = {"base": "xxh3:1", "head": "xxh3:2"}


def test_what_is_put_is_got_back_under_the_same_key_only(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    cache.put("datacheck", KEY, {"changed": True, "rows": [1, 2]})

    assert cache.get("datacheck", KEY) == {"changed": True, "rows": [1, 2]}
    assert cache.get("datacheck", {**KEY, "head": "xxh3:3"}) is None
    assert cache.get("rescore", KEY) is None
    assert ResultCache(None).get("datacheck", KEY) is None


def test_a_damaged_or_foreign_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    cache.put("datacheck", KEY, {"changed": True})
    [entry] = (tmp_path / "cache" / "datacheck").iterdir()

    entry.write_text('{"key": "cut sho')
    assert cache.get("datacheck", KEY) is None
    entry.write_text('{"key": "another key", "value": {"changed": false}}')
    assert cache.get("datacheck", KEY) is None


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    cache = ResultCache(blocked / "cache")
    cache.put("datacheck", KEY, {"changed": True})
    assert cache.get("datacheck", KEY) is None


def test_values_json_cannot_hold_are_not_kept(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    cache.put("datacheck", KEY, {"psi": float("inf")})
    assert cache.get("datacheck", KEY) is None
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_each_kind_keeps_only_its_newest_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "KEEP", 3)
    cache = ResultCache(tmp_path / "cache")
    for number in range(5):
        cache.put("bootstrap", {"n": number}, number)
        for entry in (tmp_path / "cache" / "bootstrap").iterdir():
            # Older entries look older, whatever the file system's clock resolution.
            os.utime(entry, ns=(entry.stat().st_mtime_ns - 10**9,) * 2)
    assert [cache.get("bootstrap", {"n": number}) for number in range(5)] == [None, None, 2, 3, 4]
