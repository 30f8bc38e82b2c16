"""`mlci report`: render the Markdown report and send it where it is asked for: a file, the PR
comment, the job summary, a commit status, annotations for failed gates, and the step outputs.

Only the report file is required to succeed. The GitHub parts degrade the way users need on forks:
a token that may not write gets one warning, the report still lands in the job summary and the
file, and the job's result is decided by the gates alone.
"""

from __future__ import annotations

from pathlib import Path

import click

from mlci.commands.compare import comparison_for
from mlci.commands.project import Project
from mlci.compare.result import Comparison
from mlci.config import Config
from mlci.config.files import write_output
from mlci.config.records import record
from mlci.console import printable
from mlci.github.actions_io import annotation, append_summary
from mlci.github.client import GitHubClient
from mlci.github.comments import post_report_comment
from mlci.github.errors import GitHubWriteForbidden
from mlci.github.status import set_commit_status
from mlci.report import render_json, render_markdown
from mlci.report.escape import escape_code
from mlci.report.marker import DEFAULT_IDENTITY, sanitize_identity
from mlci.report.verdict import verdict_of


@record
class PublishOptions:
    identity: str = DEFAULT_IDENTITY
    output: Path | None = None
    json_output: Path | None = None
    post: bool = False
    summary: bool = False
    status: bool = False
    pictures_artifact: str | None = None
    """The artifact the workflow uploads the runs' pictures to, linked from the job summary."""
    pull_request: int | None = None
    """The pull request to comment on when the event is no pull request's (a dispatched retrain run),
    already checked to come from the run's branch."""


@record
class Published:
    passed: bool
    verdict: str
    report_file: Path
    comment_url: str | None = None
    comment_file: Path | None = None


def report(
    project: Project, base_ref: str | None, options: PublishOptions, *, first_run_ok: bool
) -> tuple[Comparison, Published | None]:
    """`mlci report`: the comparison with the base, published where `options` say; without any place
    to send it, it is printed."""
    comparison = comparison_for(project, base_ref, first_run_ok=first_run_ok)
    if not (options.output or options.json_output or options.post or options.summary or options.status):
        markdown = render_markdown(comparison, config=project.config, identity=options.identity)
        click.echo(printable(markdown.rstrip("\n")))
        return comparison, None
    published = publish_report(project, comparison, options)
    project.console.info(f"report written to {published.report_file}")
    return comparison, published


def publish_report(project: Project, comparison: Comparison, options: PublishOptions) -> Published:
    """Render `comparison` once and send it everywhere `options` asks; return what happened."""
    config, console, github = project.config, project.console, project.github
    identity = sanitize_identity(options.identity)
    markdown = render_markdown(comparison, config=config, identity=identity)
    verdict = verdict_of(comparison)
    verdict_line = f"{verdict.headline}; {verdict.summary}"
    target = (options.output or default_report_file(project, identity)).resolve()
    report_file = write_output(target, markdown, option="--output" if options.output else "the report file")
    if options.json_output:
        write_output(options.json_output, render_json(comparison), option="--json-output")

    if options.summary:
        _summary(project, markdown + pictures_note(config, artifact=options.pictures_artifact, run_url=github.run_url))
    comment_url, comment_file = None, None
    if options.post:
        comment_url = _post(project, markdown, identity, number=options.pull_request)
        comment_file = None if comment_url else report_file
    if options.status:
        _status(project, comparison, verdict_line, identity)
    if github.in_actions:
        for model, gate in comparison.failed_gates:
            click.echo(annotation("error", gate.message, title=f"mlci: {model}"))
    published = Published(
        passed=comparison.passed,
        verdict=verdict_line,
        report_file=report_file,
        comment_url=comment_url,
        comment_file=comment_file,
    )
    write_report_outputs(project, published)
    console.detail(f"report written to {report_file}")
    return published


def pictures_note(config: Config, *, artifact: str | None, run_url: str | None) -> str:
    """For the job summary: the pictures of this checkout's runs (the plots extra's, a command model's
    `outputs.plots`) and where to see them: the workflow run's artifact when the action uploads one,
    else how to keep them. The images stay in the run's artifacts, never on a public host."""
    from mlci.runs.run import read_latest_runs

    runs = read_latest_runs(config.work_dir)
    listed = [f"- {model}: {escape_code(name)}" for model, run in runs.items() for name in run.pictures]
    if not listed:
        return ""
    if artifact and run_url:
        where = f"In the artifact {escape_code(artifact)} of [this workflow run]({run_url}#artifacts)."
    else:
        where = (
            "Keep them with `actions/upload-artifact` (path `.mlci/runs/*/`, `include-hidden-files: true`); "
            "the one-line action does."
        )
    count = f"{len(listed)} picture{'s' if len(listed) != 1 else ''}"
    body = "\n".join(listed)
    return f"\n\n<details><summary>{count} of this run</summary>\n\n{where}\n\n{body}\n\n</details>\n"


def default_report_file(project: Project, identity: str) -> Path:
    """In Actions, the runner's temporary folder (outside the checkout, removed after the job);
    elsewhere this checkout's `.mlci/` folder."""
    folder = project.github.temporary_folder() or project.config.work_dir
    return folder / f"report-{identity}.md"


def write_report_outputs(project: Project, published: Published) -> None:
    project.write_outputs(
        {
            "passed": published.passed,
            "verdict": published.verdict,
            "report-file": str(published.report_file),
            "comment-url": published.comment_url or "",
            "comment-file": str(published.comment_file) if published.comment_file else "",
        }
    )


def _summary(project: Project, markdown: str) -> None:
    path = project.github.step_summary
    if path is None:
        project.console.detail("no job summary file (not in GitHub Actions): job summary skipped")
        return
    if not append_summary(path, markdown):
        project.console.warn(
            "the report was shortened to fit the job summary's 1 MiB; the full report is in the report file"
        )


def _post(project: Project, markdown: str, identity: str, *, number: int | None = None) -> str | None:
    """The comment's URL, or None when there is nothing to comment on or the token may not. `number`
    is the pull request when the event is not one's."""
    github = project.github
    if number is None and github.is_pull_request:
        number = github.pr_number
    if number is None:
        project.console.info("not a pull request: no comment posted")
        return None
    return post_report_comment(github, number, markdown, identity, console=project.console)


def _status(project: Project, comparison: Comparison, verdict: str, identity: str) -> None:
    github = project.github
    sha = github.head_sha
    if not github.token or not sha or not github.repository:
        project.console.detail("no token or commit to set a status on: commit status skipped")
        return
    with GitHubClient(github.api_url, github.token) as client:
        try:
            set_commit_status(
                client,
                repository=github.repository,
                sha=sha,
                state="success" if comparison.passed else "failure",
                description=verdict,
                context=f"mlci/{identity}",
                target_url=github.run_url,
            )
        except GitHubWriteForbidden:
            project.console.warn("could not set the commit status: the token needs `statuses: write`")
