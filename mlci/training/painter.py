"""Runs' pictures, drawn by a separate Python process while mlci goes on with the run.

matplotlib takes about a second to import and the pictures a few tenths to draw. In mlci's own
process both would add to the training time: a thread cannot hide Python work behind a fit that
holds the interpreter's lock, and after the fit there is nothing left to hide it behind. The painter
is started when the first model's training starts, loads matplotlib and pandas on another core while
mlci loads scikit-learn, reads and fits, and draws from `predictions.csv` once it is written, while
mlci waits for skops and saves the model. One painter serves every model of a `mlci train` in turn
(`painting()`), so its libraries are loaded once.

Requests are lines of JSON on the painter's stdin (paths, the task, the top features), answers lines
of JSON on its stdout, one per request. Nothing else crosses, so nothing is ever unpickled.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from mlci.training.predictions import Y_PRED, Y_TRUE

# Pictures are worth waiting for, not worth a hung job: a painter this late is stopped.
PAINT_TIMEOUT = 600.0


class Painter:
    """One painter process. `paint` asks for one run's pictures and `pictures` waits for them; a new
    request only after the answer to the last one. When a training fails between the two, `stop` it:
    its answer would otherwise be read as the next run's."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._waiting = False
        self._buffer = b""

    @classmethod
    def start(cls) -> Painter:
        """Start a painter; it loads its libraries at once and then waits for requests."""
        # -P: the project's folder is not on the painter's path, so no file of the project named like
        # a library (a `pandas.py`) is imported in its place.
        command = [sys.executable, "-P", "-m", "mlci.training.painter"]
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Its warnings would fill a pipe nobody reads while the models train; what goes wrong is
            # answered on stdout instead.
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        return cls(process)

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    @property
    def waiting(self) -> bool:
        """Whether a request has not been answered yet."""
        return self._waiting

    def paint(
        self, *, predictions: Path, classification: bool, importances: list[tuple[str, float]], folder: Path
    ) -> None:
        """Ask for the pictures of the predictions in `predictions`, to be written into `folder`."""
        request = {
            "predictions": str(predictions),
            "classification": classification,
            "importances": importances,
            "folder": str(folder),
        }
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(request).encode() + b"\n")
            self._process.stdin.flush()
        except OSError:
            pass  # the painter is gone; `pictures` tells why
        self._waiting = True

    def pictures(self, *, timeout: float = PAINT_TIMEOUT) -> tuple[dict[str, Path], str | None]:
        """The pictures of the last request, role -> path, and what went wrong when they could not be
        drawn."""
        if not self._waiting:
            return {}, None
        self._waiting = False
        line = self._read_line(timeout)
        if line is None:
            if self.running:
                self.stop()
                return {}, f"drawing took longer than {timeout:.0f}s"
            return {}, f"the drawing process ended ({_exit_text(self._process.returncode)})"
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if isinstance(answer, dict) and isinstance(answer.get("pictures"), dict):
            return {str(role): Path(path) for role, path in answer["pictures"].items()}, None
        if isinstance(answer, dict) and isinstance(answer.get("error"), str):
            return {}, answer["error"]
        return {}, "the drawing process gave no answer mlci understands"

    def stop(self) -> None:
        """End the painter. Killed, not asked: between requests it holds nothing worth finishing, and
        one still loading its libraries would take a second to notice a closed stdin."""
        process = self._process
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                # A request it never read fails to flush: nothing to deliver any more.
                with contextlib.suppress(OSError):
                    stream.close()
        self._waiting = False

    def _read_line(self, timeout: float) -> str | None:
        """The next line of the painter's stdout; None when it ends first or `timeout` passes."""
        assert self._process.stdout is not None
        descriptor = self._process.stdout.fileno()
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(descriptor, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    return None
                chunk = os.read(descriptor, 65536)
                if not chunk:
                    return None
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode(errors="replace")


_session: ContextVar[_Session | None] = ContextVar("mlci_painting", default=None)


class _Session:
    """The painter of one `painting()` block, started on first use and started again after a stop."""

    def __init__(self) -> None:
        self.painter: Painter | None = None

    def current(self) -> Painter:
        if self.painter is None or not self.painter.running:
            self.painter = Painter.start()
        return self.painter

    def close(self) -> None:
        if self.painter is not None:
            self.painter.stop()
            self.painter = None


@contextmanager
def painting() -> Iterator[None]:
    """Let every training in the block share one painter (see `painter_for_run`); it ends with the block."""
    session = _Session()
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)
        session.close()


@contextmanager
def painter_for_run() -> Iterator[Painter]:
    """The painter for one run's pictures: the shared one inside `painting()`, else one of its own.
    A run that fails with its request unanswered ends the painter (another is started when needed)."""
    session = _session.get()
    painter = session.current() if session is not None else Painter.start()
    try:
        yield painter
    except BaseException:
        if painter.waiting:
            painter.stop()
        raise
    finally:
        if session is None:
            painter.stop()


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {-code}"
    return f"exit code {code}"


def _paint(request: dict[str, Any]) -> dict[str, str]:
    import pandas as pd

    from mlci.training.plots import write_plots

    classification = bool(request["classification"])
    # Labels as the file writes them, so the pictures name classes exactly as predictions.csv does.
    dtype = {Y_TRUE: str, Y_PRED: str} if classification else None
    predictions = pd.read_csv(request["predictions"], dtype=dtype, keep_default_na=not classification)
    importances = [(str(name), float(value)) for name, value in request["importances"]]
    written = write_plots(
        predictions, classification=classification, importances=importances, folder=Path(request["folder"])
    )
    return {role: str(path) for role, path in written.items()}


def main() -> int:
    """The painter's side: load the libraries, then answer each request until stdin closes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # loaded now, while the run is still fitting
    import pandas  # noqa: F401

    # A first drawing loads the fonts and the renderer's caches: done now too, not once asked.
    figure = plt.figure(figsize=(1, 1))
    figure.subplots().set_title("0")
    figure.canvas.draw()
    plt.close(figure)

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer: dict[str, Any] = {"pictures": _paint(json.loads(line))}
        except Exception as exc:  # a picture is not worth a traceback; mlci warns with this line
            answer = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
