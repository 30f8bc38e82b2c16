"""A project's shell command in its own process group: time limits, leftovers and interruptions end
everything it started, and how it ended is said in words."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mlci.process import describe_exit, run_in_group
from testing.processes import read_pids, running

pytestmark = pytest.mark.integration

# A shell command whose background child writes its pid, then the command waits for it.
SLEEPING_CHILD = "sleep 60 & echo $! > child.pid; wait"


def child_pid(folder: Path) -> int:
    [pid] = read_pids(folder / "child.pid")
    return pid


def test_output_is_handed_over_line_by_line_and_input_is_given(tmp_path: Path) -> None:
    lines: list[str] = []
    done = run_in_group(
        "cat; echo on stderr >&2; printf 'progress 10%%\\rprogress 100%%\\n'",
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"]},
        on_line=lines.append,
        input=b"from stdin\n",
    )
    assert done.exit_code == 0 and not done.timed_out and not done.leftovers_ended
    assert lines == ["from stdin", "on stderr", "progress 10%\rprogress 100%"]
    assert done.tail == ["from stdin", "on stderr", "progress 100%"]


def test_a_time_limit_ends_the_command_and_everything_it_started(tmp_path: Path) -> None:
    started = time.monotonic()
    done = run_in_group(SLEEPING_CHILD, cwd=tmp_path, env=dict(os.environ), timeout=0.5, grace=2)
    assert done.timed_out
    assert time.monotonic() - started < 5
    assert not running(child_pid(tmp_path))


def test_a_command_that_ignores_sigterm_gets_sigkill_after_the_grace_period(tmp_path: Path) -> None:
    script = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\n"
    script += "time.sleep(60)\n"
    (tmp_path / "stubborn.py").write_text(script)
    started = time.monotonic()
    done = run_in_group(f"exec {sys.executable} stubborn.py", cwd=tmp_path, env=dict(os.environ), timeout=1, grace=1)
    assert done.timed_out and done.exit_code == -signal.SIGKILL
    assert 2 <= time.monotonic() - started < 6
    assert done.tail == ["ready"]


def test_processes_left_running_after_the_command_exits_are_ended(tmp_path: Path) -> None:
    started = time.monotonic()
    done = run_in_group("sleep 60 & echo $! > child.pid", cwd=tmp_path, env=dict(os.environ), grace=2)
    assert done.exit_code == 0 and done.leftovers_ended
    # The leftover held the output pipe open: without ending it, the wait would have lasted a minute.
    assert time.monotonic() - started < 5
    assert not running(child_pid(tmp_path))


def test_an_interruption_while_waiting_ends_the_group_and_goes_on(tmp_path: Path) -> None:
    # Ctrl-C arrives as a KeyboardInterrupt in the main thread, wherever it waits.
    def interrupt() -> None:
        child_pid(tmp_path)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        run_in_group(SLEEPING_CHILD, cwd=tmp_path, env=dict(os.environ), grace=2)
    assert not running(child_pid(tmp_path))


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (0, "exited with code 0"),
        (1, "exited with code 1"),
        (-9, "was killed by SIGKILL (out of memory?)"),
        (-11, "was killed by SIGSEGV (a crash in native code)"),
        (-10, "was killed by SIGUSR1"),
        (137, "exited with code 137: a program it ran was killed by SIGKILL (out of memory?)"),
        (130, "exited with code 130: a program it ran was killed by SIGINT (interrupted)"),
        (200, "exited with code 200"),
    ],
)
def test_how_a_command_ended_in_words(code: int, words: str) -> None:
    assert describe_exit(code) == words


def test_a_ctrl_c_while_the_command_is_being_started_still_ends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a busy machine the command can be running, and the Ctrl-C arrive, before `Popen` returns.
    real_popen = subprocess.Popen

    def popen_then_interrupted(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        process = real_popen(*args, **kwargs)  # type: ignore[call-overload]
        child_pid(tmp_path)
        signal.raise_signal(signal.SIGINT)
        return process

    monkeypatch.setattr(subprocess, "Popen", popen_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_in_group(SLEEPING_CHILD, cwd=tmp_path, env=dict(os.environ), grace=2)
    assert not running(child_pid(tmp_path))
