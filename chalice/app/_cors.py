"""``CORSConfig``: the CORS headers a route adds to its responses.

The runtime only adds the ``Access-Control-*`` response headers; the
preflight ``OPTIONS`` method (and ``Access-Control-Allow-Methods``) comes from
API Gateway or ``chalice local``. Standard library only; no imports at all.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

# Always allowed, on top of what the user lists: what AWS SDK clients send.
_REQUIRED_HEADERS = frozenset(
    ["Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token"]
)


class CORSConfig:
    """CORS settings for a route (``cors=CORSConfig(...)``) or ``app.api.cors``.

    Treat instances as immutable once used: the header dict is computed once.
    Two configs are equal when they produce the same headers.
    """

    __slots__ = (
        "allow_origin",
        "_allow_headers",
        "expose_headers",
        "max_age",
        "allow_credentials",
        "_cached",
    )

    def __init__(
        self,
        allow_origin: str = "*",
        allow_headers: Iterable[str] | None = None,
        expose_headers: Iterable[str] | None = None,
        max_age: int | None = None,
        allow_credentials: bool | None = None,
    ) -> None:
        if isinstance(allow_headers, str) or isinstance(expose_headers, str):
            raise TypeError(
                "CORSConfig allow_headers/expose_headers must be lists of header names, "
                "not a string"
            )
        self.allow_origin = allow_origin
        self._allow_headers = frozenset(allow_headers or ())
        self.expose_headers = None if expose_headers is None else list(expose_headers)
        self.max_age = max_age
        self.allow_credentials = allow_credentials
        self._cached: dict[str, str] | None = None

    @property
    def allow_headers(self) -> set[str]:
        """The user's allowed headers plus the ones AWS clients always send."""
        return set(self._allow_headers | _REQUIRED_HEADERS)

    def get_access_control_headers(self) -> dict[str, str]:
        """The ``Access-Control-*`` headers for a response (a fresh dict)."""
        return dict(self.headers_view())

    def headers_view(self) -> dict[str, str]:
        """Same as ``get_access_control_headers`` but shared; do not mutate."""
        cached = self._cached
        if cached is None:
            cached = {
                "Access-Control-Allow-Origin": self.allow_origin,
                "Access-Control-Allow-Headers": ",".join(sorted(self.allow_headers)),
            }
            if self.expose_headers:
                cached["Access-Control-Expose-Headers"] = ",".join(self.expose_headers)
            if self.max_age is not None:
                cached["Access-Control-Max-Age"] = str(self.max_age)
            if self.allow_credentials is True:
                cached["Access-Control-Allow-Credentials"] = "true"
            self._cached = cached
        return cached

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CORSConfig):
            return NotImplemented
        return self.headers_view() == other.headers_view()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.headers_view().items())))

    def __repr__(self) -> str:
        return f"CORSConfig({self.headers_view()!r})"
