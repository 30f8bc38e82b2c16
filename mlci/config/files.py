"""The files mlci is handed: read only when they are regular files within a size limit, kept inside
the project, and parsed as JSON without unbounded nesting.

Every file mlci reads from a place the user or a pull request controls comes through here: the
config, metrics files, the event payload, recorded runs, report templates, a command's outputs. A
directory, a device (`/dev/zero`), a FIFO or a socket would hang or fill the memory if read like a
file, so it is refused before anything is read. A regular file is read up to its limit and no
further, whatever `stat` said before, because it may grow while it is read.

Paths from the config, from a command's outputs and from a run's `run.json` must resolve, symlinks
followed, inside the project (`confine`): whatever mlci copies into a run and records on the results
branch then comes from the project, never from elsewhere on the machine (a model file that is a link
to /etc/passwd).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlci.errors import ConfigError, MlciError

ErrorFactory = Callable[..., MlciError]
"""Makes the error to raise from a message (and an optional `hint=`): an error class such as
`ConfigError`, or a config field's `error` for messages located at its line."""

READ_CHUNK = 1024 * 1024
WORK_DIR_NAME = ".mlci"
"""The folder next to the config where a checkout's own runs and caches are written (ignored by git)."""
# The formats of files of named values (metrics, parameters), by extension.
VALUE_FORMATS = {".json": "JSON", ".yaml": "YAML", ".yml": "YAML", ".toml": "TOML"}
INSIDE_HINT = (
    "mlci reads and keeps only files inside the project, so that nothing from elsewhere on the machine "
    "can end up in a run or on the results branch."
)


class TooDeeplyNested(ValueError):
    """A document nested deeper than Python's parsers follow (they would raise `RecursionError`)."""


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it, else as it is. Symlinks are
    followed only when the path as written is not below it, so a link is shown by its own name."""
    try:
        cwd = Path.cwd()
        for candidate, base in ((path.absolute(), cwd), (path.resolve(), cwd.resolve())):
            if candidate.is_relative_to(base):
                return str(candidate.relative_to(base))
    except (OSError, RuntimeError):
        pass
    return str(path)


def read_bounded(
    path: Path, *, limit: int, what: str, error: ErrorFactory = ConfigError, missing_hint: str | None = None
) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    Raises `error(message)` naming the file when it does not exist, is a directory or any other kind
    of non-regular file, cannot be read, or holds more than `limit` bytes; `what` names the kind of
    file in the size message ("a metrics file").
    """

    def fail(problem: str, hint: str | None = None) -> Exception:
        # The path as people see it is worked out only for a message: most reads succeed.
        return error(f"{display_path(path)}: {problem}", hint=hint)

    # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused once opened.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise fail("no such file", hint=missing_hint) from None
    except IsADirectoryError:
        raise fail("is a directory") from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise fail("is a directory")
        if not stat.S_ISREG(status.st_mode):
            raise fail("is not a regular file", hint="mlci reads only regular files.")
        if status.st_size > limit:
            raise fail(f"is {status.st_size:,} bytes; the limit for {what} is {limit:,}")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(descriptor, min(READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise fail(f"is more than {limit:,} bytes, the limit for {what}")
        return b"".join(chunks)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)


def read_text_bounded(
    path: Path, *, limit: int, what: str, error: ErrorFactory = ConfigError, missing_hint: str | None = None
) -> str:
    """`read_bounded`, decoded as UTF-8 (`error` when it is not)."""
    raw = read_bounded(path, limit=limit, what=what, error=error, missing_hint=missing_hint)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{display_path(path)}: is not UTF-8 text") from None


def load_json(raw: str | bytes) -> Any:
    """`json.loads`, with a document nested too deeply for it raised as `TooDeeplyNested` (a
    `ValueError`, like every other malformed JSON) instead of a `RecursionError`."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise TooDeeplyNested("nested too deeply to read") from None


def extensions(formats: dict[str, str]) -> str:
    """`.json, .yaml, .yml or .toml`: the extensions of `formats`, for messages."""
    names = list(formats)
    return f"{', '.join(names[:-1])} or {names[-1]}"


def project_root(folder: Path) -> Path:
    """The project `folder` belongs to: the repository that holds it (the nearest folder with a
    `.git`), else `folder` itself. Resolved."""
    start = folder.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def is_inside(path: Path, root: Path) -> bool:
    """Whether `path`, symlinks resolved, is `root` or below it."""
    return path.resolve().is_relative_to(root.resolve())


def confine(
    path: Path,
    root: Path,
    *,
    error: ErrorFactory = ConfigError,
    what: str = "the project",
    resolve: Callable[[Path], Path] = Path.resolve,
) -> Path:
    """`path` with its symlinks resolved, when that is inside `root`; else `error(message)` saying
    where it leads. `what` names `root` in the message; `resolve` is how paths are resolved (a
    `FolderResolver`'s, for many paths in few folders)."""
    resolved = resolve(path)
    base = resolve(root)
    if resolved.is_relative_to(base):
        return resolved
    shown = display_path(path)
    literal = os.path.normpath(path.absolute())
    if any(literal.startswith(f"{folder}{os.sep}") for folder in (root.absolute(), base)):
        reason = f"{shown} is a link to {resolved}, outside {what} ({base})"
    else:
        reason = f"{shown} is outside {what} ({base})"
    raise error(reason, hint=INSIDE_HINT)


class FolderResolver:
    """`Path.resolve` for many paths in a few folders (a config's hundreds of outputs and deps):
    the real path of every folder is found once, each from its parent's and a look at its own name."""

    def __init__(self) -> None:
        self._real: dict[str, str] = {}

    def __call__(self, path: Path) -> Path:
        text = os.fspath(path)
        return Path(self._real_path(text if os.path.isabs(text) else os.path.join(os.getcwd(), text)))

    def _real_path(self, text: str) -> str:
        real = self._real.get(text)
        if real is None:
            folder, name = os.path.split(text)
            if name in ("", ".", ".."):
                real = str(Path(text).resolve())
            else:
                candidate = os.path.join(self._real_path(folder), name)
                # Only a link as the last part leads elsewhere than its folder's real path says.
                real = str(Path(candidate).resolve()) if os.path.islink(candidate) else candidate
            self._real[text] = real
        return real


def check_regular(path: Path, *, error: ErrorFactory = ConfigError) -> None:
    """`error` unless `path` is a regular file (a directory, FIFO or device is no file to copy)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise error(f"{display_path(path)}: no such file") from None
    except OSError as exc:
        raise error(f"{display_path(path)}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(status.st_mode):
        raise error(f"{display_path(path)}: is a directory")
    if not stat.S_ISREG(status.st_mode):
        raise error(f"{display_path(path)}: is not a regular file", hint="mlci reads only regular files.")


def write_output(path: Path, content: str | bytes, *, option: str) -> Path:
    """Write `content` to `path`, a file the user named with `option` (`--output`), making its folder.

    A path that is a directory, or a folder that cannot be made or written, raises `ConfigError`
    naming the option and the path. Text is UTF-8; anything no encoding can write (a lone surrogate)
    becomes `?` rather than failing half-way.
    """
    data = content if isinstance(content, bytes) else content.encode("utf-8", errors="replace")
    shown = f"{option} {path}"
    if path.is_dir():
        raise ConfigError(f"{shown}: is a directory", hint="Name a file to write, not a folder.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a directory", hint="Name a file to write, not a folder.") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot write it: {exc.strerror or exc}") from None
    return path


def write_atomically(target: Path, content: bytes) -> None:
    """Write `content` to `target` (making its folder) aside, then move it into place, so a reader never
    sees half a file. The file aside is hidden (`.name-...`), so listings of the folder skip it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # with it random and shutil: only the commands that write pay for them

    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def keep_newest(folder: Path, pattern: str, keep: int) -> None:
    """Delete the files of `folder` matching `pattern` beyond the `keep` most recently written."""
    entries = sorted(folder.glob(pattern), key=lambda path: path.stat().st_mtime_ns, reverse=True)
    for stale in entries[keep:]:
        stale.unlink(missing_ok=True)
