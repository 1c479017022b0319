"""`@frozen` records behave as `@dataclass(frozen=True)` ones: equality, hash and repr
against the methods dataclasses itself writes, for records of every shape of field."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fleetbot
from fleetbot.frozen import frozen
from tests.support.examples import examples


def shapes(decorate: Callable[[type], type]) -> list[type]:
    """The same record classes, made by `decorate` (same names, same qualnames)."""

    @decorate
    class Empty:
        pass

    @decorate
    class One:
        a: Any

    @decorate
    class Many:
        a: Any
        b: Any = 0
        c: tuple[Any, ...] = ()

    @decorate
    class Partly:
        a: Any
        hidden: Any = field(default=None, compare=False, repr=False)
        unhashed: Any = field(default=None, hash=False)
        hashed_only: Any = field(default=None, compare=False, hash=True)

    @decorate
    class Nested:
        inner: Any
        rest: tuple[Any, ...] = ()

    return [Empty, One, Many, Partly, Nested]


OURS = shapes(frozen)
THEIRS = shapes(dataclass(frozen=True))

scalars = st.one_of(st.integers(-3, 3), st.text(max_size=3), st.none(),
                    st.sampled_from([0.0, -0.0, 1.5, math.nan]), st.booleans())
values = st.recursive(scalars, lambda inner: st.tuples(inner, inner), max_leaves=4)


def build(kind: int, args: tuple[Any, ...], classes: list[type]) -> Any:
    if kind == 4:  # a record inside a record
        return classes[4](classes[1](args[0]), args[1:3])
    return classes[kind](*args[: len(dataclasses.fields(classes[kind]))])


@pytest.mark.property
@settings(max_examples=examples(400, 60), deadline=None)
@given(st.integers(0, 4), st.integers(0, 4), st.tuples(*[values] * 4),
       st.tuples(*[values] * 4))
def test_equality_hash_and_repr_are_dataclasses_own(
        kind_a: int, kind_b: int, args_a: tuple[Any, ...], args_b: tuple[Any, ...]) -> None:
    ours = build(kind_a, args_a, OURS), build(kind_b, args_b, OURS)
    theirs = build(kind_a, args_a, THEIRS), build(kind_b, args_b, THEIRS)
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (ours[0] != ours[1]) == (theirs[0] != theirs[1])
    assert repr(ours[0]) == repr(theirs[0])
    assert hash(ours[0]) == hash(theirs[0])


def test_a_record_is_a_frozen_dataclass() -> None:
    many = OURS[2](1, 2)
    assert dataclasses.is_dataclass(many) and type(many).__dataclass_params__.frozen  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        many.a = 3
    assert dataclasses.replace(many, b=5) == OURS[2](1, 5)
    assert dataclasses.astuple(many) == (1, 2, ())
    assert OURS[2].__match_args__ == ("a", "b", "c")
    assert (many == object()) is False and many.__eq__(object()) is NotImplemented


def test_every_frozen_record_of_fleetbot_is_made_by_frozen() -> None:
    """One maker for every record: a stray `@dataclass(frozen=True)` pays dataclasses'
    compile cost again."""
    package = Path(fleetbot.__file__).parent
    stray = [f"{path.relative_to(package)}:{n}" for path in sorted(package.rglob("*.py"))
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if line.strip().startswith("@dataclass(") and "frozen=True" in line]
    assert stray == []
    # the methods are shared closures, not functions compiled for each class
    assert OURS[0].__eq__.__code__ is OURS[2].__eq__.__code__
    assert THEIRS[0].__eq__.__code__ is not THEIRS[2].__eq__.__code__
