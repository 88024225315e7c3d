"""Abstract values and scopes of the boto3 usage analyzer (``analyzer.py``).

A value says what kind of boto3 object (or project function, class, module)
an expression may evaluate to; ``None`` means "nothing we track". Values are
hashable so calls can be memoised by argument values. Data only: nothing
here evaluates code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

import attrs

MAX_UNION = 16


@attrs.frozen
class Boto3Module:
    sub: str = ""  # "" for boto3, "session" for boto3.session


@attrs.frozen
class Factory:
    kind: str  # "client" | "resource" | "session"


@attrs.frozen
class Session:
    pass


@attrs.frozen
class Client:
    service: str


@attrs.frozen
class ClientMethod:
    service: str
    method: str


@attrs.frozen
class Resource:
    service: str
    rtype: str | None  # None: the service resource


@attrs.frozen
class ResourceMethod:
    resource: Resource
    name: str


@attrs.frozen
class ResourceMeta:
    service: str


@attrs.frozen
class Collection:
    service: str
    rtype: str | None


@attrs.frozen
class CollectionMethod:
    collection: Collection
    name: str


@attrs.frozen
class Str:
    value: str


@attrs.frozen
class Seq:
    """A list/tuple/dict/set literal: what indexing or iterating it can give."""

    items: tuple[Any, ...]


@attrs.frozen
class Union:
    options: frozenset[Any]


@attrs.frozen
class ModuleRef:
    name: str


@attrs.frozen
class BoundMethod:
    func: Function
    self_value: Any


class Function:
    """A ``def``/``lambda`` with the scope it was defined in (identity semantics)."""

    def __init__(self, node: Any, scope: Scope, defaults: dict[str, Any]) -> None:
        self.node = node
        self.scope = scope
        self.defaults = defaults


class Class:
    def __init__(self, name: str, bases: list[Any]) -> None:
        self.name = name
        self.bases = bases
        self.attrs: dict[str, Any] = {}

    def lookup(self, name: str) -> Any:
        if name in self.attrs:
            return self.attrs[name]
        for base in self.bases:
            if isinstance(base, Class):
                found = base.lookup(name)
                if found is not None:
                    return found
        return None


@attrs.frozen
class Instance:
    cls: Class


def join(*values: Any) -> Any:
    """The value that may be any of ``values`` (unknowns dropped)."""
    options: set[Any] = set()
    for v in values:
        if isinstance(v, Union):
            options.update(v.options)
        elif v is not None:
            options.add(v)
    if not options:
        return None
    if len(options) == 1:
        return next(iter(options))
    if len(options) > MAX_UNION:
        options = set(sorted(options, key=repr)[:MAX_UNION])
    return Union(frozenset(options))


def options(value: Any) -> Iterable[Any]:
    if isinstance(value, Union):
        return value.options
    return () if value is None else (value,)


class Scope:
    def __init__(self, module: ModuleState, parent: Scope | None) -> None:
        self.module = module
        self.parent = parent
        self.vars: dict[str, Any] = {}
        self.global_names: set[str] = set()
        self.nonlocal_names: set[str] = set()
        self.returns: list[Any] = []

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return None

    def assign(self, name: str, value: Any) -> None:
        target = self
        if name in self.global_names:
            target = self.module.scope
        elif name in self.nonlocal_names:
            scope = self.parent
            while scope is not None and name not in scope.vars:
                scope = scope.parent
            target = scope or self
        old = target.vars.get(name)
        # Flow-insensitive: a name keeps every boto3 value it was ever given,
        # and re-binding to an unknown (``client = None``) forgets nothing.
        target.vars[name] = join(old, value) if old is not None else value


class ModuleState:
    def __init__(self, name: str, tree: ast.Module, is_package: bool) -> None:
        self.name = name
        self.tree = tree
        self.is_package = is_package
        self.scope = Scope(self, None)
        self.started = False


def mro(cls: Class) -> list[Class]:
    out = [cls]
    for base in cls.bases:
        if isinstance(base, Class) and base not in out:
            out.extend(b for b in mro(base) if b not in out)
    return out
