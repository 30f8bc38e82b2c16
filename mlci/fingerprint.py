"""Content fingerprints of files and folders, so a run records exactly which inputs it saw.

A fingerprint is `blake2b:<hex>` of the file's bytes. Folders are walked recursively in sorted
order; version-control and mlci's own folders are skipped because they change without the inputs
changing, and so are Python byte-code caches, which appear as soon as the code is run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from mlci.errors import DataError

CHUNK_BYTES = 1024 * 1024
SKIPPED_FOLDERS = frozenset({".git", ".mlci", "__pycache__"})
PREFIX = "blake2b:"


def fingerprint_file(path: Path) -> str:
    """`blake2b:<hex>` of the bytes of `path`, read in chunks so large data files use little memory."""
    digest = hashlib.blake2b()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                digest.update(chunk)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read it to fingerprint: {exc.strerror or exc}") from None
    return PREFIX + digest.hexdigest()


def fingerprint_paths(paths: Iterable[Path], *, root: Path) -> dict[str, str]:
    """Fingerprints of every file in `paths` (folders expanded recursively), keyed by their path
    relative to `root` with `/` separators, sorted by key. A path that does not exist raises
    `DataError`; callers that know which config entry named it should check existence first."""
    fingerprints: dict[str, str] = {}
    for path in paths:
        for file in _files_under(path):
            fingerprints[_relative_key(file, root)] = fingerprint_file(file)
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


def _relative_key(file: Path, root: Path) -> str:
    # abspath, not resolve: a symlink inside a dependency folder is keyed by where it sits.
    return Path(os.path.relpath(os.path.abspath(file), os.path.abspath(root))).as_posix()
