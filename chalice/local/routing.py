"""Matching a request path to one of the app's route templates.

API Gateway picks the most specific resource: at each segment a literal
beats a ``{param}``, which beats a greedy ``{param+}``. ``RouteTable`` orders
the templates that way once and answers ``match(path)`` with the template
and its captured parameters. ``RouteIndex`` adds what the gateway asks of a
matched template: its methods (``RouteSpec``s of the app snapshot) and the
CORS preflight answer. Pure computation: it never sees the app object or the
network.

>>> table = RouteTable(["/users/{id}", "/users/me", "/files/{path+}"])
>>> table.match("/users/me")
RouteMatch(resource_path='/users/me', path_params={})
>>> table.match("/users/42/")
RouteMatch(resource_path='/users/{id}', path_params={'id': '42'})
>>> table.match("/files/a/b.txt").path_params
{'path': 'a/b.txt'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from chalice.app._snapshot import RouteSpec

_LITERAL, _PARAM, _GREEDY = 0, 1, 2
# Bound on memoised lookups: enough for any dev session's distinct URLs,
# small enough that a crawler cannot grow the process without limit.
_CACHE_LIMIT = 4096


class RouteMatch(NamedTuple):
    """The matched template (``requestContext.resourcePath``) and its parameters."""

    resource_path: str
    path_params: dict[str, str]


class _Template(NamedTuple):
    path: str
    kinds: tuple[int, ...]
    values: tuple[str, ...]  # the literal text, or the parameter name


def normalize_path(path: str) -> str:
    """Drop one trailing slash (but keep the root ``/``), as API Gateway does."""
    if len(path) > 1 and path[-1] == "/":
        return path[:-1]
    return path


def _parse(template: str) -> _Template:
    kinds: list[int] = []
    values: list[str] = []
    for segment in template.split("/")[1:]:
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            if name.endswith("+"):
                kinds.append(_GREEDY)
                values.append(name[:-1])
            else:
                kinds.append(_PARAM)
                values.append(name)
        else:
            kinds.append(_LITERAL)
            values.append(segment)
    return _Template(template, tuple(kinds), tuple(values))


def _precedence(template: _Template) -> tuple[tuple[int, str], ...]:
    # Literal before parameter before greedy, segment by segment; literal
    # text breaks ties only to keep the order deterministic.
    return tuple(
        (kind, value if kind == _LITERAL else "")
        for kind, value in zip(template.kinds, template.values, strict=True)
    )


class RouteTable:
    """The app's route templates, ordered for API Gateway's precedence rules."""

    def __init__(self, templates: Iterable[str]) -> None:
        parsed = sorted((_parse(t) for t in templates), key=_precedence)
        self._exact: dict[str, str] = {}
        # Templates with parameters, most specific first.
        self._patterns: list[_Template] = []
        for template in parsed:
            if all(kind == _LITERAL for kind in template.kinds):
                self._exact[template.path] = template.path
            else:
                self._patterns.append(template)
        self._cache: dict[str, RouteMatch | None] = {}

    def match(self, path: str) -> RouteMatch | None:
        """The best template for ``path`` (no query string), or None."""
        path = normalize_path(path)
        exact = self._exact.get(path)
        if exact is not None:
            return RouteMatch(exact, {})
        try:
            found = self._cache[path]
        except KeyError:
            found = self._search(path)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[path] = found
        if found is None:
            return None
        # A fresh dict each time: the app may mutate its pathParameters.
        return RouteMatch(found.resource_path, dict(found.path_params))

    def _search(self, path: str) -> RouteMatch | None:
        segments = path.split("/")[1:]
        count = len(segments)
        for template in self._patterns:
            if template.kinds[-1] == _GREEDY:
                params = _match_greedy(template, segments)
            elif len(template.kinds) == count:
                params = _match_segments(template, segments)
            else:
                continue
            if params is not None:
                return RouteMatch(template.path, params)
        return None


def _match_segments(template: _Template, segments: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for kind, value, segment in zip(template.kinds, template.values, segments, strict=False):
        if kind == _LITERAL:
            if segment != value:
                return None
        elif not segment:
            return None
        else:
            params[value] = segment
    return params


def _match_greedy(template: _Template, segments: list[str]) -> dict[str, str] | None:
    # The greedy parameter is the last segment of its template and swallows
    # one or more non-empty trailing segments.
    head = len(template.kinds) - 1
    if len(segments) <= head:
        return None
    params = _match_segments(
        _Template(template.path, template.kinds[:head], template.values[:head]), segments[:head]
    )
    rest = "/".join(segments[head:])
    if params is None or not rest:
        return None
    params[template.values[head]] = rest
    return params


class RouteIndex:
    """The routes of an app snapshot, by template and method, with their ``RouteTable``."""

    def __init__(self, routes: Iterable[RouteSpec]) -> None:
        self._methods: dict[str, dict[str, RouteSpec]] = {}
        for route in routes:
            self._methods.setdefault(route.path, {})[route.method] = route
        self.table = RouteTable(self._methods)

    def match(self, path: str) -> RouteMatch | None:
        """``RouteTable.match``: the best template for ``path``, or None."""
        return self.table.match(path)

    def methods(self, resource_path: str) -> Mapping[str, RouteSpec]:
        """The routes of one template by method (empty for an unknown template)."""
        return self._methods.get(resource_path, {})

    def preflight_headers(self, resource_path: str) -> dict[str, str]:
        """What API Gateway's generated ``OPTIONS`` answers for ``resource_path``.

        The CORS headers of the path's first CORS-enabled method, and every
        CORS-enabled method plus ``OPTIONS`` in ``Access-Control-Allow-Methods``.
        """
        methods = self.methods(resource_path)
        cors_methods = [name for name, route in methods.items() if route.cors is not None]
        if not cors_methods:
            return {"Access-Control-Allow-Methods": "OPTIONS"}
        cors = methods[cors_methods[0]].cors
        assert cors is not None  # filtered above
        headers = cors.access_control_headers()
        headers["Access-Control-Allow-Methods"] = ",".join([*cors_methods, "OPTIONS"])
        return headers
