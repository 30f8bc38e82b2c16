"""Every exit code mlci returns, and one exception class per kind of failure it reports.

Messages are written for the person at the terminal: what went wrong, where, and what to do.
Which code a failure gets decides what a CI job can do about it, so they are kept apart:

    0  success
    1  a gate failed (a regression), or a monitor alert: the model is the problem
    2  bad usage, config or data: the message says what and where
    3  something outside mlci failed (git remote, GitHub API, a deploy trigger) after retries,
       or a command ran past its time limit
    4  an unexpected error inside mlci: a bug to report (traceback with -v)
  128+N  mlci was stopped by signal N (130 for Ctrl-C, 143 for SIGTERM), after ending what it ran
"""

from __future__ import annotations

from enum import IntEnum

# What to check when GitHub (its API or its git remote) does not accept the token at all.
INVALID_TOKEN_HINT = (
    "Check the token mlci was given: the `github-token` input of the mlci step (by default the job's own "
    "`${{ github.token }}`, which expires when the job ends) or the secret it names, which may have been "
    "revoked, expired or mistyped; outside Actions, GITHUB_TOKEN."
)


class ExitCode(IntEnum):
    OK = 0
    GATE_FAILED = 1
    BAD_INPUT = 2
    OUTSIDE = 3
    BUG = 4

    @staticmethod
    def for_signal(number: int) -> int:
        """The shell's convention for a process ended by signal `number`: 128 + its number."""
        return 128 + number


class MlciError(Exception):
    """Base of every failure mlci reports without a traceback (exit code 2: bad usage or input)."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

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
    """A service outside mlci (GitHub API, git remote, a deploy trigger) failed after retries."""

    exit_code = ExitCode.OUTSIDE


class TimedOutError(OutsideError):
    """A model's training (or a deploy command) ran past its time limit and was ended."""


class FailuresError(MlciError):
    """Several things failed (models that did not train); the exit code is the worst of theirs."""

    def __init__(self, message: str, *, exit_code: ExitCode, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


class DeployError(FailuresError):
    """Deploy triggers failed after an alias moved; the move itself stands.

    Its exit code is the worst of the failures it lists: 3 when a service refused or could not be
    reached, 2 when every failure was the triggers' configuration, 4 when one was a bug in mlci.
    """

    def __init__(self, message: str, *, hint: str | None = None, exit_code: ExitCode = ExitCode.OUTSIDE) -> None:
        super().__init__(message, exit_code=exit_code, hint=hint)


class Interrupted(KeyboardInterrupt):
    """mlci was told to stop by a signal other than Ctrl-C (the SIGTERM of a cancelled CI job, SIGHUP).

    A KeyboardInterrupt, so whatever cleans up after Ctrl-C (ending a running command's process
    group, removing temporary files) does so here too, and `except Exception` never swallows it.
    """

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number
