"""Whether a command wrote a declared output: a file that already existed and is unchanged (same
modification time, size and inode) is left over from an earlier run, and taking it as fresh would
report results of code that did not run."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from mlci.config.fields import ConfigField
from mlci.config.files import check_regular, confine
from mlci.config.records import record
from mlci.config.yamlsource import display_path
from mlci.errors import MlciError


@record
class FileState:
    """Enough of a file's metadata to tell whether it was rewritten."""

    mtime_ns: int
    size: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileState | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return cls(mtime_ns=stat.st_mtime_ns, size=stat.st_size, inode=stat.st_ino)


def check_written(
    path: Path, before: FileState | None, *, field: ConfigField, what: str, kind: type[MlciError]
) -> None:
    """Raise `kind` located at `field` unless `path` was written while the command ran, and is a
    regular file that stays inside the project once its symlinks are followed: a model file that is
    a link to /etc/passwd must never be copied into a run and recorded."""
    shown = display_path(path)
    after = FileState.of(path)
    if after is None:
        raise field.error(
            f"the command wrote no {what}; it should write {shown}",
            kind=kind,
            hint="Paths under `outputs:` are relative to mlci.yaml's folder, which is also the "
            "folder the command runs in.",
        )
    if path.is_dir():
        raise field.error(f"{shown} is a folder, not a {what}", kind=kind)
    fail = partial(field.error, kind=kind)
    confine(path, field.config.project_root, error=fail)
    check_regular(path, error=fail)
    if after == before:
        written = datetime.fromtimestamp(after.mtime_ns / 1e9, tz=UTC).isoformat(timespec="seconds")
        raise field.error(
            f"the command did not write the {what} {shown}: the one there is left over from an "
            f"earlier run (last written {written})",
            kind=kind,
            hint="Make the command write it every time; if it skips work when nothing changed "
            "(make, dvc repro), force it (e.g. `dvc repro --force`).",
        )
