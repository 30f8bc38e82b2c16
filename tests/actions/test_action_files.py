"""The actions as users read them: composite, inputs only through env:, every input and output
documented in the README, and examples that ask for no more permission than they use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlci.github.actions_io import INTERNAL_STEP_OUTPUTS, STEP_OUTPUTS
from testing.action_docs import replaced

ROOT = Path(__file__).resolve().parents[2]
ACTION_FILES = [ROOT / "action.yml", *sorted((ROOT / "actions").glob("*/action.yml"))]
README = (ROOT / "README.md").read_text()


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def reference(path: Path) -> str:
    folder = path.parent.relative_to(ROOT).as_posix()
    return "mlci-dev/mlci@v1" if folder == "." else f"mlci-dev/mlci/{folder}@v1"


def readme_section(path: Path) -> str:
    start = README.index(f"#### `{reference(path)}`")
    end = README.find("\n#### ", start + 1)
    return README[start : end if end != -1 else len(README)]


@pytest.mark.parametrize("path", ACTION_FILES, ids=lambda p: reference(p))
def test_composite_with_branding_and_scripts_that_take_inputs_only_from_env(path: Path) -> None:
    action = load(path)
    assert action["runs"]["using"] == "composite"
    assert action["branding"]["icon"] and action["branding"]["color"]
    steps = action["runs"]["steps"]
    assert [step.get("id") for step in steps[:4]] == ["wheels", "restore-wheels", "install", "save-wheels"]
    assert "mlci.install" in steps[2]["run"]
    for step in steps:
        if "uses" in step:
            # Another action (the cache, the pictures' upload) takes its inputs through `with:`, pinned to a commit.
            assert re.fullmatch(r"[\w-]+/[\w-]+(/[\w-]+)?@[0-9a-f]{40}", step["uses"]), step
            continue
        assert step.get("shell") == "bash", step
        assert "${{" not in step["run"], f"{path}: an expression inside run: {step['run']}"


@pytest.mark.parametrize("path", ACTION_FILES, ids=lambda p: reference(p))
def test_every_input_and_output_is_described_here_and_in_the_readme(path: Path) -> None:
    action = load(path)
    section = readme_section(path)
    for name, spec in action.get("inputs", {}).items():
        assert len(spec["description"].split()) >= 5, f"{name}: say why the input exists"
        assert f"| `{name}` |" in section, f"README does not document input {name} of {reference(path)}"
    for name, spec in action.get("outputs", {}).items():
        assert f"| `{name}` |" in section, f"README does not document output {name} of {reference(path)}"
        step_id = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}", spec["value"]).group(1)
        assert step_id in {step.get("id") for step in action["runs"]["steps"]}


def test_the_readme_reference_of_the_actions_is_rendered_from_them() -> None:
    assert replaced(README) == README, "run `python -m testing.action_docs --write`"


def test_the_outputs_the_actions_declare_are_the_outputs_mlci_writes() -> None:
    declared = set()
    for path in ACTION_FILES:
        for spec in load(path).get("outputs", {}).values():
            declared.add(re.fullmatch(r"\$\{\{ steps\.[\w-]+\.outputs\.([\w-]+) \}\}", spec["value"]).group(1))
    assert declared == set(STEP_OUTPUTS - INTERNAL_STEP_OUTPUTS)
    # The internal ones are read by the actions' own steps.
    steps = "\n".join(path.read_text() for path in ACTION_FILES)
    for name in INTERNAL_STEP_OUTPUTS:
        assert f".outputs.{name} " in steps, name


def test_the_one_line_action_has_the_common_inputs_and_outputs() -> None:
    action = load(ROOT / "action.yml")
    assert {"config", "models", "github-token", "working-directory", "fail-on-regression"} <= set(action["inputs"])
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert action["inputs"]["fail-on-regression"]["default"] == "true"
    assert {"passed", "report-file", "comment-url", "comment-file", "promoted", "version"} <= set(action["outputs"])


def workflow(name: str) -> dict[str, Any]:
    return load(ROOT / "examples" / "workflows" / name)


def permissions_of(document: dict[str, Any]) -> list[dict[str, str]]:
    found = [document.get("permissions") or {}]
    found += [job.get("permissions") or {} for job in document["jobs"].values()]
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "workflows").glob("*.yml")), ids=lambda p: p.name)
def test_examples_grant_writes_per_job_never_to_the_whole_workflow(path: Path) -> None:
    assert "write" not in (load(path).get("permissions") or {}).values()


def test_the_untrusted_half_of_the_fork_pattern_cannot_write() -> None:
    for permissions in permissions_of(workflow("mlci-pr.yml")):
        assert "write" not in permissions.values()


def test_the_privileged_half_never_checks_out_the_pull_request_and_posts_only_data() -> None:
    document = workflow("mlci-comment.yml")
    steps = [step for job in document["jobs"].values() for step in job["steps"]]
    assert not any("checkout" in step.get("uses", "") for step in steps)
    [comment] = [step for step in steps if step.get("uses", "").startswith("mlci-dev/mlci/actions/comment@")]
    assert comment["with"]["comparison-file"].endswith(".json")
    assert document["permissions"] == {}
    # What the first half uploads is that same comparison, written by mlci, and no Markdown.
    run = "\n".join(step.get("run", "") for job in workflow("mlci-pr.yml")["jobs"].values() for step in job["steps"])
    assert "--json-output mlci-report/comparison.json" in run and ".md" not in run


@pytest.mark.parametrize(
    "path",
    [ROOT / "action.yml", ROOT / "actions" / "report" / "action.yml", ROOT / "actions" / "comment" / "action.yml"],
)
def test_actions_that_comment_tell_mlci_which_token_is_the_jobs_own(path: Path) -> None:
    [step] = [step for step in load(path)["runs"]["steps"] if "GITHUB_TOKEN" in step.get("env", {})]
    assert step["env"]["MLCI_JOB_TOKEN"] == "${{ github.token }}"


@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "workflows").glob("*.yml")), ids=lambda p: p.name)
def test_examples_bound_time_and_concurrency(path: Path) -> None:
    document = load(path)
    assert "concurrency" in document
    for job in document["jobs"].values():
        assert isinstance(job.get("timeout-minutes"), int)


def test_mlci_init_writes_the_one_line_example() -> None:
    template = (ROOT / "templates" / "init" / "mlci.yml").read_text()
    assert template == (ROOT / "examples" / "workflows" / "mlci.yml").read_text()


def test_the_one_line_action_keeps_the_pictures_it_names_in_the_summary() -> None:
    steps = load(ROOT / "action.yml")["runs"]["steps"]
    [run] = [step for step in steps if step.get("id") == "run"]
    [upload] = [step for step in steps if "upload-artifact" in step.get("uses", "")]
    assert upload["with"]["name"] == run["env"]["MLCI_PICTURES_ARTIFACT"] == "mlci-pictures-${{ inputs.report-id }}"
    assert upload["with"]["include-hidden-files"] is True and upload["if"] == "${{ !cancelled() }}"
    assert all("/.mlci/runs/*/" in line for line in upload["with"]["path"].splitlines())


@pytest.mark.parametrize(
    "path", [ROOT / "action.yml", ROOT / "actions" / "setup" / "action.yml", ROOT / "actions" / "train" / "action.yml"]
)
def test_actions_that_train_install_the_projects_requirements_first(path: Path) -> None:
    action = load(path)
    assert action["inputs"]["install"]["default"] == ""
    [install] = [step for step in action["runs"]["steps"] if step.get("id") == "install"]
    assert install["env"]["MLCI_INSTALL"] == "${{ inputs.install }}"
    if "working-directory" in action["inputs"]:
        assert install["env"]["MLCI_WORKING_DIRECTORY"] == "${{ inputs.working-directory }}"


def install_steps(path: Path) -> list[dict[str, Any]]:
    """The steps that install mlci, without what each action passes the installer of its own inputs."""
    steps = load(path)["runs"]["steps"][:4]
    for step in steps:
        for name in ("MLCI_INSTALL", "MLCI_WORKING_DIRECTORY", "MLCI_EXTRAS", "PYTHONPATH"):
            step.get("env", {}).pop(name, None)
    return steps


@pytest.mark.parametrize("path", ACTION_FILES[1:], ids=lambda p: reference(p))
def test_every_action_installs_and_caches_as_the_one_line_action_does(path: Path) -> None:
    assert install_steps(path) == install_steps(ROOT / "action.yml")
    action = load(path)
    assert action["inputs"]["cache"] == load(ROOT / "action.yml")["inputs"]["cache"]
    # What is cached follows from the extras too: an action that takes them gives both steps the same.
    wheels, _, install, _ = action["runs"]["steps"][:4]
    assert wheels["env"].get("MLCI_EXTRAS") == install["env"].get("MLCI_EXTRAS")


def test_the_wheels_are_restored_under_the_key_they_are_saved_under_and_only_when_gathered() -> None:
    wheels, restore, install, save = load(ROOT / "action.yml")["runs"]["steps"][:4]
    assert wheels["env"]["MLCI_CACHE"] == "${{ inputs.cache }}"
    assert restore["uses"].startswith("actions/cache/restore@") and save["uses"].startswith("actions/cache/save@")
    assert (
        restore["with"]
        == save["with"]
        == {
            "path": "${{ steps.wheels.outputs.wheels-path }}",
            "key": "${{ steps.wheels.outputs.wheels-key }}",
        }
    )
    assert restore["if"] == "${{ steps.wheels.outputs.wheels-key != '' }}"  # `cache: false` skips both
    assert save["if"] == "${{ steps.install.outputs.wheels-gathered == 'true' }}"
    assert install["env"]["MLCI_WHEELS"] == "${{ steps.wheels.outputs.wheels-path }}"


def test_no_two_jobs_of_one_example_run_upload_an_artifact_of_the_same_name() -> None:
    # upload-artifact v4 refuses a name a workflow run already has: the one-line action names its
    # pictures after the report id, so two jobs that run on the same event must differ in it.
    for path in sorted((ROOT / "examples" / "workflows").glob("*.yml")):
        seen: dict[tuple[str, str], str] = {}
        for name, job in load(path)["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("mlci-dev/mlci@"):
                    event = re.search(r"github\.event_name == '(\w+)'", job.get("if", ""))
                    key = ((step.get("with") or {}).get("report-id", "default"), event[1] if event else "*")
                    clash = seen.get(key) or (seen.get((key[0], "*")) if key[1] != "*" else None)
                    assert clash is None, f"{path.name}: jobs {clash} and {name} upload mlci-pictures-{key[0]}"
                    seen[key] = name


def test_each_matrix_job_uploads_its_runs_under_a_name_of_its_own_and_the_gathering_jobs_take_them_all() -> None:
    jobs = workflow("mlci-matrix.yml")["jobs"]
    [train] = [
        step for step in jobs["train"]["steps"] if step.get("uses", "").startswith("mlci-dev/mlci/actions/train@")
    ]
    assert (
        train["with"]["artifact"] == "mlci-run-${{ matrix.name }}" and train["with"]["models"] == "${{ matrix.models }}"
    )
    assert jobs["train"]["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert jobs["train"]["if"] == "needs.plan.outputs.any == 'true'"
    for name in ("pull-request", "main"):
        steps = jobs[name]["steps"]
        [download] = [step for step in steps if "download-artifact" in step.get("uses", "")]
        assert download["with"]["pattern"] == "mlci-run-*" and download["with"]["merge-multiple"] is True
        [gather] = [step for step in steps if step.get("uses", "").startswith("mlci-dev/mlci@")]
        assert gather["with"]["runs"] == download["with"]["path"]
    upload = load(ROOT / "actions" / "train" / "action.yml")["runs"]["steps"][-1]
    assert upload["with"]["name"] == "${{ inputs.artifact }}" and upload["with"]["overwrite"] is True
