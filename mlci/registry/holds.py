"""Rollbacks that last: a model rolled back from an alias is never moved back onto it automatically.

A rollback is a person's verdict on a model, not on a version number. The next push to main usually
trains the same model again (a docs-only commit changes nothing it depends on) and registers it as a
new version; promoting that would undo the rollback without anyone deciding to. So, per alias:

- every version an alias was rolled back from is put out of automatic promotion, and with it every
  version of the same model: the same model fingerprint (its config section, the content of its data
  and `deps`, and the library versions: what decides the training), or, when either side has no
  fingerprint (an entrypoint or command model without `deps`), the same model file, byte for byte.
  The fingerprint comes first because it names the recipe: a model trained without a seed gives
  other bytes every time from the same inputs, and is still the model that was rolled back. A model
  with neither (a command model with no `deps` and no model file) is held out by its version alone;
- a person putting a version back on the alias (`mlci promote --force`, `mlci rollback --to`) lifts
  that for its model: they have overruled the rollback;
- while the alias's last move is a rollback, the alias is *held*: it stays where the rollback put it
  until a different model wins a promotion or someone forces one.

Everything is read from the alias's history on the results branch, so it holds across runners,
re-runs of a job and promotions of the same commit.
"""

from __future__ import annotations

from mlci.config.records import record
from mlci.registry.entries import AliasMove, ModelVersion
from mlci.registry.registry import RegistryView
from mlci.registry.rollback import DEFAULT_REASON
from mlci.runs.lineage import FINGERPRINT_KEY


@record
class Exclusion:
    """Why automatic promotion must not move an alias to a version."""

    rollback: AliasMove
    """The rollback that put the model out."""
    same_as: int | None = None
    """The version rolled back from, when this is another version of its model; else None."""
    by: str | None = None
    """What makes it the same model: `model fingerprint` or `model file`."""

    def reason(self, number: int) -> str:
        """Why `number` is not promoted, for the promotion's decision and the history."""
        move = self.rollback
        if self.same_as is None:
            what = f"version {number} was rolled back from {move.alias}"
        else:
            what = f"the same model as version {self.same_as} (same {self.by}), which was rolled back from {move.alias}"
        return (
            f"{what} on {move.at} by {move.by}{_because(move)}; not promoted automatically "
            "(`mlci promote --force --reason ...` overrides)"
        )


@record
class Held:
    """An alias held where a rollback put it, and the versions automatic promotion will not pick."""

    alias: str
    rollback: AliasMove
    excluded: dict[int, Exclusion]

    def sentence(self) -> str:
        """`production is held: version 2 was rolled back on ... by ... because ...; ...`."""
        move = self.rollback
        rest = [number for number in sorted(self.excluded) if number != move.from_version]
        same = [number for number in rest if self.excluded[number].same_as == move.from_version]
        earlier = [number for number in rest if number not in same]
        out = f"version {move.from_version}"
        if same:
            out += f" and {_versions(same)} (the same model)"
        if earlier:
            out += f", and {_versions(earlier)} (rolled back before, or the same model as one that was)"
        return (
            f"{self.alias} is held: version {move.from_version} was rolled back on {move.at} by {move.by}"
            f"{_because(move)}; {out} will not be promoted automatically"
        )


class Holds:
    """The exclusions of one model's aliases, read from its history in one state of the registry."""

    def __init__(self, registry: RegistryView, model: str) -> None:
        self.registry = registry
        self.model = model
        self._history = registry.history(model)
        self._versions: dict[int, ModelVersion] = {}

    def rolled_back(self, alias: str) -> dict[int, AliasMove]:
        """The versions `alias` was rolled back from and not put back since, with the rollback."""
        out: dict[int, AliasMove] = {}
        for move in self._history:
            if move.alias != alias or move.kind == "promote":
                continue
            target = self._version(move.to_version)
            for number in list(out):
                if number == move.to_version or same_model(self._version(number), target):
                    del out[number]
            if move.kind == "rollback" and move.from_version is not None:
                out[move.from_version] = move
        return out

    def exclusion(self, alias: str, version: ModelVersion) -> Exclusion | None:
        """Why automatic promotion must not move `alias` to `version` (registered or about to be), or None."""
        rolled_back = self.rolled_back(alias)
        if version.number in rolled_back:
            return Exclusion(rolled_back[version.number])
        for number, move in rolled_back.items():
            by = same_model(self._version(number), version)
            if by is not None:
                return Exclusion(move, same_as=number, by=by)
        return None

    def excluded(self, alias: str) -> dict[int, Exclusion]:
        """Every registered version that automatic promotion will not move `alias` to."""
        out = {}
        for number in self.registry.version_numbers(self.model):
            why = self.exclusion(alias, self._version(number))
            if why is not None:
                out[number] = why
        return out

    def held(self, alias: str) -> Held | None:
        """The hold on `alias`, when its last move was a rollback."""
        moves = [move for move in self._history if move.alias == alias]
        if not moves or moves[-1].kind != "rollback":
            return None
        return Held(alias=alias, rollback=moves[-1], excluded=self.excluded(alias))

    def _version(self, number: int) -> ModelVersion:
        if number not in self._versions:
            self._versions[number] = self.registry.version(self.model, number)
        return self._versions[number]


def same_model(a: ModelVersion, b: ModelVersion) -> str | None:
    """What makes `a` and `b` the same model (`model fingerprint`, `model file`), or None when they are not."""
    fingerprints = a.run.lineage.get(FINGERPRINT_KEY), b.run.lineage.get(FINGERPRINT_KEY)
    if all(isinstance(value, str) and value for value in fingerprints):
        return "model fingerprint" if fingerprints[0] == fingerprints[1] else None
    if a.model_file and b.model_file and a.model_file["sha256"] == b.model_file["sha256"]:
        return "model file"
    return None


def _because(move: AliasMove) -> str:
    """` because <reason>`, unless the rollback was given none (its reason then only says how it was asked for)."""
    reason = move.reason.strip()
    return f" because {reason}" if reason and not reason.startswith(DEFAULT_REASON) else ""


def _versions(numbers: list[int]) -> str:
    listed = ", ".join(map(str, numbers))
    return f"version{'s' if len(numbers) > 1 else ''} {listed}"
