"""What a monitor's result does on GitHub: one alert issue per model and alias, opened, kept current
and closed as the verdict changes (see `mlci.github.issues`).

`mlci monitor` makes one `Alert` per model and alias with `alert_of(check, details=...)` after it has its
verdict, then hands them to `alert_on_github(project, alerts)`. A check is read through the small
protocol below (the status, the drifted features, the decayed metrics), and its figures come in
already rendered as Markdown (`mlci.monitor.render`), so this module needs nothing else of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mlci.commands.project import Project
from mlci.github.client import GitHubClient
from mlci.github.comments import GITHUB_ACTIONS_LOGIN
from mlci.github.errors import GitHubWriteForbidden
from mlci.github.issues import Alert, AlertState, sync_alert_issue

# The statuses of a check that are a problem, and the one that is all clear; any other (not enough
# data) leaves the issue as it is.
PROBLEMS = frozenset({"drift", "decay", "drift_and_decay", "alert"})
HEALTHY = "healthy"


class MonitorCheck(Protocol):
    """One model and alias as a monitor run saw it."""

    @property
    def model(self) -> str: ...

    @property
    def alias(self) -> str: ...

    @property
    def status(self) -> str:
        """healthy, drift, decay, or not_enough_data."""
        ...

    @property
    def drifted_features(self) -> Sequence[str]: ...

    @property
    def decayed_metrics(self) -> Sequence[str]: ...


def alert_of(check: MonitorCheck, *, details: str) -> Alert:
    """The alert one check makes; `details` is the Markdown of its figures, the issue's body."""
    problems = []
    if check.drifted_features:
        problems.append(f"drift in {', '.join(check.drifted_features)}")
    if check.decayed_metrics:
        problems.append(f"decay of {', '.join(check.decayed_metrics)}")
    state: AlertState
    if problems or check.status in PROBLEMS:
        state = "alert"
        verdict = "; ".join(problems) or check.status.replace("_", " ")
    elif check.status == HEALTHY:
        state, verdict = "healthy", "no drift, no decay"
    else:
        state, verdict = "unknown", check.status.replace("_", " ")
    return Alert(
        model=check.model,
        alias=check.alias,
        state=state,
        title=f"mlci monitor: {check.model}@{check.alias}: {verdict}",
        verdict=verdict,
        details=details,
    )


def alert_on_github(project: Project, alerts: Sequence[Alert]) -> dict[str, str]:
    """Open, update or close the alert issue of each model and alias in `alerts`; the URL of each
    model's issue open for a problem, by model (empty when none is).

    Without a GitHub repository and token (a laptop) nothing is posted. A token that may not write
    issues (a read-only token) gets one warning: the monitor's verdict, not the issue, decides how
    the run ends.
    """
    github, console = project.github, project.console
    if not github.repository or not github.token:
        console.info("alert issue: none (no GitHub repository and token here)")
        return {}
    login = GITHUB_ACTIONS_LOGIN if github.uses_job_token else None
    open_issues: dict[str, str] = {}
    with GitHubClient(github.api_url, github.token) as client:
        for alert in alerts:
            try:
                issue = sync_alert_issue(client, repository=github.repository, alert=alert, login=login)
            except GitHubWriteForbidden:
                console.warn(
                    f"could not write the alert issue for {alert.model}@{alert.alias}: the token may not write "
                    "issues (give the job `issues: write`). The verdict stands and decides the exit code."
                )
                continue
            if issue.action != "none":
                console.info(f"alert issue {issue.action} for {alert.model}@{alert.alias}: {issue.url}")
            if alert.state == "alert" and issue.url:
                open_issues.setdefault(alert.model, issue.url)
    return open_issues
