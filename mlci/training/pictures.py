"""The pictures a command model names in `outputs.plots` (a CML-style `plot.png`, `plots/*.png`),
kept with its run next to the plots extra's PNGs.

A picture path with no wildcard is a declared output like the metrics file: the command must write it.
A glob keeps the files it matches that this run wrote; one that matches none is only a warning,
because which plots a script draws may depend on the data. Every picture must be a regular file
inside the project, symlinks followed, before it is copied: a run never keeps a file from elsewhere.
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from mlci.config.fields import ConfigField
from mlci.config.files import check_regular, confine
from mlci.config.parse import GLOB_CHARACTERS
from mlci.console import Console
from mlci.errors import TrainingError
from mlci.runs.run import PICTURE_ROLE_PREFIX
from mlci.training.filestate import FileState, check_written


def is_pattern(text: str) -> bool:
    """Whether `text` is a glob pattern rather than one file's path."""
    return GLOB_CHARACTERS.search(text) is not None


def picture_states(root: Path, patterns: tuple[str, ...]) -> dict[Path, FileState | None]:
    """What each picture file looks like before the command runs, so a left-over one is not taken as new."""
    states: dict[Path, FileState | None] = {}
    for pattern in patterns:
        paths = sorted(root.glob(pattern)) if is_pattern(pattern) else [root / pattern]
        states.update({path: FileState.of(path) for path in paths})
    return states


def collect_pictures(
    root: Path,
    patterns: tuple[str, ...],
    *,
    before: dict[Path, FileState | None],
    field: ConfigField,
    project_root: Path,
    workspace: Path,
    taken: set[str],
    console: Console,
    model: str,
) -> dict[str, Path]:
    """The pictures this run wrote, by run role (`plot_<name>`), copied into `workspace` under the names
    they get in the run: their path below the config's folder with `/` as `-` (`plots/roc.png` is
    `plots-roc.png`), so two `plot.png` in two folders do not overwrite each other. `taken` holds the
    names the run's other files have."""
    found: list[Path] = []
    for pattern in patterns:
        if not is_pattern(pattern):
            path = root / pattern
            check_written(path, before.get(path), field=field, what="picture", kind=TrainingError)
            found.append(path)
            continue
        fresh = [
            path for path in sorted(root.glob(pattern)) if not path.is_dir() and FileState.of(path) != before.get(path)
        ]
        if not fresh:
            console.warn(f"{model}: outputs.plots {pattern!r} matched no picture written by this run")
        found.extend(fresh)

    fail = partial(field.error, kind=TrainingError)
    folder = workspace / "pictures"
    folder.mkdir(exist_ok=True)
    pictures: dict[str, Path] = {}
    for path in dict.fromkeys(found):
        confine(path, project_root, error=fail)
        check_regular(path, error=fail)
        name = path.relative_to(root).as_posix().replace("/", "-")
        if name in taken:
            raise field.error(
                f"{path.relative_to(root).as_posix()} would be kept as {name}, a name the run already gives "
                "another of its files",
                kind=TrainingError,
                hint="Rename the picture or the folder it is in.",
            )
        taken.add(name)
        copy = folder / name
        shutil.copyfile(path, copy)
        pictures[PICTURE_ROLE_PREFIX + name] = copy
    return pictures
