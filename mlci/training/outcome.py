"""What training produces: one model's run before it is written, what became of each model of a
training pass, and the error a pass with failures ends in."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mlci.config.records import record
from mlci.errors import FailuresError, MlciError
from mlci.runs import Run

Status = Literal["trained", "unchanged", "failed", "not tried"]


@record
class TrainedModel:
    """A run not yet written, and its files by role (`model`, `predictions`) at their current place."""

    run: Run
    files: dict[str, Path]


@record
class TrainResult:
    """One model trained (or taken over unchanged): the run as written, and the folder it is in."""

    run: Run
    directory: Path


@record
class ModelOutcome:
    """What became of one model: trained or unchanged (with its run), failed (with why), or not tried
    (an earlier model failed and the pass was to stop at the first failure)."""

    model: str
    status: Status
    result: TrainResult | None = None
    error: MlciError | None = None
    reason: str | None = None
    """Why it has no new run, in one line (for a report: the config named by its file name only)."""


@record
class TrainingPass:
    """Every chosen model's outcome, in the order they were taken."""

    outcomes: list[ModelOutcome]

    @property
    def results(self) -> list[TrainResult]:
        """The runs of the models that trained or were taken over unchanged."""
        return [outcome.result for outcome in self.outcomes if outcome.result is not None]

    @property
    def failures(self) -> list[ModelOutcome]:
        return [outcome for outcome in self.outcomes if outcome.error is not None]

    @property
    def untrained(self) -> dict[str, str]:
        """The models left without a new run (failed or not tried), with why."""
        return {outcome.model: outcome.reason for outcome in self.outcomes if outcome.reason is not None}

    def error(self) -> MlciError | None:
        """None when every model trained; the model's own error when one failed; else one error
        listing each failure, with the worst exit code of theirs (3 for a timeout over 2 for a config)."""
        failures = self.failures
        if not failures:
            return None
        if len(failures) == 1:
            return failures[0].error
        errors = [failure.error for failure in failures if failure.error is not None]
        listed = "\n".join(f"- {failure.model}: {_indented(str(failure.error))}" for failure in failures)
        return FailuresError(
            f"{len(failures)} of {len(self.outcomes)} models failed to train:\n{listed}",
            exit_code=max(error.exit_code for error in errors),
        )

    def check(self) -> None:
        """Raise `error()` when there is one."""
        error = self.error()
        if error is not None:
            raise error


def _indented(text: str) -> str:
    return text.replace("\n", "\n  ")
