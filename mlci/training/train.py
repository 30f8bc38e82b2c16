"""`mlci train`: train the models declared in `mlci.yaml` and keep each one's run under `.mlci/runs/`.

Three modes: declarative (`estimator:` and `data:`), entrypoint (a project function returning an
estimator, with `data:`), and command (any program that writes a metrics file). Each model's run
is written atomically, so a failed training leaves the previous run of that model as it was, and
one model's failure does not keep the others from training.
"""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import replace
from pathlib import Path

from mlci.config import Config, ModelSpec
from mlci.config.fields import model_field
from mlci.config.yamlsource import display_path
from mlci.console import Console
from mlci.errors import MlciError, TrainingError
from mlci.runs import runs_dir, write_run
from mlci.runs.fingerprint import project_cache
from mlci.runs.lineage import LineageStart, start_lineage
from mlci.store.records import Record
from mlci.store.storage import StorageView
from mlci.training.command import train_command_model
from mlci.training.deadline import LimitReached, TimeLimit, in_process_limit, time_limit_for
from mlci.training.declarative import estimator_field, train_estimator_model
from mlci.training.environment import credentials_withheld
from mlci.training.estimators import exit_text
from mlci.training.outcome import ModelOutcome, TrainedModel, TrainingPass, TrainResult
from mlci.training.painter import painting
from mlci.training.reuse import reuse_unchanged

NOT_TRIED = "not tried: an earlier model failed, and training stops at the first failure"

__all__ = ["ModelOutcome", "TrainResult", "TrainingPass", "select_models", "train_model", "train_models"]


def train_models(
    config: Config,
    names: list[str],
    *,
    console: Console,
    force: bool = False,
    base: tuple[Record, StorageView] | None = None,
    fail_fast: bool = False,
    timeout: float | None = None,
) -> TrainingPass:
    """Train the models `names` (all, in config order, when empty) one after the other, writing each
    run to `config.work_dir / "runs" / <name>`, and say what became of each.

    A model that fails keeps its previous run and does not stop the others; with `fail_fast` the
    ones after it are not tried. A name the config does not have raises `ConfigError` before any
    training. `timeout` (seconds) replaces each model's own time limit.

    A model whose fingerprint matches this checkout's latest run, or the run recorded in `base`, is
    taken over instead of trained (see `mlci.training.reuse`), unless `force`.
    """
    models = select_models(config, names)
    outcomes: list[ModelOutcome] = []
    # One process draws every model's pictures, so matplotlib loads once however many models train.
    try:
        with painting():
            for model in models:
                if fail_fast and any(outcome.error for outcome in outcomes):
                    outcomes.append(ModelOutcome(model.name, "not tried", reason=NOT_TRIED))
                    continue
                outcomes.append(
                    _train_or_reuse(config, model, console=console, force=force, base=base, timeout=timeout)
                )
    finally:
        project_cache(config.work_dir).save()
    return TrainingPass(outcomes)


def _train_or_reuse(
    config: Config,
    model: ModelSpec,
    *,
    console: Console,
    force: bool,
    base: tuple[Record, StorageView] | None,
    timeout: float | None,
) -> ModelOutcome:
    try:
        start = start_lineage(config, model)
        reused = None if force else reuse_unchanged(config, model, start, base=base, console=console)
        if reused is not None:
            return ModelOutcome(model.name, "unchanged", result=reused)
        with console.step(f"{model.name}: training"):
            result = train_model(config, model, console=console, lineage=start, timeout=timeout)
    except MlciError as exc:
        return ModelOutcome(model.name, "failed", error=exc, reason=_one_line(config, exc))
    return ModelOutcome(model.name, "trained", result=result)


def _one_line(config: Config, error: MlciError) -> str:
    """The first line of `error`, naming the config by its file name: the way the CLI shows its path
    depends on the folder mlci runs in, which means nothing to the reader of a report."""
    line = error.message.splitlines()[0]
    shown = display_path(config.path)
    return config.path.name + line[len(shown) :] if line.startswith(f"{shown}:") else line


def select_models(config: Config, names: list[str]) -> list[ModelSpec]:
    """The models called `names` (each once, in the order given), or every model when `names` is
    empty; `ConfigError` with the closest name and the list of models for an unknown one."""
    if not names:
        return list(config.models.values())
    selected: dict[str, ModelSpec] = {}
    for name in names:
        if name not in config.models:
            close = difflib.get_close_matches(name, list(config.models), n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise config.error(
                ("models",),
                f"no model named {name!r}{guess}",
                hint=f"Models in this config: {', '.join(config.models)}.",
            )
        selected.setdefault(name, config.models[name])
    return list(selected.values())


def train_model(
    config: Config,
    model: ModelSpec,
    *,
    console: Console,
    lineage: LineageStart | None = None,
    timeout: float | None = None,
) -> TrainResult:
    """Train one model and write its run; nothing is written unless training succeeds. `lineage` is
    the state when its training began (taken now when not given); `timeout` (seconds) replaces the
    model's own time limit."""
    limit = time_limit_for(model.timeout, model_field(config, model.name, "timeout"), timeout)
    start = lineage or start_lineage(config, model)
    with tempfile.TemporaryDirectory(prefix=f"mlci-{model.name}-") as folder:
        train = train_command_model if model.mode == "command" else _train_in_process
        trained = train(config, model, console=console, workspace=Path(folder), lineage=start, limit=limit)
        # An in-process model's files are all in the workspace, which goes away after; a command
        # model's may be the project's own files, which its next run rewrites.
        in_workspace = model.mode != "command"
        directory = write_run(runs_dir(config.work_dir) / model.name, trained.run, trained.files, link=in_workspace)
    # write_run records each file under its own name; the returned run says the same.
    run = replace(trained.run, files={role: path.name for role, path in trained.files.items()})
    return TrainResult(run=run, directory=directory)


def _train_in_process(
    config: Config,
    model: ModelSpec,
    *,
    console: Console,
    workspace: Path,
    lineage: LineageStart,
    limit: TimeLimit | None,
) -> TrainedModel:
    """A declarative or entrypoint model, fitted in mlci's process: within its time limit, without
    the job's credentials in the environment, and with a `sys.exit` of its code failing only it."""
    stuck = None
    if limit is not None:
        stuck = str(
            limit.error(
                model.name,
                "its training did not stop (a long call into native code cannot be interrupted), "
                "so mlci ends here and the models after it are not trained",
            )
        )
    try:
        with credentials_withheld(config, model), in_process_limit(limit, stuck=stuck or ""):
            return train_estimator_model(config, model, console=console, workspace=workspace, lineage=lineage)
    except LimitReached:
        assert limit is not None
        raise limit.error(model.name, "its training was stopped") from None
    except SystemExit as exc:
        # sys.exit in the project's code, where no closer check caught it (saving, plotting).
        raise estimator_field(config, model).error(f"its code {exit_text(exc)}", kind=TrainingError) from None
