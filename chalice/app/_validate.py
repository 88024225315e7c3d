"""Route checks the deploy tooling and ``chalice local`` run before serving.

These are not run at import time because upstream accepted such apps until
deploy; ``chalice.deploy.validate`` turns the ``ValueError`` into a user error.
Pure functions over ``app.routes`` (or the tooling's ``AppSnapshot`` routes,
which have the same attributes); standard library only.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Protocol

    class RouteLike(Protocol):
        """What the checks read of a route: ``RouteEntry`` and ``RouteSpec`` both have it."""

        @property
        def method(self) -> str: ...
        @property
        def view_name(self) -> str: ...
        @property
        def cors(self) -> object: ...
        @property
        def content_types(self) -> Sequence[str]: ...


def validate_routes(routes: Mapping[str, Mapping[str, RouteLike]]) -> None:
    """Raise ``ValueError`` for routes API Gateway (or CORS) cannot serve.

    A path may not be empty or end in ``/`` (except ``/`` itself); a path with
    CORS may not also register ``OPTIONS`` (API Gateway answers preflight);
    and all CORS-enabled methods of a path must share one CORS configuration.
    """
    for path, methods in routes.items():
        if not path:
            raise ValueError("Route cannot be the empty string; use '/' for the root")
        if path != "/" and path.endswith("/"):
            raise ValueError(
                f"Route cannot end with a trailing slash: {path!r}; register {path.rstrip('/')!r}"
            )
        cors_entries = [entry for entry in methods.values() if entry.cors is not None]
        if not cors_entries:
            continue
        if "OPTIONS" in methods:
            raise ValueError(
                f"Route {path!r} has cors enabled and also an explicit OPTIONS method "
                f"(view {methods['OPTIONS'].view_name!r}); with CORS, the OPTIONS preflight "
                "is generated for you: remove the OPTIONS method or disable cors"
            )
        first = cors_entries[0]
        for entry in cors_entries[1:]:
            if entry.cors != first.cors:
                raise ValueError(
                    f"On path {path!r}, the CORS configuration of {entry.method} "
                    f"(view {entry.view_name!r}) differs from that of {first.method} "
                    f"(view {first.view_name!r}); all methods of a path must use the "
                    "same CORSConfig"
                )


def validate_route_content_types(
    routes: Mapping[str, Mapping[str, RouteLike]], binary_types: Iterable[str]
) -> None:
    """Raise ``ValueError`` when a route mixes binary and non-binary content types."""
    binary = {t.lower() for t in binary_types}
    for path, methods in routes.items():
        for method, entry in methods.items():
            kinds = {t.lower() in binary for t in entry.content_types}
            if len(kinds) > 1:
                raise ValueError(
                    f"In view function {entry.view_name!r} ({method} {path}), the "
                    f"content_types {list(entry.content_types)!r} mix binary and non-binary media "
                    "types; use only binary or only non-binary types in one route"
                )
