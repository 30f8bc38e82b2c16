"""A project and a GitHub Actions job as the command tests need them: a real repository trained on
`main` and on a branch, the stand-in GitHub server, and the environment a workflow step gets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from mlci.cli import cli
from testing.fake_github import ACTIONS_TOKEN, DEFAULT_REPOSITORY, FakeGitHub
from tests.conftest import git

ESTIMATOR = "{class: sklearn.linear_model.LogisticRegression, params: {C: 1.0, max_iter: 200}}"
CONFIG = f"""\
version: 1
models:
  clf:
    data: {{train: data.csv, target: label, split: {{test_size: 0.3, seed: 0}}}}
    estimator: {ESTIMATOR}
    metrics: [accuracy]
    gates:
      accuracy: {{min: 0.6, max_drop: 0.05}}
"""


def data_csv() -> str:
    rows = ["x1,x2,label"]
    for i in range(80):
        label = i % 2
        rows.append(f"{(i % 7) + 3 * label},{(i % 5) - 2 * label},{label}")
    return "\n".join(rows) + "\n"


def mlci(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(root / "mlci.yaml"), *args], env=env, catch_exceptions=False)


def trained_project(make_repo: Callable[..., Path]) -> dict[str, object]:
    """main trained and recorded; branch `feature` with a tighter C, trained; PR #1 on the server."""
    root = make_repo(files={"mlci.yaml": CONFIG, "data.csv": data_csv()})
    assert mlci(root, "train").exit_code == 0
    assert mlci(root, "record").exit_code == 0
    base = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "mlci.yaml").write_text(CONFIG.replace("C: 1.0", "C: 0.5"))
    git(root, "commit", "-qam", "tune C")
    assert mlci(root, "train").exit_code == 0
    return {"root": root, "base": base, "head": git(root, "rev-parse", "HEAD")}


def actions_env(
    server: FakeGitHub,
    project: dict,
    tmp_path: Path,
    *,
    token: str = ACTIONS_TOKEN,
    job_token: str | None = None,
    event: str = "pull_request",
    payload: dict | None = None,
) -> dict[str, str]:
    """The environment of an mlci step in a job of `event`; `job_token` is the job's own token, which
    the actions pass beside the one in use (by default the same)."""
    server.add_pull(DEFAULT_REPOSITORY, 1, head_sha=project["head"], base_sha=project["base"])
    event_file = tmp_path / "event.json"
    pull = {
        "number": 1,
        "head": {"sha": project["head"], "ref": "feature", "repo": {"full_name": DEFAULT_REPOSITORY}},
        "base": {"sha": project["base"], "ref": "main", "repo": {"full_name": DEFAULT_REPOSITORY}},
    }
    repository = {"full_name": DEFAULT_REPOSITORY, "default_branch": "main"}
    event_file.write_text(json.dumps(payload or {"number": 1, "pull_request": pull, "repository": repository}))
    for name in ("summary.md", "outputs"):
        (tmp_path / name).write_text("")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": DEFAULT_REPOSITORY,
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_API_URL": server.url,
        "GITHUB_TOKEN": token,
        "MLCI_JOB_TOKEN": token if job_token is None else job_token,
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "outputs"),
        "GITHUB_SHA": project["head"],
        "GITHUB_REF": "refs/pull/1/merge",
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_WORKSPACE": str(project["root"]),
    }


def mlci_comments(server: FakeGitHub) -> list[dict]:
    return [c for c in server.issue_comments(DEFAULT_REPOSITORY, 1) if c["body"].startswith("<!-- mlci-report:")]
