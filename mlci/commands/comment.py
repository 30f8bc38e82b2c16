"""`mlci comment`: post a report file rendered by an earlier, unprivileged workflow.

This runs in the privileged half of the fork-safe pattern (`workflow_run`, with a token that may
write), on files that came from a pull request's run. So it never runs anything from them, and it
checks everything it takes from them: the file stays inside the workspace, is small, is text; the PR
number is a number; and the PR's current head is the commit the first workflow ran on, so a crafted
artifact cannot put a report on another pull request.
"""

from __future__ import annotations

from pathlib import Path

from mlci.console import Console
from mlci.errors import ConfigError, DataError
from mlci.git import short_sha
from mlci.github.actions_io import write_outputs
from mlci.github.client import GitHubClient
from mlci.github.comments import post_report_comment
from mlci.github.context import GitHubContext

MAX_REPORT_BYTES = 1024 * 1024


def read_report_file(path: Path, *, workspace: Path) -> str:
    """The text of `path`, which must resolve (symlinks included) to a file inside `workspace`."""
    resolved = path.resolve() if path.is_absolute() else (workspace / path).resolve()
    root = workspace.resolve()
    if not resolved.is_relative_to(root):
        raise DataError(f"{path}: the report file must be inside the workspace {root}, not at {resolved}")
    if not resolved.is_file():
        raise DataError(f"{path}: no such report file")
    size = resolved.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise DataError(f"{path}: {size} bytes is more than a report can be ({MAX_REPORT_BYTES} bytes)")
    try:
        return resolved.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text, so not a report mlci rendered") from None


def parse_pr_number(value: str | int | None) -> int:
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or int(text) < 1 or len(text) > 10:
        raise ConfigError(
            f"the pull request number must be a positive whole number, not {text!r}",
            hint="Pass --pr (or MLCI_PR_NUMBER) with the number the first workflow saved.",
        )
    return int(text)


def post_report_file(
    path: Path, *, pr: str | int | None, identity: str, github: GitHubContext, console: Console
) -> str | None:
    """Validate and post `path` as the report comment on `pr`; the comment URL, or None if not permitted."""
    workspace = github.workspace or Path.cwd()
    number = parse_pr_number(pr)
    markdown = read_report_file(path, workspace=workspace)
    if github.event_name == "workflow_run":
        expected = github.head_sha
        if not expected:
            raise ConfigError("the workflow_run event names no head_sha to check the pull request against")
        with GitHubClient(github.api_url, github.token) as client:
            pull = client.get(f"/repos/{github.require_repository()}/pulls/{number}")
        head = pull.get("head") if isinstance(pull, dict) else None
        actual = head.get("sha") if isinstance(head, dict) else None
        if actual != expected:
            shown = short_sha(actual) if isinstance(actual, str) else "an unknown commit"
            raise ConfigError(
                f"pull request #{number} is at {shown}, but the report was made for {short_sha(expected)}; "
                "not posting it",
                hint="The PR moved on (a newer run will report) or the artifact does not belong to it.",
            )
    return post_report_comment(github, number, markdown, identity, console=console)


def comment(report_file: Path, *, pr: str | None, identity: str, github: GitHubContext, console: Console) -> str | None:
    """`mlci comment`: post the file, then the step outputs of a report step (the URL, or the file)."""
    url = post_report_file(report_file, pr=pr, identity=identity, github=github, console=console)
    if github.output is not None:
        path = str(report_file.resolve())
        write_outputs(
            github.output,
            {
                "passed": True,
                "verdict": "",
                "report-file": path,
                "comment-url": url or "",
                "comment-file": "" if url else path,
            },
        )
    return url
