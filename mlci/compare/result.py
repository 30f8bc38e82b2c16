"""The result of comparing a head's runs with a base's: plain data, rendered by `mlci.report`.

`Comparison.to_json()` is the documented `--format json` schema. Bump `SCHEMA_VERSION` on any
change that could break a reader (renaming or removing a field, changing a meaning); adding a
field is not such a change. `mlci.compare.decode` reads the document back into these classes from
their type hints: a new field with a default is read (and type-checked) with no further change, and
may be left out of a document, as older writers do; a field that must meet more than its type says
so in its annotation (`Annotated[str, COMMIT]`); a field that has a default only for the builders'
convenience but is always in the document carries `metadata=IN_EVERY_DOCUMENT`; and the
properties written into the document beside the fields are named in `JSON_DERIVED` (a reader checks
that they agree with the fields).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import field, fields, is_dataclass
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal, get_args

from mlci.config.records import record
from mlci.config.schema import Goal
from mlci.git import COMMIT_ID

SCHEMA_VERSION = 1
NO_COMMIT = "0" * 40
"""The base commit of a comparison that has no base at all (a repository's first commit): git's own
way of saying "no commit", as in a push event's `before`."""


@record
class Check:
    """A rule beyond its type that a field of the JSON document must meet when it is read back."""

    description: str
    test: Callable[[Any], bool]


IN_EVERY_DOCUMENT = MappingProxyType({"json_required": True})
"""Field metadata: the schema requires the field, although the dataclass gives it a default."""

COMMIT = Check("a full commit id (hexadecimal)", lambda value: bool(COMMIT_ID.match(value)))
GOAL = Check(" or ".join(map(json.dumps, get_args(Goal))), lambda value: value in get_args(Goal))
NOT_NEGATIVE = Check("zero or more", lambda value: value >= 0)

NoiseVerdict = Literal["real", "within_noise", "unknown"]
MetricStatus = Literal["improved", "regressed", "unchanged", "new", "removed"]
ModelStatus = Literal["improved", "regressed", "mixed", "unchanged", "new", "removed"]
GateKind = Literal["min", "max", "max_drop", "data"]
ChangedInputs = Literal["rows", "target", "features"]
ParamChangeKind = Literal["added", "removed", "changed"]


@record
class MetricChange:
    """One metric of one model on both sides. `change` is head minus base, in the metric's units;
    `relative_change` divides it by |base| (None when base is missing or zero)."""

    name: str
    goal: Annotated[str, GOAL]
    base: float | None
    head: float | None
    change: float | None
    relative_change: float | None
    status: MetricStatus
    noise: NoiseVerdict | None = None
    """`real`, `within_noise` (the interval holds zero, so the status is `unchanged`) or `unknown`
    (no paired predictions); None when no bootstrap was attempted."""
    interval: tuple[float, float] | None = None
    """The confidence interval of `change` from the paired bootstrap."""


@record
class GateResult:
    """One limit checked. `passed` is None when it could not be checked (no base for max_drop).

    `value` is what was held against `limit`: the head value for min and max; for max_drop the
    worsening against the base (in the metric's units, or in percent of the base when `limit_text`
    ends in `%`), None when there was nothing to measure."""

    metric: str
    kind: GateKind
    limit: float
    limit_text: str
    value: float | None
    passed: bool | None
    message: str


@record
class ParamChange:
    """One parameter that differs; `kind` tells an added or removed key from one set to None."""

    name: str
    base: Any
    head: Any
    kind: ParamChangeKind = field(default="changed", metadata=IN_EVERY_DOCUMENT)


@record
class RunSummary:
    """What a reader needs to trust a run: where and when it was trained."""

    commit: str | None
    branch: str | None
    dirty: bool | None
    mode: str
    task: str | None
    config_hash: str | None
    started_at: str | None
    duration_seconds: float | None


@record
class FeatureDrift:
    """How far one feature's distribution moved: PSI, and for numeric features a KS test's p-value."""

    column: str
    kind: str
    psi: float
    ks_pvalue: float | None = None


@record
class TargetShift:
    """The target's distribution on both sides: the mean of a numeric target, the class shares of a
    categorical one (label -> (base share, head share))."""

    kind: str
    mean: tuple[float, float] | None = None
    shares: dict[str, tuple[float, float]] = field(default_factory=dict)


@record
class DataCheck:
    """The differences between the base's and this run's training data, for one model."""

    path: str
    changed: bool
    note: str | None = None
    added_columns: list[str] = field(default_factory=list)
    removed_columns: list[str] = field(default_factory=list)
    retyped_columns: list[tuple[str, str, str]] = field(default_factory=list)
    rows: tuple[int, int] | None = None
    missing: list[tuple[str, float, float]] = field(default_factory=list)
    target: TargetShift | None = None
    drift: list[FeatureDrift] = field(default_factory=list)

    JSON_DERIVED: ClassVar[tuple[str, ...]] = ("schema_changed",)

    @property
    def schema_changed(self) -> bool:
        return bool(self.added_columns or self.removed_columns or self.retyped_columns)

    def to_json(self) -> dict[str, Any]:
        return plain(self)


@record
class Rescore:
    """The base model scored again on this run's test inputs, because they differ from the base's."""

    because: ChangedInputs
    """What differs: `rows` (other test rows, or another number of them), `target` (the same
    features with other target values) or `features` (the same target values, other values in
    features both runs were given)."""
    columns: list[str]
    """For `features`: the feature columns whose values differ; else empty."""
    rescored: bool
    """Whether it worked; when it did not, `note` says why and the base's recorded values are used."""
    rows: Annotated[int, NOT_NEGATIVE] | None
    """How many test rows the base model was scored on; None when it was not."""
    recorded: dict[str, float]
    """The base run's metrics as recorded on its own test set."""
    note: str


@record
class ModelComparison:
    name: str
    status: ModelStatus
    metrics: list[MetricChange]
    gates: list[GateResult] = field(default_factory=list, metadata=IN_EVERY_DOCUMENT)
    params: list[ParamChange] = field(default_factory=list, metadata=IN_EVERY_DOCUMENT)
    head_run: RunSummary | None = field(default=None, metadata=IN_EVERY_DOCUMENT)
    base_run: RunSummary | None = field(default=None, metadata=IN_EVERY_DOCUMENT)
    notes: list[str] = field(default_factory=list, metadata=IN_EVERY_DOCUMENT)
    trend: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    """metric -> [(short commit, value)] over the base branch's recent records, oldest first."""
    data: DataCheck | None = None
    """What changed in the training data since the base (see `mlci.compare.datacheck`), when checked."""
    rescore: Rescore | None = None
    """The base re-scored on this run's test inputs, when they differ (see `mlci.compare.rescore`)."""

    JSON_DERIVED: ClassVar[tuple[str, ...]] = ("passed",)

    @property
    def passed(self) -> bool:
        return all(g.passed is not False for g in self.gates)

    @property
    def failed_gates(self) -> list[GateResult]:
        return [g for g in self.gates if g.passed is False]


@record
class BaseInfo:
    """Which recorded commit the head was compared with, and why that one."""

    ref: str
    requested_commit: Annotated[str, COMMIT]
    commit: Annotated[str, COMMIT]
    distance: Annotated[int, NOT_NEGATIVE]
    note: str
    first_run: bool = False
    """Nothing was recorded for the ref or its ancestors, or there is no base commit at all (`commit`
    is `NO_COMMIT`): every model is new, and only head gates apply."""

    @property
    def exists(self) -> bool:
        """Whether there is a base commit at all (not so for a repository's first commit)."""
        return self.commit != NO_COMMIT


@record
class HeadInfo:
    commit: Annotated[str, COMMIT] | None
    branch: str | None
    dirty: bool


@record
class Comparison:
    base: BaseInfo
    head: HeadInfo
    models: list[ModelComparison]
    generated_at: str
    notes: list[str] = field(default_factory=list, metadata=IN_EVERY_DOCUMENT)
    training_failures: dict[str, str] = field(default_factory=dict, metadata=IN_EVERY_DOCUMENT)
    """Models whose training failed in this checkout, with why: their rows show the base's values,
    and the comparison does not pass."""

    JSON_DERIVED: ClassVar[tuple[str, ...]] = ("passed",)

    @property
    def passed(self) -> bool:
        return all(m.passed for m in self.models) and not self.training_failures

    @property
    def failed_gates(self) -> list[tuple[str, GateResult]]:
        return [(m.name, g) for m in self.models for g in m.failed_gates]

    def json_document(self) -> dict[str, Any]:
        """The `--format json` document with its records (models, runs, metrics...) left as they
        are: json's encoder writes each through `json_fields` when it meets it, which spares a
        copy of the whole comparison as dicts first."""
        return {
            "schema_version": SCHEMA_VERSION,
            "passed": self.passed,
            "generated_at": self.generated_at,
            "base": self.base,
            "head": self.head,
            "notes": list(self.notes),
            "training_failures": dict(self.training_failures),
            "models": self.models,
        }

    def to_json(self) -> dict[str, Any]:
        """The `--format json` document as plain dicts, lists and scalars."""
        return plain(self.json_document())


_SCALARS = frozenset({str, int, float, bool, type(None)})
_SHAPES: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _shape(value: Any) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The names `value` has in the JSON document when it is a record (a dataclass instance): its
    fields, and the properties its class names in `JSON_DERIVED`; None for anything else."""
    kind = type(value)
    shape = _SHAPES.get(kind)
    if shape is None and is_dataclass(value) and not isinstance(value, type):
        shape = _SHAPES[kind] = (tuple(f.name for f in fields(value)), getattr(kind, "JSON_DERIVED", ()))
    return shape


def json_fields(value: Any) -> dict[str, Any]:
    """`value`, a record of a comparison, as the JSON object json's encoder writes for it (its
    `default`); the values within are left for the encoder to walk into."""
    shape = _shape(value)
    if shape is None:
        raise TypeError(f"{type(value).__name__} is not part of a comparison's JSON document")
    names, derived = shape
    # A frozen record's attributes are its fields: the encoder reads them where they are, as most
    # records of a comparison (its metrics, thousands of them) have no derived values to add.
    own = value.__dict__
    if len(own) != len(names):
        own = {name: getattr(value, name) for name in names}
    return {**own, **{name: getattr(value, name) for name in derived}} if derived else own


def plain(value: Any) -> Any:
    """`value` with its records turned into dicts (as `json_fields` makes them), recursively, as
    `dataclasses.asdict` does, but without its deep copy of every leaf: the values here are strings,
    numbers and frozen records, and a comparison of hundreds of models has tens of thousands of them."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    shape = _shape(value)
    # Scalars are taken as they are without a call each: most values of a comparison are.
    if shape is not None:
        names = shape[0] + shape[1]
        fields_ = [getattr(value, name) for name in names]
        return {name: f if type(f) in _SCALARS else plain(f) for name, f in zip(names, fields_, strict=True)}
    if isinstance(value, (list, tuple)):
        items = [item if type(item) in _SCALARS else plain(item) for item in value]
        return tuple(items) if kind is tuple else items
    if isinstance(value, dict):
        return {plain(key): item if type(item) in _SCALARS else plain(item) for key, item in value.items()}
    return value
