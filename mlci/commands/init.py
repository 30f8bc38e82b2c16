"""`mlci init`: write a starter `mlci.yaml` fitted to the project's data, and the GitHub workflow."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from mlci.config import CONFIG_NAME
from mlci.console import Console
from mlci.errors import ConfigError
from mlci.git import Git
from mlci.training.detect import DetectedData, Task, detect_data, model_name

WORKFLOW_PATH = Path(".github") / "workflows" / "mlci.yml"
GITIGNORE_ENTRY = ".mlci/"


def init_project(directory: Path, *, force: bool, console: Console) -> list[Path]:
    """Write `mlci.yaml` and the workflow in `directory` and make git ignore `.mlci/`.

    Returns the paths written or changed. Refuses (ConfigError) to replace an existing config or
    workflow unless `force`, and checks both before writing either, so a refusal changes nothing.
    """
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: is a file, not a folder")
    config_path = directory / CONFIG_NAME
    workflow_path = directory / WORKFLOW_PATH
    existing = [path for path in (config_path, workflow_path) if path.exists()]
    if existing and not force:
        names = " and ".join(str(path) for path in existing)
        raise ConfigError(
            f"{names} already exist{'s' if len(existing) == 1 else ''}; mlci init does not overwrite files",
            hint="Pass --force to replace them, or edit them by hand.",
        )

    detected = detect_data(directory, console=console) if directory.is_dir() else None
    config_text = render_config(detected)
    directory.mkdir(parents=True, exist_ok=True)
    config_path.write_text(config_text, encoding="utf-8")
    workflow_path.parent.mkdir(parents=True, exist_ok=True)
    workflow_path.write_text(_template("mlci.yml"), encoding="utf-8")
    written = [config_path, workflow_path]
    gitignore = directory / ".gitignore"
    if ensure_ignored(gitignore, GITIGNORE_ENTRY):
        written.append(gitignore)

    _tell_what_was_found(detected, directory, console=console)
    return written


def render_config(detected: DetectedData | None) -> str:
    """The text of a starter `mlci.yaml`, for the detected data or, without it, a template to adjust."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    task: Task = detected.task if detected else "classification"
    if task == "classification":
        estimator_class = "sklearn.linear_model.LogisticRegression"
        params, metrics, gate_metric = "{max_iter: 1000}", ["accuracy", "f1_macro"], "accuracy"
        model_note = "LogisticRegression is a quick, sturdy first baseline; try any classifier once it runs."
    else:
        estimator_class = "sklearn.linear_model.Ridge"
        params, metrics, gate_metric = "{alpha: 1.0}", ["r2", "mean_absolute_error"], "r2"
        model_note = "Ridge is a quick, sturdy first baseline; try any regressor once it runs."
    if detected:
        task_comment = [f"A {task} task: {detected.task_reason} in {_one_line(detected.target)}.", model_note]
        context = {
            "data": {"train_display": _one_line(detected.train.as_posix())},
            "name": model_name(detected.train),
            "train": detected.train.as_posix(),
            "test": detected.test.as_posix() if detected.test else None,
            "target": detected.target,
            "target_reason": detected.target_reason,
            "drop": list(detected.drop),
        }
    else:
        task_comment = [
            "Assumes a classification task; LogisticRegression is a quick, sturdy first baseline.",
            "For a numeric target use class sklearn.linear_model.Ridge, params {alpha: 1.0} and",
            "metrics [r2, mean_absolute_error].",
        ]
        context = {
            "data": None,
            "name": "model",
            "train": "data/train.csv",
            "test": None,
            "target": "target",
            "target_reason": "adjust it to your column",
            "drop": [],
        }
    environment = SandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined, autoescape=False
    )
    environment.filters["yaml"] = yaml_scalar
    template = environment.from_string(_template("mlci.yaml.j2"))
    return template.render(
        task_comment=task_comment,
        estimator_class=estimator_class,
        params=params,
        metrics=metrics,
        gate_metric=gate_metric,
        **context,
    )


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as the same text: bare when that is safe, else quoted.

    Column names come from user data and may hold `: `, `#` or look like numbers or booleans.
    """
    import yaml

    if re.fullmatch(r"[A-Za-z_][\w./-]*", value) and yaml.safe_load(value) == value:
        return value
    # A JSON string is also a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def ensure_ignored(gitignore: Path, entry: str) -> bool:
    """Append `entry` to `gitignore` (creating it) unless a line already ignores it; True if changed."""
    bare = entry.strip("/")
    try:
        text = gitignore.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    lines = {line.strip() for line in text.splitlines()}
    if lines & {bare, f"{bare}/", f"/{bare}", f"/{bare}/"}:
        return False
    separator = "" if not text or text.endswith("\n") else "\n"
    gitignore.write_text(f"{text}{separator}{entry}\n", encoding="utf-8")
    return True


def _one_line(text: str) -> str:
    """`text` made safe for a YAML comment: a line break in a column name would end the comment."""
    return " ".join(text.splitlines())


def _template(name: str) -> str:
    return resources.files("mlci").joinpath("templates", "init", name).read_text(encoding="utf-8")


def _tell_what_was_found(detected: DetectedData | None, directory: Path, *, console: Console) -> None:
    if detected is None:
        console.info(
            f"no CSV or Parquet file found in {directory.resolve()}; mlci.yaml points at data/train.csv "
            "with target column `target`: adjust both to your data."
        )
    else:
        console.info(f"data:    {detected.train.as_posix()}")
        if detected.test:
            console.info(f"test:    {detected.test.as_posix()}")
        console.info(f"target:  {detected.target} ({detected.target_reason})")
        console.info(f"task:    {detected.task} ({detected.task_reason})")
        if detected.drop:
            console.info(f"dropped: {', '.join(detected.drop)} (identifiers)")
    config = directory / CONFIG_NAME
    console.info(f"next:    review {config}, then run `mlci validate` and `mlci train`")
    if not Git(directory).is_repository():
        # Baselines are recorded per commit, so `mlci record` and `mlci compare` need git.
        console.info(
            f"note:    {directory.resolve()} is not in a git repository yet; run `git init` before `mlci record`"
        )
