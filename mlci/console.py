"""Everything mlci tells the person (or the CI log) while it works, on stderr.

On a terminal long steps show a live line with the elapsed time; in CI logs (no terminal, or
`CI` set) the same steps print one plain line when they start and one when they end, and GitHub
Actions gets collapsible groups for noisy output such as a training command's own prints.
Results (tables, JSON, reports) go to stdout, so they can be piped.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import click

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Console:
    """Progress and messages, shaped by verbosity and by where the output goes."""

    def __init__(self, *, verbosity: int = 0, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.verbosity = verbosity
        self.stream = stream or sys.stderr
        in_ci = bool(os.environ.get("CI")) or bool(os.environ.get("GITHUB_ACTIONS"))
        self.live = live if live is not None else (_is_terminal(self.stream) and not in_ci)
        self.github = os.environ.get("GITHUB_ACTIONS") == "true"
        self._ticker: _Ticker | None = None

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._write(message)

    def detail(self, message: str) -> None:
        """Only with --verbose."""
        if self.verbosity > 0:
            self._write(message)

    def warn(self, message: str) -> None:
        if self.github:
            # A workflow command: GitHub shows it as a warning annotation on the run's page.
            from mlci.github.actions_io import escape_data

            self._write(f"::warning::{escape_data(message)}")
            return
        self._write(click.style("warning: ", fg="yellow") + message if self.live else f"warning: {message}")

    def _write(self, message: str) -> None:
        click.echo(message, file=self.stream)

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """A long step: a live timer on a terminal, start and end lines in logs."""
        started = time.perf_counter()
        if self.verbosity < 0:
            yield
            return
        if not self.live:
            self._write(f"{label} ...")
            try:
                yield
            except BaseException:
                self._write(f"{label}: failed after {time.perf_counter() - started:.1f}s")
                raise
            self._write(f"{label}: done in {time.perf_counter() - started:.1f}s")
            return
        ticker = self._ticker = _Ticker(self.stream, label, started)
        ticker.start()
        try:
            yield
        except BaseException:
            ticker.finish(click.style("failed", fg="red"))
            raise
        else:
            ticker.finish(click.style("done", fg="green"))
        finally:
            self._ticker = None

    def output(self, line: str) -> None:
        """A line of a child process's output, printed without tearing the live timer line."""
        if self.verbosity < 0:
            return
        ticker = self._ticker
        if ticker is None:
            self._write(line)
            return
        with ticker.lock:
            self.stream.write(f"\r\033[K{line}\n")
            self.stream.flush()

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        """Fold noisy output in GitHub Actions logs; a plain heading elsewhere."""
        if self.github:
            self._write(f"::group::{title}")
            try:
                yield
            finally:
                self._write("::endgroup::")
        else:
            yield


class _Ticker(threading.Thread):
    """Redraws `label ⠙ 3.2s` on one terminal line until told to finish."""

    def __init__(self, stream: TextIO, label: str, started: float) -> None:
        super().__init__(daemon=True)
        self.stream, self.label, self.started = stream, label, started
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        frame = 0
        while not self.stopped.wait(0.1):
            with self.lock:
                elapsed = time.perf_counter() - self.started
                self.stream.write(f"\r\033[K{self.label} {SPINNER[frame % len(SPINNER)]} {elapsed:.1f}s")
                self.stream.flush()
            frame += 1

    def finish(self, word: str) -> None:
        self.stopped.set()
        self.join()
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\r\033[K{self.label}: {word} in {elapsed:.1f}s\n")
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
