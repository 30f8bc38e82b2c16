"""Where a report goes after it is rendered: a file, the PR comment, the job summary, a commit status,
annotations for failed gates, and the step outputs.

Only the report file is required to succeed. The GitHub parts degrade the way users need on forks:
a token that may not write gets one warning, the report still lands in the job summary and the
file, and the job's result is decided by the gates alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from mlci.compare.result import Comparison
from mlci.config import Config
from mlci.console import Console
from mlci.errors import ConfigError
from mlci.report.marker import DEFAULT_IDENTITY, sanitize_identity

FORK_PATTERN_HINT = (
    "To comment on pull requests from forks, use the two-workflow pattern with mlci-dev/mlci/actions/comment "
    "(see the README, 'Pull requests from forks')."
)


@dataclass(frozen=True)
class PublishOptions:
    identity: str = DEFAULT_IDENTITY
    output: Path | None = None
    post: bool = False
    summary: bool = False
    status: bool = False


@dataclass(frozen=True)
class Published:
    passed: bool
    verdict: str
    report_file: Path
    comment_url: str | None = None
    comment_file: Path | None = None


def publish_report(
    config: Config,
    comparison: Comparison,
    options: PublishOptions,
    *,
    console: Console,
    environ: Mapping[str, str] | None = None,
) -> Published:
    """Render `comparison` once and send it everywhere `options` asks; return what happened."""
    from mlci.report import render_markdown
    from mlci.report.verdict import verdict_of

    env = os.environ if environ is None else environ
    identity = sanitize_identity(options.identity)
    markdown = render_markdown(comparison, config=config, identity=identity)
    verdict = verdict_of(comparison)
    verdict_line = f"{verdict.headline}; {verdict.summary}"
    report_file = (options.output or default_report_file(config, identity, env)).resolve()
    report_file.parent.mkdir(parents=True, exist_ok=True)
    report_file.write_text(markdown, encoding="utf-8")

    in_actions = env.get("GITHUB_ACTIONS") == "true"
    if options.summary:
        _summary(markdown + _plots_note(config), env, console=console)
    comment_url, comment_file = None, None
    if options.post:
        comment_url = _post(markdown, identity, env, console=console)
        comment_file = None if comment_url else report_file
    if options.status:
        _status(comparison, verdict_line, identity, env, console=console)
    if in_actions:
        from mlci.github.actions_io import annotation

        for model, gate in comparison.failed_gates:
            click.echo(annotation("error", gate.message, title=f"mlci: {model}"))
    published = Published(
        passed=comparison.passed,
        verdict=verdict_line,
        report_file=report_file,
        comment_url=comment_url,
        comment_file=comment_file,
    )
    write_report_outputs(published, env)
    return published


def _plots_note(config: Config) -> str:
    """Where this run's pictures are (with the `plots` extra), for the job summary."""
    pictures = sorted(config.work_dir.glob("runs/*/*.png"))
    if not pictures:
        return ""
    listed = "\n".join(f"- `{path.relative_to(config.root).as_posix()}`" for path in pictures)
    return (
        "\n\n<details><summary>Plots of this run</summary>\n\n"
        f"{listed}\n\nKeep them with `actions/upload-artifact` (path `.mlci/runs/*/*.png`).\n\n</details>\n"
    )


def default_report_file(config: Config, identity: str, environ: Mapping[str, str]) -> Path:
    """In Actions, the runner's temporary folder (outside the checkout, removed after the job);
    elsewhere this checkout's `.mlci/` folder."""
    runner_temp = environ.get("RUNNER_TEMP")
    folder = Path(runner_temp) / "mlci" if runner_temp else config.work_dir
    return folder / f"report-{identity}.md"


def write_report_outputs(published: Published, environ: Mapping[str, str]) -> None:
    path = environ.get("GITHUB_OUTPUT")
    if not path:
        return
    from mlci.github.actions_io import write_outputs

    write_outputs(
        path,
        {
            "passed": published.passed,
            "verdict": published.verdict,
            "report-file": str(published.report_file),
            "comment-url": published.comment_url or "",
            "comment-file": str(published.comment_file) if published.comment_file else "",
        },
    )


def _summary(markdown: str, env: Mapping[str, str], *, console: Console) -> None:
    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        console.detail("no GITHUB_STEP_SUMMARY (not in GitHub Actions): job summary skipped")
        return
    from mlci.github.actions_io import append_summary

    if not append_summary(path, markdown):
        console.warn("the report was shortened to fit the job summary's 1 MiB; the full report is in the report file")


def _post(markdown: str, identity: str, env: Mapping[str, str], *, console: Console) -> str | None:
    """The comment's URL, or None when there is nothing to comment on or the token may not."""
    from mlci.github.context import GitHubContext

    context = GitHubContext.from_env(env)
    number = context.pr_number
    if not context.is_pull_request or number is None:
        console.info("not a pull request: no comment posted")
        return None
    return post_comment(context, number, markdown, identity, console=console)


def post_comment(context, number: int, markdown: str, identity: str, *, console: Console) -> str | None:
    """Upsert the report comment on pull request `number`; None (after one warning) when not permitted."""
    from mlci.github.client import GitHubClient
    from mlci.github.comments import upsert_report_comment
    from mlci.github.errors import GitHubPermissionError

    if not context.token:
        raise ConfigError(
            "posting the report needs a token in GITHUB_TOKEN",
            hint="In a workflow, the action passes its `github-token` input (default: the job's token).",
        )
    with GitHubClient(context.api_url, context.token) as client:
        try:
            result = upsert_report_comment(
                client, repository=context.repository, pr_number=number, body=markdown, identity=identity
            )
        except GitHubPermissionError:
            fork = " (a pull request from a fork gets a read-only token)" if context.is_fork else ""
            console.warn(
                f"could not comment on pull request #{number}: the token may not write to pull requests{fork}. "
                f"The report is in the job summary and the report file. {FORK_PATTERN_HINT}"
            )
            return None
    console.info(f"report comment {result.action}: {result.url}")
    return result.url


def _status(comparison: Comparison, verdict: str, identity: str, env: Mapping[str, str], *, console: Console) -> None:
    from mlci.github.client import GitHubClient
    from mlci.github.context import GitHubContext
    from mlci.github.errors import GitHubPermissionError
    from mlci.github.status import set_commit_status

    context = GitHubContext.from_env(env)
    sha = context.head_sha
    if not context.token or not sha:
        console.detail("no token or commit to set a status on: commit status skipped")
        return
    with GitHubClient(context.api_url, context.token) as client:
        try:
            set_commit_status(
                client,
                repository=context.repository,
                sha=sha,
                state="success" if comparison.passed else "failure",
                description=verdict,
                context=f"mlci/{identity}",
                target_url=context.run_url,
            )
        except GitHubPermissionError:
            console.warn("could not set the commit status: the token needs `statuses: write`")
