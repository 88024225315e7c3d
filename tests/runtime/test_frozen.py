"""``chalice.app._frozen.Frozen``: the value base of the snapshot specs and state records."""

from __future__ import annotations

from typing import ClassVar

import pytest

from chalice.app._frozen import Frozen


class Point(Frozen):
    KIND: ClassVar[str] = "point"
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


class Labelled(Point):
    label: str = "p"


def test_fields_in_order_with_defaults_and_class_vars_left_out() -> None:
    assert Point.FIELDS == ("x", "y", "tags")
    assert Labelled.FIELDS == ("x", "y", "tags", "label")
    assert Point(1) == Point(x=1, y=0, tags=())
    assert Labelled(1, 2).label == "p"


def test_constructor_refuses_what_a_dataclass_would() -> None:
    with pytest.raises(TypeError, match="missing field 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected or repeated field 'z'"):
        Point(1, z=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected or repeated field 'x'"):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="at most 3"):
        Point(1, 2, (), 4)  # type: ignore[call-arg]


def test_frozen_equal_hashable_and_replaced() -> None:
    p = Point(1, 2, ("a",))
    with pytest.raises(AttributeError, match="frozen"):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del p.x  # type: ignore[misc]
    assert p == Point(1, 2, ("a",)) and hash(p) == hash(Point(1, 2, ("a",)))
    assert p != Labelled(1, 2, ("a",))  # another class is never equal
    assert p.replace(y=5) == Point(1, 5, ("a",)) and p.y == 2
    assert repr(p) == "Point(x=1, y=2, tags=('a',))"
