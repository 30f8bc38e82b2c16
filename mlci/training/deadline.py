"""How long a model's training may take, and how that is enforced on training that runs inside mlci.

A command is ended with its whole process group (`mlci.process`). Declarative and entrypoint models
are fitted in mlci's own process, and Python cannot stop a thread, so there the limit works like
Ctrl-C: a SIGALRM handler raises `LimitReached` in the main thread, which stops the fit at the next
line of Python it runs (between trees, epochs or optimizer steps) and fails the model; the other
models are trained as usual. A fit stuck in one long call of native code (libsvm, a BLAS routine)
never gets there: a grace period later a watchdog says so and ends mlci with exit code 3, since only
ending the process can stop it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mlci.config.durations import format_duration
from mlci.config.fields import ConfigField
from mlci.config.records import record
from mlci.errors import ExitCode, MlciError, TimedOutError
from mlci.process import STOP_GRACE_SECONDS


class LimitReached(BaseException):
    """Raised in the main thread when the time is up; not an Exception, so code that catches every
    Exception (a fit's retry loop, a library's error handling) does not swallow it."""


@record
class TimeLimit:
    """A model's time limit and where it was set: its `timeout:` field, or `--timeout` (no field)."""

    seconds: float
    field: ConfigField | None = None

    @property
    def text(self) -> str:
        return format_duration(self.seconds)

    def error(self, model: str, detail: str, *, hint: str | None = None) -> MlciError:
        """`TimedOutError` for `model`: where the limit is set, then what was ended (`detail`)."""
        if self.field is not None:
            return self.field.error(f"{model}: timed out after {self.text}; {detail}", kind=TimedOutError, hint=hint)
        return TimedOutError(f"{model}: timed out after {self.text} (--timeout); {detail}", hint=hint)


def time_limit_for(seconds: float | None, field: ConfigField, override: float | None) -> TimeLimit | None:
    """The limit that applies: `override` (from `--timeout`) when given, else the model's own."""
    if override is not None:
        return TimeLimit(override)
    return TimeLimit(seconds, field) if seconds is not None else None


@contextmanager
def in_process_limit(limit: TimeLimit | None, *, stuck: str, grace: float = STOP_GRACE_SECONDS) -> Iterator[None]:
    """Raise `LimitReached` in the block when `limit` passes; if the block is still running `grace`
    seconds later, print `stuck` as mlci's error and end the process with exit code 3.

    Without a limit, or outside the main thread (where no signal handler can run), the block runs
    unlimited.
    """
    if limit is None or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    armed = True

    def expire(signal_number: int, frame: object) -> None:
        if armed:
            raise LimitReached

    def give_up() -> None:
        sys.stderr.write(f"mlci: error: {stuck}\n")
        sys.stderr.flush()
        os._exit(ExitCode.OUTSIDE)

    previous = signal.signal(signal.SIGALRM, expire)
    watchdog = threading.Timer(limit.seconds + grace, give_up)
    watchdog.daemon = True
    watchdog.start()
    signal.setitimer(signal.ITIMER_REAL, limit.seconds)
    try:
        yield
    finally:
        try:
            # The alarm fires once: if it fires before this line, the cleanup below still runs.
            armed = False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            watchdog.cancel()
            signal.signal(signal.SIGALRM, previous)
