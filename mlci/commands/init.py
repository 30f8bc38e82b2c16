"""`mlci init`: write a starter `mlci.yaml` fitted to the project (its data, or the training it already
runs with DVC or MLflow), and the GitHub workflow for its default branch and its requirements."""

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
from mlci.training.detect_project import DetectedProject, detect_project

WORKFLOW_PATH = Path(".github") / "workflows" / "mlci.yml"
MONITOR_WORKFLOW_PATH = Path(".github") / "workflows" / "mlci-monitor.yml"
GITIGNORE_ENTRY = ".mlci/"
FALLBACK_BRANCH = "main"
# The lines of the workflow template that `init` fits to the repository.
TEMPLATE_BRANCH = "main"
TEMPLATE_INSTALL = (
    "        # with:\n"
    "        #   install: requirements.txt   # the project's packages, into the job's Python before mlci\n"
)


def init_project(directory: Path, *, force: bool, console: Console, schedule: bool = False) -> list[Path]:
    """Write `mlci.yaml` and the workflow in `directory` and make git ignore `.mlci/`; with `schedule`,
    the scheduled monitor workflow too (alone, in a project that already has its `mlci.yaml`).

    Returns the paths written or changed. Refuses (ConfigError) to replace an existing config or
    workflow unless `force`, and checks both before writing either, so a refusal changes nothing.
    """
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: is a file, not a folder")
    config_path = directory / CONFIG_NAME
    if schedule:
        monitor_path = directory / MONITOR_WORKFLOW_PATH
        if monitor_path.exists() and not force:
            raise ConfigError(
                f"{monitor_path} already exists; mlci init does not overwrite files",
                hint="Pass --force to replace it, or edit it by hand.",
            )
        if config_path.exists() and not force:
            written = []
            if not (directory / WORKFLOW_PATH).exists():
                # A retrain is trained and reported on by the pull request workflow it starts: without
                # one, every retrain the monitor proposes would fail to start its checks.
                written.append(write_workflow(directory, console=console))
                console.info(
                    f"retrain: {directory / WORKFLOW_PATH} trains and reports on the retrain pull requests "
                    "(and on every other pull request)"
                )
            return [*written, write_monitor_workflow(directory, console=console)]
        written = init_project(directory, force=force, console=console)
        return [*written, write_monitor_workflow(directory, console=console)]
    workflow_path = directory / WORKFLOW_PATH
    existing = [path for path in (config_path, workflow_path) if path.exists()]
    if existing and not force:
        names = " and ".join(str(path) for path in existing)
        raise ConfigError(
            f"{names} already exist{'s' if len(existing) == 1 else ''}; mlci init does not overwrite files",
            hint="Pass --force to replace them, or edit them by hand.",
        )

    project = detect_project(directory, console=console) if directory.is_dir() else DetectedProject()
    detected = detect_data(directory, console=console) if directory.is_dir() and not project.commands else None
    config_text = render_config(detected, project)
    branch = default_branch(directory)
    directory.mkdir(parents=True, exist_ok=True)
    config_path.write_text(config_text, encoding="utf-8")
    written = [config_path, write_workflow(directory, project=project, branch=branch, console=console)]
    gitignore = directory / ".gitignore"
    if ensure_ignored(gitignore, GITIGNORE_ENTRY):
        written.append(gitignore)

    _tell_what_was_found(detected, project, directory, branch=branch, console=console)
    return written


def default_branch(directory: Path) -> str:
    """The branch the workflow records on: the repository's default branch (see `Git.default_branch`);
    outside a repository, git's `init.defaultBranch`, which `git init` will use; else main."""
    existing = next(folder for folder in (directory, *directory.absolute().parents) if folder.is_dir())
    git = Git(existing)
    if git.is_repository():
        return git.default_branch() or FALLBACK_BRANCH
    return git.config_value("init.defaultBranch") or FALLBACK_BRANCH


def write_workflow(
    directory: Path, *, console: Console, project: DetectedProject | None = None, branch: str | None = None
) -> Path:
    """Write the pull request workflow (`mlci.yml`) in `directory`, for its default branch and with the
    installs its project needs (found when not given)."""
    if project is None:
        project = detect_project(directory, console=console)
    path = directory / WORKFLOW_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        render_workflow(branch=branch or default_branch(directory), install=install_input(project)), encoding="utf-8"
    )
    return path


def write_monitor_workflow(directory: Path, *, console: Console) -> Path:
    """Write the scheduled monitor workflow in `directory`. Its retrain job takes its models from the
    monitor's `retrain-models` output, so the file names none and needs no edit as models come and go."""
    path = directory / MONITOR_WORKFLOW_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_monitor_workflow(), encoding="utf-8")
    console.info(
        f"monitor: {path} checks the production models daily and proposes a retrain pull request for each "
        "model that drifts or decays (retrain.when in mlci.yaml)"
    )
    return path


def render_monitor_workflow() -> str:
    """The scheduled monitor workflow (examples/workflows/mlci-monitor.yml)."""
    return _template("mlci-monitor.yml")


def install_input(project: DetectedProject) -> str | None:
    """The action's `install` input for the project: its requirements file, plus DVC when its
    pipeline or data needs it, and `dvc pull` for data kept by DVC."""
    packages = ["dvc"] if project.dvc or project.dvc_tracked else []
    if not packages:
        return project.requirements
    command = " ".join(["pip install", *([f"-r {project.requirements}"] if project.requirements else []), *packages])
    return f"{command} && dvc pull" if project.dvc_tracked else command


def render_workflow(*, branch: str, install: str | None) -> str:
    """The one-line workflow (examples/workflows/mlci.yml) for a repository whose default branch is
    `branch`, installing `install` (a requirements file or a command) before mlci."""
    text = _template("mlci.yml")
    for line in (f"branches: [{TEMPLATE_BRANCH}]", f"refs/heads/{TEMPLATE_BRANCH}"):
        assert line in text, f"the workflow template lost {line!r}"
    # A branch name may hold characters YAML reads otherwise (`#`, `: `); a quoted one reads back as written.
    text = text.replace(f"branches: [{TEMPLATE_BRANCH}]", f"branches: [{yaml_scalar(branch)}]")
    text = text.replace(f"'refs/heads/{TEMPLATE_BRANCH}'", _expression_string(f"refs/heads/{branch}"))
    if install:
        assert TEMPLATE_INSTALL in text, "the workflow template lost its install example"
        notes = ""
        if "dvc pull" in install:
            notes = (
                "          # dvc pull fetches the data DVC keeps from its remote: give the step that remote's\n"
                "          # credentials as secrets under env: (AWS_ACCESS_KEY_ID, GDRIVE_CREDENTIALS_DATA, ...).\n"
            )
        replacement = (
            "        with:\n"
            "          # The project's packages, into the job's Python before mlci, so models import them.\n"
            f"{notes}"
            f"          install: {yaml_scalar(install)}\n"
        )
        text = text.replace(TEMPLATE_INSTALL, replacement)
    return text


def _expression_string(text: str) -> str:
    """`text` as a string literal of a GitHub Actions expression: single-quoted, quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def render_config(detected: DetectedData | None, project: DetectedProject | None = None) -> str:
    """The text of a starter `mlci.yaml`: the project's own training (DVC stages, MLproject entry
    points) as command models; else a model for the detected data; else a template to adjust."""
    project = project or DetectedProject()
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
            "header": detected.header,
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
            "header": True,
        }
    environment = SandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined, autoescape=False
    )
    environment.filters["yaml"] = yaml_scalar
    environment.filters["one_line"] = _one_line
    template = environment.from_string(_template("mlci.yaml.j2"))
    commands = [
        {
            "name": command.name,
            "origin": _one_line(command.origin),
            "comment": [_one_line(line) for line in command.notes],
            "command": command.command,
            "metrics_file": command.metrics_file,
            "metrics": command.metrics,
            "plots": list(command.plots),
            "model_file": command.model_file,
            "params": [(file, list(keys)) for file, keys in command.params],
            "deps": list(command.deps),
        }
        for command in project.commands
    ]
    return template.render(
        commands=commands,
        ignore_changes=list(project.ignore_changes),
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
    return resources.files("mlci.templates").joinpath("init", name).read_text(encoding="utf-8")


def _tell_what_was_found(
    detected: DetectedData | None, project: DetectedProject, directory: Path, *, branch: str, console: Console
) -> None:
    for command in project.commands:
        console.info(f"model:   {command.name}: `{command.command}` ({command.origin})")
    if not project.commands and detected is None:
        console.info(
            f"no CSV or Parquet file found in {directory.resolve()}; mlci.yaml points at data/train.csv "
            "with target column `target`: adjust both to your data."
        )
    elif detected is not None:
        header = "" if detected.header else " (no header row: columns col_0, col_1, ...)"
        console.info(f"data:    {detected.train.as_posix()}{header}")
        if detected.test:
            console.info(f"test:    {detected.test.as_posix()}")
        console.info(f"target:  {detected.target} ({detected.target_reason})")
        console.info(f"task:    {detected.task} ({detected.task_reason})")
        if detected.drop:
            console.info(f"dropped: {', '.join(detected.drop)} (identifiers)")
    console.info(f"branch:  {branch} (the workflow records its pushes)")
    if install := install_input(project):
        console.info(f"install: {install} (in the workflow, before mlci)")
    if project.dvc_tracked:
        tracked = ", ".join(project.dvc_tracked[:3]) + (", ..." if len(project.dvc_tracked) > 3 else "")
        console.info(
            f"dvc:     {tracked} are kept by DVC: run `dvc pull` before `mlci train`; the workflow pulls "
            "them, given the DVC remote's credentials as secrets"
        )
    if project.ignore_changes:
        console.info(f"record:  ignores changes to {', '.join(project.ignore_changes)} (the training rewrites them)")
    config = directory / CONFIG_NAME
    console.info(f"next:    review {config}, then run `mlci validate` and `mlci train`")
    if not Git(directory).is_repository():
        # Baselines are recorded per commit, so `mlci record` and `mlci compare` need git.
        console.info(
            f"note:    {directory.resolve()} is not in a git repository yet; run `git init` before `mlci record`"
        )
