"""``Frozen``: a base for small immutable value classes that costs nothing to define.

``dataclasses`` and attrs write and compile several methods for every class
at import time (about half a millisecond each class). The tooling defines
dozens of plain value classes that every command imports (the app
snapshot's specs, the deploy's state records), so that cost lands on every
``chalice`` start-up. A ``Frozen`` subclass only declares annotated fields
(with optional defaults); ``__init_subclass__`` reads them once, and the
methods here serve every subclass: the constructor (positional or keyword),
equality and hash over the fields, ``repr`` and ``replace``. Type checkers
see a frozen dataclass (``dataclass_transform``).

Standard library only (``chalice/app`` ships in the zip), and not imported
by the runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    # typing has it from Python 3.11 only; the checker reads it from typeshed.
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Any:
        """Run time: nothing to do (it tells type checkers how subclasses are built)."""
        return lambda cls: cls


_F = TypeVar("_F", bound="Frozen")
_MISSING: Any = object()


@dataclass_transform(frozen_default=True)
class Frozen:
    """Base of a frozen value class: fields are its annotations, in order."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    _DEFAULTS: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[str] = []
        defaults: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            for field, annotation in vars(klass).get("__annotations__", {}).items():
                if "ClassVar" in str(annotation):
                    continue
                if field not in fields:
                    fields.append(field)
                default = vars(klass).get(field, _MISSING)
                if default is not _MISSING:
                    defaults[field] = default
                elif field in defaults and field in vars(klass).get("__annotations__", {}):
                    del defaults[field]  # re-declared without a default: required again
        cls.FIELDS = tuple(fields)
        cls._DEFAULTS = defaults

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if len(args) > len(cls.FIELDS):
            raise TypeError(f"{cls.__name__} takes at most {len(cls.FIELDS)} values")
        given = dict(zip(cls.FIELDS, args, strict=False))
        for field, value in kwargs.items():
            if field not in cls.FIELDS or field in given:
                raise TypeError(f"{cls.__name__}: unexpected or repeated field {field!r}")
            given[field] = value
        for field in cls.FIELDS:
            value = given.get(field, cls._DEFAULTS.get(field, _MISSING))
            if value is _MISSING:
                raise TypeError(f"{cls.__name__}: missing field {field!r}")
            object.__setattr__(self, field, value)

    def __setattr__(self, field: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: use replace()")

    def __delattr__(self, field: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.FIELDS)
        return f"{type(self).__name__}({shown})"

    def replace(self: _F, **changes: Any) -> _F:
        """A copy with ``changes`` (the value is frozen)."""
        return type(self)(**{**dict(zip(self.FIELDS, self._values(), strict=True)), **changes})
