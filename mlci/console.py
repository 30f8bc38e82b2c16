"""Everything mlci tells the person (or the CI log) while it works, on stderr.

On a terminal long steps show a live line with the elapsed time; in CI logs (no terminal, or a CI
runner) the same steps print one plain line when they start and one when they end. Where the output
goes is told to the console by its creator, never guessed here: a CI runner turns the live line off,
and GitHub Actions plugs in its workflow commands (`commands`), which fold noisy output such as a
training command's own prints into groups and turn warnings into annotations.
Results (tables, JSON, reports) go to stdout, so they can be piped.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

# C0/C1 controls (terminal escapes, NUL, backspace, carriage return...), bidi overrides that can make
# a name read as another one, and the BOM. Line feeds and tabs are kept: messages span lines.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")


RED, GREEN, YELLOW = 31, 32, 33


def paint(text: str, color: int) -> str:
    """`text` in an ANSI colour, for a terminal."""
    return f"\033[{color}m{text}\033[0m"


def printable(text: str) -> str:
    """`text` without the characters that could rewrite a terminal or a log line."""
    return UNPRINTABLE.sub("", text)


class LogCommands(Protocol):
    """How a CI log marks warnings and folds output (GitHub Actions' workflow commands)."""

    def warning(self, message: str) -> str: ...

    def group_start(self, title: str) -> str: ...

    def group_end(self) -> str: ...


class Console:
    """Progress and messages, shaped by verbosity and by where the output goes.

    `live` (default: when the stream is a terminal) draws a ticking line for long steps; `commands`
    are the CI log's own markers for warnings and folded groups, when it has any.
    """

    def __init__(
        self,
        *,
        verbosity: int = 0,
        stream: TextIO | None = None,
        live: bool | None = None,
        commands: LogCommands | None = None,
    ) -> None:
        self.verbosity = verbosity
        self.stream = stream or sys.stderr
        self.live = live if live is not None else _is_terminal(self.stream)
        self.commands = commands
        self._ticker: _Ticker | None = None

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._write(printable(message))

    def heading(self, message: str) -> None:
        """A line that starts a part of the output, bold on a terminal."""
        if self.verbosity >= 0:
            text = printable(message)
            self._write(f"\033[1m{text}\033[0m" if self.live else text)

    def detail(self, message: str) -> None:
        """Only with --verbose."""
        if self.verbosity > 0:
            self._write(printable(message))

    def warn(self, message: str) -> None:
        text = printable(message)
        if self.commands is not None:
            self._write(self.commands.warning(text))
            return
        self._write(f"{paint('warning: ', YELLOW)}{text}" if self.live else f"warning: {text}")

    def _write(self, message: str) -> None:
        self.stream.write(f"{message}\n")
        self.stream.flush()

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
            ticker.finish(paint("failed", RED))
            raise
        else:
            ticker.finish(paint("done", GREEN))
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
        """Fold noisy output in a CI log that can; nothing elsewhere."""
        if self.commands is None:
            yield
            return
        self._write(self.commands.group_start(printable(title)))
        try:
            yield
        finally:
            self._write(self.commands.group_end())


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
