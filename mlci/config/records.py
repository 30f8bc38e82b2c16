"""`@record`: mlci's value types, frozen dataclasses whose equality, hash and repr are written once,
here, instead of generated for each class.

`@dataclass(frozen=True)` compiles six methods from generated source for every class it makes, about
half a millisecond apiece at import; `mlci compare` loads some sixty such classes, a tenth of its
whole run. A record is the same dataclass (its fields, `__init__`, frozenness, `replace`, `fields`
and `asdict` are dataclasses' own) with `__eq__`, `__hash__` and `__repr__` made from its field names
by the functions below, which behave as the generated ones do: equal when of the same class with
equal compared fields, hashed on those, shown as `Name(field=value, ...)`. A method the class writes
itself is kept. It lives here, in the lowest layer that has records.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar, cast, dataclass_transform

__all__ = ["record"]

_Class = TypeVar("_Class", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: _Class) -> _Class:
    """`cls` as `@dataclass(frozen=True)` makes it (see the module's docstring)."""
    made = cast(_Class, dataclass(frozen=True, eq=False, repr=False)(cls))
    own = made.__dict__
    every = fields(made)
    compared = _values([f.name for f in every if f.compare])
    hashed = _values([f.name for f in every if f.hash or (f.hash is None and f.compare)])
    shown = [f.name for f in every if f.repr]

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown_fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({shown_fields})"

    for method in (__eq__, __hash__, __repr__):
        if method.__name__ not in own:
            method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
            setattr(made, method.__name__, method)
    return made


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the values of `names` of an object, as a tuple (`attrgetter` in C)."""
    if not names:
        return lambda _value: ()
    if len(names) == 1:
        get_one = attrgetter(names[0])
        return lambda value: (get_one(value),)
    return attrgetter(*names)
