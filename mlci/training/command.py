"""Command mode: run the user's own training program and collect what it writes.

The command runs through the shell in the config's folder, with `MLCI_MODEL` (the model's name)
and `MLCI_RUN_DIR` (a scratch folder for this run, removed afterwards) in its environment, and
without the job's credentials (see `mlci.training.environment`). It runs in its own process group
(see `mlci.process`), so a time limit or an interrupted mlci ends it and all it started. Its output
is streamed live and its last lines kept, so a failure shows why without scrolling.

Every declared output must have been written by this run (see `mlci.training.filestate`); the
pictures in `outputs.plots` are kept with the run (see `mlci.training.pictures`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mlci.config import Config, ModelSpec
from mlci.config.fields import ConfigField, model_field
from mlci.console import Console
from mlci.errors import MetricsFileError, MlciError, TrainingError
from mlci.process import Finished, describe_exit, run_in_group
from mlci.runs import RUN_FILE, Run
from mlci.runs.lineage import LineageStart, finish_lineage
from mlci.runs.modelformat import SKOPS, model_format
from mlci.training.deadline import TimeLimit
from mlci.training.environment import training_environment
from mlci.training.filestate import FileState, check_written
from mlci.training.metrics_file import pick_metrics, read_metrics_file
from mlci.training.mlflow_run import DATABASE, LoggedRun, prepare_store, read_logged_run
from mlci.training.modelfile import untrusted_types
from mlci.training.outcome import TrainedModel
from mlci.training.params_files import command_params
from mlci.training.pictures import collect_pictures, picture_states
from mlci.training.predictions import FILE_NAME as PREDICTIONS_FILE
from mlci.training.predictions import summarize_predictions_file
from mlci.training.testinputs import describe_test_inputs

EXIT_NOT_FOUND, EXIT_NOT_EXECUTABLE = 127, 126
RESERVED_NAMES = (RUN_FILE, PREDICTIONS_FILE)


def train_command_model(
    config: Config,
    model: ModelSpec,
    *,
    console: Console,
    workspace: Path,
    lineage: LineageStart,
    limit: TimeLimit | None = None,
) -> TrainedModel:
    """Run `model`'s command and build its run from the metrics file (and the model and predictions
    files when declared). `workspace` is an empty folder that lives until the run is written; past
    `limit`, the command is ended and `TimedOutError` raised."""
    spec = model.command
    assert spec is not None, "only command models have a command"
    outputs = model_field(config, model.name, "outputs")
    check_output_names(config, model)
    # Read before the command runs: they are its inputs, and a file that cannot be read should fail
    # the run before hours of training rather than after.
    params: dict[str, object] = {"command": spec.run, **command_params(config, model)}
    declared = {"metrics": spec.metrics_file, "model": spec.model_file, "predictions": spec.predictions_file}
    before = {role: FileState.of(path) for role, path in declared.items() if path is not None}
    pictures_before = picture_states(config.root, spec.plots)

    scratch = workspace / "scratch"
    scratch.mkdir()
    env = {**training_environment(config, model, os.environ), "MLCI_MODEL": model.name, "MLCI_RUN_DIR": str(scratch)}
    # Python buffers its output when writing to a pipe; unbuffered, the log shows progress live.
    env.setdefault("PYTHONUNBUFFERED", "1")
    mlflow_store = mlflow_folder(config, model)
    if spec.mlflow:
        # An experiment or run id of another tracking server means nothing in mlci's fresh store.
        for name in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_RUN_ID"):
            env.pop(name, None)
        env |= prepare_store(mlflow_store)
    result = run_command(
        spec.run,
        cwd=config.root,
        env=env,
        console=console,
        title=f"{model.name}: output of `{spec.run}`",
        timeout=limit.seconds if limit else None,
    )
    shutil.rmtree(scratch, ignore_errors=True)
    if result.leftovers_ended:
        console.warn(f"{model.name}: `{spec.run}` exited but left processes running; mlci ended them")
    if result.timed_out:
        assert limit is not None
        detail = f"`{spec.run}` and everything it started were ended"
        raise limit.error(model.name, _with_tail(detail, result.tail))
    if result.exit_code != 0:
        raise _failure(model_field(config, model.name, "command"), spec.run, result)

    logged = read_logged_run(mlflow_store, field=outputs.child("mlflow")) if spec.mlflow else None
    names = [m.name for m in model.metrics]
    if spec.metrics_file is not None:
        check_written(
            spec.metrics_file,
            before["metrics"],
            field=outputs.child("metrics"),
            what="metrics file",
            kind=MetricsFileError,
        )
        values = read_metrics_file(spec.metrics_file, field=outputs.child("metrics"))
        metrics = pick_metrics(values, names, path=spec.metrics_file, field=outputs.child("metrics"))
    else:
        assert logged is not None, "a command model without a metrics file logs to MLflow"
        metrics = pick_metrics(logged.metrics, names, path=mlflow_store / DATABASE, field=outputs.child("mlflow"))
    if logged is not None:
        _note_logged(console, model.name, logged)
        params |= {f"mlflow:{key}": value for key, value in sorted(logged.params.items())}

    files: dict[str, Path] = {}
    untrusted: list[str] = []
    model_file, model_field_name = spec.model_file, "model"
    if model_file is not None:
        check_written(model_file, before["model"], field=outputs.child("model"), what="model file", kind=TrainingError)
    elif logged is not None and logged.model_file is not None:
        model_file, model_field_name = logged.model_file, "mlflow"
    if model_file is not None:
        # A skops file under any name lists what it would need trusted; other formats are kept as bytes.
        content = model_file.read_bytes()
        if model_file.suffix.lower() == ".skops" or model_format(content, model_file.name) == SKOPS:
            untrusted = untrusted_types(model_file, field=outputs.child(model_field_name))
        files["model"] = model_file
    task, rows, test_inputs = None, None, None
    if spec.predictions_file is not None:
        field = outputs.child("predictions")
        check_written(
            spec.predictions_file, before["predictions"], field=field, what="predictions file", kind=MetricsFileError
        )
        summary = summarize_predictions_file(spec.predictions_file, field=field)
        task = "classification" if summary.classification else None
        rows = {"test": summary.rows}
        files["predictions"] = _as_predictions_csv(spec.predictions_file, workspace)
        test_inputs = describe_test_inputs(files["predictions"].read_bytes())
    if spec.plots:
        files |= collect_pictures(
            config.root,
            spec.plots,
            before=pictures_before,
            field=outputs.child("plots"),
            project_root=config.project_root,
            workspace=workspace,
            taken={RUN_FILE, *(path.name for path in files.values())},
            console=console,
            model=model.name,
        )

    run = Run(
        model=model.name,
        mode="command",
        metrics=metrics,
        goals={m.name: m.goal for m in model.metrics if m.goal is not None},
        params=params,
        lineage=finish_lineage(lineage, model, rows=rows, test_inputs=test_inputs),
        task=task,
        untrusted_types=untrusted,
    )
    return TrainedModel(run=run, files=files)


def mlflow_folder(config: Config, model: ModelSpec) -> Path:
    """The MLflow store a command model with `outputs: {mlflow: true}` logs to (see `mlflow_run`)."""
    return config.work_dir / "mlflow" / model.name


def _note_logged(console: Console, model: str, logged: LoggedRun) -> None:
    if logged.runs > 1:
        console.warn(f"{model}: the command logged {logged.runs} MLflow runs; mlci read the last started")
    if logged.model_file is None:
        console.detail(f"{model}: the MLflow run logged no model mlci can keep (an MLmodel naming one file)")


def check_output_names(config: Config, model: ModelSpec) -> None:
    """`ConfigError` for a model file named like a file mlci keeps next to it in the run."""
    spec = model.command
    if spec is not None and spec.model_file is not None and spec.model_file.name in RESERVED_NAMES:
        raise model_field(config, model.name, "outputs", "model").error(
            f"a model file may not be named {spec.model_file.name}: mlci keeps its own file of that name in the run"
        )


def run_command(
    command: str, *, cwd: Path, env: dict[str, str], console: Console, title: str, timeout: float | None = None
) -> Finished:
    """Run `command` (see `mlci.process.run_in_group`), streaming each line of its output to the
    console in a folded group; `TrainingError` when it cannot be started at all."""
    with console.group(title):
        try:
            return run_in_group(command, cwd=cwd, env=env, on_line=console.output, timeout=timeout)
        except OSError as exc:
            raise TrainingError(f"cannot start `{command}` in {cwd}: {exc.strerror or exc}") from None


def _as_predictions_csv(path: Path, workspace: Path) -> Path:
    """The predictions file under the name a run gives it, copying it when named otherwise."""
    if path.name == PREDICTIONS_FILE:
        return path
    copy = workspace / PREDICTIONS_FILE
    shutil.copyfile(path, copy)
    return copy


def _failure(field: ConfigField, command: str, result: Finished) -> MlciError:
    code = result.exit_code
    hint: str | None = None
    if code == EXIT_NOT_FOUND:
        reason = f"`{command}` failed: command not found (exit code {code})"
        hint = "Check the program's name and that it is installed and on PATH."
    elif code == EXIT_NOT_EXECUTABLE:
        reason = f"`{command}` failed: the program is not executable (exit code {code})"
        hint = "Make it executable (chmod +x) or run it through its interpreter (python train.py)."
    else:
        reason = f"`{command}` {describe_exit(code)}"
        if "SIGKILL" in reason:
            hint = "When memory runs out, the kernel ends the largest program with SIGKILL: use less memory."
    return field.error(_with_tail(reason, result.tail), kind=TrainingError, hint=hint)


def _with_tail(reason: str, tail: list[str]) -> str:
    """`reason`, then the command's last lines of output on lines of their own."""
    lines = [line for line in tail if line.strip()]
    if not lines:
        return f"{reason} without printing anything"
    return f"{reason}\nthe last {len(lines)} lines of its output:\n" + "\n".join(f"    {line}" for line in lines)
