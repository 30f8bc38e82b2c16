"""What a monitor's verdict does on GitHub, through `alert_on_github`, against the stand-in GitHub."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlci.commands.alerts import alert_of, alert_on_github
from mlci.github.issues import Alert, alert_marker
from testing.fake_github import ACTIONS_LOGIN, ACTIONS_TOKEN, DEFAULT_REPOSITORY, READ_ONLY_TOKEN, FakeGitHub
from testing.projects import project_at, recording_console

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Check:
    """Shaped like one model and alias of `mlci monitor`'s result."""

    model: str
    alias: str
    status: str
    drifted_features: Sequence[str] = ()
    decayed_metrics: Sequence[str] = ()


def alerts(*checks: Check) -> list[Alert]:
    """The alerts `mlci monitor` would hand over for `checks`, each with its figures as Markdown."""
    return [alert_of(check, details=f"**{check.model}@{check.alias}**: {check.status}") for check in checks]


DRIFT = Check("iris", "production", "drift", drifted_features=("petal_length",))
HEALTHY = Check("iris", "production", "healthy")


def env(server: FakeGitHub, token: str = ACTIONS_TOKEN) -> dict[str, str]:
    return {
        "GITHUB_REPOSITORY": DEFAULT_REPOSITORY,
        "GITHUB_TOKEN": token,
        "MLCI_JOB_TOKEN": ACTIONS_TOKEN,
        "GITHUB_API_URL": server.url,
    }


def test_an_alert_opens_the_issue_and_health_closes_it(clone: Path, fake_github: FakeGitHub) -> None:
    project = project_at(clone, environ=env(fake_github))

    urls = alert_on_github(project, alerts(DRIFT, Check("iris", "staging", "not_enough_data")))

    [issue] = fake_github.issues(DEFAULT_REPOSITORY, state="open")
    assert urls == {"iris": issue["html_url"]}
    assert issue["title"] == "mlci monitor: iris@production: drift in petal_length"
    assert issue["body"].startswith(alert_marker("iris", "production"))
    assert issue["body"].endswith("**iris@production**: drift")
    assert issue["user"]["login"] == ACTIONS_LOGIN
    # The job's own token is known to post as the Actions bot: GitHub is not asked who it is.
    assert fake_github.requests_matching("GET", "/user") == []

    assert alert_on_github(project, alerts(HEALTHY)) == {}
    assert fake_github.issues(DEFAULT_REPOSITORY, state="open") == []


def test_a_read_only_token_warns_and_leaves_the_verdict_to_decide(clone: Path, fake_github: FakeGitHub) -> None:
    console, said = recording_console()
    project = project_at(clone, environ=env(fake_github, READ_ONLY_TOKEN), console=console)

    assert alert_on_github(project, alerts(DRIFT)) == {}

    assert "could not write the alert issue for iris@production" in said.getvalue()
    assert "issues: write" in said.getvalue()
    assert fake_github.issues(DEFAULT_REPOSITORY) == []


def test_without_github_nothing_is_posted(clone: Path) -> None:
    console, said = recording_console()

    assert alert_on_github(project_at(clone, console=console), alerts(DRIFT)) == {}
    assert "alert issue: none" in said.getvalue()


@pytest.mark.parametrize(
    ("check", "state", "verdict"),
    [
        (DRIFT, "alert", "drift in petal_length"),
        (Check("m", "a", "decay", decayed_metrics=("accuracy", "f1_macro")), "alert", "decay of accuracy, f1_macro"),
        (
            Check("m", "a", "drift", drifted_features=("x",), decayed_metrics=("auc",)),
            "alert",
            "drift in x; decay of auc",
        ),
        (HEALTHY, "healthy", "no drift, no decay"),
        (Check("m", "a", "not_enough_data"), "unknown", "not enough data"),
    ],
)
def test_each_status_makes_its_alert(check: Check, state: str, verdict: str) -> None:
    alert = alert_of(check, details="the figures")
    assert (alert.state, alert.verdict, alert.details) == (state, verdict, "the figures")
