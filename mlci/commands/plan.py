"""`mlci plan`: the models this commit must train, as a GitHub matrix (see `mlci.training.plan`)."""

from __future__ import annotations

import json

from mlci.commands.compare import BaseChoice, default_base
from mlci.commands.events import base_of_event
from mlci.commands.project import Project
from mlci.compare.baseline import recorded_base
from mlci.git import short_sha
from mlci.training.plan import Plan, plan_models


def plan(project: Project, base_ref: str | None) -> Plan:
    """The plan against `base_ref`'s record (default: what this GitHub event compares with, else the
    default branch); in Actions also the step outputs `matrix` (JSON for `fromJSON`), `any` and
    `libraries` (the versions it fingerprinted with, for the training jobs to check theirs)."""
    choice = BaseChoice(ref=base_ref) if base_ref else base_of_event(project)
    record, shown = None, None
    if choice.none is None:
        ref = choice.ref or default_base(project)[0]
        shown = choice.label or ref
        record = recorded_base(project.git, project.storage, ref, console=project.console)
    else:
        project.console.info(f"no base: {choice.none}")
    planned = plan_models(project.config, record, base_ref=shown)
    project.write_outputs(
        {
            "matrix": _compact(planned.matrix()),
            "any": planned.any,
            "libraries": _compact(planned.libraries),
        }
    )
    return planned


def render_plan(planned: Plan, output_format: str) -> str:
    """The plan as JSON (the documented schema), or as one line per model."""
    if output_format == "json":
        return json.dumps(planned.to_json(), indent=2, sort_keys=False)
    base = f"{planned.base_ref} ({short_sha(planned.base_commit)})" if planned.base_commit else "nothing recorded"
    lines = [f"base: {base}"]
    lines += [f"{item.model}: train: {item.reason}" for item in planned.planned]
    lines += [f"{name}: unchanged" for name in planned.unchanged]
    jobs = len(planned.matrix()["include"])
    plural = "s" if jobs != 1 else ""
    lines.append(f"{len(planned.planned)} to train in {jobs} job{plural}, {len(planned.unchanged)} unchanged")
    return "\n".join(lines)


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
