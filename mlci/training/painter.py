"""A run's pictures, drawn by a separate Python process while mlci goes on with the run.

matplotlib takes about a second to import and the pictures about as long to draw. In mlci's own
process both would add to the training time: a thread cannot hide Python work behind a fit that
holds the interpreter's lock, and after the fit there is nothing left to hide it behind. The painter
is started before the data is read, loads matplotlib and pandas on another core while mlci reads,
fits and predicts, and draws from `predictions.csv` once it is written, while mlci saves the model.

The request is one line of JSON on the painter's stdin (paths, the task, the top features); the
answer one line of JSON on its stdout. Nothing else crosses, so nothing is ever unpickled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from mlci.training.predictions import Y_PRED, Y_TRUE

# Pictures are worth waiting for, not worth a hung job: a painter this late is stopped.
PAINT_TIMEOUT = 600.0


class Painter:
    """One painter process, for one run's pictures. Use as a context manager, so that a training that
    fails before asking for its pictures leaves no process behind."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._asked = False

    @classmethod
    def start(cls) -> Painter:
        """Start a painter; it loads its libraries at once and then waits for `paint`."""
        # -P: the project's folder is not on the painter's path, so no file of the project named like
        # a library (a `pandas.py`) is imported in its place; the folder it runs in is a fresh one.
        command = [sys.executable, "-P", "-m", "mlci.training.painter"]
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        return cls(process)

    def __enter__(self) -> Painter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

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
            # Left open: `pictures` closes it (closing it twice would fail there).
            self._process.stdin.write(json.dumps(request).encode() + b"\n")
            self._process.stdin.flush()
        except OSError:
            pass  # the painter is gone; `pictures` tells why
        self._asked = True

    def pictures(self, *, timeout: float = PAINT_TIMEOUT) -> tuple[dict[str, Path], str | None]:
        """The pictures written, role -> path, and what went wrong when some could not be drawn."""
        if not self._asked:
            return {}, None
        try:
            out, err = self._process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return {}, f"drawing took longer than {timeout:.0f}s"
        answer = _last_json_line(out)
        if self._process.returncode == 0 and isinstance(answer, dict) and isinstance(answer.get("pictures"), dict):
            return {str(role): Path(path) for role, path in answer["pictures"].items()}, None
        if isinstance(answer, dict) and isinstance(answer.get("error"), str):
            return {}, answer["error"]
        said = err.decode(errors="replace").strip().splitlines()
        return {}, said[-1] if said else f"the drawing process ended with exit code {self._process.returncode}"

    def stop(self) -> None:
        """End the painter if it still runs."""
        process = self._process
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None and not stream.closed:
                stream.close()


def _last_json_line(out: bytes) -> Any:
    for line in reversed(out.decode(errors="replace").splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


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
    """The painter's side: load the libraries, wait for the request, draw, answer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # loaded now, while the run is still fitting
    import pandas  # noqa: F401

    # A first drawing loads the fonts and the renderer's caches: done now too, not once asked.
    figure = plt.figure(figsize=(1, 1))
    figure.subplots().set_title("0")
    figure.canvas.draw()
    plt.close(figure)
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # the run ended before it had predictions to draw
    try:
        answer: dict[str, Any] = {"pictures": _paint(json.loads(line))}
    except Exception as exc:  # a picture is not worth a traceback; mlci warns with this line
        answer = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0 if "pictures" in answer else 1


if __name__ == "__main__":
    sys.exit(main())
