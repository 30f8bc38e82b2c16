"""How recorded data is kept: a tree of small files behind one interface.

`files.py`-style code (`records.py`) decides *what* is kept; a `Storage` decides *where*. Writers
never write directly: they pass a function to `update`, which reads the current state and returns
the files to change. A backend that can lose a race (a pushed branch) calls the function again on
the newer state instead of overwriting it.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Protocol

from mlci.config.files import display_path, write_atomically
from mlci.errors import StoreError

Changes = Mapping[str, bytes | None]
"""Path in the store -> new content, or None to delete."""


class StorageView(Protocol):
    """Read access to one consistent state of the store."""

    def read(self, path: str) -> bytes | None:
        """The content at `path`, or None when there is no such file."""

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        """`read` of every path in `paths` at once (a backend that can batches the reading)."""

    def list(self, folder: str) -> list[str]:
        """Names of the entries directly inside `folder` (empty when it does not exist)."""


class Storage(StorageView, Protocol):
    """A store that can also change."""

    @property
    def where(self) -> str:
        """Where records are kept, as a phrase people are told: `on origin/mlci-data`, `in .mlci/store`."""

    def update(self, change: Callable[[StorageView], Changes], *, message: str) -> bool:
        """Apply `change(current_state)`; return False when it changed nothing."""

    def prefetch(self) -> None:
        """Start getting what reads will need, where that takes a while (a remote); reads wait for it."""


def check_store_path(path: str) -> str:
    """Refuse paths that would escape the store or are not plain relative paths."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(p in ("", ".", "..") for p in pure.parts):
        raise StoreError(f"invalid path in store: {path!r}")
    return pure.as_posix()


class LocalStorage:
    """A folder on this machine; `update` is serialised across processes by a file lock."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def where(self) -> str:
        return f"in {display_path(self.root)}"

    def read(self, path: str) -> bytes | None:
        try:
            return (self.root / check_store_path(path)).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except IsADirectoryError:
            raise StoreError(f"{self.root / path}: expected a file, found a folder") from None

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        return {path: self.read(path) for path in paths}

    def list(self, folder: str) -> list[str]:
        directory = self.root / check_store_path(folder) if folder else self.root
        if not directory.is_dir():
            return []
        return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))

    def prefetch(self) -> None:
        """Nothing to get: the folder is here."""

    def update(self, change: Callable[[StorageView], Changes], *, message: str) -> bool:
        with self._locked():
            changes = change(self)
            changed = False
            for path, content in changes.items():
                target = self.root / check_store_path(path)
                if content is None:
                    if target.exists():
                        target.unlink()
                        changed = True
                    continue
                if target.is_file() and target.read_bytes() == content:
                    continue
                write_atomically(target, content)
                changed = True
            return changed

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
