"""`mlci export-run` and `mlci import-runs`: the runs of a matrix's jobs, carried to the job that
reports on them all (see `mlci.runs.transfer`).

The gathering job ends with the runs one job training every model would have: the imported ones, and
the unchanged ones taken over from the base's record as `mlci train` takes them over. A model with
neither fails as a training would, so the report names it and nothing is recorded or promoted.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlci.commands.compare import BaseChoice, default_base
from mlci.commands.project import Project
from mlci.compare.baseline import recorded_base
from mlci.config.files import display_path
from mlci.errors import GitError, StoreError
from mlci.git import short_sha
from mlci.runs import read_run, runs_dir
from mlci.runs.changes import libraries_changed, text_mapping, why_changed
from mlci.runs.fingerprint import project_cache
from mlci.runs.lineage import current_inputs, library_versions, start_lineage
from mlci.runs.transfer import export_run, import_run, read_exports
from mlci.store.records import Record
from mlci.training.reuse import reuse_unchanged
from mlci.training.train import ModelOutcome, TrainingPass, TrainResult, select_models


def export_runs(project: Project, models: list[str], output: Path, *, plan_libraries: str | None = None) -> list[Path]:
    """Export this checkout's latest run of each of `models` into `output/<model>/`; each must have
    been trained at HEAD. With `plan_libraries` (the plan's `libraries` output), warn when this job
    trained with other library versions than the plan fingerprinted with."""
    config = project.config
    head = _head(project)
    chosen = select_models(config, models)
    runs = {model.name: read_run(runs_dir(config.work_dir) / model.name) for model in chosen}
    stale = [f"{name} (trained at {short_sha(run.commit)})" for name, run in runs.items() if run.commit != head]
    if stale:
        raise StoreError(
            f"runs were trained at another commit than HEAD {short_sha(head)}: {', '.join(stale)}",
            hint="Train them at this commit first (mlci train MODEL), then export.",
        )
    planned = _libraries(plan_libraries)
    for name, run in runs.items():
        differ = libraries_changed(text_mapping(run.lineage.get("libraries")), planned) if planned else ""
        if differ:
            project.console.warn(
                f"{name}: trained with other libraries than the plan fingerprinted with ({differ}); give the "
                "plan job and the training jobs the same Python and install step, or the plan's choice of "
                "models is not this job's"
            )
    return [export_run(config, name, output) for name in runs]


def import_runs(project: Project, folder: Path, *, base: BaseChoice) -> TrainingPass:
    """Make the runs exported into `folder` this checkout's latest runs, after checking every one of
    them (a refusal names the folder and writes nothing); take over every other model from the base's
    record when it is unchanged since; a model with neither fails, saying why."""
    config, console = project.config, project.console
    head = _head(project)
    exported = read_exports(config, folder, head=head)
    ours = library_versions()
    outcomes = []
    for item in exported:
        directory = import_run(config, item)
        differ = libraries_changed(ours, text_mapping(item.run.lineage.get("libraries")))
        if differ:
            console.warn(f"{item.run.model}: imported a run trained with other libraries than this job has ({differ})")
        console.info(f"{item.run.model}: imported from {display_path(item.folder)}")
        outcomes.append(ModelOutcome(item.run.model, "trained", result=TrainResult(run=item.run, directory=directory)))
    imported = {item.run.model for item in exported}
    record = _base_record(project, base)
    try:
        for model in config.models.values():
            if model.name in imported:
                continue
            start = start_lineage(config, model)
            pair = (record, project.storage) if record is not None else None
            reused = reuse_unchanged(config, model, start, base=pair, console=console)
            if reused is not None:
                outcomes.append(ModelOutcome(model.name, "unchanged", result=reused))
                continue
            recorded = record.runs.get(model.name) if record is not None else None
            why = why_changed(config, model, current_inputs(config, model), recorded) or "is not in the base's record"
            error = StoreError(
                f"{model.name}: no run of it was imported from {display_path(folder)}, and it cannot be taken "
                f"over from the base ({why})",
                hint="Its matrix job failed or was skipped: see that job's log, or run it again.",
            )
            outcomes.append(ModelOutcome(model.name, "failed", error=error, reason=error.message))
    finally:
        project_cache(config.work_dir).save()
    order = list(config.models)
    return TrainingPass(sorted(outcomes, key=lambda outcome: order.index(outcome.model)))


def _base_record(project: Project, base: BaseChoice) -> Record | None:
    if base.none is not None:
        return None
    ref = base.ref or default_base(project)[0]
    return recorded_base(project.git, project.storage, ref, console=project.console)


def _head(project: Project) -> str:
    head = project.git.head() if project.git.is_repository() else None
    if head is None:
        raise GitError(f"{project.config.root} is not a git repository with commits; runs are carried per commit")
    return head


def _libraries(text: str | None) -> dict[str, str]:
    """The plan's `libraries` output; empty when not given, or not what the plan writes."""
    try:
        return text_mapping(json.loads(text)) if text else {}
    except ValueError:
        return {}
