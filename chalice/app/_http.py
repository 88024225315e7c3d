"""HTTP data of the REST runtime: ``Request``, ``Response`` and their containers.

``Request`` wraps an API Gateway REST proxy event (payload format 1.0) and
computes each attribute on first access, because most views read only a few
of them (``_http_v2.HttpV2Request`` does the same for payload format 2.0). ``Response.to_dict`` produces the proxy-integration result.

Standard library only, and nothing slow at import: ``json`` is already loaded
by every Lambda runtime; the Decimal check compares type names so ``decimal``
is never imported, and ``binascii`` (base64) only for base64 bodies.
This module must never import the rest of the runtime except ``_errors``.
"""

from __future__ import annotations

import json

# ``_collections_abc`` is loaded by ``os`` at interpreter start; the public
# ``collections.abc`` wrapper would be one more module to import.
from _collections_abc import Mapping, MutableMapping

from chalice.app._errors import BadRequestError, ChaliceError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    _MultiDictBase = MutableMapping[str, Any]
    _HeadersBase = Mapping[str, Any]
else:
    _MultiDictBase = MutableMapping
    _HeadersBase = Mapping

_JSON = "application/json"
_JSON_ONLY = [_JSON]


def _encode_extra(value: Any) -> Any:
    """``json`` fallback: Decimal as a float, MultiDict as a dict."""
    if isinstance(value, MultiDict):
        return dict(value)
    cls = type(value)
    if cls.__name__ == "Decimal" and cls.__module__ == "decimal":
        return float(value)
    raise TypeError(f"Object of type {cls.__name__} is not JSON serializable")


# One encoder for every response: json.dumps() with non-default options
# builds a fresh JSONEncoder on each call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_encode_extra)


def _make_dumps() -> Callable[[Any], str]:
    # JSONEncoder.encode() also builds its C encoder on every call; build it
    # once instead. No circular-reference bookkeeping: a cycle ends in
    # RecursionError, which REST dispatch turns into a 500 like any failure.
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)
    escape = getattr(encoder, "c_encode_basestring_ascii", None)
    if make is None or escape is None:  # pure-Python json: use the slow path
        return _ENCODER.encode
    iterencode = make(None, _encode_extra, escape, None, ":", ",", False, False, True)

    def dumps(value: Any) -> str:
        return "".join(iterencode(value, 0))

    return dumps


json_dumps = _make_dumps()


# Lower-cased media-type sets by the exact list they came from: route
# content_types and app.api.binary_types are checked on every request.
_TYPE_SETS: dict[int, tuple[list[str], tuple[frozenset[str], bool, bool]]] = {}


def _type_set(valid: list[str]) -> tuple[frozenset[str], bool, bool]:
    """(lower-cased types, contains ``*/*``, ``application/json`` matches)."""
    # Keyed by identity, confirmed by content: the lists may be mutated.
    entry = _TYPE_SETS.get(id(valid))
    if entry is not None and entry[0] == valid:
        return entry[1]
    snapshot = list(valid)
    lowered = frozenset(v.lower() for v in snapshot)
    star = "*/*" in lowered
    found = (lowered, star, star or _JSON in lowered)
    if len(_TYPE_SETS) > 1024:
        _TYPE_SETS.clear()
    _TYPE_SETS[id(valid)] = (snapshot, found)
    return found


def matches_content_type(content_type: str, valid: list[str]) -> bool:
    """Does a Content-Type/Accept value name one of ``valid`` (case-insensitive)?

    ``*/*`` on either side matches everything; otherwise the value is split on
    ``,`` and ``;`` and any piece equal to a valid type is a match, so
    ``"text/html; charset=utf-8"`` matches ``["text/html"]``.
    """
    lowered, star, _ = _type_set(valid if valid.__class__ is list else list(valid))
    if star:
        return True
    content_type = content_type.lower()
    if content_type in lowered or "*/*" in content_type:
        return True
    if "," not in content_type and ";" not in content_type:
        return content_type.strip() in lowered
    pieces = content_type.replace(";", ",").split(",")
    return any(p.strip() in lowered for p in pieces)


def binary_content_type(headers: Mapping[str, Any], binary_types: list[str]) -> str | None:
    """The response Content-Type (default JSON) if it is a binary type, else None."""
    content_type = find_header(headers, "content-type") if headers else None
    if content_type is None:
        return _JSON if _type_set(binary_types)[2] else None
    return content_type if matches_content_type(content_type, binary_types) else None


# lower-case name -> actual key, per distinct tuple of header names. Clients
# (and CloudFront) send the same header names request after request, so
# this turns a case-insensitive lookup into two dict lookups; the bound
# keeps hostile header sets from growing it.
_HEADER_INDEX: dict[tuple[Any, ...], dict[str, Any]] = {}


def _header_index(headers: Mapping[str, Any]) -> dict[str, Any]:
    names = tuple(headers)
    index = _HEADER_INDEX.get(names)
    if index is None:
        index = {k.lower(): k for k in names if isinstance(k, str)}
        if len(_HEADER_INDEX) >= 256:
            _HEADER_INDEX.clear()
        _HEADER_INDEX[names] = index
    return index


def find_header(headers: Mapping[str, Any] | None, lower_name: str) -> Any:
    """Look up a header in a plain dict regardless of the key's case."""
    if not headers:
        return None
    value = headers.get(lower_name)
    if value is not None:
        return value
    key = _header_index(headers).get(lower_name)
    return None if key is None else headers[key]


class MultiDict(_MultiDictBase):
    """Mapping of a key to a list of values; ``m[k]`` is the last value.

    Used for query strings. ``getlist(k)`` returns every value; assigning a
    key replaces its values with the one assigned.
    """

    __slots__ = ("_dict",)

    def __init__(self, mapping: Mapping[str, list[Any]] | None) -> None:
        self._dict: dict[str, list[Any]] = {} if mapping is None else dict(mapping)

    def __getitem__(self, key: str) -> Any:
        values = self._dict[key]
        if not values:
            raise KeyError(key)
        return values[-1]

    def __setitem__(self, key: str, value: Any) -> None:
        self._dict[key] = [value]

    def __delitem__(self, key: str) -> None:
        del self._dict[key]

    def getlist(self, key: str) -> list[Any]:
        """Every value of ``key`` (a copy), or ``KeyError``."""
        return list(self._dict[key])

    def __len__(self) -> int:
        return len(self._dict)

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __repr__(self) -> str:
        return f"MultiDict({self._dict!r})"

    def __str__(self) -> str:
        return repr(self)


class CaseInsensitiveMapping(_HeadersBase):
    """Read-only mapping whose keys compare case-insensitively (HTTP headers)."""

    __slots__ = ("_dict",)

    def __init__(self, mapping: Mapping[str, Any] | None) -> None:
        self._dict = {} if not mapping else {k.lower(): v for k, v in mapping.items()}

    def __getitem__(self, key: str) -> Any:
        return self._dict[key.lower()]

    def get(self, key: str, default: Any = None) -> Any:
        return self._dict.get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __repr__(self) -> str:
        return f"CaseInsensitiveMapping({self._dict!r})"


_UNSET: Any = object()


class Request:
    """The current REST request (``app.current_request``).

    ``path`` is the route *template* (``/users/{name}``), as upstream.
    ``headers``, ``query_params``, ``raw_body`` and ``json_body`` are computed
    on first access. A body that is not valid base64 or JSON raises
    ``BadRequestError`` (a 400) from the property that needs it.
    """

    __slots__ = (
        "_event",
        "lambda_context",
        "method",
        "context",
        "stage_vars",
        "path",
        "uri_params",
        "_headers",
        "_query_params",
        "_raw_body",
        "_json_body",
    )

    # REST APIs only base64-decode a binary response for a request whose
    # Accept header names the type; dispatch checks it when this is true.
    binary_accept_required = True

    def __init__(self, event_dict: dict[str, Any], lambda_context: Any = None) -> None:
        self._event = event_dict
        self.lambda_context = lambda_context
        context = event_dict.get("requestContext")
        if not isinstance(context, dict):
            context = {}
        self.context: dict[str, Any] = context
        self.method: str | None = context.get("httpMethod") or event_dict.get("httpMethod")
        # Events without requestContext.resourcePath (console test shapes)
        # still carry the template in the top-level "resource".
        self.path: str | None = context.get("resourcePath") or event_dict.get("resource")
        self.stage_vars: dict[str, str] | None = event_dict.get("stageVariables")
        self.uri_params: dict[str, str] | None = event_dict.get("pathParameters")
        self._headers: CaseInsensitiveMapping | None = None
        self._query_params: Any = _UNSET
        self._raw_body: bytes | None = None
        self._json_body: Any = _UNSET

    @property
    def headers(self) -> CaseInsensitiveMapping:
        """Request headers; keys are matched case-insensitively."""
        headers = self._headers
        if headers is None:
            headers = self._headers = CaseInsensitiveMapping(self._event.get("headers"))
        return headers

    @headers.setter
    def headers(self, value: CaseInsensitiveMapping) -> None:
        self._headers = value

    def header(self, lower_name: str) -> Any:
        """One header by lower-case name, without building ``headers`` if unused."""
        headers = self._headers
        if headers is not None:
            return headers.get(lower_name)
        return find_header(self._event.get("headers"), lower_name)

    @property
    def query_params(self) -> MultiDict | None:
        """Query string as a ``MultiDict``, or ``None`` when there is none."""
        params = self._query_params
        if params is _UNSET:
            event = self._event
            multi = event.get("multiValueQueryStringParameters")
            if multi is None:
                single = event.get("queryStringParameters")
                params = None if single is None else MultiDict({k: [v] for k, v in single.items()})
            else:
                params = MultiDict(multi)
            self._query_params = params
        return params  # type: ignore[no-any-return]

    @query_params.setter
    def query_params(self, value: MultiDict | None) -> None:
        self._query_params = value

    @property
    def raw_body(self) -> bytes:
        """The body as bytes: base64-decoded when the event says so; ``b''`` if absent."""
        raw = self._raw_body
        if raw is None:
            body = self._event.get("body")
            if body is None:
                raw = b""
            elif self._event.get("isBase64Encoded"):
                from binascii import a2b_base64

                try:
                    raw = a2b_base64(body)
                except (ValueError, TypeError):  # binascii.Error is a ValueError
                    raise BadRequestError("Error decoding base64 body") from None
            elif isinstance(body, str):
                raw = body.encode("utf-8", "surrogatepass")
            elif isinstance(body, bytes):
                raw = body
            else:
                raise BadRequestError("Request body must be a string")
            self._raw_body = raw
        return raw

    @property
    def json_body(self) -> Any:
        """The parsed JSON body, or ``None`` unless Content-Type is application/json.

        Invalid JSON (including an empty body or bytes that are not UTF-8)
        raises ``BadRequestError('Error Parsing JSON')``.
        """
        value = self._json_body
        if value is _UNSET:
            content_type = self.header("content-type") or ""
            if not content_type.startswith(_JSON):
                return None
            try:
                event = self._event
                body = event.get("body")
                if body.__class__ is str and not event.get("isBase64Encoded"):
                    value = json.loads(body)  # skips encoding and re-decoding
                else:
                    value = json.loads(self.raw_body)
            except (ValueError, RecursionError):
                raise BadRequestError("Error Parsing JSON") from None
            self._json_body = value
        return value

    def to_dict(self) -> dict[str, Any]:
        """The public attributes as a JSON-serializable dict (snake_case keys)."""
        query = self.query_params
        return {
            "query_params": None if query is None else dict(query),
            "headers": dict(self.headers),
            "uri_params": self.uri_params,
            "method": self.method,
            "context": self.context,
            "stage_vars": self.stage_vars,
            "path": self.path,
        }

    def to_original_event(self) -> dict[str, Any]:
        """The raw Lambda event this request was built from."""
        return self._event


class Response:
    """What a view returns: a body, headers and a status code.

    A body that is not ``str``/``bytes`` is JSON-encoded (Decimal as float).
    A header whose value is a list goes to ``multiValueHeaders``.
    """

    __slots__ = ("body", "headers", "status_code")

    def __init__(
        self, body: Any, headers: dict[str, Any] | None = None, status_code: int = 200
    ) -> None:
        self.body = body
        self.headers: dict[str, Any] = {} if headers is None else headers
        self.status_code = status_code

    def __repr__(self) -> str:
        return f"Response(status_code={self.status_code!r}, headers={self.headers!r})"

    def to_dict(self, binary_types: list[str] | None = None) -> dict[str, Any]:
        """The Lambda proxy result; binary bodies are base64-encoded."""
        single: dict[str, Any] = {}
        multi: dict[str, Any] = {}
        headers = self.headers
        for key, value in headers.items():
            if isinstance(value, list):
                multi[key] = value
            else:
                single[key] = value
        body = self.body
        if not isinstance(body, (str, bytes)):
            body = json_dumps(body)
        result: dict[str, Any] = {
            "headers": single,
            "multiValueHeaders": multi,
            "statusCode": self.status_code,
            "body": body,
        }
        if binary_types:
            content_type = binary_content_type(headers, binary_types)
            if content_type is not None:
                if isinstance(body, str) and matches_content_type(content_type, _JSON_ONLY):
                    body = body.encode("utf-8")
                if not isinstance(body, bytes):
                    raise ValueError(
                        f"Response has binary Content-Type {content_type!r} "
                        f"but its body is {type(body).__name__}, not bytes"
                    )
                from binascii import b2a_base64

                result["body"] = b2a_base64(body, newline=False).decode("ascii")
                result["isBase64Encoded"] = True
        return result


def check_header_values(headers: dict[str, Any]) -> None:
    """Reject header values with a newline (they would split the HTTP header)."""
    for key, value in headers.items():
        values = value if isinstance(value, list) else (value,)
        for item in values:
            if isinstance(item, str) and "\n" in item:
                raise ChaliceError(f"Bad value for header {key!r}: {item!r}")


def error_response(code: str, message: str, status_code: int) -> Response:
    """The ``{"Code": ..., "Message": ...}`` error body every REST error uses."""
    return Response({"Code": code, "Message": message}, status_code=status_code)
