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
# A step that is usually quick but can take long (a bootstrap, a data check) is shown from this long
# on: a slow one is never silent, a quick one adds no lines.
MAYBE_LONG = 1.0

# C0/C1 controls (terminal escapes, NUL, backspace, carriage return...), bidi overrides that can make
# a name read as another one, and the BOM. Line feeds and tabs are kept: messages span lines.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
# Half of a UTF-16 pair on its own (from a JSON `"\ud800"`, or a file name that is not UTF-8): no
# encoding can write it, so printing it would fail.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A CI log runs a line that starts with `::` (after spaces) as a workflow command (`::error::`, or
# `::add-mask::`); text mlci prints never starts a line that way, so one that does came from a name.
WORKFLOW_COMMAND = re.compile(r"^(\s*)::", re.MULTILINE)


RED, GREEN, YELLOW = 31, 32, 33


def paint(text: str, color: int) -> str:
    """`text` in an ANSI colour, for a terminal."""
    return f"\033[{color}m{text}\033[0m"


def visible(text: str) -> str:
    """`text` without the characters that could rewrite a terminal or a log line, and with lone
    surrogates replaced by U+FFFD, so it can always be written."""
    if text.isascii() and text.isprintable():  # no control at all (one line of JSON): nothing to scan for
        return text
    text = UNPRINTABLE.sub("", text)
    # Surrogates are not ASCII; most text is, and `isascii` answers without a scan of its own.
    return text if text.isascii() else LONE_SURROGATE.sub("\ufffd", text)


def printable(text: str) -> str:
    """`text` as it can be printed safely (see `visible`), with no line that a CI log would take for
    a workflow command: such a line gets a backslash before its `::`."""
    text = visible(text)
    # Large outputs (a JSON report) rarely hold `::` at all; finding that is cheaper than the regex.
    return WORKFLOW_COMMAND.sub(r"\1\\::", text) if "::" in text else text


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
    def step(self, label: str, *, after: float = 0.0) -> Iterator[None]:
        """A long step: a live timer on a terminal, start and end lines in logs. With `after`, the
        step is shown only once it has lasted that many seconds, so quick ones stay silent."""
        started = time.perf_counter()
        label = printable(label)
        if self.verbosity < 0:
            yield
            return
        if not self.live:
            with self._logged_step(label, started, after):
                yield
            return
        ticker = self._ticker = _Ticker(self.stream, label, started, after=after)
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

    @contextmanager
    def _logged_step(self, label: str, started: float, after: float) -> Iterator[None]:
        """A step in a log: a line when it starts (or once it has lasted `after` seconds) and one when
        it ends, the second only when the first was written."""
        announced = threading.Event()

        def announce() -> None:
            self._write(f"{label} ...")
            announced.set()

        timer = threading.Timer(after, announce) if after > 0 else None
        if timer is None:
            announce()
        else:
            timer.daemon = True
            timer.start()
        outcome = "failed after"
        try:
            yield
            outcome = "done in"
        finally:
            if timer is not None:
                timer.cancel()
                timer.join()
            if announced.is_set():
                self._write(f"{label}: {outcome} {time.perf_counter() - started:.1f}s")

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
    """Redraws `label ⠙ 3.2s` on one terminal line until told to finish; from `after` seconds on."""

    def __init__(self, stream: TextIO, label: str, started: float, *, after: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.stream, self.label, self.started, self.after = stream, label, started, after
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        frame = 0
        while not self.stopped.wait(0.1):
            with self.lock:
                elapsed = time.perf_counter() - self.started
                if elapsed < self.after:
                    continue
                self.stream.write(f"\r\033[K{self.label} {SPINNER[frame % len(SPINNER)]} {elapsed:.1f}s")
                self.stream.flush()
            frame += 1

    def finish(self, word: str) -> None:
        self.stopped.set()
        self.join()
        elapsed = time.perf_counter() - self.started
        if elapsed < self.after:
            return
        self.stream.write(f"\r\033[K{self.label}: {word} in {elapsed:.1f}s\n")
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
