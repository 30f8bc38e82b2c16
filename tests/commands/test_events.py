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
