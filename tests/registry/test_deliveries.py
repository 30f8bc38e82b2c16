"""What the deploy triggers did: the documents kept per move, read back strictly, and the one error
that lists every failure with the exit code of the worst."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlci.errors import ExitCode, StoreError
from mlci.registry.deliveries import delivery_error, record_deliveries
from mlci.registry.entries import Delivery, TriggerOutcome
from mlci.registry.registry import RegistryView
from mlci.store.storage import LocalStorage

FIRED = TriggerOutcome("deployment", "fired", "created deployment 7 to production")
CONFIG = TriggerOutcome("webhook", "failed", "the webhook's URL variable HOOK is not set", exit_code=2)
OUTSIDE = TriggerOutcome("command", "failed", "the deploy command `x` exited with 1\nconnection refused", exit_code=3)
BUG = TriggerOutcome("command", "failed", "unexpected KeyError: 'x' (a bug in mlci; please report it)", exit_code=4)


def delivery(model: str, *outcomes: TriggerOutcome, sequence: int = 1, occasion: str = "move") -> Delivery:
    return Delivery(
        model=model,
        sequence=sequence,
        alias="production",
        version=2,
        occasion=occasion,
        at="2026-11-22T10:00:00+00:00",
        by="octocat",
        triggers=outcomes,
    )


def test_nothing_failed_is_no_error() -> None:
    assert delivery_error([delivery("a", FIRED), delivery("b")]) is None


def test_every_failure_is_listed_by_model_and_trigger_with_its_first_line() -> None:
    error = delivery_error([delivery("a", FIRED, OUTSIDE), delivery("b", CONFIG)])
    assert error is not None and error.exit_code == ExitCode.OUTSIDE
    assert error.message.splitlines() == [
        "2 deploy triggers failed; the alias moves stand, recorded on the results branch:",
        "  a@production: command: the deploy command `x` exited with 1",
        "  b@production: webhook: the webhook's URL variable HOOK is not set",
    ]
    assert error.hint is not None
    assert "`mlci deploy a@production` `mlci deploy b@production`" in error.hint


@pytest.mark.parametrize(
    ("failures", "code"),
    [([CONFIG], ExitCode.BAD_INPUT), ([CONFIG, CONFIG], ExitCode.BAD_INPUT), ([CONFIG, BUG], ExitCode.BUG)],
)
def test_the_exit_code_is_that_of_the_worst_failure(failures: list[TriggerOutcome], code: ExitCode) -> None:
    error = delivery_error([delivery("a", *failures)])
    assert error is not None and error.exit_code == code


def test_deliveries_are_appended_to_their_moves_document_and_read_back(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    record_deliveries(storage, [delivery("a", FIRED, OUTSIDE), delivery("b", CONFIG, sequence=3)])
    record_deliveries(storage, [delivery("a", FIRED, FIRED, occasion="deploy")])
    registry = RegistryView(storage)
    first, again = registry.deliveries("a", 1)
    assert [(t.trigger, t.outcome) for t in first.triggers] == [("deployment", "fired"), ("command", "failed")]
    # Only the first line of an answer is kept: a command's output may hold what a log would mask.
    assert first.triggers[1].detail == "the deploy command `x` exited with 1"
    assert again.occasion == "deploy"
    assert [d.triggers for d in registry.deliveries("b", 3)] == [(CONFIG,)]
    assert registry.deliveries("b", 1) == []


def test_a_document_edited_into_nonsense_is_refused_naming_the_file_and_entry(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    record_deliveries(storage, [delivery("a", FIRED)])
    path = tmp_path / "registry" / "a" / "deliveries" / "000001.json"
    document = json.loads(path.read_text())
    document["deliveries"][0]["triggers"][0]["outcome"] = "probably"
    path.write_text(json.dumps(document))
    with pytest.raises(StoreError, match=r"000001.json \(deliveries\[0\]\) \(triggers\[0\]\): unknown outcome"):
        RegistryView(storage).deliveries("a", 1)

    document["deliveries"][0]["triggers"][0]["outcome"] = "fired"
    document["sequence"] = 2
    path.write_text(json.dumps(document))
    with pytest.raises(StoreError, match="says it is about another move"):
        RegistryView(storage).deliveries("a", 1)
