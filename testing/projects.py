"""A project as a command sees it, for tests that call the command functions directly."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from mlci.commands.project import Project
from mlci.config import CONFIG_NAME, load_config
from mlci.console import Console
from mlci.github.context import GitHubContext


def quiet_console() -> Console:
    """A console whose messages go nowhere: for tests that look at results, not at what is said."""
    return Console(stream=io.StringIO(), live=False)


def recording_console(verbosity: int = 0) -> tuple[Console, io.StringIO]:
    """A console and the stream that holds what it said, as a CI log would (no live line)."""
    stream = io.StringIO()
    return Console(verbosity=verbosity, stream=stream, live=False), stream


def project_at(path: Path, *, environ: Mapping[str, str] | None = None, console: Console | None = None) -> Project:
    """The project of the config at `path` (or of `mlci.yaml` in the folder `path`), in the GitHub
    environment `environ` (none by default: as on a laptop)."""
    config_path = path / CONFIG_NAME if path.is_dir() else path
    return Project(
        config=load_config(config_path),
        console=console or quiet_console(),
        github=GitHubContext.from_env(environ or {}),
    )
