"""After the deploy triggers fired: what they did, kept per move on the results branch; the one error
that lists every failure; and the move `mlci deploy` delivers again.
"""

from __future__ import annotations

from mlci.errors import DeployError, ExitCode, StoreError
from mlci.registry.entries import AliasMove, Delivery, ModelVersion, TriggerOutcome
from mlci.registry.registry import RegistryView, add_deliveries
from mlci.store.storage import Storage


def record_deliveries(storage: Storage, deliveries: list[Delivery]) -> None:
    """Append `deliveries` to their moves' documents, in one update of the store."""
    if not deliveries:
        return
    names = ", ".join(dict.fromkeys(f"{d.model}@{d.alias}" for d in deliveries))
    storage.update(lambda view: add_deliveries(view, deliveries), message=f"mlci: deploy triggers of {names}")


def delivery_error(deliveries: list[Delivery]) -> DeployError | None:
    """One error listing every failed trigger as `model@alias: trigger: what went wrong`, or None.

    Its exit code is the worst of the failures: a bug (4) over an outside failure (3) over the
    triggers' own configuration (2).
    """
    failed = [(delivery, outcome) for delivery in deliveries for outcome in delivery.failures]
    if not failed:
        return None
    count = len(failed)
    lines = [
        f"{count} deploy trigger{'s' if count != 1 else ''} failed; "
        f"the alias move{'s' if len(deliveries) != 1 else ''} stand{'' if len(deliveries) != 1 else 's'}, "
        "recorded on the results branch:"
    ]
    lines += [f"  {d.model}@{d.alias}: {outcome.trigger}: {_first_line(outcome)}" for d, outcome in failed]
    again = " ".join(dict.fromkeys(f"`mlci deploy {d.model}@{d.alias}`" for d, _ in failed))
    return DeployError(
        "\n".join(lines),
        hint=f"Fix what failed, then fire the triggers again with {again} (or roll back).",
        exit_code=max(ExitCode(outcome.exit_code or ExitCode.OUTSIDE) for _, outcome in failed),
    )


def deploy_target(registry: RegistryView, model: str, alias: str) -> tuple[AliasMove, ModelVersion]:
    """The move that put `alias` of `model` where it is, and the version it points at."""
    number = registry.aliases(model).get(alias)
    if number is None:
        if not registry.version_numbers(model):
            raise StoreError(f"{model} has no versions in the registry", hint="`mlci promote` registers them.")
        known = ", ".join(sorted(registry.aliases(model))) or "none"
        raise StoreError(
            f"{model} has no alias {alias!r} to deploy (aliases: {known})",
            hint="`mlci promote` moves an alias; `mlci models show` lists them.",
        )
    move = registry.last_move(model, alias)
    if move is None or move.to_version != number:
        raise StoreError(
            f"registry/{model}: {alias} points at version {number}, but no move to it is in the history",
            hint="The aliases file was edited by hand; move the alias with `mlci rollback --to` instead.",
        )
    return move, registry.version(model, number)


def _first_line(outcome: TriggerOutcome) -> str:
    return outcome.detail.strip().split("\n", 1)[0]
