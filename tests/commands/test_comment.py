"""`mlci comment`, the privileged half of the fork-safe pattern: it posts a report it renders itself
from the comparison a pull request's run wrote, and nothing of that run's text unescaped."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlci.compare.decode import comparison_from_json
from mlci.errors import DataError
from mlci.report import render_json
from testing.fake_github import ACTIONS_LOGIN, ACTIONS_TOKEN, DEFAULT_REPOSITORY, READ_ONLY_TOKEN, FakeGitHub
from tests.commands.helpers import actions_env, mlci, mlci_comments, trained_project
from tests.conftest import read_outputs
from tests.report.helpers import every_part

pytestmark = pytest.mark.integration

HEAD = "c" * 40
# Everything a pull request's author could try through a name: break the table, close the HTML
# comment or a <details>, inject HTML, an image that tracks readers, a link, a ping, an issue
# reference, a bare URL, a forged marker for another comment, a code fence, plenty of length.
HOSTILE = (
    "x | y\n</details></summary><img src=https://evil.example/t.png> @everyone @octo-org/admins #1 "
    "[click](https://evil.example) ![i](https://evil.example/i.png) <!-- mlci-report:other --> "
    "```\n<script>alert(1)</script> www.evil.example **bold** " + "long " * 100
)
TEMPLATE_TAGS = {"details", "/details", "summary", "/summary", "sub", "/sub", "b", "/b", "code", "/code"}
ANCHOR = re.compile(r'<a name="mlci-[A-Za-z0-9_.-]+"></a>')


@pytest.fixture
def project(make_repo: Callable[..., Path]) -> dict[str, object]:
    return trained_project(make_repo)


def workflow_run_env(server: FakeGitHub, workspace: Path, tmp_path: Path, *, head_sha: str = HEAD) -> dict[str, str]:
    """The environment of actions/comment in a workflow_run job after a pull request's run at `head_sha`."""
    server.repositories[DEFAULT_REPOSITORY].pulls[1]["head"]["sha"] = head_sha
    payload = {
        "workflow_run": {
            "id": 7,
            "event": "pull_request",
            "head_sha": head_sha,
            "pull_requests": [],
            "head_repository": {"full_name": "someone/demo"},
            "repository": {"full_name": DEFAULT_REPOSITORY},
        },
        "repository": {"full_name": DEFAULT_REPOSITORY, "default_branch": "main"},
    }
    project = {"root": workspace, "head": head_sha, "base": "a" * 40}
    return actions_env(server, project, tmp_path, event="workflow_run", payload=payload)


def comment(workspace: Path, file: str, env: dict[str, str], *args: str):
    return mlci(workspace, "comment", file, "--pr", "1", *args, env=env)


def test_the_pull_requests_comparison_is_rendered_and_posted_as_mlcis_own_report(
    fake_github: FakeGitHub, project: dict[str, Any], tmp_path: Path
) -> None:
    root = project["root"]
    # The first workflow: the pull request's code, with a read-only token.
    first = tmp_path / "first"
    first.mkdir()
    env = actions_env(fake_github, project, first, token=READ_ONLY_TOKEN)
    comparison_file = root / "mlci-report" / "comparison.json"
    result = mlci(root, "report", "--base", "main", "--summary", "--json-output", str(comparison_file), env=env)
    assert result.exit_code == 0, result.output
    rendered = Path(read_outputs(first / "outputs")["report-file"]).read_text()
    assert comparison_file.is_file()

    # The second: the base repository's, with a token that may comment, knowing only the file.
    second = tmp_path / "second"
    second.mkdir()
    env = workflow_run_env(fake_github, root, second, head_sha=project["head"])
    fake_github.requests.clear()
    result = comment(root, "mlci-report/comparison.json", env)

    assert result.exit_code == 0, result.output
    [posted] = mlci_comments(fake_github)
    assert posted["user"]["login"] == ACTIONS_LOGIN
    assert posted["body"] == rendered  # the same report the first workflow rendered, made here
    outputs = read_outputs(second / "outputs")
    assert outputs["comment-url"] == posted["html_url"] and outputs["passed"] == "true"
    assert outputs["verdict"].startswith("All gates passed")
    # The pull request's head, then the upsert; no request to learn who the job's token is.
    assert [f"{e['method']} {e['path']}" for e in fake_github.requests] == [
        f"GET /repos/{DEFAULT_REPOSITORY}/pulls/1",
        f"GET /repos/{DEFAULT_REPOSITORY}/issues/1/comments",
        f"POST /repos/{DEFAULT_REPOSITORY}/issues/1/comments",
        f"GET /repos/{DEFAULT_REPOSITORY}/issues/1/comments",
    ]


def poisoned(data: Any, *, accept: Callable[[Any], bool]) -> Any:
    """`data` with every string that stays a valid comparison replaced by HOSTILE (enumerations and
    commit ids keep their values, since the reader refuses anything else there)."""
    root = {"doc": data}
    stack: list[tuple[Any, Any]] = [(root, "doc")]
    while stack:
        parent, key = stack.pop()
        value = parent[key]
        if isinstance(value, dict):
            for name in list(value):
                if name == "shares":
                    value[name] = {f"{HOSTILE}{index}": pair for index, pair in enumerate(value[name].values())}
                stack.append((value, name))
        elif isinstance(value, list):
            stack.extend((value, index) for index in range(len(value)))
        elif isinstance(value, str):
            parent[key] = HOSTILE
            if not accept(root["doc"]):
                parent[key] = value
    return root["doc"]


def test_a_hostile_comparison_is_posted_only_escaped(fake_github: FakeGitHub, tmp_path: Path) -> None:
    def accepted(document: Any) -> bool:
        try:
            comparison_from_json(document, where="x")
        except DataError:
            return False
        return True

    data = poisoned(json.loads(render_json(every_part(tmp_path))), accept=accepted)
    # Metric names and the trend's keys must still meet for the chart to be drawn.
    data["models"][0]["trend"] = {data["models"][0]["metrics"][0]["name"]: [[HOSTILE, 0.9], ["a\nb```", 0.91]]}
    assert json.dumps(data).count("evil.example/t.png") > 40  # names, notes, messages, branches, params, data
    workspace = tmp_path / "workspace"
    (workspace / "mlci-report").mkdir(parents=True)
    (workspace / "mlci-report" / "comparison.json").write_text(json.dumps(data))

    result = comment(workspace, "mlci-report/comparison.json", workflow_run_env(fake_github, workspace, tmp_path))

    assert result.exit_code == 0, result.output
    [posted] = fake_github.issue_comments(DEFAULT_REPOSITORY, 1)
    body = posted["body"]
    assert body.startswith("<!-- mlci-report:default -->\n") and body.count("<!--") == 1
    assert {tag.lower() for tag in re.findall(r"<(/?[A-Za-z]+)", ANCHOR.sub("", body))} <= TEMPLATE_TAGS
    # A Mermaid chart is drawn, not read as Markdown: its text may keep dots, never quotes or fences.
    [chart] = re.findall(r"```mermaid\n(.*?)\n```", body, flags=re.DOTALL)
    label = r'"[A-Za-z0-9 _.:,()-]*"'
    theme = r"%%\{init: \{[^\n]*\}\}%%"
    chart_lines = rf"{theme}\nxychart-beta\n    title {label}\n    x-axis \[{label}(, {label})*\]\n    line \[.*\]"
    assert re.fullmatch(chart_lines, chart)
    markdown = body.replace(chart, "")
    assert not re.search(r"@(?!\u200d)\w", markdown), "a mention that would ping"
    assert not re.search(r"(?<![\\\u200d])#\d", markdown), "an issue reference"
    # The report's own links go to its anchors only.
    assert not re.search(r"(?<!\\)!\[|(?<!\\)\]\((?!#mlci-default-)|https?://|www\.evil", markdown), (
        "an image or a link"
    )
    assert "```\n<script" not in body and "**bold**" not in body
    for table in re.findall(r"(?:^\|.*\n)+", body, flags=re.MULTILINE):
        cells = {len(re.findall(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(cells) == 1, f"a row with a different number of cells:\n{table}"
    assert "| Metric | base | PR | Change |" in body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!-- mlci-report:default -->\n## mlci report\n@everyone", "not valid JSON"),
        ('{"schema_version": 1, "passed": NaN}', "NaN is not a number JSON allows"),
        ('{"schema_version": 2}', "schema_version is 2"),
    ],
)
def test_what_is_not_a_valid_comparison_is_refused_with_exit_2_and_nothing_posted(
    fake_github: FakeGitHub, tmp_path: Path, text: str, expected: str
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "comparison.json").write_text(text)

    result = comment(workspace, "comparison.json", workflow_run_env(fake_github, workspace, tmp_path))

    assert result.exit_code == 2 and expected in result.output
    assert "Traceback" not in result.output
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []


def test_a_field_of_the_wrong_type_is_refused_by_name(fake_github: FakeGitHub, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    data = json.loads(render_json(every_part(tmp_path)))
    data["models"][0]["metrics"][1]["head"] = "0.99 @everyone"
    (workspace / "comparison.json").write_text(json.dumps(data))

    result = comment(workspace, "comparison.json", workflow_run_env(fake_github, workspace, tmp_path))

    assert result.exit_code == 2
    assert "comparison.json: models[0].metrics[1].head: expected a number, got a string" in result.output
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []


def test_the_file_must_be_a_small_file_inside_the_workspace(fake_github: FakeGitHub, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    env = workflow_run_env(fake_github, workspace, tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_text(render_json(every_part(tmp_path)))
    (workspace / "link.json").symlink_to(outside)
    (workspace / "big.json").write_text(" " * (4 * 1024 * 1024 + 1))

    for file, expected in [
        (str(outside), "is outside the workspace"),
        ("link.json", "link.json is a link to"),
        ("big.json", "the limit for a comparison file is 4,194,304"),
        ("missing.json", "missing.json: no such file"),
    ]:
        result = comment(workspace, file, env)
        assert result.exit_code == 2 and expected in result.output, file
    for number in ("1; rm -rf /", "007", "\u0663"):  # the last: ARABIC-INDIC DIGIT THREE, which int() reads
        result = mlci(workspace, "comment", "link.json", "--pr", number, env=env)
        assert result.exit_code == 2 and "positive whole number" in result.output, number
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []


def test_a_pull_request_that_moved_on_gets_no_comparison_of_another_commit(
    fake_github: FakeGitHub, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "comparison.json").write_text(render_json(every_part(tmp_path)))
    env = workflow_run_env(fake_github, workspace, tmp_path, head_sha="f" * 40)
    fake_github.repositories[DEFAULT_REPOSITORY].pulls[1]["head"]["sha"] = "e" * 40

    result = comment(workspace, "comparison.json", env)

    assert result.exit_code == 2 and "is at eeeeeee, but the comparison was made for fffffff" in result.output
    assert fake_github.issue_comments(DEFAULT_REPOSITORY, 1) == []


def test_a_revoked_token_fails_with_exit_3_not_as_a_read_only_token(fake_github: FakeGitHub, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "comparison.json").write_text(render_json(every_part(tmp_path)))
    env = workflow_run_env(fake_github, workspace, tmp_path) | {"GITHUB_TOKEN": "ghs_expiredAtTheEndOfAnEarlierJob000"}

    result = comment(workspace, "comparison.json", env)

    assert result.exit_code == 3 and "the token is invalid or expired" in result.output
    assert "could not comment" not in result.output and ACTIONS_TOKEN not in result.output


def test_without_a_token_it_says_which_variable_to_set(fake_github: FakeGitHub, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "comparison.json").write_text(render_json(every_part(tmp_path)))
    env = workflow_run_env(fake_github, workspace, tmp_path) | {"GITHUB_TOKEN": ""}

    result = comment(workspace, "comparison.json", env)

    assert result.exit_code == 2 and "needs a token in GITHUB_TOKEN" in result.output
    assert fake_github.requests == []
