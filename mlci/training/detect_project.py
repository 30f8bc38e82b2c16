"""What else `mlci init` finds in a project besides data: the training it already runs (DVC stages
that write metrics, MLflow project entry points) as command models, the requirements file the
workflow should install, and data kept by DVC that the workflow must pull.

Like the data guess, this is a starting point the user reviews: every file is read with
`yaml.safe_load`, a file that cannot be read is skipped with a warning, and nothing is run.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import Any

from mlci.config.files import load_json, read_text_bounded
from mlci.config.goals import goal_from_name
from mlci.config.records import record
from mlci.console import Console
from mlci.errors import ConfigError
from mlci.training.detect import find_data_files, find_files
from mlci.training.metrics_file import flatten

REQUIREMENTS_FILES = ("requirements.txt", "requirements/base.txt", "requirements-ci.txt")
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".gif")
MAX_METRICS = 10
MAX_READ_BYTES = 1024 * 1024
# `mlflow.log_metric("rmse", ...)` and `log_metrics({"rmse": ..., "r2": ...})` in a training script.
LOG_METRIC = re.compile(r"""log_metric\(\s*["']([\w.-]+)["']""")
LOG_METRICS = re.compile(r"""log_metrics\(\s*\{([^}]*)\}""")
QUOTED = re.compile(r"""["']([\w.-]+)["']\s*:""")
# A plain training script, as CML examples have: where it writes its metrics, pictures and model.
TRAINING_SCRIPTS = ("train.py", "src/train.py", "training.py", "scripts/train.py")
QUOTED_PATH = re.compile(r"""["']([\w./-]+\.(?:txt|json|ya?ml|toml))["']""")
SAVED_PICTURE = re.compile(r"""savefig\(\s*["']([\w./-]+\.(?:png|jpe?g|svg|gif))["']""")
SAVED_MODEL = re.compile(r"""["']([\w./-]+\.(?:pkl|pickle|joblib|skops|onnx))["']""")
# `f.write(f"Accuracy: {acc}")`: a metric line of CML's metrics.txt.
TEXT_METRIC = re.compile(r"""f["']([A-Za-z][\w .-]*?)\s*[:=]\s*\{""")


@record
class DetectedMetric:
    name: str
    goal: str | None


@record
class DetectedCommand:
    """A command model `mlci init` writes for training the project already runs."""

    name: str
    command: str
    metrics_file: str
    metrics: tuple[DetectedMetric, ...]
    origin: str
    """Where it was found, for the config's comment: `dvc.yaml stage train`."""
    deps: tuple[str, ...] = ()
    plots: tuple[str, ...] = ()
    model_file: str | None = None
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Parameter files with the keys the stage reads (none: every key), as mlci's `params` takes them."""
    notes: tuple[str, ...] = ()
    """What the user should check, one line each."""


@record
class DetectedProject:
    """The project's own ways, as far as `mlci init` can see them."""

    commands: tuple[DetectedCommand, ...] = ()
    requirements: str | None = None
    dvc: bool = False
    """A DVC project (`dvc.yaml` or `.dvc/`): its pipeline rewrites dvc.lock."""
    dvc_tracked: tuple[str, ...] = field(default=())
    """`*.dvc` files: data kept by DVC, which a CI checkout lacks until `dvc pull`."""
    ignore_changes: tuple[str, ...] = ()
    """Files training rewrites although git tracks them, for `record.ignore_changes`."""


def detect_project(directory: Path, *, console: Console | None = None) -> DetectedProject:
    """DVC stages, MLproject entry points, the requirements file and DVC-tracked data under `directory`."""
    commands: list[DetectedCommand] = []
    ignore: list[str] = []
    dvc_file = directory / "dvc.yaml"
    if dvc_file.is_file():
        listed = _read_yaml(dvc_file, console=console).get("stages")
        stages = {str(k): v for k, v in listed.items() if isinstance(v, dict)} if isinstance(listed, dict) else {}
        for name, stage in stages.items():
            if found := _dvc_stage(directory, name, stage, stages=stages):
                commands.append(found)
                ignore.extend(path for path in (found.metrics_file, *found.plots) if not _is_pattern(path))
        ignore.insert(0, "dvc.lock")
    mlproject = directory / "MLproject"
    if mlproject.is_file():
        commands.extend(_mlproject(directory, _read_yaml(mlproject, console=console)))
    if not commands:
        commands.extend(_training_script(directory))
    requirements = next((name for name in REQUIREMENTS_FILES if (directory / name).is_file()), None)
    tracked = [path.as_posix() for path in find_files(directory, lambda name: name.endswith(".dvc"))]
    return DetectedProject(
        commands=tuple(_unique_names(commands)),
        requirements=requirements,
        dvc=dvc_file.is_file() or (directory / ".dvc").is_dir(),
        dvc_tracked=tuple(tracked),
        ignore_changes=tuple(dict.fromkeys(ignore)),
    )


def _dvc_stage(
    directory: Path, name: str, stage: dict[str, Any], *, stages: dict[str, dict[str, Any]]
) -> DetectedCommand | None:
    """The command model of a DVC stage that writes metrics: run by `dvc repro`, so the stages it
    depends on run first as they do on the user's machine, and forced, since mlci needs fresh metrics."""
    metrics_files = _paths(stage.get("metrics"))
    if not metrics_files or not isinstance(stage.get("cmd"), str | list):
        return None
    metrics_file = _in(stage, metrics_files[0])
    deps = _source_deps(directory, name, stages)
    plots = [_in(stage, path) for path in _paths(stage.get("plots")) if path.lower().endswith(PICTURE_SUFFIXES)]
    notes = [
        "`dvc repro` runs the stage and the stages it needs, as on your machine; --force because mlci",
        "needs this commit's metrics even when DVC has them cached. The workflow installs DVC.",
    ]
    if len(metrics_files) > 1:
        notes.append(f"the stage writes {len(metrics_files)} metrics files; mlci reads one: {metrics_file}")
    return DetectedCommand(
        name=model_name_of(name),
        command=f"dvc repro --force {shlex.quote(name)}",
        metrics_file=metrics_file,
        metrics=_metrics_in(directory / metrics_file),
        origin=f"dvc.yaml stage {name}",
        deps=tuple(dict.fromkeys(["dvc.yaml", *deps])),
        plots=tuple(plots),
        params=_stage_params(stage),
        notes=tuple(notes),
    )


def _source_deps(directory: Path, name: str, stages: dict[str, dict[str, Any]]) -> list[str]:
    """What a stage's results come from, as files in the checkout: its deps, with another stage's
    outputs (absent from a fresh checkout) replaced by that stage's own, and data kept by DVC by its
    `.dvc` file, whose hash changes with the data."""
    producers = {_in(stage, path): other for other, stage in stages.items() for path in _paths(stage.get("outs"))}
    found: list[str] = []
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        stage = stages[current]
        for path in (_in(stage, dep) for dep in _paths(stage.get("deps"))):
            if path in producers:
                pending.append(producers[path])
            elif (directory / f"{path}.dvc").is_file():
                found.append(f"{path}.dvc")
            else:
                found.append(path)
        found.extend(sorted({_in(stage, f) for f in _params_files(stage.get("params"))}))
    return list(dict.fromkeys(found))


def _in(stage: dict[str, Any], path: str) -> str:
    """`path` of a stage, relative to the project rather than the stage's `wdir`."""
    return (PurePosixPath(str(stage.get("wdir") or ".")) / path).as_posix().removeprefix("./")


def _mlproject(directory: Path, document: dict[str, Any]) -> list[DetectedCommand]:
    """A command model for the MLproject's `main` entry point (else its first), with each parameter's
    default in the command. MLflow logs metrics to its tracking store, which mlci does not read, so
    the script should also write them to a file: the metric names are guessed from its `log_metric`
    calls."""
    entry_points = document.get("entry_points")
    if not isinstance(entry_points, dict) or not entry_points:
        return []
    name = "main" if "main" in entry_points else next(iter(entry_points))
    entry = entry_points[name]
    if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
        return []
    command, missing = _with_defaults(entry["command"], entry.get("parameters"))
    scripts = [word for word in shlex.split(command, posix=True) if word.endswith(".py")] if command else []
    text = "".join(_read_text(directory / script) for script in scripts)
    names = [*LOG_METRIC.findall(text), *(key for block in LOG_METRICS.findall(text) for key in QUOTED.findall(block))]
    metrics = tuple(DetectedMetric(n, goal_from_name(n)) for n in dict.fromkeys(names))[:MAX_METRICS]
    notes = [
        "The entry point's command with its parameters' defaults, run by mlci in the job's Python",
        "(not `mlflow run`, which would build its own environment). MLflow logs metrics to its tracking",
        "store, which mlci does not read: make the script also write them to metrics.json, e.g.",
        'json.dump({"rmse": rmse, "r2": r2}, open("metrics.json", "w")).',
    ]
    if missing:
        notes.append(f"parameters without a default, to fill in: {', '.join(missing)}")
    project = str(document.get("name") or directory.resolve().name)
    return [
        DetectedCommand(
            name=model_name_of(project if name == "main" else name),
            command=command,
            metrics_file="metrics.json",
            metrics=metrics,
            origin=f"MLproject entry point {name}",
            deps=tuple(dict.fromkeys(["MLproject", *scripts, *_data_files(directory)])),
            notes=tuple(notes),
        )
    ]


def _training_script(directory: Path) -> list[DetectedCommand]:
    """A command model for a plain training script that writes a metrics file (CML's `train.py`
    writing `metrics.txt` and `plot.png`), read for the files it names; [] when it names none."""
    script = next((name for name in TRAINING_SCRIPTS if (directory / name).is_file()), None)
    if script is None:
        return []
    text = _read_text(directory / script)
    metrics_file = next((path for path in QUOTED_PATH.findall(text) if "metric" in PurePosixPath(path).name), None)
    if metrics_file is None:
        return []
    if metrics_file.endswith(".txt"):
        names = TEXT_METRIC.findall(text)
    else:
        names = [key for block in re.findall(r"dump\(\s*\{([^}]*)\}", text) for key in QUOTED.findall(block)]
    metrics = tuple(DetectedMetric(n.strip(), goal_from_name(n.strip())) for n in dict.fromkeys(names))[:MAX_METRICS]
    model_file = next(iter(SAVED_MODEL.findall(text)), None)
    notes = [
        f"{script} writes {metrics_file}, which mlci reads after running it; the metric names come from",
        "the script: check them and their goals.",
    ]
    return [
        DetectedCommand(
            name=model_name_of(directory.resolve().name),
            command=f"python {script}",
            metrics_file=metrics_file,
            metrics=metrics,
            origin=script,
            deps=tuple(dict.fromkeys([script, *_data_files(directory)])),
            plots=tuple(dict.fromkeys(SAVED_PICTURE.findall(text))),
            model_file=model_file,
            notes=tuple(notes),
        )
    ]


def _data_files(directory: Path) -> list[str]:
    """The data files at the project's top or one folder down, which an MLflow example's script reads."""
    return [path.as_posix() for path in find_data_files(directory, max_depth=1)]


def model_name_of(text: str) -> str:
    """A valid model name from a stage or project name: `Train-Model` -> `train-model`."""
    name = re.sub(r"[^a-z0-9_.-]+", "_", text.lower()).strip("_.-")
    return name if name and name[0].isalnum() else f"model_{name}".rstrip("_")


def _with_defaults(command: str, parameters: Any) -> tuple[str, list[str]]:
    """`command` with `{param}` replaced by each parameter's default; the names that have none."""
    specs = parameters if isinstance(parameters, dict) else {}
    missing: list[str] = []

    def default(match: re.Match[str]) -> str:
        spec = specs.get(match.group(1))
        value = spec.get("default") if isinstance(spec, dict) else None
        if value is None:
            missing.append(match.group(1))
            return match.group(0)
        return shlex.quote(str(value))

    return re.sub(r"\{(\w+)\}", default, " ".join(command.split())), missing


def _metrics_in(path: Path) -> tuple[DetectedMetric, ...]:
    """The metric names in a metrics file committed with the project, with the goals their names tell."""
    text = _read_text(path)
    try:
        values = load_json(text) if path.suffix.lower() == ".json" else _safe_yaml(text)
    except ValueError:
        return ()
    if not isinstance(values, dict):
        return ()
    flat = flatten(values)
    numbers = [name for name, value in flat.items() if isinstance(value, int | float) and not isinstance(value, bool)]
    return tuple(DetectedMetric(name, goal_from_name(name)) for name in numbers[:MAX_METRICS])


def _paths(value: Any) -> list[str]:
    """The paths of a dvc.yaml `deps`, `outs`, `metrics` or `plots` list, whose items are a path or
    `{path: options}`."""
    items = value if isinstance(value, list) else []
    paths = []
    for item in items:
        if isinstance(item, str):
            paths.append(item)
        elif isinstance(item, dict):
            paths.extend(str(key) for key in item)
    return paths


def _stage_params(stage: dict[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A stage's `params` by file: plain keys live in `params.yaml`, `{file: [keys]}` names its file,
    and `{file: }` without keys means every key of it, as DVC reads them."""
    by_file: dict[str, list[str]] = {}
    listed_params = stage.get("params")
    for item in listed_params if isinstance(listed_params, list) else []:
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            by_file.setdefault(_in(stage, "params.yaml"), []).append(str(item))
        elif isinstance(item, dict):
            for file, keys in item.items():
                listed = by_file.setdefault(_in(stage, str(file)), [])
                if isinstance(keys, list):
                    listed.extend(str(key) for key in keys)
    return tuple((file, tuple(dict.fromkeys(keys))) for file, keys in by_file.items())


def _params_files(params: Any) -> list[str]:
    """The parameter files of a stage's `params`: `params.yaml` for plain keys, else the files named."""
    files = []
    for item in params if isinstance(params, list) else []:
        files.extend([str(key) for key in item] if isinstance(item, dict) else ["params.yaml"])
    return files


def _unique_names(commands: list[DetectedCommand]) -> list[DetectedCommand]:
    seen: set[str] = set()
    unique = []
    for command in commands:
        name, number = command.name, 2
        while name in seen:
            name, number = f"{command.name}_{number}", number + 1
        seen.add(name)
        unique.append(command if name == command.name else DetectedCommand(**{**command.__dict__, "name": name}))
    return unique


def _is_pattern(path: str) -> bool:
    return any(character in path for character in "*?[")


def _read_text(path: Path) -> str:
    """The text of `path`, or "" when it is missing, not a regular file (a FIFO must not hang `init`),
    too large or not UTF-8."""
    try:
        return read_text_bounded(path, limit=MAX_READ_BYTES, what="a file mlci init reads")
    except ConfigError:
        return ""


def _safe_yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


def _read_yaml(path: Path, *, console: Console | None) -> dict[str, Any]:
    try:
        document = _safe_yaml(_read_text(path))
    except ValueError as exc:
        if console:
            console.warn(f"skipped {path.name}: not valid YAML: {str(exc).splitlines()[0] if str(exc) else exc}")
        return {}
    return document if isinstance(document, dict) else {}
