"""What mlci says while it works: nothing a name carries can rewrite the terminal or the CI log, and
a step that may be quick or long is shown only when it is long."""

from __future__ import annotations

import io
import time

from mlci.console import Console, printable, visible
from testing.projects import recording_console


def test_controls_and_bidi_overrides_are_removed_and_lone_surrogates_replaced() -> None:
    assert visible("a\x1b[2Jb\u202ec\x00d\ud800e\tf\ng") == "a[2Jbcd\ufffde\tf\ng"


def test_a_line_a_ci_log_would_run_as_a_workflow_command_is_defused() -> None:
    text = printable("metric 'x\n::error::forged'\n   ::add-mask::secret\nfine :: here")
    assert text == "metric 'x\n\\::error::forged'\n   \\::add-mask::secret\nfine :: here"
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())


def test_every_message_goes_out_printable() -> None:
    console, said = recording_console()
    console.info("a\n::warning::x \ud800")
    console.warn("b\u202e")
    assert said.getvalue() == "a\n\\::warning::x \ufffd\nwarning: b\n"


def test_a_step_that_may_be_long_is_silent_when_quick() -> None:
    console, said = recording_console()
    with console.step("quick", after=5):
        pass
    assert said.getvalue() == ""


def test_a_step_that_may_be_long_is_shown_once_it_is() -> None:
    console, said = recording_console()
    with console.step("slow", after=0.05):
        time.sleep(0.3)
    lines = said.getvalue().splitlines()
    assert lines[0] == "slow ..." and lines[1].startswith("slow: done in ")


def test_a_live_step_that_may_be_long_draws_nothing_when_quick() -> None:
    stream = io.StringIO()
    with Console(stream=stream, live=True).step("quick", after=5):
        pass
    assert stream.getvalue() == ""
    with Console(stream=stream, live=True).step("slow", after=0.05):
        time.sleep(0.3)
    assert "slow ⠋" in stream.getvalue() and "slow: " in stream.getvalue()
