"""`mlci compare`: this checkout's runs against the base's recorded runs, as text, Markdown or JSON.

Also where every command that compares finds its base: a pull request's base commit in GitHub
Actions (fetched when the shallow checkout lacks it), else the ref given, else the default branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mlci.commands.project import Project
from mlci.compare.baseline import default_base_ref
from mlci.compare.result import Comparison
from mlci.compare.with_base import compare_with_base
from mlci.config.files import write_output
from mlci.config.records import record
from mlci.git import Git, short_sha
from mlci.report import render

# A shallow checkout fetches the base with this much history, enough for the baseline search to
# find the fork point of most branches without deepening again.
BASE_FETCH_DEPTH = 50


@record
class Compared:
    """A comparison and the files it was written to."""

    comparison: Comparison
    json_file: Path | None


@record
class BaseChoice:
    """What to compare with: `ref` (None: the default branch), shown as `label` when given; or, when
    `none` says why, no base at all (a repository's first commit)."""

    ref: str | None = None
    label: str | None = None
    none: str | None = None


def comparison_for(
    project: Project,
    base_ref: str | None,
    *,
    label: str | None = None,
    from_event: bool = True,
    first_run_ok: bool = False,
    failed: Mapping[str, str] | None = None,
    no_base: str | None = None,
) -> Comparison:
    """The one comparison every command shows: with `base_ref` (shown as `label` when given); without
    one, with the pull request's base in a PR's workflow run (unless not `from_event`), else with the
    default branch; with nothing at all when `no_base` says why. `failed` names the models whose
    training just failed, with why."""
    base: str | None = base_ref
    if not base_ref and no_base is None:
        if from_event:
            base, label = event_base(project)
        if base is None:
            base, branch = default_base(project)
            label = label or branch
    if no_base is None:
        project.storage.prefetch()
    return compare_with_base(
        project.config,
        base,
        git=project.git,
        storage=project.storage,
        console=project.console,
        first_run_ok=first_run_ok,
        base_label=label,
        failed=failed,
        no_base=no_base,
    )


def compare(
    project: Project,
    base_ref: str | None,
    *,
    output_format: str,
    color: bool,
    json_output: Path | None,
    first_run_ok: bool = False,
    indent: bool = False,
) -> tuple[str, Compared]:
    """The comparison rendered in `output_format` (JSON indented with `indent`); in Actions also as
    JSON in the runner's temporary folder (or `json_output`), with the `passed` and
    `comparison-file` step outputs."""
    comparison = comparison_for(project, base_ref, first_run_ok=first_run_ok)
    text = render(comparison, output_format, config=project.config, color=color, indent=indent)
    temporary = project.github.temporary_folder()
    json_file = json_output or (temporary / "comparison.json" if temporary and project.github.in_actions else None)
    if json_file is not None:
        # The compact JSON just rendered is the file's text: no second rendering.
        reused = output_format == "json" and not indent
        json_text = text if reused else render(comparison, "json", config=project.config)
        write_output(json_file, json_text, option="--json-output")
    project.write_outputs(
        {"passed": comparison.passed, "comparison-file": str(json_file.resolve()) if json_file else ""}
    )
    return text, Compared(comparison=comparison, json_file=json_file)


def event_base(project: Project) -> tuple[str | None, str | None]:
    """In a pull request's workflow run, the PR's base commit (fetched when the clone lacks it) and its
    branch's name to show; else (None, None), which means the default branch."""
    github = project.github
    if not github.is_pull_request or github.event_name == "workflow_run":
        return None, None
    return usable_base(project, github.base_sha, github.base_ref), github.base_ref


def default_base(project: Project) -> tuple[str, str | None]:
    """The default branch as a ref this clone resolves (fetched when it lacks it), and its name to show."""
    branch = project.default_branch
    return default_base_ref(project.git, branch), branch


def usable_base(project: Project, base: str | None, branch: str | None) -> str | None:
    """`base` when this clone has it; else fetch it (a shallow checkout lacks the PR's base commit);
    else the base branch from the remote; else None (the default branch)."""
    if not base:
        return None
    git, console = project.git, project.console
    if _reachable(git, base):
        return base
    fallback = f"{git.remote}/{branch}" if branch else None
    if fallback and branch and git.fetch_commit(branch, depth=BASE_FETCH_DEPTH):
        console.warn(f"the base commit {short_sha(base)} is not reachable; comparing with {fallback} instead")
        return fallback
    console.warn(f"the base commit {short_sha(base)} is not reachable; comparing with the default branch instead")
    return None


def pushed_base(project: Project, before: str | None, *, created: bool) -> BaseChoice:
    """What a push to the default branch is compared with: the branch as it was before the push
    (`before`), else the pushed commit's first parent. Nothing at all when the push created the
    branch (a new repository's first push) or the commit has no parent: never the commit itself,
    whose runs the push records before it reports."""
    git, console = project.git, project.console
    head = git.head()
    branch = git.branch() or project.default_branch
    if created or head is None:
        return BaseChoice(none=f"this push created {branch or 'the branch'}")
    if before and _reachable(git, before):
        return BaseChoice(ref=before, label=branch)
    parent = git.parent(head)
    found = parent is not None and _reachable(git, parent)
    if before:
        instead = f"its parent {short_sha(parent)}" if found else "nothing"
        console.warn(f"the commit before the push, {short_sha(before)}, is not reachable; comparing with {instead}")
    elif parent is not None and not found:
        console.warn(f"the parent of {short_sha(head)} is not reachable; comparing with nothing")
    if parent is None:
        return BaseChoice(none=f"{short_sha(head)} is the first commit of {branch or 'the repository'}")
    if not found:
        return BaseChoice(none=f"the parent of {short_sha(head)} could not be fetched")
    return BaseChoice(ref=parent, label=branch)


def _reachable(git: Git, commit: str) -> bool:
    """Whether this clone has `commit`, after fetching it if not (a shallow checkout lacks history)."""
    return git.has_commit(commit) or git.fetch_commit(commit, depth=BASE_FETCH_DEPTH)
