"""`mlci compare` and `mlci report` end to end: a real git repository, runs recorded in the real store,
the CLI's exit codes. No training: the runs are written directly, as `mlci train` would leave them."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlci.cli import cli
from mlci.commands.compare import BaseChoice, pushed_base
from mlci.config import load_config
from mlci.runs import Run, runs_dir, write_run
from mlci.store.records import record_runs
from testing.projects import project_at
from testing.repos import actions_checkout
from tests.commands.helpers import CONFIG, data_csv
from tests.compare.factories import IRIS_CONFIG
from tests.compare.test_datacheck import frame, project_with_change
from tests.conftest import git, read_outputs

pytestmark = pytest.mark.integration


@pytest.fixture
def project(make_repo: Callable[..., Path], tmp_path: Path) -> Callable[[float], Path]:
    """A repository whose `main` has recorded runs (accuracy 0.93) and whose branch `feature` has
    fresh runs with the given accuracy."""

    def make(accuracy: float, *, extra_config: str = "", files: dict[str, str] | None = None) -> Path:
        root = make_repo(files={"mlci.yaml": IRIS_CONFIG + extra_config, **(files or {})})
        config = load_config(root / "mlci.yaml")
        base = git(root, "rev-parse", "HEAD")
        base_run = _run({"accuracy": 0.93, "f1_macro": 0.9}, commit=base)
        folder = tmp_path / "recorded" / "iris"
        write_run(folder, base_run, {})
        record_runs(project_at(root).storage, commit=base, runs={"iris": (base_run, folder)}, info={})
        git(root, "checkout", "-q", "-b", "feature")
        (root / "notes.txt").write_text("a change\n")
        git(root, "add", "notes.txt")
        git(root, "commit", "-q", "-m", "change")
        head = git(root, "rev-parse", "HEAD")
        write_run(runs_dir(config.work_dir) / "iris", _run({"accuracy": accuracy, "f1_macro": 0.9}, commit=head), {})
        return root

    return make


def _run(metrics: dict[str, float], *, commit: str) -> Run:
    return Run(
        model="iris",
        mode="declarative",
        metrics=metrics,
        goals={name: "maximize" for name in metrics},
        params={"C": 1.0},
        lineage={"git": {"commit": commit, "branch": "x", "dirty": False}},
    )


def mlci(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args])


def test_compare_passes_with_exit_code_0(project) -> None:
    root = project(0.95)
    result = mlci(root, "compare", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "iris: improved" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("PASSED: All gates passed")
    assert "churn: new" in result.output  # configured, never trained anywhere


def test_a_failed_gate_exits_1_and_json_says_why(project) -> None:
    root = project(0.85)
    result = mlci(root, "compare", "--base", "main", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["passed"] is False
    iris = data["models"][0]
    assert iris["status"] == "regressed"
    assert [gate["message"] for gate in iris["gates"] if gate["passed"] is False] == [
        "accuracy 0.8500 is below the minimum 0.9",
        "accuracy dropped 0.0800 (8.6%), more than the allowed 0.02",
    ]


def test_report_writes_markdown_with_the_marker(project, tmp_path: Path) -> None:
    root = project(0.95)
    out = tmp_path / "report.md"
    result = mlci(root, "report", "--base", "main", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("<!-- mlci-report:default -->\n## mlci report\n")
    assert "| accuracy ↑ | 0.9300 | 0.9500 | 🟢 +0.0200 (+2.2%) |" in text


def test_a_sandbox_violation_in_a_user_template_exits_2_without_a_traceback(project) -> None:
    root = project(
        0.95,
        extra_config="report:\n  template: evil.md.j2\n",
        files={"evil.md.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}\n"},
    )
    result = mlci(root, "report", "--base", "main")
    assert result.exit_code == 2
    assert "evil.md.j2:1:" in result.output and "sandbox" in result.output
    assert "Traceback" not in result.output


def test_verbosity_options_work_after_the_command_name_too(project) -> None:
    root = project(0.95)
    before = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "-v", "compare", "--base", "main"])
    after = mlci(root, "compare", "--base", "main", "-v")
    assert "base: recorded runs of main" in before.output and "base: recorded runs of main" in after.output
    assert "base: recorded runs of main" not in mlci(root, "compare", "--base", "main").output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["compare", "--output", "{blocked}/out.txt"], "mlci: error: --output {blocked}/out.txt: cannot write it"),
        (["compare", "--json-output", "{blocked}/c.json"], "mlci: error: --json-output {blocked}/c.json: cannot write"),
        (["compare", "--json-output", "{folder}"], "'--json-output': File '{folder}' is a directory"),
        (["report", "--output", "{blocked}/r.md"], "mlci: error: --output {blocked}/r.md: cannot write it"),
    ],
)
def test_an_output_that_cannot_be_written_exits_2_naming_it(
    project, tmp_path: Path, args: list[str], expected: str
) -> None:
    root = project(0.95)
    blocked, folder = tmp_path / "a-file", tmp_path / "a-folder"
    blocked.write_text("")
    folder.mkdir()
    places = {"blocked": blocked, "folder": folder}
    result = mlci(root, *[arg.format(**places) for arg in args], "--base", "main")
    assert result.exit_code == 2, result.output
    assert expected.format(**places) in result.output and "Traceback" not in result.output


def test_a_recorded_run_with_a_name_that_cannot_be_shown_is_reported_as_damaged(project) -> None:
    root = project(0.95)
    run_json = runs_dir(load_config(root / "mlci.yaml").work_dir) / "iris" / "run.json"
    data = json.loads(run_json.read_text())
    data["metrics"]["acc\ud800"] = 0.5
    data["goals"]["acc\ud800"] = "maximize"
    run_json.write_text(json.dumps(data))
    result = mlci(root, "compare", "--base", "main", "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "iris/run.json: metric name 'acc\\ud800' holds characters that cannot be shown" in result.output


def same_document(data: dict) -> dict:
    """A comparison document without the moment it was made, which is all two runs may differ in."""
    return {key: value for key, value in data.items() if key != "generated_at"}


def test_compare_and_report_show_one_and_the_same_comparison(make_repo, tmp_path: Path) -> None:
    # New data: the base model is re-scored on the new test rows, and the data check finds drift.
    root = project_with_change(make_repo, frame(1, shift=1.5))
    compared = mlci(root, "compare", "--base", "main", "--format", "json")
    reported = mlci(
        root, "report", "--base", "main", "--output", str(tmp_path / "r.md"), "--json-output", str(tmp_path / "r.json")
    )
    assert compared.exit_code == reported.exit_code == 0, compared.output + reported.output

    from_compare = json.loads(compared.stdout)
    assert same_document(from_compare) == same_document(json.loads((tmp_path / "r.json").read_text()))
    [clf] = from_compare["models"]
    assert clf["data"]["changed"] is True and clf["data"]["drift"][0]["column"] == "x2"
    assert clf["rescore"]["because"] == "rows" and clf["rescore"]["rescored"] is True
    assert set(clf["rescore"]["recorded"]) == {"accuracy"}
    assert clf["metrics"][0]["base"] != clf["rescore"]["recorded"]["accuracy"]


def test_the_compare_actions_passed_output_is_the_reports_verdict(make_repo, tmp_path: Path) -> None:
    # A drift the config does not allow fails the data check: compare must see it as report does.
    root = project_with_change(make_repo, frame(1, shift=1.5), "data_checks: {max_psi: 0.25}\n")
    outputs = tmp_path / "outputs"
    outputs.write_text("")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(outputs), "RUNNER_TEMP": str(tmp_path / "temp")}
    compared = CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), "compare", "--base", "main"], env=env)
    reported = mlci(root, "report", "--base", "main", "--output", str(tmp_path / "r.md"))
    assert compared.exit_code == reported.exit_code == 1, compared.output + reported.output
    written = read_outputs(outputs)
    assert written["passed"] == "false"
    document = json.loads(Path(written["comparison-file"]).read_text())
    assert [gate["metric"] for gate in document["models"][0]["gates"] if gate["passed"] is False] == ["drift"]


def shallow_clone(make_repo: Callable[..., Path], tmp_path: Path, *, commits: int) -> tuple[Path, Path]:
    """A repository of `commits` commits on a bare remote, and a one-commit-deep clone of it (as
    actions/checkout makes)."""
    seed = make_repo("seed", files={"mlci.yaml": IRIS_CONFIG})
    for number in range(1, commits):
        (seed / "notes.txt").write_text(f"change {number}\n")
        git(seed, "add", "notes.txt")
        git(seed, "commit", "-q", "-m", f"change {number}")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    work = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{bare}", str(work))
    return seed, work


def test_a_pushed_commit_is_compared_with_its_parent_fetched_into_a_shallow_checkout(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    seed, work = shallow_clone(make_repo, tmp_path, commits=2)
    assert pushed_base(project_at(work), None, created=False) == BaseChoice(
        ref=git(seed, "rev-parse", "HEAD~1"), label="main"
    )


def test_a_first_commit_or_a_push_that_created_the_branch_has_no_base(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    seed, work = shallow_clone(make_repo, tmp_path, commits=1)
    short = git(seed, "rev-parse", "--short=7", "HEAD")
    assert pushed_base(project_at(work), None, created=False) == BaseChoice(none=f"{short} is the first commit of main")
    assert pushed_base(project_at(work), "a" * 40, created=True) == BaseChoice(none="this push created main")


def test_without_base_a_ci_checkout_of_a_master_repository_is_compared_with_master(
    master_remote: Callable[..., Path], tmp_path: Path
) -> None:
    bare = master_remote({"mlci.yaml": CONFIG, "data.csv": data_csv()})
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", str(bare), str(laptop))
    assert mlci(laptop, "train").exit_code == 0
    assert mlci(laptop, "record").exit_code == 0  # the baseline, on the remote's results branch
    recorded = git(laptop, "rev-parse", "HEAD")
    git(laptop, "checkout", "-q", "-b", "feature")
    (laptop / "mlci.yaml").write_text(CONFIG.replace("C: 1.0", "C: 0.5"))
    git(laptop, "commit", "-qam", "tune C")
    git(laptop, "push", "-q", "origin", "feature")
    checkout = actions_checkout(bare, tmp_path / "checkout", ref="feature")
    assert mlci(checkout, "train").exit_code == 0

    result = mlci(checkout, "compare", "-v")

    assert result.exit_code == 0, result.output
    assert f"base: recorded runs of origin/master ({recorded[:7]})" in result.output
    document = json.loads(mlci(checkout, "compare", "--format", "json").stdout)
    assert (document["base"]["ref"], document["base"]["commit"]) == ("master", recorded)


def _stdout_of(root: Path, *args: str, terminal: bool) -> str:
    """What `mlci ARGS` prints when its stdout is a terminal (a pseudo-terminal here) or a pipe."""
    command = [sys.executable, "-m", "mlci", "--config", str(root / "mlci.yaml"), *args]
    if not terminal:
        return subprocess.run(command, cwd=root, capture_output=True, text=True).stdout
    main_end, side_end = pty.openpty()
    try:
        subprocess.run(command, cwd=root, stdout=side_end, stderr=subprocess.DEVNULL)
    finally:
        os.close(side_end)
    chunks = []
    while True:
        try:
            chunk = os.read(main_end, 65536)
        except OSError:  # the other end is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_end)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_json_is_indented_for_a_terminal_and_compact_for_programs(project) -> None:
    root = project(0.95)
    piped = _stdout_of(root, "compare", "--base", "main", "--format", "json", terminal=False)
    shown = _stdout_of(root, "compare", "--base", "main", "--format", "json", terminal=True)
    assert piped.count("\n") == 1 and piped.startswith('{"base":{'), piped[:200]
    assert shown.startswith('{\n  "base": {'), shown[:200]
    without_time = [{**json.loads(text), "generated_at": None} for text in (piped, shown)]
    assert without_time[0] == without_time[1]


def test_comparing_runs_without_predictions_or_data_loads_nothing_it_does_not_need(make_repo, tmp_path: Path) -> None:
    """The common case of a large repository (many command models, metrics only) pays for no
    table reader, bootstrap, summary shortener or numeric library."""
    config = (
        "version: 1\nmodels:\n  scores:\n    command: python -c pass\n    outputs: {metrics: m.json}\n"
        "    metrics: [{name: auc, goal: maximize}]\n"
    )
    root = make_repo(files={"mlci.yaml": config})
    base = git(root, "rev-parse", "HEAD")
    recorded = replace(_run({"auc": 0.8}, commit=base), model="scores", mode="command", goals={"auc": "maximize"})
    write_run(tmp_path / "recorded" / "scores", recorded, {})
    record_runs(
        project_at(root).storage, commit=base, runs={"scores": (recorded, tmp_path / "recorded" / "scores")}, info={}
    )
    work_dir = load_config(root / "mlci.yaml").work_dir
    write_run(runs_dir(work_dir) / "scores", replace(recorded, metrics={"auc": 0.9}), {})
    argv = ["mlci", "--config", str(root / "mlci.yaml"), "compare", "--base", "main", "--format", "json"]
    probe = (
        "import sys\nfrom mlci.cli import main\n"
        f"sys.argv = {argv!r}\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "unneeded = ('pandas', 'numpy', 'pyarrow', 'sklearn', 'decimal', 'mlci.compare.resampling', "
        "'mlci.compare.datacheck', 'mlci.training.tables', 'mlci.training.predictions', 'mlci.github.shorten', "
        "'mlci.runs.provenance', 'mlci.runs.lineage')\n"
        "print('loaded:', ','.join(m for m in unneeded if m in sys.modules) or 'none', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True)
    assert json.loads(done.stdout)["models"][0]["status"] == "improved", done.stderr
    assert done.stderr.strip().splitlines()[-1] == "loaded: none"
