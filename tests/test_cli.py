"""The command line as a user meets it: help, version, start-up cost, errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from mlci import __version__
from mlci.cli import cli

pytestmark = pytest.mark.integration

COMMANDS = [
    "init",
    "validate",
    "train",
    "record",
    "compare",
    "report",
    "comment",
    "promote",
    "rollback",
    "deploy",
    "models",
    "run",
    "demo",
]


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_version_is_answered_without_loading_the_command_line() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['mlci', '--version']\n"
        "from mlci.__main__ import main\n"
        "main()\n"
        "print('loaded:', ','.join(m for m in ('click', 'mlci.cli', 'yaml') if m in sys.modules) or 'none')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # Word for word what click's own option prints (`mlci --version` through the CLI, above).
    assert done.stdout.splitlines() == [f"mlci, version {__version__}", "loaded: none"]
    through_click = CliRunner().invoke(cli, ["--version"])
    assert through_click.output.splitlines()[0] == done.stdout.splitlines()[0]


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f"  {command} " in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"mlci {command}" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["trian"])
    assert result.exit_code == 2 and "No such command 'trian'" in result.output


@pytest.mark.parametrize("args", [["--help"], *([command, "--help"] for command in COMMANDS)])
def test_start_up_does_not_import_the_heavy_libraries(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from mlci.cli import cli\n"
        f"try:\n    cli({args!r}, prog_name='mlci')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'sklearn', 'matplotlib', 'numpy', 'requests', 'skops') if m in sys.modules]\n"
        "print('heavy modules:', ','.join(heavy) or 'none')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "heavy modules: none"


def test_an_unexpected_error_is_exit_code_4_with_one_line_and_the_traceback_only_with_v(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    import mlci.commands.validate

    def broken(config, *, console) -> None:
        raise RuntimeError("something inside mlci went wrong\nsecond line")

    monkeypatch.setattr(mlci.commands.validate, "validate_project", broken)
    config = tmp_path / "mlci.yaml"
    config.write_text(
        "version: 1\nmodels:\n  m:\n    command: 'true'\n    outputs: {metrics: m.json}\n"
        "    metrics: [{name: a, goal: maximize}]\n"
    )
    quiet = CliRunner().invoke(cli, ["--config", str(config), "validate"])
    assert quiet.exit_code == 4
    assert "mlci: unexpected error: RuntimeError: something inside mlci went wrong\n" in quiet.stderr
    assert "please report it" in quiet.stderr and "-v" in quiet.stderr
    assert "Traceback" not in quiet.stderr and "second line" not in quiet.stderr
    verbose = CliRunner().invoke(cli, ["-v", "--config", str(config), "validate"])
    assert verbose.exit_code == 4 and "Traceback (most recent call last)" in verbose.stderr


def test_an_error_naming_a_file_that_is_not_utf8_is_printed_not_a_crash(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--config", "conf\udcff.yaml", "validate"])
    assert result.exit_code == 2, repr(result.exception)
    assert "mlci: error: conf\ufffd.yaml: no such file" in result.output


def test_an_error_message_cannot_forge_a_workflow_command_in_the_log(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlci.yaml").write_text(
        'version: 1\nmodels:\n  iris:\n    data: {train: "x.csv\\n::error title=Forged::pwned", target: y}\n'
        "    estimator: sklearn.linear_model.LogisticRegression\n    metrics: [accuracy]\n"
    )
    result = CliRunner().invoke(cli, ["train"])
    assert result.exit_code == 2 and "no such file" in result.output
    assert not any(line.lstrip().startswith("::") for line in result.output.splitlines()), result.output


def test_the_collector_is_off_while_modules_load_and_on_for_the_commands_work(tmp_path) -> None:
    """Loading creates nothing that is garbage, so collections wait; a command's own work (a long
    training) has the collector back, with what loading made frozen out of its passes."""
    (tmp_path / "mlci.yaml").write_text(
        "version: 1\nmodels:\n  m:\n    command: 'true'\n    outputs: {metrics: m.json}\n"
        "    metrics: [{name: a, goal: maximize}]\n"
    )
    probe = (
        "import gc, sys\n"
        "import mlci.cli\n"
        "seen = []\n"
        "original = mlci.cli.Context.config\n"
        "def config(self, **kwargs):\n"
        "    seen.append(gc.isenabled())\n"
        "    found = original(self, **kwargs)\n"
        "    seen.append((gc.isenabled(), gc.get_freeze_count() > 0))\n"
        "    return found\n"
        "mlci.cli.Context.config = config\n"
        "sys.argv = ['mlci', 'validate']\n"
        "try:\n    mlci.cli.main()\nexcept SystemExit:\n    pass\n"
        "print(seen, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert done.stderr.strip().splitlines()[-1] == "[False, (True, True)]", done.stderr
