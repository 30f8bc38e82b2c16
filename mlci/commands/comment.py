"""`mlci comment`: render and post the report of a comparison that an earlier, unprivileged workflow
wrote (the fork-safe pattern's second half).

This runs with a token that may write (`workflow_run`), on a file that came from a pull request's
run, whose workflow file the pull request itself may have changed. So it runs nothing from it and
posts no text from it as it is: the file must stay inside the workspace and be small; it must be a
comparison document that decodes strictly (`mlci.compare.decode`: every field of its type, names
strings, numbers finite, schema_version known); the report is rendered from it with mlci's own
template, where every name is escaped; the PR number is a number; and the pull request's current
head is the commit the first workflow ran on (from GitHub's event, not from the file), so a crafted
artifact cannot put a report on another pull request.
"""

from __future__ import annotations

from pathlib import Path

from mlci.compare.decode import comparison_from_text
from mlci.compare.result import Comparison
from mlci.config.files import confine, read_bounded
from mlci.console import Console
from mlci.errors import ConfigError, DataError
from mlci.git import short_sha
from mlci.github.actions_io import write_outputs
from mlci.github.client import GitHubClient
from mlci.github.comments import post_report_comment
from mlci.github.context import PULL_NUMBER, GitHubContext
from mlci.github.pulls import pull_request_head
from mlci.report.markdown import render_default_markdown
from mlci.report.marker import sanitize_identity
from mlci.report.verdict import verdict_of

MAX_COMPARISON_BYTES = 4 * 1024 * 1024


def read_comparison_file(path: Path, *, workspace: Path) -> Comparison:
    """The comparison in `path`, which must resolve (symlinks included) to a regular file inside
    `workspace` of at most `MAX_COMPARISON_BYTES`."""
    located = path if path.is_absolute() else workspace / path
    confine(located, workspace, error=DataError, what="the workspace")
    raw = read_bounded(located, limit=MAX_COMPARISON_BYTES, what="a comparison file", error=DataError)
    return comparison_from_text(raw, where=str(path))


def parse_pr_number(value: str | int | None) -> int:
    text = str(value).strip() if value is not None else ""
    if not PULL_NUMBER.fullmatch(text):
        raise ConfigError(
            f"the pull request number must be a positive whole number, not {text[:40]!r}",
            hint="Pass --pr (or MLCI_PR_NUMBER) with the number the first workflow saved.",
        )
    return int(text)


def check_pull_request_head(github: GitHubContext, number: int) -> None:
    """In a `workflow_run` event, the pull request's head must be the commit the first workflow ran
    on, as GitHub's event says; otherwise the artifact belongs to another pull request or is stale."""
    if github.event_name != "workflow_run":
        return
    expected = github.head_sha
    if not expected:
        raise ConfigError("the workflow_run event names no head_sha to check the pull request against")
    with GitHubClient(github.api_url, github.require_token()) as client:
        actual = pull_request_head(client, repository=github.require_repository(), number=number).sha
    if actual != expected:
        shown = short_sha(actual) if actual else "an unknown commit"
        raise ConfigError(
            f"pull request #{number} is at {shown}, but the comparison was made for {short_sha(expected)}; "
            "not posting it",
            hint="The PR moved on (a newer run will report) or the artifact does not belong to it.",
        )


def comment(
    comparison_file: Path, *, pr: str | None, identity: str, github: GitHubContext, console: Console
) -> str | None:
    """`mlci comment`: validate the comparison file, render its report with mlci's own template, post
    it on pull request `pr`, and write the step outputs of a report step. The comment's URL, or None
    when the token may not comment."""
    number = parse_pr_number(pr)
    github.require_token()
    comparison = read_comparison_file(comparison_file, workspace=github.workspace or Path.cwd())
    check_pull_request_head(github, number)
    identity = sanitize_identity(identity)
    markdown = render_default_markdown(comparison, identity=identity)
    report_file = _write_report(github, markdown, identity)
    url = post_report_comment(github, number, markdown, identity, console=console)
    if github.output is not None:
        verdict = verdict_of(comparison)
        write_outputs(
            github.output,
            {
                "passed": comparison.passed,
                "verdict": f"{verdict.headline}; {verdict.summary}",
                "report-file": str(report_file) if report_file else "",
                "comment-url": url or "",
                "comment-file": "" if url or report_file is None else str(report_file),
            },
        )
    return url


def _write_report(github: GitHubContext, markdown: str, identity: str) -> Path | None:
    """The rendered report in the runner's temporary folder, for later steps; None off a runner."""
    folder = github.temporary_folder()
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"report-{identity}.md"
    path.write_text(markdown, encoding="utf-8")
    return path
