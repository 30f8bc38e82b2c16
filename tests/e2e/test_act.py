"""The example workflows run for real by `act` (host mode, offline) against the stand-in GitHub server.

A user's repository is made from examples/project with examples/workflows/mlci.yml, with a real bare
remote whose results branch holds the baseline recorded on main. `act` runs the workflow's
`uses: mlci-dev/mlci@v1` (and its sub-actions) from this checkout; the fork-safe pair's artifact
actions are stand-ins that keep artifacts in a folder. What is asserted is what a user would see: the comments on
the pull request, the job's result and log, the results branch on the remote, the deployments.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlci import __version__
from mlci.report import render_json
from testing import monitoring
from testing.fake_github import ACTIONS_LOGIN, ACTIONS_TOKEN, READ_ONLY_TOKEN, FakeGitHub
from tests.report.helpers import every_part

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = "octo-org/demo"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}


def environment(home: Path) -> dict[str, str]:
    """This interpreter's `mlci` first on PATH (the action reuses it), a private HOME for act's cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MLCI_", "RUNNER_"))}
    env |= IDENTITY | {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}
    # act keeps its workspaces and caches under these; without the last one it asks nektosact.com for notices.
    env |= {"XDG_CACHE_HOME": str(home / ".cache"), "XDG_CONFIG_HOME": str(home / ".config")}
    env["ACT_DISABLE_VERSION_CHECK"] = "1"
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run(cwd: Path, *command: str, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()


def publish(seed: Path, base: Path, *, branch: str, message: str, env: dict[str, str]) -> Path:
    """`seed` committed as the first commit of `branch`, pushed to a bare remote `base/remote.git`,
    and cloned from there as a user would: the clone, `base/user`."""
    run(seed, "git", "init", "-q", "-b", branch, env=env)
    run(seed, "git", "add", "-A", env=env)
    run(seed, "git", "commit", "-q", "-m", message, env=env)
    run(base, "git", "clone", "-q", "--bare", str(seed), str(base / "remote.git"), env=env)
    user = base / "user"
    run(base, "git", "clone", "-q", str(base / "remote.git"), str(user), env=env)
    return user


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare remote and a clone: main trained and recorded on the results branch; `feature` tunes wine."""
    if shutil.which("act") is None:
        pytest.fail("act is not installed; it comes with the test extras: pip install -e '.[test]'")
    base = tmp_path_factory.mktemp("act-world")
    env = environment(base)
    seed = base / "seed"
    shutil.copytree(ROOT / "examples" / "project", seed, ignore=shutil.ignore_patterns(".mlci", "out"))
    (seed / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "workflows" / "mlci.yml", seed / ".github" / "workflows" / "mlci.yml")
    user = publish(seed, base, branch="main", message="Add the models", env=env)
    run(user, sys.executable, "-m", "mlci", "train", env=env)
    run(user, sys.executable, "-m", "mlci", "record", env=env)  # the baseline, on the remote's mlci-data
    run(user, "git", "checkout", "-q", "-b", "feature", env=env)
    config = user / "mlci.yaml"
    config.write_text(config.read_text().replace("C: 1.0", "C: 0.05"))
    run(user, "git", "commit", "-q", "-am", "Regularise wine more", env=env)
    return base


@pytest.fixture
def world(prepared: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared remote and clone, so each test starts from the same state."""
    for name in ("remote.git", "user"):
        shutil.copytree(prepared / name, tmp_path / name, symlinks=True)
    user = tmp_path / "user"
    run(user, "git", "remote", "set-url", "origin", str(tmp_path / "remote.git"), env=environment(tmp_path))
    return tmp_path


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_repository(REPOSITORY)
        yield server
    server.assert_comments_render()


def rev(world: Path, ref: str) -> str:
    return run(world / "user", "git", "rev-parse", ref, env=environment(world))


def pull_request_event(world: Path, github: FakeGitHub) -> dict:
    head, base = rev(world, "HEAD"), rev(world, "main")
    if 1 not in github.repositories[REPOSITORY].pulls:
        github.add_pull(REPOSITORY, 1, head_sha=head, base_sha=base)
    else:
        github.repositories[REPOSITORY].pulls[1]["head"]["sha"] = head
    repo = {"full_name": REPOSITORY}
    pull = {
        "number": 1,
        "head": {"sha": head, "ref": "feature", "repo": repo},
        "base": {"sha": base, "ref": "main", "repo": repo},
    }
    return {"number": 1, "pull_request": pull, "repository": {**repo, "default_branch": "main"}}


# What a published action holds: the source, without this checkout's virtual environments and caches
# (a venv inside the checkout would be copied by act into every run, costing minutes).
NOT_PUBLISHED = (".git", ".venv", "venv", "__pycache__", ".mlci", "*.egg-info", ".*_cache", "build", "dist")
_ACTION_CHECKOUT: dict[str, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def action_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action as `uses: mlci-dev/mlci@v1` would fetch it: this working tree's files."""
    target = tmp_path_factory.mktemp("action") / "mlci"
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*NOT_PUBLISHED))
    _ACTION_CHECKOUT["path"] = target
    return target


# The artifact actions the fork-safe pair uses, and the cache the actions keep mlci's wheels in, replaced
# by stand-ins that keep artifacts in a folder and find no cache (act has no services for either).
ARTIFACT_ACTIONS = {
    "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02": ROOT / "testing/actions/upload-artifact",
    "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093": ROOT / "testing/actions/download-artifact",
    "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684": ROOT / "testing/actions/cache",
}


def act(
    world: Path,
    github: FakeGitHub,
    event_name: str,
    event: dict,
    *,
    token: str = ACTIONS_TOKEN,
    workflow: str | None = None,
    env: dict[str, str] | None = None,
):
    """Run the repository's workflows for `event` (only `workflow`, when given) as act does."""
    event_file = world / f"{event_name}.json"
    event_file.write_text(json.dumps(event))
    stand_ins = [arg for name, path in ARTIFACT_ACTIONS.items() for arg in ("--local-repository", f"{name}={path}")]
    command = [
        "act",
        event_name,
        *(["-W", f".github/workflows/{workflow}"] if workflow else []),
        "-P",
        "ubuntu-latest=-self-hosted",
        "-e",
        str(event_file),
        "--local-repository",
        f"mlci-dev/mlci@v1={_ACTION_CHECKOUT['path']}",
        *stand_ins,
        "--env",
        f"MLCI_TEST_ARTIFACTS={world / 'artifacts'}",
        "--env",
        f"GITHUB_API_URL={github.url}",
        "--env",
        f"GITHUB_REPOSITORY={REPOSITORY}",
        "-s",
        f"GITHUB_TOKEN={token}",
        "--no-cache-server",  # the cache is a stand-in; act would start a server and a database for it
    ]
    done = subprocess.run(
        command, cwd=world / "user", env=env or environment(world), capture_output=True, text=True, timeout=600
    )
    return done.returncode, done.stdout + done.stderr


def report_comments(github: FakeGitHub) -> list[dict]:
    return [c for c in github.issue_comments(REPOSITORY, 1) if c["body"].startswith("<!-- mlci-report:")]


def tail(log: str) -> str:
    """What explains a failed run: mlci's errors and warnings, then the end of the log."""
    lines = log.splitlines()
    problems = [line for line in lines if "mlci: error" in line or "::warning::" in line or "Traceback" in line]
    return "\n".join([*problems, "...", *lines[-40:]])


def test_a_pull_request_gets_one_comment_with_the_comparison_and_a_rerun_updates_it(world, github) -> None:
    code, log = act(world, github, "pull_request", pull_request_event(world, github))
    assert code == 0, tail(log)
    [comment] = report_comments(github)
    body = comment["body"]
    assert "| Metric | base | PR | Change |" in body
    # A real comparison with the baseline recorded on main, found through the remote's results branch.
    assert f"**base:** main ({rev(world, 'main')[:7]})" in body, body[:600]
    assert "wine" in body and "diabetes" in body and "🆕 **First run:**" not in body
    [status] = github.statuses_for(REPOSITORY, rev(world, "HEAD"))
    assert status["context"] == "mlci/default"

    user, env = world / "user", environment(world)
    config = user / "mlci.yaml"
    config.write_text(config.read_text().replace("C: 0.05", "C: 0.5"))
    run(user, "git", "commit", "-q", "-am", "Less regularisation", env=env)
    code, log = act(world, github, "pull_request", pull_request_event(world, github))
    assert code == 0, tail(log)
    [updated] = report_comments(github)
    assert updated["id"] == comment["id"] and updated["body"] != body
    assert rev(world, "HEAD")[:7] in updated["body"]


def test_among_150_other_comments_and_under_faults_it_still_posts_exactly_once(world, github) -> None:
    github.seed_comments(REPOSITORY, 1, 150)
    github.fail_next("GET", r"/repos/.*/issues/1/comments", 502)
    github.fail_next("GET", r"/repos/.*/issues/1/comments", 429, headers={"Retry-After": "1"})
    github.fail_after_acting("POST", r"/repos/.*/issues/1/comments", 502)
    code, log = act(world, github, "pull_request", pull_request_event(world, github))
    assert code == 0, tail(log)
    assert len(report_comments(github)) == 1
    assert len(github.issue_comments(REPOSITORY, 1)) == 151


def test_a_read_only_token_passes_with_the_report_in_the_summary_and_no_comment(world, github) -> None:
    code, log = act(world, github, "pull_request", pull_request_event(world, github), token=READ_ONLY_TOKEN)
    assert code == 0, tail(log)
    assert report_comments(github) == []
    assert log.count("could not comment on pull request #1") == 1
    assert "## mlci report" in log  # the job summary, which act prints at the end of the job
    assert READ_ONLY_TOKEN not in log


def workflow_run_event(world: Path) -> dict:
    """What GitHub sends the comment workflow after "mlci (pull request)" ran on a fork's pull request."""
    repository = {"full_name": REPOSITORY, "default_branch": "main"}
    run_info = {
        "id": 4242,
        "name": "mlci (pull request)",
        "event": "pull_request",
        "conclusion": "success",
        "head_sha": rev(world, "HEAD"),
        "head_branch": "feature",
        "pull_requests": [],  # GitHub lists none for a fork's pull request
        "head_repository": {"full_name": "someone/demo"},
        "repository": repository,
    }
    return {"action": "completed", "workflow_run": run_info, "repository": repository}


def add_fork_safe_pair(world: Path) -> None:
    user, env = world / "user", environment(world)
    for name in ("mlci-pr.yml", "mlci-comment.yml"):
        shutil.copy(ROOT / "examples" / "workflows" / name, user / ".github" / "workflows")
    run(user, "git", "add", "-A", env=env)
    run(user, "git", "commit", "-q", "-m", "Comment on pull requests from forks too", env=env)


def test_the_fork_safe_pair_posts_a_report_it_renders_from_the_forks_comparison(world, github) -> None:
    add_fork_safe_pair(world)
    code, log = act(
        world, github, "pull_request", pull_request_event(world, github), token=READ_ONLY_TOKEN, workflow="mlci-pr.yml"
    )
    assert code == 0, tail(log)
    artifact = world / "artifacts" / "mlci-report"
    assert (artifact / "pr-number").read_text().strip() == "1"
    assert json.loads((artifact / "comparison.json").read_text())["schema_version"] == 1
    assert sorted(path.name for path in artifact.iterdir()) == ["comparison.json", "pr-number"]
    assert report_comments(github) == []

    code, log = act(world, github, "workflow_run", workflow_run_event(world), workflow="mlci-comment.yml")
    assert code == 0, tail(log)
    [comment] = report_comments(github)
    assert comment["user"]["login"] == ACTIONS_LOGIN
    assert "| Metric | base | PR | Change |" in comment["body"] and "wine" in comment["body"]
    assert f"**base:** main ({rev(world, 'main')[:7]})" in comment["body"]
    assert github.requests_matching(path_pattern="/user|/graphql") == []


def test_the_comment_workflow_refuses_a_crafted_artifact_and_posts_nothing(world, github) -> None:
    add_fork_safe_pair(world)
    github.add_pull(REPOSITORY, 1, head_sha=rev(world, "HEAD"), base_sha=rev(world, "main"))
    artifact = world / "artifacts" / "mlci-report"
    artifact.mkdir(parents=True)
    (artifact / "pr-number").write_text("1\n")
    crafted = json.loads(render_json(every_part(world)))
    crafted["models"][0]["metrics"][0]["head"] = "0.99 @everyone ![x](https://evil.example/pixel.png)"
    (artifact / "comparison.json").write_text(json.dumps(crafted))

    code, log = act(world, github, "workflow_run", workflow_run_event(world), workflow="mlci-comment.yml")

    assert code != 0
    expected = "mlci: error: mlci-report/comparison.json: models[0].metrics[0].head: expected a number, got a string"
    assert expected in log, tail(log)
    assert github.issue_comments(REPOSITORY, 1) == []


def merge_the_pull_request(world: Path) -> dict:
    """Merges `feature` into main; the push event of that merge."""
    user, env = world / "user", environment(world)
    before = rev(world, "main")
    run(user, "git", "checkout", "-q", "main", env=env)
    run(user, "git", "merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #1 from dev/feature", env=env)
    return {
        "ref": "refs/heads/main",
        "before": before,
        "after": rev(world, "HEAD"),
        "repository": {"full_name": REPOSITORY, "default_branch": "main"},
    }


def test_a_push_to_main_records_registers_and_promotes(world, github) -> None:
    event = merge_the_pull_request(world)
    after, env = event["after"], environment(world)
    code, log = act(world, github, "push", event)
    assert code == 0, tail(log)
    assert "mlci run: push event: validate, train, record, report, promote" in log
    assert f"record: recorded diabetes, wine for {after[:7]}" in log
    remote = world / "remote.git"
    record = json.loads(run(remote, "git", "show", f"mlci-data:runs/{after}/record.json", env=env))
    assert record["pull_request"] == 1
    aliases = json.loads(run(remote, "git", "show", "mlci-data:registry/wine/aliases.json", env=env))
    assert aliases["aliases"] == {"production": 1}
    assert {d["environment"] for d in github.deployments} == {"production"}
    assert {d["event_type"] for d in github.dispatches} == {"mlci-promoted"}
    # What the triggers did is kept next to the move, for `mlci models history`.
    kept = json.loads(run(remote, "git", "show", "mlci-data:registry/wine/deliveries/000001.json", env=env))
    [delivery] = kept["deliveries"]
    fired = [(t["trigger"], t["outcome"]) for t in delivery["triggers"]]
    assert fired == [("deployment", "fired"), ("dispatch", "fired")]


def test_a_rollback_dispatched_from_the_actions_tab_moves_the_alias_back(world, github) -> None:
    user, env = world / "user", environment(world)
    shutil.copy(ROOT / "examples" / "workflows" / "mlci-rollback.yml", user / ".github" / "workflows")
    run(user, "git", "add", "-A", env=env)
    run(user, "git", "commit", "-q", "-m", "Add the rollback workflow", env=env)
    # Two promotions on the results branch: version 1, then a better version 2 holds production.
    for accuracy in ("0.90", "0.97"):
        run(user, "git", "commit", "-q", "--allow-empty", "-m", f"wine at {accuracy}", env=env)
        run(user, sys.executable, "-c", RECORD_WINE.format(accuracy=accuracy), env=env)
        run(user, sys.executable, "-m", "mlci", "promote", "wine", env=env)
    remote = world / "remote.git"
    assert json.loads(run(remote, "git", "show", "mlci-data:registry/wine/aliases.json", env=env))["aliases"] == {
        "production": 2
    }
    inputs = {"model": "wine", "action": "rollback", "alias": "", "to": "", "reason": "v2 misclassifies a new vineyard"}
    event = {"inputs": inputs, "repository": {"full_name": REPOSITORY, "default_branch": "main"}}
    code, log = act(world, github, "workflow_dispatch", event)
    assert code == 0, tail(log)
    assert "wine: production moved back from version 2 to 1" in log
    aliases = json.loads(run(remote, "git", "show", "mlci-data:registry/wine/aliases.json", env=env))
    assert aliases["aliases"] == {"production": 1}
    history = run(remote, "git", "show", "mlci-data:registry/wine/history/000003.json", env=env)
    assert json.loads(history)["reason"] == "v2 misclassifies a new vineyard"
    assert [d["environment"] for d in github.deployments] == ["production"]


def test_a_redeploy_dispatched_from_the_actions_tab_fires_the_triggers_again(world, github) -> None:
    user, env = world / "user", environment(world)
    shutil.copy(ROOT / "examples" / "workflows" / "mlci-rollback.yml", user / ".github" / "workflows")
    run(user, "git", "add", "-A", env=env)
    run(user, "git", "commit", "-q", "-m", "Add the rollback workflow", env=env)
    # Promoted on a laptop, where the GitHub triggers could not fire: the deployment is still to be made.
    run(user, sys.executable, "-c", RECORD_WINE.format(accuracy="0.9"), env=env)
    run(user, sys.executable, "-m", "mlci", "promote", "wine", env=env)
    inputs = {"model": "wine", "action": "redeploy", "alias": "", "to": "", "reason": ""}
    event = {"inputs": inputs, "repository": {"full_name": REPOSITORY, "default_branch": "main"}}
    code, log = act(world, github, "workflow_dispatch", event)
    assert code == 0, tail(log)
    assert "wine@production: firing the deploy triggers again for version 1" in log
    [deployment] = github.deployments
    assert deployment["environment"] == "production" and deployment["payload"]["version"] == 1
    [dispatch] = github.dispatches
    assert dispatch["client_payload"]["deployment_id"] == deployment["id"]
    remote = world / "remote.git"
    aliases = json.loads(run(remote, "git", "show", "mlci-data:registry/wine/aliases.json", env=env))
    assert aliases["aliases"] == {"production": 1}  # nothing moved
    kept = json.loads(run(remote, "git", "show", "mlci-data:registry/wine/deliveries/000001.json", env=env))
    assert [(d["occasion"], [t["outcome"] for t in d["triggers"]]) for d in kept["deliveries"]] == [
        ("move", ["skipped", "skipped"]),
        ("deploy", ["fired", "fired"]),
    ]


# Records a wine run with the given accuracy for HEAD, as `mlci train && mlci record` would.
RECORD_WINE = """
import pathlib, subprocess
from mlci.config import load_config
from mlci.git import Git
from mlci.runs import Run
from mlci.store import open_storage
from mlci.store.records import record_runs
config = load_config(pathlib.Path("mlci.yaml"))
storage = open_storage(config, git=Git(config.root, remote=config.store.remote))
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
run = Run(model="wine", mode="declarative", metrics={{"accuracy": {accuracy}}}, goals={{"accuracy": "maximize"}},
          lineage={{"git": {{"commit": commit, "branch": "main", "dirty": False}}}})
record_runs(storage, commit=commit,
            runs={{"wine": (run, pathlib.Path("."))}}, info={{}})
"""


def test_a_worse_model_merged_later_is_registered_but_not_promoted(world, github) -> None:
    user, env = world / "user", environment(world)
    remote = world / "remote.git"
    run(user, "git", "checkout", "-q", "main", env=env)
    # The first push promotes v1; C: 0.001 is far worse: the job goes red (the gates against the
    # parent commit fail), and the version is registered but does not take production.
    for change, expected_code in (("C: 1.0", 0), ("C: 0.001", 1)):
        config = user / "mlci.yaml"
        config.write_text(config.read_text().replace("C: 1.0", change))
        run(user, "git", "commit", "-q", "--allow-empty", "-am", f"wine with {change}", env=env)
        event = {
            "ref": "refs/heads/main",
            "after": rev(world, "HEAD"),
            "repository": {"full_name": REPOSITORY, "default_branch": "main"},
        }
        code, log = act(world, github, "push", event)
        assert code == expected_code, tail(log)
    assert "wine: registered version 2; not promoted: fails its gates" in log
    aliases = json.loads(run(remote, "git", "show", "mlci-data:registry/wine/aliases.json", env=env))
    assert aliases["aliases"] == {"production": 1}
    versions = run(remote, "git", "ls-tree", "--name-only", "mlci-data:registry/wine/versions", env=env)
    assert versions.split() == ["1", "2"]


# A new user's project in a `master` repository: an entrypoint model that needs the project's own
# packages (one installed by the workflow's own step, one by the action's `install` input), and a
# CML-style command model that draws plot.png.
OWN_PACKAGES_WORKFLOW = """\
name: mlci
on:
  push:
    branches: [master]
permissions: {}
concurrency:
  group: mlci-${{ github.ref }}
jobs:
  main:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: write
      deployments: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - run: pip install ./featlib
      - uses: mlci-dev/mlci@v1
        with:
          install: requirements.txt
"""
OWN_PACKAGES_PROJECT = {
    "mlci.yaml": """\
version: 1
models:
  wine:
    data: {train: data/wine.csv, target: quality, split: {test_size: 0.3, seed: 0}}
    entrypoint: model:build
    metrics: [accuracy]
  cml:
    command: python train.py
    outputs: {metrics: metrics.json, plots: plot.png}
    metrics: [{name: accuracy, goal: maximize}]
""",
    "model.py": """\
import featlib
import helperlib
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer


def build():
    return make_pipeline(FunctionTransformer(featlib.transform), LogisticRegression(C=helperlib.C))
""",
    "train.py": """\
import json
from pathlib import Path

Path("metrics.json").write_text(json.dumps({"accuracy": 0.875}))
Path("plot.png").write_bytes(b"\\x89PNG a confusion matrix")
""",
    "data/wine.csv": "alcohol,acidity,quality\n"
    + "".join(f"{9 + i % 7},{(i * 3) % 5},{int(i % 7 > 3)}\n" for i in range(80)),
    "requirements.txt": "./helperlib\n",
    "featlib/pyproject.toml": '[project]\nname = "featlib"\nversion = "0.1"\n',
    "featlib/featlib.py": "def transform(x):\n    return x * 2.0\n",
    "helperlib/pyproject.toml": '[project]\nname = "helperlib"\nversion = "0.1"\n',
    "helperlib/helperlib.py": "C = 0.5\n",
    ".gitignore": ".mlci/\nmetrics.json\nplot.png\nbuild/\n*.egg-info/\n",
    ".github/workflows/mlci.yml": OWN_PACKAGES_WORKFLOW,
}


def job_python(folder: Path) -> Path:
    """The job's Python as actions/setup-python leaves it: an environment of its own that sees this
    interpreter's packages (mlci's dependencies; the folder only, so neither this checkout's editable
    mlci nor its old setuptools' hooks). Returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    [site] = folder.glob("lib/python*/site-packages")
    ours = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (site / "tests-packages.pth").write_text(f"{ours}\n")
    return folder / "bin"


def test_models_import_the_projects_own_packages_and_the_pictures_are_kept(tmp_path, github) -> None:
    env = environment(tmp_path)
    seed = tmp_path / "seed"
    for relative, text in OWN_PACKAGES_PROJECT.items():
        (seed / relative).parent.mkdir(parents=True, exist_ok=True)
        (seed / relative).write_text(text)
    publish(seed, tmp_path, branch="master", message="A model that needs the project's packages", env=env)
    bin_dir = job_python(tmp_path / "job-python")
    env["PATH"] = os.pathsep.join([str(bin_dir), env["PATH"]])
    after = rev(tmp_path, "HEAD")
    event = {
        "ref": "refs/heads/master",
        "after": after,
        "repository": {"full_name": REPOSITORY, "default_branch": "master"},
    }

    code, log = act(tmp_path, github, "push", event, env=env)

    assert code == 0, tail(log)
    # mlci went into the job's Python, beside the packages the workflow's own step installed there.
    assert f"installing mlci {__version__} into the environment of {bin_dir / 'python3'}" in log
    assert "installing the project's requirements: pip install -r requirements.txt" in log
    assert f"record: recorded cml, wine for {after[:7]}" in log
    remote = tmp_path / "remote.git"
    recorded = run(remote, "git", "ls-tree", "-r", "--name-only", f"mlci-data:runs/{after}", env=env)
    assert "wine/run.json" in recorded.split() and "cml/plot.png" in recorded.split()
    # The picture is the workflow run's artifact, and the job summary points there.
    kept = tmp_path / "artifacts" / "mlci-pictures-default" / ".mlci" / "runs" / "cml" / "plot.png"
    assert kept.read_bytes() == b"\x89PNG a confusion matrix"
    assert "In the artifact <code>mlci-pictures-default</code> of [this workflow run](" in log


def add_matrix_workflow(world: Path) -> None:
    user, env = world / "user", environment(world)
    shutil.copy(ROOT / "examples" / "workflows" / "mlci-matrix.yml", user / ".github" / "workflows")
    run(user, "git", "add", "-A", env=env)
    run(user, "git", "commit", "-q", "-m", "Train on a matrix", env=env)


def test_the_matrix_trains_the_changed_model_in_its_own_job_and_one_job_reports_and_records(world, github) -> None:
    add_matrix_workflow(world)
    code, log = act(world, github, "pull_request", pull_request_event(world, github), workflow="mlci-matrix.yml")
    assert code == 0, tail(log)
    # The plan put only wine (its C changed) in the matrix; its job uploaded its run under its own name.
    assert (world / "artifacts" / "mlci-run-wine" / "wine" / "export.json").is_file()
    assert [path.name for path in (world / "artifacts").glob("mlci-run-*")] == ["mlci-run-wine"]
    assert "wine: imported from" in log and "diabetes: unchanged since" in log
    [comment] = report_comments(github)
    assert "| Metric | base | PR | Change |" in comment["body"] and "wine" in comment["body"]
    assert f"**base:** main ({rev(world, 'main')[:7]})" in comment["body"]

    event = merge_the_pull_request(world)
    after, env = event["after"], environment(world)
    shutil.rmtree(world / "artifacts")
    code, log = act(world, github, "push", event, workflow="mlci-matrix.yml")
    assert code == 0, tail(log)
    assert f"record: recorded diabetes, wine for {after[:7]}" in log
    aliases = json.loads(run(world / "remote.git", "git", "show", "mlci-data:registry/wine/aliases.json", env=env))
    assert aliases["aliases"] == {"production": 1}


# Two models in production, each watching its own folder of fresh data: churn's batch has drifted (a
# feature moved by 3 standard deviations), steady's has not. The data command of a retrain adds the
# newest rows to the training data.
MONITORED_CONFIG = (
    monitoring.TWO_MODELS
    + """\
monitor:
  drift: {max_drifted_share: 0.25}
retrain:
  data: python fetch.py
"""
)
FETCH = """\
from pathlib import Path

train, batch = Path("data/train.csv"), Path("data/incoming/churn/batch.csv")
train.write_text(train.read_text() + "".join(batch.read_text().splitlines(keepends=True)[1:]))
"""


def monitored_world(base: Path) -> Path:
    """A bare remote and a clone whose two models are trained, recorded and promoted to production, with
    both workflows and this morning's batches committed."""
    from testing.monitoring import sample

    env = environment(base)
    seed = base / "seed"
    (seed / ".github" / "workflows").mkdir(parents=True)
    for name in ("mlci.yml", "mlci-monitor.yml"):
        shutil.copy(ROOT / "examples" / "workflows" / name, seed / ".github" / "workflows" / name)
    (seed / "mlci.yaml").write_text(MONITORED_CONFIG)
    (seed / "fetch.py").write_text(FETCH)
    (seed / ".gitignore").write_text(".mlci/\n")
    (seed / "data" / "incoming" / "churn").mkdir(parents=True)
    (seed / "data" / "incoming" / "steady").mkdir(parents=True)
    sample(800, seed=1000).to_csv(seed / "data" / "train.csv", index=False)
    sample(400, seed=31, shift={"x4": 3.0}).to_csv(seed / "data" / "incoming" / "churn" / "batch.csv", index=False)
    sample(400, seed=32).to_csv(seed / "data" / "incoming" / "steady" / "batch.csv", index=False)
    user = publish(seed, base, branch="main", message="Two models, watched in production", env=env)
    for step in ("train", "record", "promote"):
        run(user, sys.executable, "-m", "mlci", step, env=env)
    return base


def test_the_scheduled_monitor_alerts_once_keeps_its_history_and_proposes_a_retrain_of_the_drifted_model(
    tmp_path, github
) -> None:
    world = monitored_world(tmp_path)
    github.add_workflow(REPOSITORY, "mlci.yml", inputs=["pull-request"])
    event = {"schedule": "17 6 * * *", "repository": {"full_name": REPOSITORY, "default_branch": "main"}}

    code, log = act(world, github, "schedule", event, workflow="mlci-monitor.yml")

    assert code == 0, tail(log)
    # One alert issue, for the drifted model only.
    [issue] = github.issues(REPOSITORY, state="open")
    assert issue["title"].startswith("mlci monitor: churn@production: drift in x4")
    assert [label["name"] for label in issue["labels"]] == ["mlci-monitor"]
    # Each model's run is kept on the remote's results branch.
    env = environment(world)
    kept = run(world / "remote.git", "git", "ls-tree", "-r", "--name-only", "mlci-data", "monitor/", env=env).split()
    assert {path.split("/")[1] for path in kept} == {"churn", "steady"}
    # The retrain of churn alone: its branch holds the refreshed data, its pull request is open, and the
    # mlci workflow was started on the branch, naming the pull request to report on.
    [pull] = [p for p in github.pulls(REPOSITORY, state="open") if p["head"]["ref"].startswith("mlci/retrain/")]
    assert (pull["head"]["ref"], pull["base"]["ref"]) == ("mlci/retrain/churn", "main")
    # Its reason names churn's own alert issue (escaped: a reason is free text, so not a live link).
    assert "Why: mlci monitor alert: http" in pull["body"]
    assert issue["html_url"].split("://", 1)[1] in pull["body"]
    rows = run(world / "remote.git", "git", "show", "mlci/retrain/churn:data/train.csv", env=env).count("\n")
    assert rows == 800 + 400
    [dispatch] = github.workflow_dispatches
    assert (dispatch["workflow"], dispatch["ref"]) == ("mlci.yml", "mlci/retrain/churn")
    assert dispatch["inputs"] == {"pull-request": str(pull["number"])}
    assert run(world / "remote.git", "git", "branch", "--list", "mlci/retrain/steady", env=env) == ""
