"""`@frozen`: the frozen dataclass every fleetbot record is, made cheaply.

It is `@dataclass(frozen=True)` with the same `__eq__`, `__hash__` and `__repr__`, but those
three are closures over the class's fields instead of functions dataclasses writes as
source and compiles with `exec` for each class: Python 3.11 compiles six functions per
frozen dataclass, and the 50 records a cold 20-row `fleetbot conflicts` imports took 23 ms
of its ~150 ms; with these three shared the run is 6 ms faster (medians of 30 alternating
runs; Python 3.13 compiles once per class). The
class stays a dataclass in every other way: `fields`, `replace`, `asdict`, frozen
`__init__`, `match_args`, and type checkers read it as `@dataclass(frozen=True)`
(`dataclass_transform`). tests/test_frozen.py holds it to dataclasses' own methods.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from reprlib import recursive_repr
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")


def _values(names: Sequence[str]) -> Callable[[object], tuple[Any, ...]]:
    """The tuple of an object's attributes `names`, as dataclasses compares and hashes."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _make_frozen(cls: type[T]) -> type[T]:
    made = dataclass(frozen=True, eq=False, repr=False)(cls)
    own = fields(made)  # type: ignore[arg-type]
    compared = _values([f.name for f in own if f.compare])
    hashed = _values([f.name for f in own if (f.compare if f.hash is None else f.hash)])
    shown = [(f.name, attrgetter(f.name)) for f in own if f.repr]

    def __eq__(self: object, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: object) -> int:
        return hash(hashed(self))

    @recursive_repr()
    def __repr__(self: object) -> str:
        inner = ", ".join(f"{name}={get(self)!r}" for name, get in shown)
        return f"{self.__class__.__qualname__}({inner})"

    for method in (__eq__, __hash__, __repr__):
        method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
        setattr(made, method.__name__, method)
    return made


if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    @dataclass_transform(frozen_default=True, field_specifiers=(field,))
    def frozen(cls: type[T]) -> type[T]: ...
else:
    frozen = _make_frozen
