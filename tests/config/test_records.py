"""`@record` behaves as `@dataclass(frozen=True)` does: the same equality, hash, repr and frozenness."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from mlci.config.records import record

pytestmark = pytest.mark.unit


@record
class Point:
    x: int
    y: int = 0
    label: str = field(default="", compare=False)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    x: int
    y: int = 0
    label: str = field(default="", compare=False)
    tags: tuple[str, ...] = ()


@record
class Node:
    name: str
    children: list[Node] = field(default_factory=list)


@record
class Shown:
    secret: str

    def __repr__(self) -> str:
        return "Shown(secret=...)"


@record
class Empty:
    pass


SAMPLES = [(1, 2, "a", ()), (1, 2, "b", ("t",)), (3, 0, "", ()), (1, 2, "a", ("t",))]


@pytest.mark.parametrize("left", SAMPLES)
@pytest.mark.parametrize("right", SAMPLES)
def test_equality_and_hash_are_a_frozen_dataclass_s(left, right) -> None:
    ours, theirs = (Point(*left), Point(*right)), (Reference(*left), Reference(*right))
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (ours[0] != ours[1]) == (theirs[0] != theirs[1])
    assert hash(ours[0]) == hash(theirs[0])


def test_repr_is_a_frozen_dataclass_s() -> None:
    assert repr(Point(1, 2, "a", ("t",))) == repr(Reference(1, 2, "a", ("t",))).replace("Reference", "Point")
    assert repr(Empty()) == "Empty()"


def test_a_record_is_frozen_and_still_a_dataclass() -> None:
    point = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    assert dataclasses.replace(point, y=5) == Point(1, 5)
    assert dataclasses.asdict(point) == {"x": 1, "y": 0, "label": "", "tags": ()}
    assert [f.name for f in dataclasses.fields(point)] == ["x", "y", "label", "tags"]
    assert pickle.loads(pickle.dumps(point)) == point and copy.deepcopy(point) == point


def test_records_of_different_classes_are_never_equal() -> None:
    assert Point(1) != Reference(1) and Reference(1) != Point(1)
    assert Point(1) != (1, 0, "", ())
    assert {Point(1): "a"}[Point(1, label="other")] == "a", "label does not count, as compare=False says"


def test_unhashable_fields_make_an_unhashable_record_as_dataclasses_do() -> None:
    with pytest.raises(TypeError, match="unhashable"):
        hash(Node("a"))


def test_a_record_that_holds_itself_is_shown_without_recursing() -> None:
    root = Node("root")
    root.children.append(root)
    assert repr(root) == "Node(name='root', children=[...])"


def test_a_method_the_class_writes_is_kept() -> None:
    assert repr(Shown("token")) == "Shown(secret=...)"
