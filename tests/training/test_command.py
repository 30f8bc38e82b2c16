"""Command mode: a real subprocess writes its metrics (and optionally model and predictions) files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import skops.io

import mlci as mlci_package
from mlci.training.train import train_models
from testing.processes import read_pids, running
from testing.projects import recording_console
from tests.training.helpers import Project, assert_clean_failure, python_command

pytestmark = pytest.mark.integration

SCRIPT = """\
import json, os, sys
from pathlib import Path

out = Path("out")
out.mkdir(exist_ok=True)
print("training", os.environ["MLCI_MODEL"], "scratch exists:", Path(os.environ["MLCI_RUN_DIR"]).is_dir())
print("progress 50%")
(out / "{name}").write_text({text!r})
"""


def command_config(
    metrics_file: str = "out/metrics.json",
    *,
    script: str = "train.py",
    extra_outputs: str = "",
    metrics: str = "[{name: test.auc, goal: maximize}, {name: latency_ms, goal: minimize}]",
) -> str:
    return f"""\
version: 1
models:
  churn:
    command: {python_command(script)}
    outputs:
      metrics: {metrics_file}{extra_outputs}
    metrics: {metrics}
    deps: [train.py]
"""


def write_script(project: Project, name: str, text: str) -> None:
    project.write("train.py", SCRIPT.format(name=name, text=text))


def test_nested_json_metrics_are_flattened_and_the_output_streamed(project: Project) -> None:
    write_script(project, "metrics.json", '{"test": {"auc": 0.91, "loss": 0.3}, "latency_ms": 12, "notes": "x"}')
    project.config(command_config())

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "churn: trained: test.auc=0.91, latency_ms=12"
    assert "training churn scratch exists: True" in result.stderr and "progress 50%" in result.stderr
    run = project.run("churn")
    assert run.mode == "command" and run.task is None
    assert run.metrics == {"test.auc": 0.91, "latency_ms": 12.0}
    assert run.goals == {"test.auc": "maximize", "latency_ms": "minimize"}
    assert run.params == {"command": project.config(command_config()).models["churn"].command.run}
    assert run.files == {}
    assert set(run.lineage["fingerprints"]) == {"train.py"}
    assert "fit_seconds" not in run.lineage and run.lineage["duration_seconds"] > 0


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("metrics.yaml", "test:\n  auc: 0.91\nlatency_ms: 12\n"),
        ("metrics.yml", "test: {auc: 0.91}\nlatency_ms: 12.0\n"),
        ("metrics.toml", "latency_ms = 12\n[test]\nauc = 0.91\n"),
    ],
)
def test_yaml_and_toml_metrics_files(project: Project, name: str, text: str) -> None:
    write_script(project, name, text)
    project.config(command_config(f"out/{name}"))

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    assert project.run("churn").metrics == {"test.auc": 0.91, "latency_ms": 12.0}


def test_cml_metrics_txt_is_read_and_a_metric_kind_gives_the_goal(project: Project) -> None:
    write_script(project, "metrics.txt", "Accuracy: 0.844\nTraining loss = 0.31\n")
    metrics = "[{name: Accuracy, kind: accuracy}, {name: Training loss, goal: minimize}]"
    project.config(command_config("out/metrics.txt", metrics=metrics))

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run = project.run("churn")
    assert run.metrics == {"Accuracy": 0.844, "Training loss": 0.31}
    assert run.goals == {"Accuracy": "maximize", "Training loss": "minimize"}


PARAMS_YAML = """\
train:
  lr: 0.01
  layers: [64, 32]
  optimizer: {name: adam, beta: 0.9}
featurize: {max_features: 200}
"""


def test_parameter_files_are_recorded_flattened_and_fingerprinted(project: Project) -> None:
    write_script(project, "metrics.json", '{"test": {"auc": 0.91}, "latency_ms": 12}')
    project.write("params.yaml", PARAMS_YAML)
    project.write("train.toml", "[train]\nseed = 4\nepochs = 10\n")
    config = command_config() + "    params: [params.yaml, {train.toml: [train.seed]}]\n"
    project.config(config)

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run = project.run("churn")
    assert {name: value for name, value in run.params.items() if name != "command"} == {
        "params.yaml:train.lr": 0.01,
        "params.yaml:train.layers": [64, 32],
        "params.yaml:train.optimizer.name": "adam",
        "params.yaml:train.optimizer.beta": 0.9,
        "params.yaml:featurize.max_features": 200,
        "train.toml:train.seed": 4,
    }
    assert set(run.lineage["fingerprints"]) == {"train.py", "params.yaml", "train.toml"}


def test_a_parameter_file_section_records_every_key_under_it(project: Project) -> None:
    write_script(project, "metrics.json", '{"test": {"auc": 0.91}, "latency_ms": 12}')
    project.write("params.yaml", PARAMS_YAML)
    project.config(command_config() + "    params: [{params.yaml: [train.optimizer, featurize.max_features]}]\n")

    assert project.mlci("train").exit_code == 0
    assert sorted(project.run("churn").params) == [
        "command",
        "params.yaml:featurize.max_features",
        "params.yaml:train.optimizer.beta",
        "params.yaml:train.optimizer.name",
    ]


def test_dates_in_parameter_files_are_recorded_as_the_file_writes_them(project: Project) -> None:
    write_script(project, "metrics.json", '{"test": {"auc": 0.91}, "latency_ms": 12}')
    project.write("params.yaml", "data:\n  cutoff: 2024-01-31\n")
    project.write("train.toml", "[data]\nsince = 2023-06-01\nat = 07:30:00\n")
    project.config(command_config() + "    params: [params.yaml, train.toml]\n")

    assert project.mlci("train").exit_code == 0
    params = project.run("churn").params
    assert params["params.yaml:data.cutoff"] == "2024-01-31"
    assert params["train.toml:data.since"] == "2023-06-01"
    assert params["train.toml:data.at"] == "07:30:00"


@pytest.mark.parametrize(
    ("files", "setting", "fragments"),
    [
        ({}, "[params.yaml]", ["models.churn.params[0]: params.yaml: no such file"]),
        ({"params.yaml": "train: {lr: [1\n"}, "[params.yaml]", ["params.yaml", "not valid YAML"]),
        (
            {"params.yaml": PARAMS_YAML},
            "[{params.yaml: [train.depth]}]",
            ["params.yaml has no parameter 'train.depth'", "Its keys are: train.lr, train.layers"],
        ),
    ],
)
def test_a_parameter_file_that_cannot_be_used_fails_before_the_command_runs(
    project: Project, files: dict[str, str], setting: str, fragments: list[str]
) -> None:
    write_script(project, "metrics.json", '{"test": {"auc": 0.91}, "latency_ms": 12}')
    for name, text in files.items():
        project.write(name, text)
    project.config(command_config() + f"    params: {setting}\n")

    output = assert_clean_failure(project.mlci("train"), *fragments)

    assert "progress 50%" not in output


def test_list_items_are_flattened_by_index(project: Project) -> None:
    write_script(project, "metrics.json", '{"folds": [{"auc": 0.8}, {"auc": 0.9}]}')
    project.config(command_config(metrics="[{name: folds.1.auc, goal: maximize}]"))

    assert project.mlci("train").exit_code == 0
    assert project.run("churn").metrics == {"folds.1.auc": 0.9}


def test_model_and_predictions_files_are_kept_with_the_run(project: Project) -> None:
    project.write(
        "train.py",
        """\
import json
from pathlib import Path

import pandas as pd
from skops.io import dump
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression

X, y = load_breast_cancer(return_X_y=True)
model = LogisticRegression(max_iter=5000).fit(X[:400], y[:400])
out = Path("out")
out.mkdir(exist_ok=True)
dump(model, out / "model.skops")
proba = model.predict_proba(X[400:])
pd.DataFrame({"y_true": y[400:], "y_pred": model.predict(X[400:]), "proba_0": proba[:, 0], "proba_1": proba[:, 1]}
             ).to_csv(out / "preds.csv", index=False)
(out / "metrics.json").write_text(json.dumps({"accuracy": float(model.score(X[400:], y[400:]))}))
""",
    )
    project.config(
        command_config(
            extra_outputs="\n      model: out/model.skops\n      predictions: out/preds.csv", metrics="[accuracy]"
        )
    )

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run = project.run("churn")
    folder = project.run_dir("churn")
    assert run.files == {"model": "model.skops", "predictions": "predictions.csv"}
    assert run.task == "classification" and run.lineage["rows"] == {"test": 169}
    # Which features the command used is not visible to mlci: its test inputs are known by their target.
    assert set(run.lineage["test_inputs"]) == {"rows", "target"} and run.lineage["test_inputs"]["rows"] == 169
    assert (folder / "predictions.csv").read_bytes() == (project.root / "out" / "preds.csv").read_bytes()
    model = skops.io.load(folder / "model.skops", trusted=run.untrusted_types)
    assert type(model).__name__ == "LogisticRegression"


def test_a_skops_file_under_another_name_still_lists_the_types_it_needs_trusted(project: Project) -> None:
    project.write(
        "train.py",
        """\
import fractions, json
from pathlib import Path

from skops.io import dump
from sklearn.linear_model import LogisticRegression

model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
model.note_ = fractions.Fraction(1, 3)
out = Path("out")
out.mkdir(exist_ok=True)
dump(model, out / "model.bin")
(out / "metrics.json").write_text(json.dumps({"accuracy": 1.0}))
""",
    )
    project.config(command_config(extra_outputs="\n      model: out/model.bin", metrics="[accuracy]"))

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    assert "fractions.Fraction" in project.run("churn").untrusted_types


def test_a_failing_command_shows_its_exit_code_and_the_tail_of_its_output(project: Project) -> None:
    lines = "".join(f"print('line {i}')\n" for i in range(50))
    project.write("train.py", lines + "import sys\nsys.exit('CUDA out of memory')\n")
    project.config(command_config())

    output = assert_clean_failure(
        project.mlci("train"),
        "mlci.yaml:4: models.churn.command:",
        "exited with code 1\nthe last 30 lines of its output:",
        "    line 49",
        "    CUDA out of memory",
    )
    error = output.split("mlci: error:", 1)[1]
    assert "line 20" not in error and "line 21" in error


def test_a_command_that_is_not_found_says_so(project: Project) -> None:
    project.write("train.py", "")
    project.config(command_config().replace(python_command("train.py"), "no-such-program-mlci --fast"))
    assert_clean_failure(
        project.mlci("train"), "`no-such-program-mlci --fast` failed: command not found (exit code 127)", "on PATH"
    )


def test_a_missing_dep_points_at_its_entry_before_anything_runs(project: Project) -> None:
    project.config(command_config(script="elsewhere.py"))
    assert_clean_failure(project.mlci("train"), "mlci.yaml:8: models.churn.deps[0]: train.py: no such file or folder")


def test_the_command_runs_in_the_config_folder_with_mlci_variables(project: Project, monkeypatch) -> None:
    project.write(
        "train.py",
        "import os, json\nos.makedirs('out', exist_ok=True)\n"
        "json.dump({'pid_seen': 1.0 if os.environ['MLCI_MODEL'] == 'churn' else 0.0}, "
        "open('out/metrics.json', 'w'))\n",
    )
    project.config(command_config(metrics="[{name: pid_seen, goal: maximize}]"))
    elsewhere = project.root / "sub"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    result = project.mlci("--config", str(project.root / "mlci.yaml"), "train")

    assert result.exit_code == 0, result.output
    assert (project.root / "out" / "metrics.json").is_file() and not (elsewhere / "out").exists()
    assert project.run("churn").metrics == {"pid_seen": 1.0}


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("{not json", ["models.churn.outputs.metrics: out/metrics.json is not valid JSON"]),
        ('{"test": {"auc": "high"}, "latency_ms": 1}', ["metric 'test.auc' is the text 'high', not a number"]),
        ('{"test": {"auc": "0.9"}, "latency_ms": 1}', ["is the text '0.9', not a number", "without quotes"]),
        ('{"test": {"auc": true}, "latency_ms": 1}', ["metric 'test.auc' is true, not a number"]),
        ('{"test": {"auc": NaN}, "latency_ms": 1}', ["metric 'test.auc' is NaN"]),
        ('{"test": {"auc": Infinity}, "latency_ms": 1}', ["metric 'test.auc' is infinite"]),
        ('{"test": {"auc": null}, "latency_ms": 1}', ["metric 'test.auc' is empty (null), not a number"]),
        (
            '{"test": {"acc": 0.9}, "latency_ms": 1}',
            ["out/metrics.json has no metric 'test.auc'", "Its keys are: test.acc, latency_ms."],
        ),
        ("[]", ["has no metric 'test.auc'", "Its keys are: none."]),
        ("0.9", ["holds a single float, not named values"]),
    ],
)
def test_a_metrics_file_with_unusable_content(project: Project, text: str, fragments: list[str]) -> None:
    write_script(project, "metrics.json", text)
    project.config(command_config())
    assert_clean_failure(project.mlci("train"), *fragments)


def test_a_command_that_writes_no_metrics_file(project: Project) -> None:
    project.write("train.py", "print('forgot the metrics')\n")
    project.config(command_config())
    assert_clean_failure(
        project.mlci("train"),
        "models.churn.outputs.metrics: the command wrote no metrics file; it should write out/metrics.json",
    )


def test_a_metrics_file_left_over_from_an_earlier_run_is_not_taken_as_fresh(project: Project) -> None:
    write_script(project, "metrics.json", '{"test": {"auc": 0.91}, "latency_ms": 12}')
    project.config(command_config())
    assert project.mlci("train").exit_code == 0
    old = time.time() - 3600
    os.utime(project.root / "out" / "metrics.json", (old, old))

    project.write("train.py", "print('crashed quietly before writing anything')\n")

    assert_clean_failure(
        project.mlci("train"),
        "the command did not write the metrics file out/metrics.json: the one there is left over from an earlier run",
        "dvc repro --force",
    )


def test_an_unreadable_metrics_file_kind_and_a_bad_predictions_file(project: Project) -> None:
    write_script(project, "metrics.ini", "auc=0.9")
    project.config(command_config("out/metrics.ini"))
    assert_clean_failure(
        project.mlci("train"), "cannot tell the format of a metrics file", ".json, .yaml, .yml, .toml or .txt"
    )

    project.write(
        "train.py",
        "from pathlib import Path\nPath('out').mkdir(exist_ok=True)\n"
        "Path('out/metrics.json').write_text('{\"accuracy\": 0.9}')\n"
        "Path('out/preds.csv').write_text('truth,prediction\\n1,1\\n')\n",
    )
    project.config(command_config(extra_outputs="\n      predictions: out/preds.csv", metrics="[accuracy]"))
    assert_clean_failure(
        project.mlci("train"),
        "models.churn.outputs.predictions: out/preds.csv lacks the columns "
        "y_true, y_pred (its header: truth, prediction)",
    )


def test_a_declared_model_file_the_command_did_not_write(project: Project) -> None:
    write_script(project, "metrics.json", '{"accuracy": 0.9}')
    project.config(command_config(extra_outputs="\n      model: out/model.skops", metrics="[accuracy]"))
    assert_clean_failure(project.mlci("train"), "models.churn.outputs.model: the command wrote no model file")


def test_a_failing_command_leaves_the_previous_run_untouched(project: Project) -> None:
    write_script(project, "metrics.json", '{"test": {"auc": 0.91}, "latency_ms": 12}')
    config = project.config(command_config())
    console, _ = recording_console()
    [first] = train_models(config, ["churn"], console=console).results
    before = {path.name: path.read_bytes() for path in first.directory.iterdir()}

    project.write("train.py", "raise SystemExit(3)\n")
    assert_clean_failure(project.mlci("train"), "exited with code 3 without printing anything")

    assert {path.name: path.read_bytes() for path in first.directory.iterdir()} == before


HANGING = """\
import os, subprocess, sys, time
from pathlib import Path

child = subprocess.Popen(["sleep", "60"])
Path("pids").write_text(f"{os.getpid()} {child.pid}")
print("epoch 1 of 100", flush=True)
time.sleep(60)
"""


def test_a_command_past_its_timeout_is_ended_with_all_it_started_and_exits_3(project: Project) -> None:
    write_script(project, "metrics.json", '{"test": {"auc": 0.91}, "latency_ms": 12}')
    project.config(command_config())
    assert project.mlci("train").exit_code == 0
    before = {path.name: path.read_bytes() for path in project.run_dir("churn").iterdir()}
    project.write("train.py", HANGING)
    project.config(command_config() + "    timeout: 1s\n")

    started = time.monotonic()
    result = project.mlci("train")

    assert result.exit_code == 3, result.output
    assert time.monotonic() - started < 10
    assert "Traceback" not in result.output
    assert "mlci.yaml:9: models.churn.timeout: churn: timed out after 1s; `" in result.stderr
    assert "and everything it started were ended\nthe last 1 lines of its output:\n    epoch 1 of 100" in result.stderr
    assert result.stdout.startswith("churn: failed: mlci.yaml:9: models.churn.timeout: churn: timed out after 1s")
    assert not any(running(pid) for pid in read_pids(project.root / "pids"))
    assert {path.name: path.read_bytes() for path in project.run_dir("churn").iterdir()} == before


def test_the_timeout_option_and_its_variable_replace_the_configured_limit(project: Project, monkeypatch) -> None:
    project.write("train.py", HANGING)
    project.config(command_config() + "    timeout: 2h\n")

    result = project.mlci("train", "--timeout", "1")
    assert result.exit_code == 3, result.output
    assert "churn: timed out after 1s (--timeout); `" in result.stderr

    monkeypatch.setenv("MLCI_TIMEOUT", "0.5s")
    assert "churn: timed out after 0.5s (--timeout)" in project.mlci("train").stderr

    wrong = project.mlci("train", "--timeout", "soon")
    assert wrong.exit_code == 2 and "Invalid value for '--timeout': must be a duration like 90s, 30m" in wrong.output


def test_a_command_killed_by_a_signal_is_named_with_the_likely_cause(project: Project) -> None:
    project.write(
        "train.py", "import os, signal\nprint('loading 40 GB', flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n"
    )
    project.config(command_config())
    assert_clean_failure(
        project.mlci("train"),
        "killed by SIGKILL (out of memory?)",
        "    loading 40 GB",
        "the kernel ends the largest program with SIGKILL",
    )


SHOW_ENVIRONMENT = """\
import json, os
from pathlib import Path

names = {names!r}
Path("seen.json").write_text(json.dumps(sorted(name for name in names if name in os.environ)))
Path("out").mkdir(exist_ok=True)
Path("out/metrics.json").write_text('{{"test": {{"auc": 0.9}}, "latency_ms": 1}}')
"""
CREDENTIALS = {
    "GITHUB_TOKEN": "ghs_job",
    "GH_TOKEN": "ghs_cli",
    "ACTIONS_RUNTIME_TOKEN": "runtime",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc",
    "MLCI_WEBHOOK_URL": "https://hooks.example.com/default",
    "MLCI_WEBHOOK_SECRET": "default-secret",
    "DEPLOY_HOOK": "https://hooks.example.com/k3y",
    "DEPLOY_SIGNING": "signing-secret",
    "MLCI_DISPATCH_TOKEN": "dispatch",
}
WEBHOOK = "promote: {triggers: {webhook: {url_env: DEPLOY_HOOK, secret_env: DEPLOY_SIGNING}}}\n"


def test_a_training_command_does_not_get_the_jobs_credentials(project: Project, monkeypatch) -> None:
    for name, value in {**CREDENTIALS, "WANDB_API_KEY": "wandb", "MY_SETTING": "x"}.items():
        monkeypatch.setenv(name, value)
    names = [*CREDENTIALS, "WANDB_API_KEY", "MY_SETTING", "HOME", "PATH"]
    project.write("train.py", SHOW_ENVIRONMENT.format(names=names))
    project.config(command_config() + WEBHOOK)

    assert project.mlci("train").exit_code == 0

    assert json.loads((project.root / "seen.json").read_text()) == ["HOME", "MY_SETTING", "PATH", "WANDB_API_KEY"]


def test_a_model_passes_on_the_credentials_it_lists(project: Project, monkeypatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    project.write("train.py", SHOW_ENVIRONMENT.format(names=list(CREDENTIALS)))
    project.config(command_config() + "    pass_env: [GITHUB_TOKEN, DEPLOY_HOOK]\n" + WEBHOOK)

    assert project.mlci("train").exit_code == 0

    assert json.loads((project.root / "seen.json").read_text()) == ["DEPLOY_HOOK", "GITHUB_TOKEN"]


@pytest.mark.parametrize(("number", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_mlci_stopped_by_a_signal_ends_the_command_and_all_it_started(project: Project, number: int, code: int) -> None:
    project.write("train.py", HANGING)
    project.config(command_config())
    mlci = subprocess.Popen(
        [sys.executable, "-m", "mlci", "train"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pids = read_pids(project.root / "pids")

    mlci.send_signal(number)
    _, stderr = mlci.communicate(timeout=30)

    assert mlci.returncode == code, stderr
    # The command may print its own traceback (Python's KeyboardInterrupt); mlci prints none.
    assert stderr.rstrip().endswith(f"mlci: interrupted by {signal.Signals(number).name}"), stderr
    assert str(Path(mlci_package.__file__).parent) not in stderr
    assert not any(running(pid) for pid in pids)
    assert not project.run_dir("churn").exists()


def test_a_model_output_that_links_out_of_the_project_is_refused_and_nothing_is_kept(project: Project) -> None:
    project.write(
        "train.py",
        "import os\nfrom pathlib import Path\nPath('out').mkdir(exist_ok=True)\n"
        "Path('out/metrics.json').write_text('{\"accuracy\": 0.9}')\n"
        "os.symlink('/etc/passwd', 'out/model.bin')\n",
    )
    project.config(command_config(extra_outputs="\n      model: out/model.bin", metrics="[accuracy]"))

    assert_clean_failure(
        project.mlci("train"),
        "models.churn.outputs.model: out/model.bin is a link to /etc/passwd, outside the project",
    )
    assert not project.run_dir("churn").exists()


def test_a_metrics_file_that_links_out_of_the_project_is_not_read(project: Project, tmp_path) -> None:
    outside = tmp_path / "elsewhere.json"
    outside.write_text('{"accuracy": 0.9}')
    project.write(
        "train.py",
        f"import os\nfrom pathlib import Path\nPath('out').mkdir(exist_ok=True)\nos.symlink({str(outside)!r}, "
        "'out/metrics.json')\n",
    )
    project.config(command_config(metrics="[accuracy]"))
    assert_clean_failure(project.mlci("train"), "models.churn.outputs.metrics: out/metrics.json is a link to")


def test_a_metrics_file_with_names_that_cannot_be_printed_fails_cleanly(project: Project) -> None:
    write_script(project, "metrics.json", '{"\\ud800": 1, "x\\n::error::forged": 2, "latency_ms": 1}')
    project.config(command_config())
    output = assert_clean_failure(project.mlci("train"), "has no metric 'test.auc'", "'\\ud800'")
    assert "\n::error::" not in output


PICTURES = """\
from pathlib import Path

for name in ("plot.png", "plots/roc.png", "plots/pr.png", "more/plot.png"):
    Path(name).parent.mkdir(exist_ok=True)
    Path(name).write_bytes(b"\\x89PNG " + name.encode())
Path("out").mkdir(exist_ok=True)
Path("out/metrics.json").write_text('{"accuracy": 0.9}')
"""


def test_the_pictures_a_command_writes_are_kept_with_the_run(project: Project) -> None:
    project.write("train.py", PICTURES)
    project.write("plots/old.png", "left over from an earlier run")
    project.config(
        command_config(extra_outputs="\n      plots: [plot.png, 'plots/*.png', more/plot.png]", metrics="[accuracy]")
    )

    result = project.mlci("train")

    assert result.exit_code == 0, result.output
    run, folder = project.run("churn"), project.run_dir("churn")
    # Two plot.png in two folders are both kept; the left-over picture is not taken as this run's.
    assert run.pictures == ["more-plot.png", "plot.png", "plots-pr.png", "plots-roc.png"]
    assert run.files["plot_plots-roc.png"] == "plots-roc.png"
    assert (folder / "more-plot.png").read_bytes() == b"\x89PNG more/plot.png"


def test_a_declared_picture_the_command_did_not_write_and_a_glob_that_matched_none(project: Project) -> None:
    project.write("train.py", PICTURES)
    project.config(command_config(extra_outputs="\n      plots: ['charts/*.svg', confusion.png]", metrics="[accuracy]"))

    assert_clean_failure(
        project.mlci("train"), "models.churn.outputs.plots: the command wrote no picture; it should write confusion.png"
    )
    project.config(command_config(extra_outputs="\n      plots: 'charts/*.svg'", metrics="[accuracy]"))
    result = project.mlci("train")
    assert result.exit_code == 0, result.output
    assert "churn: outputs.plots 'charts/*.svg' matched no picture written by this run" in result.output
    assert project.run("churn").pictures == []


def test_a_picture_that_links_out_of_the_project_is_refused(project: Project) -> None:
    project.write(
        "train.py",
        "import os\nfrom pathlib import Path\nPath('out').mkdir(exist_ok=True)\n"
        "Path('out/metrics.json').write_text('{\"accuracy\": 0.9}')\nos.makedirs('plots', exist_ok=True)\n"
        "os.symlink('/etc/passwd', 'plots/p.png')\n",
    )
    project.config(command_config(extra_outputs="\n      plots: 'plots/*.png'", metrics="[accuracy]"))

    assert_clean_failure(project.mlci("train"), "models.churn.outputs.plots: plots/p.png is a link to /etc/passwd")
    assert not project.run_dir("churn").exists()
