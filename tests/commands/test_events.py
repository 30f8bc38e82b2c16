"""What `mlci run` does for each event: the plan of steps."""

from __future__ import annotations

from mlci.commands.events import Step, plan_steps
from mlci.github.context import GitHubContext


def dispatched(**inputs: str) -> GitHubContext:
    return GitHubContext(event_name="workflow_dispatch", event={"inputs": inputs})


def test_a_dispatch_naming_a_model_to_redeploy_fires_its_triggers_again() -> None:
    assert plan_steps(dispatched(redeploy=" iris@staging ")) == [Step("deploy", {"reference": "iris@staging"})]


def test_a_dispatch_naming_a_model_to_roll_back_rolls_it_back() -> None:
    [step] = plan_steps(dispatched(rollback="iris", reason="slow"))
    assert step.name == "rollback" and step.options["model"] == "iris"


def test_a_dispatch_naming_nothing_trains_and_reports() -> None:
    assert [step.name for step in plan_steps(dispatched(redeploy=""))] == ["validate", "train", "report"]


def test_a_dispatch_naming_a_pull_request_checks_it_trains_and_reports_on_it() -> None:
    steps = plan_steps(dispatched(**{"pull-request": "12"}))
    assert [step.name for step in steps] == ["validate", "pull-request", "train", "report"]
    assert steps[1].options == {"number": 12}
    assert steps[-1].options == {"base": None, "post": True, "summary": True, "status": True, "pull_request": 12}


def test_an_empty_pull_request_input_is_a_plain_dispatch() -> None:
    assert [step.name for step in plan_steps(dispatched(**{"pull-request": ""}))] == ["validate", "train", "report"]
