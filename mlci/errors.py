"""One exception class per kind of failure, each carrying the exit code the CLI returns.

Messages are written for the person at the terminal: what went wrong, where, and what to do.
"""

from __future__ import annotations


class MlciError(Exception):
    """Base of every failure mlci reports without a traceback (exit code 2: bad usage or input)."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class ConfigError(MlciError):
    """`mlci.yaml` is missing, malformed or invalid."""


class DataError(MlciError):
    """A data file is missing, unreadable or does not fit the config."""


class TrainingError(MlciError):
    """Training could not produce a run (estimator failed, command exited non-zero, ...)."""


class MetricsFileError(MlciError):
    """A command-mode metrics file is missing, unparseable or holds unusable values."""


class StoreError(MlciError):
    """Recorded results are missing or damaged."""


class GitError(MlciError):
    """A git command failed, or a ref does not exist."""


class OutsideError(MlciError):
    """A service outside mlci (GitHub API, git remote) failed after retries (exit code 3)."""

    exit_code = 3
