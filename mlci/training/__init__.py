"""`mlci train`: train models declared in `mlci.yaml` and keep each one's run under `.mlci/runs/`.

Three modes: declarative (`estimator:` and `data:`), entrypoint (a project function returning an
estimator, with `data:`), and command (any program that writes a metrics file). Each model's run
is written atomically, so a failed training leaves the previous run of that model as it was.
"""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import replace
from pathlib import Path

from mlci.config import Config, ModelSpec
from mlci.console import Console
from mlci.runs import runs_dir, write_run
from mlci.runs.fingerprint import project_cache
from mlci.runs.lineage import LineageStart, start_lineage
from mlci.store.records import Record
from mlci.store.storage import StorageView
from mlci.training.command import train_command_model
from mlci.training.declarative import train_estimator_model
from mlci.training.outcome import TrainResult
from mlci.training.reuse import reuse_unchanged

__all__ = ["TrainResult", "select_models", "train_model", "train_models"]


def train_models(
    config: Config,
    names: list[str],
    *,
    console: Console,
    force: bool = False,
    base: tuple[Record, StorageView] | None = None,
) -> list[TrainResult]:
    """Train the models `names` (all, in config order, when empty) one after the other, writing each
    run to `config.work_dir / "runs" / <name>`. Stops at the first failure, raising its error.

    A model whose fingerprint matches this checkout's latest run, or the run recorded in `base`, is
    taken over instead of trained (see `mlci.training.reuse`), unless `force`.
    """
    results = []
    try:
        for model in select_models(config, names):
            start = start_lineage(config, model)
            reused = None if force else reuse_unchanged(config, model, start, base=base, console=console)
            if reused is not None:
                results.append(reused)
                continue
            with console.step(f"{model.name}: training"):
                results.append(train_model(config, model, console=console, lineage=start))
    finally:
        project_cache(config.work_dir).save()
    return results


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
    config: Config, model: ModelSpec, *, console: Console, lineage: LineageStart | None = None
) -> TrainResult:
    """Train one model and write its run; nothing is written unless training succeeds. `lineage` is
    the state when its training began (taken now when not given)."""
    train = train_command_model if model.mode == "command" else train_estimator_model
    start = lineage or start_lineage(config, model)
    with tempfile.TemporaryDirectory(prefix=f"mlci-{model.name}-") as folder:
        trained = train(config, model, console=console, workspace=Path(folder), lineage=start)
        directory = write_run(runs_dir(config.work_dir) / model.name, trained.run, trained.files)
    # write_run records each file under its own name; the returned run says the same.
    run = replace(trained.run, files={role: path.name for role, path in trained.files.items()})
    return TrainResult(run=run, directory=directory)
