"""The one way mlci runs a project's own shell command: a training command, a deploy command.

The command runs through the shell in a process group of its own (a new session), so everything it
starts can be ended together, and nothing it started outlives it:

- when it runs past its time limit;
- when mlci itself is told to stop (Ctrl-C, or the SIGTERM of a cancelled CI job): the command gets
  the same signal, since it no longer shares mlci's terminal;
- when it exits but leaves background processes behind (a server, a `&` job) holding its output.

Ending is one signal to the whole group, a grace period to save work and exit, then SIGKILL to
whatever is left. Its output (stdout and stderr together) is handed over line by line as it comes;
the last lines are kept, so a failure can show why without scrolling.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

# Under the 7.5 seconds GitHub Actions leaves between the SIGINT and the SIGTERM of a cancelled job.
STOP_GRACE_SECONDS = 5.0
TAIL_LINES = 30
POLL_SECONDS = 0.05
KILL_SECONDS = 2.0


@dataclass(frozen=True)
class Finished:
    """How a command ended. `exit_code` is negative when a signal killed it (as `subprocess` says)."""

    exit_code: int
    tail: list[str]
    timed_out: bool = False
    leftovers_ended: bool = False
    """It exited, but processes it started were still running and were ended."""

    def said(self, lines: int) -> str:
        """The last `lines` non-blank lines of its output, to end a message with: `:` and the lines,
        or ` without printing anything`."""
        kept = [line for line in self.tail[-lines:] if line.strip()]
        return ":\n" + "\n".join(kept) if kept else " without printing anything"


def run_in_group(
    command: str,
    *,
    cwd: Path,
    env: Mapping[str, str],
    on_line: Callable[[str], None] | None = None,
    timeout: float | None = None,
    input: bytes | None = None,
    grace: float = STOP_GRACE_SECONDS,
) -> Finished:
    """Run `command` through the shell in `cwd` with exactly `env`, in its own process group, and wait
    for it, at most `timeout` seconds. `input` is written to its stdin (else it reads nothing).

    Raises `OSError` when the shell cannot be started. Whatever ends the wait (a time limit, an
    exception such as KeyboardInterrupt) ends the whole group before returning or raising.
    """
    started = time.monotonic()
    # A Ctrl-C that lands while the command is being started (a busy machine can run the command for a
    # while before `Popen` returns) would leave it running with nobody to end it: held until it can be.
    with _interruptions_held() as held:
        process = subprocess.Popen(
            command,
            shell=True,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    reader = _Reader(process, on_line)
    timed_out = leftovers = False
    # Everything after the start is inside the `try`: an interruption that lands while the reader
    # starts must end the group as surely as one that lands while waiting.
    try:
        for number in held:
            signal.raise_signal(number)  # handled now, by the handler it was meant for
        reader.start()
        if input is not None:
            threading.Thread(target=_feed, args=(process, input), daemon=True).start()
        timed_out = not _wait(process, None if timeout is None else started + timeout)
    except BaseException as exc:
        # A signal to mlci (Ctrl-C, a cancelled job's SIGTERM) no longer reaches the command, which is
        # in a session of its own: it is passed on, as `signal_number` on mlci's own interruption.
        first = signal.SIGINT if type(exc) is KeyboardInterrupt else getattr(exc, "signal_number", signal.SIGTERM)
        end_group(process, first=first, grace=grace)
        if reader.ident is not None:  # started
            reader.finish(grace)
        raise
    if timed_out:
        end_group(process, first=signal.SIGTERM, grace=grace)
    else:
        leftovers = end_group(process, first=signal.SIGTERM, grace=grace)
    reader.finish(grace)
    assert process.returncode is not None
    return Finished(
        exit_code=process.returncode, tail=list(reader.tail), timed_out=timed_out, leftovers_ended=leftovers
    )


HELD_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def _interruptions_held() -> Iterator[list[int]]:
    """Hold the stop signals that arrive in the block (their numbers, in order), to be raised again
    after it. Only the main thread can; elsewhere, and for a signal that is ignored, nothing changes."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    previous = {number: signal.getsignal(number) for number in HELD_SIGNALS}
    for number, handler in previous.items():
        if handler not in (signal.SIG_IGN, None):
            signal.signal(number, lambda received, frame: held.append(received))
    try:
        yield held
    finally:
        for number, handler in previous.items():
            if handler not in (signal.SIG_IGN, None):
                signal.signal(number, handler)


def end_group(
    process: subprocess.Popen[bytes], *, first: int = signal.SIGTERM, grace: float = STOP_GRACE_SECONDS
) -> bool:
    """End every live process of `process`'s group: `first`, up to `grace` seconds to exit, then
    SIGKILL. Returns whether any was running. A second Ctrl-C meanwhile skips the wait."""
    group = process.pid
    process.poll()  # a leader that already exited is reaped, so it does not count as running
    if not group_alive(group):
        process.wait()
        return False
    _signal_group(group, first)
    try:
        _wait_for_group(process, grace)
    finally:
        _signal_group(group, signal.SIGKILL)
        process.wait()
        # SIGKILL is delivered at once but takes effect as each process is next scheduled.
        _wait_for_group(process, KILL_SECONDS)
    return True


def _wait_for_group(process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        process.poll()
        if not group_alive(process.pid):
            return
        time.sleep(POLL_SECONDS)


def group_alive(group: int) -> bool:
    """Whether process group `group` has a member that is not a zombie.

    Zombies count as members for the kernel, and they last when the system's init does not reap
    orphans (as in many containers), though they run nothing and hold no files.
    """
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[2] == str(group) and fields[0] not in ("Z", "X"):
            return True
    return False


def _wait(process: subprocess.Popen[bytes], deadline: float | None) -> bool:
    """Wait for the leader until `deadline` (monotonic); False when the deadline came first."""
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return False
        try:
            process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            continue
        return True


def _signal_group(group: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, number)


def _feed(process: subprocess.Popen[bytes], data: bytes) -> None:
    assert process.stdin is not None
    try:
        process.stdin.write(data)
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the command did not read its input; that is its business


class _Reader(threading.Thread):
    """Reads the command's output as it comes, hands each line on and keeps the last ones."""

    def __init__(self, process: subprocess.Popen[bytes], on_line: Callable[[str], None] | None) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.on_line = on_line
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)

    def run(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            # A progress bar redraws its line with carriage returns; what stays on screen is the last one.
            self.tail.append(line.rsplit("\r", 1)[-1])
            if self.on_line is not None:
                try:
                    self.on_line(line)
                except Exception:
                    self.on_line = None  # a closed console; keep draining so the command never blocks

    def finish(self, grace: float) -> None:
        """Wait for the end of the output; a process outside the group (one that made its own session)
        may hold it open for ever, so not longer than `grace`."""
        self.join(grace)
        if not self.is_alive() and self.process.stdout is not None:
            self.process.stdout.close()


# What a signal usually means for a program that did not expect it.
SIGNAL_CAUSES = {
    "SIGKILL": "out of memory?",
    "SIGSEGV": "a crash in native code",
    "SIGBUS": "a crash in native code",
    "SIGABRT": "it aborted",
    "SIGTERM": "stopped from outside",
    "SIGINT": "interrupted",
}


def describe_exit(exit_code: int) -> str:
    """How a command ended, in words: `exited with code 1`, `was killed by SIGKILL (out of memory?)`.

    A shell reports a program killed by a signal as 128 + its number; that is told too, as a likely
    reading, since a program may also exit with such a code on purpose.
    """
    if exit_code < 0:
        return f"was killed by {_killed_by(-exit_code)}"
    if 128 < exit_code < 128 + 65 and signal_name(exit_code - 128) in SIGNAL_CAUSES:
        return f"exited with code {exit_code}: a program it ran was killed by {_killed_by(exit_code - 128)}"
    return f"exited with code {exit_code}"


def signal_name(number: int) -> str:
    """`SIGKILL` for 9; `signal 42` for a number without a name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _killed_by(number: int) -> str:
    name = signal_name(number)
    cause = SIGNAL_CAUSES.get(name)
    return f"{name} ({cause})" if cause else name
