"""Content fingerprints of files and folders, so a run records exactly which inputs it saw, and an
unchanged model is known to be unchanged without training it.

A fingerprint is `xxh3:<hex>`, the 128-bit XXH3 hash of the file's bytes: not cryptographic (nothing
here defends against a forged collision; the files come from the same repository as the config) but
several GB/s, so hashing never dominates a run. A cache keyed by path, size and modification time
spares re-reading a file that has not changed since it was last hashed. Folders are walked recursively
in sorted order; version-control and mlci's own folders are skipped because they change without the
inputs changing, and so are Python byte-code caches, which appear as soon as the code is run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import xxhash

from mlci.config.files import load_json
from mlci.errors import DataError

CHUNK_BYTES = 4 * 1024 * 1024
SKIPPED_FOLDERS = frozenset({".git", ".mlci", "__pycache__"})
PREFIX = "xxh3:"
CACHE_VERSION = 1


class FingerprintCache:
    """Fingerprints already computed, valid while a file keeps its size and modification time.

    Kept in a JSON file under `.mlci/` (never committed); a damaged or foreign cache file is ignored,
    because the worst a lost cache costs is hashing the files again.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, list] = {}
        self.changed = False
        if path is not None:
            try:
                data = load_json(path.read_bytes())
                if data.get("version") == CACHE_VERSION and isinstance(data.get("entries"), dict):
                    self.entries = data["entries"]
            except (OSError, ValueError, AttributeError):
                pass

    def fingerprint(self, file: Path) -> str:
        try:
            stat = file.stat()
        except FileNotFoundError:
            raise DataError(f"{file}: no such file") from None
        key = os.path.abspath(file)
        known = self.entries.get(key)
        if isinstance(known, list) and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            return str(known[2])
        digest = fingerprint_file(file)
        self.entries[key] = [stat.st_size, stat.st_mtime_ns, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"version": CACHE_VERSION, "entries": self.entries}))
        os.replace(temporary, self.path)
        self.changed = False


_PROJECT_CACHES: dict[Path, FingerprintCache] = {}


def project_cache(work_dir: Path) -> FingerprintCache:
    """The fingerprint cache of the checkout whose mlci folder is `work_dir`, shared by everything one
    command does (so a file is hashed at most once per command); `save()` keeps it for the next."""
    path = work_dir / "cache" / "fingerprints.json"
    if path not in _PROJECT_CACHES:
        _PROJECT_CACHES[path] = FingerprintCache(path)
    return _PROJECT_CACHES[path]


def fingerprint_bytes(raw: bytes) -> str:
    """`xxh3:<hex>` of `raw`: the same fingerprint `fingerprint_file` gives a file holding it."""
    return fingerprint_chunks([raw])


def fingerprint_chunks(chunks: Iterable[bytes]) -> str:
    """`xxh3:<hex>` of the bytes of `chunks` one after the other, as if they were one file."""
    digest = xxhash.xxh3_128()
    for chunk in chunks:
        digest.update(chunk)
    return PREFIX + digest.hexdigest()


def fingerprint_file(path: Path) -> str:
    """`xxh3:<hex>` of the bytes of `path`, read in chunks so large data files use little memory."""
    try:
        with path.open("rb") as stream:
            return fingerprint_chunks(_chunks_of(stream))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read it to fingerprint: {exc.strerror or exc}") from None


def _chunks_of(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk


def fingerprint_paths(paths: Iterable[Path], *, root: Path, cache: FingerprintCache | None = None) -> dict[str, str]:
    """Fingerprints of every file in `paths` (folders expanded recursively), keyed by their path
    relative to `root` with `/` separators, sorted by key. A path that does not exist raises
    `DataError`; callers that know which config entry named it should check existence first."""
    cache = cache or FingerprintCache(None)
    fingerprints: dict[str, str] = {}
    for path in paths:
        for file in _files_under(path):
            fingerprints[fingerprint_key(file, root)] = cache.fingerprint(file)
    return dict(sorted(fingerprints.items()))


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"{path}: no such file or folder")
    files: list[Path] = []
    for folder, subfolders, names in os.walk(path):
        # Pruning in place is how os.walk is told not to descend; sorting keeps the walk stable.
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
        files.extend(Path(folder) / name for name in sorted(names))
    return [file for file in files if file.is_file()]


def fingerprint_key(file: Path, root: Path) -> str:
    """How `fingerprint_paths` names `file` in a run's lineage: its path relative to `root`, with `/`."""
    # abspath, not resolve: a symlink inside a dependency folder is keyed by where it sits.
    return Path(os.path.relpath(os.path.abspath(file), os.path.abspath(root))).as_posix()
