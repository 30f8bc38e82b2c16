"""`mlci validate`: everything that can be checked without training, all problems at once.

Checks per model: `deps` exist; metric names resolve; the estimator class imports, is an estimator
and accepts its params (constructed, never fitted) or the entrypoint function imports; the data
files exist and have the target and `drop` columns, then are read and prepared exactly as training
prepares them (the same functions: rows that do not fit the header, a target unfit for the task, a
split that cannot be made, columns the default preprocessing cannot use); command outputs have
usable names and folders; the `monitor:` batch, as `mlci monitor` will read it, has the model's
features. A user fixing a config wants the whole list, not one error per run.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlci.config import Config, ModelSpec
from mlci.config.fields import model_field, monitor_field
from mlci.config.files import extensions
from mlci.config.yamlsource import display_path
from mlci.console import MAYBE_LONG, Console
from mlci.errors import ConfigError, DataError, MlciError
from mlci.monitor.batch import features_lacking, find_batch, read_batch
from mlci.training.command import check_output_names
from mlci.training.data import column_problems, feature_columns, load_dataset
from mlci.training.declarative import check_metrics_fit_target
from mlci.training.estimators import build_estimator, check_entrypoint, check_param_values
from mlci.training.metrics import ResolvedMetric, check_metric_fits, resolve_metric
from mlci.training.metrics_file import FORMATS as METRICS_FORMATS
from mlci.training.metrics_file import metrics_format
from mlci.training.params_files import file_params
from mlci.training.preprocessing import column_kinds, needs_preprocessing
from mlci.training.tables import read_header

if TYPE_CHECKING:
    import pandas as pd

# Shell words that are not programs on PATH, so their absence from PATH means nothing.
SHELL_BUILTINS = frozenset(
    {
        "cd",
        "export",
        "source",
        ".",
        "set",
        "exec",
        "env",
        "time",
        "test",
        "[",
        "eval",
        "true",
        "false",
        "echo",
        "if",
        "for",
        "while",
    }
)


class Problems:
    """The errors found so far; `check()` blocks add theirs and let validation go on."""

    def __init__(self) -> None:
        self.errors: list[MlciError] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except MlciError as exc:
            self.errors.append(exc)

    def add(self, error: MlciError) -> None:
        self.errors.append(error)


class Batches:
    """The monitor batches read so far (None: unreadable, its error already listed) and the warnings
    given, so models sharing the repository-wide `monitor:` hear each once."""

    def __init__(self) -> None:
        self.frames: dict[tuple[Path, bool], pd.DataFrame | None] = {}
        self.warned: set[str] = set()

    def warn(self, console: Console, message: str) -> None:
        if message not in self.warned:
            self.warned.add(message)
            console.warn(message)


def validate_project(config: Config, *, console: Console) -> None:
    """Check every model of `config` without fitting anything; raise one `ConfigError` (or
    `DataError` when every problem is in the data) listing all problems, one per line."""
    problems = Problems()
    batches = Batches()
    for model in config.models.values():
        before = len(problems.errors)
        _check_model(config, model, problems, console=console)
        if model.data is not None:
            _check_monitor(config, model, problems, console=console, batches=batches)
        if len(problems.errors) == before:
            console.detail(f"{model.name}: OK ({model.mode})")
    if problems.errors:
        raise _summary(config, problems.errors)


def _check_model(config: Config, model: ModelSpec, problems: Problems, *, console: Console) -> None:
    for index, dep in enumerate(model.deps):
        if not dep.exists():
            problems.add(
                model_field(config, model.name, "deps", index).error(f"{display_path(dep)}: no such file or folder")
            )
    if model.mode == "command":
        _check_command(config, model, problems, console=console)
        return
    resolved = _check_metrics(config, model, problems)
    estimator = _check_estimator(config, model, problems)
    fitting = []
    if estimator is not None:
        for metric in resolved:
            with problems.check():
                check_metric_fits(config, model, metric, estimator)
                fitting.append(metric)
    _check_data(config, model, estimator, problems, console=console, metrics=fitting)


def _check_metrics(config: Config, model: ModelSpec, problems: Problems) -> list[Any]:
    resolved = []
    for index in range(len(model.metrics)):
        with problems.check():
            resolved.append(resolve_metric(config, model, index))
    return resolved


def _check_estimator(config: Config, model: ModelSpec, problems: Problems) -> Any | None:
    """The constructed (unfitted) estimator of a declarative model, when it could be built."""
    if model.mode == "entrypoint":
        with problems.check():
            check_entrypoint(config, model)
        return None
    estimator = None
    with problems.check():
        estimator = build_estimator(config, model)
        check_param_values(config, model, estimator)
    return estimator


def _check_data(
    config: Config,
    model: ModelSpec,
    estimator: Any | None,
    problems: Problems,
    *,
    console: Console,
    metrics: list[ResolvedMetric],
) -> None:
    """Every missing column at once (from the header), then, when none is, the data as training
    prepares it: the whole file read (a row with more fields than the header), the target checked for
    the estimator's task and its `metrics`, the test file or the split made, the columns' types for the
    default preprocessing. The same functions as training, so validate refuses exactly what training
    would."""
    from sklearn.base import is_classifier

    data = model.data
    assert data is not None
    field = model_field(config, model.name, "data")
    with problems.check():
        header = read_header(data.train, field=field.child("train"), header=data.header)
        missing = column_problems(header.columns, data, field=field, path=data.train)
        if missing:
            problems.errors.extend(missing)
            return
        # An entrypoint is not called here, so its task is not known: the checks that depend on it wait.
        classification = is_classifier(estimator) if estimator is not None else None
        with console.step(f"{model.name}: reading {display_path(data.train)}", after=MAYBE_LONG):
            dataset = load_dataset(config, model, classification=classification, console=console)
        if classification:
            for metric in metrics:
                with problems.check():
                    check_metrics_fit_target(config, model, [metric], dataset)
        if estimator is not None and needs_preprocessing(estimator, setting=model.preprocessing):
            column_kinds(dataset.x_train, field=field)


def _check_monitor(config: Config, model: ModelSpec, problems: Problems, *, console: Console, batches: Batches) -> None:
    """The model's `monitor:` as `mlci monitor` will meet it: an alias promote moves, metrics to watch,
    and the newest batch (found and read by monitor's own functions) with every feature the training
    data gives the model. No batch yet is a warning (fresh data may not have arrived), a batch without
    the target a note (quality is then not checked, only drift)."""
    spec = model.monitor
    data = model.data
    assert data is not None
    alias = monitor_field(config, model, "alias")
    if alias is not None and spec.alias != config.promote.alias:
        batches.warn(
            console,
            alias.error(
                f"{spec.alias!r} is not the alias mlci promote moves ({config.promote.alias!r}); mlci monitor finds "
                f"a version there only if something else moves it (`mlci promote --alias {spec.alias}`)"
            ).message,
        )
    watched = monitor_field(config, model, "performance")
    if watched is not None and spec.performance == ():
        names = ", ".join(metric.name for metric in model.metrics)
        console.warn(
            watched.error(
                f"names none of {model.name}'s metrics ({names}), so mlci monitor checks {model.name} for drift only"
            ).message
        )
    where = monitor_field(config, model, "batch")
    if spec.batch is None or where is None:
        return
    try:
        path = find_batch(spec.batch, root=config.root, field=where)
        if not path.exists():
            raise where.error(f"{display_path(path)}: no such file", kind=DataError)
    except DataError as exc:
        batches.warn(console, f"{exc.message} (the fresh data may not have arrived yet)")
        return
    shown = display_path(path)
    key = (path, data.header)
    if key not in batches.frames:
        batches.frames[key] = None
        with problems.check(), console.step(f"{model.name}: reading {shown}", after=MAYBE_LONG):
            batches.frames[key] = read_batch(path, header=data.header, field=where)
    frame = batches.frames[key]
    features = _training_features(config, model)
    if frame is None or features is None:
        return
    lacking = features_lacking(frame, features)
    if lacking:
        problems.add(
            where.error(
                f"{shown} lacks {lacking} that {model.name} reads (from {display_path(data.train)})",
                kind=DataError,
                hint=f"mlci monitor refuses a batch without every feature: {', '.join(features)}.",
            )
        )
    if data.target not in frame.columns:
        console.info(
            f"{model.name}: note: {shown} has no {data.target!r} column (the target), so mlci monitor will check "
            "drift only, not performance"
        )


def _training_features(config: Config, model: ModelSpec) -> list[str] | None:
    """The columns `model` learns from, by its training file's header; None when that cannot be
    read (the data checks have said why)."""
    data = model.data
    assert data is not None
    where = model_field(config, model.name, "data")
    try:
        header = read_header(data.train, field=where.child("train"), header=data.header)
        return feature_columns(header.columns, data, field=where, path=data.train)
    except MlciError:
        return None


def _check_command(config: Config, model: ModelSpec, problems: Problems, *, console: Console) -> None:
    spec = model.command
    assert spec is not None
    outputs = model_field(config, model.name, "outputs")
    with problems.check():
        check_output_names(config, model)
    if spec.metrics_file is not None and metrics_format(spec.metrics_file) is None:
        problems.add(
            outputs.child("metrics").error(
                f"{display_path(spec.metrics_file)}: a metrics file must be {extensions(METRICS_FORMATS)}"
            )
        )
    if spec.predictions_file is not None and spec.predictions_file.suffix.lower() != ".csv":
        problems.add(
            outputs.child("predictions").error(
                f"{display_path(spec.predictions_file)}: a predictions file must be a .csv file"
            )
        )
    for index in range(len(model.params)):
        with problems.check():
            file_params(config, model, index)
    declared = {"metrics": spec.metrics_file, "model": spec.model_file, "predictions": spec.predictions_file}
    seen: dict[Path, str] = {}
    for role, path in declared.items():
        if path is None:
            continue
        field = outputs.child(role)
        if path in seen:
            problems.add(field.error(f"{display_path(path)} is also the {seen[path]} output"))
        seen[path] = role
        problem = _output_path_problem(path, work_dir=config.work_dir)
        if problem:
            problems.add(field.error(problem))
    program = _program(spec.run)
    if program and program not in SHELL_BUILTINS and "/" not in program and shutil.which(program) is None:
        console.warn(
            f"{model.name}: `{program}` is not on PATH here; the command will fail unless it is "
            "installed where training runs"
        )


def _output_path_problem(path: Path, *, work_dir: Path) -> str | None:
    shown = display_path(path)
    if path.is_dir():
        return f"{shown} is a folder; an output must be a file"
    if path.is_relative_to(work_dir):
        return f"{shown} is inside {display_path(work_dir)}, which mlci manages; write outputs elsewhere"
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{shown} cannot be written: {display_path(parent)} is a file, not a folder"
            break
    return None


def _program(command: str) -> str | None:
    """The program a shell command starts with, skipping `NAME=value` assignments."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    for word in words:
        if "=" in word.split("/", 1)[0] and not word.startswith("="):
            continue
        return word
    return None


def _summary(config: Config, errors: list[MlciError]) -> MlciError:
    lines = []
    for error in errors:
        text = error.message.replace("\n", " ").rstrip()
        if error.hint:
            text += f"{'' if text.endswith(('.', '?', '!')) else '.'} {error.hint}"
        lines.append(f"  - {text}")
    count = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
    message = f"{display_path(config.path)}: {count} found:\n" + "\n".join(lines)
    kind = DataError if all(isinstance(error, DataError) for error in errors) else ConfigError
    return kind(message)
