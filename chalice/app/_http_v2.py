"""HTTP API and function URL dispatch: payload format 2.0 in, 2.0 result out.

``Chalice.__call__`` hands an event here when its ``version`` is ``"2.0"``
(API Gateway HTTP APIs and Lambda function URLs send that), so one handler
serves REST, HTTP API and function URL traffic. The request becomes an
``HttpV2Request`` (a ``Request`` with the same attributes as under REST),
runs through the same middleware and view dispatch as REST, and the
``Response`` is encoded as a 2.0 result: ``Set-Cookie`` headers move to the
``cookies`` list, list-valued headers are joined with commas, bytes bodies
are base64-encoded.

Imported only when the first 2.0 event arrives, so REST-only functions never
pay for it. Standard library only; never import ``logging`` or
``urllib.parse`` at module level (the latter only for percent-encoded input).
"""

from __future__ import annotations

from chalice.app._http import (
    _UNSET,
    CaseInsensitiveMapping,
    MultiDict,
    Request,
    Response,
    error_response,
    find_header,
    json_dumps,
)
from chalice.app._middleware import build_chain
from chalice.app._rest import dispatch, unhandled_error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from chalice.app._app import Chalice

_LITERAL, _PARAM, _GREEDY = 0, 1, 2
# Bound on memoised path matches, so a crawler cannot grow a warm function.
_CACHE_LIMIT = 1024


def _unquote(text: str) -> str:
    if "%" not in text:
        return text
    from urllib.parse import unquote

    return unquote(text)


def parse_query_string(raw: str) -> dict[str, list[str]]:
    """``rawQueryString`` as name -> every value, in order (blank values kept).

    >>> parse_query_string("a=1&a=2&b=&c")
    {'a': ['1', '2'], 'b': [''], 'c': ['']}
    """
    params: dict[str, list[str]] = {}
    for pair in raw.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "+" in pair or "%" in pair:
            from urllib.parse import unquote_plus

            name, value = unquote_plus(name), unquote_plus(value)
        values = params.get(name)
        if values is None:
            params[name] = [value]
        else:
            values.append(value)
    return params


class HttpV2Request(Request):
    """``app.current_request`` for a payload format 2.0 event.

    Attributes mean what they mean under REST: ``path`` is the matched route
    template, ``method`` the HTTP method, ``uri_params`` the template's
    parameters. ``headers`` includes a ``cookie`` header rebuilt from the
    event's ``cookies``; ``query_params`` keeps every value of a repeated
    name (parsed from ``rawQueryString``, since ``queryStringParameters``
    joins them with commas). ``context`` is the event's ``requestContext``
    plus the REST-style keys views already read: ``authorizer['claims']``
    (JWT), the Lambda authorizer's context keys, ``identity['sourceIp']``...
    ``raw_path`` and ``route_key`` are the event's own values.
    """

    __slots__ = ("_v2_context", "raw_path", "route_key")

    # HTTP APIs pass binary bodies through as base64 whatever the Accept
    # header says, so REST's Accept check does not apply.
    binary_accept_required = False

    def __init__(self, event_dict: dict[str, Any], lambda_context: Any = None) -> None:
        # Not Request.__init__: it would assign ``context``, a property here.
        self._event = event_dict
        self.lambda_context = lambda_context
        request_context = event_dict.get("requestContext")
        http = request_context.get("http") if request_context.__class__ is dict else None
        if http.__class__ is not dict:
            http = {}
        self.method: str | None = http.get("method")
        raw_path = event_dict.get("rawPath")
        if raw_path is None:
            raw_path = http.get("path")
        self.raw_path: str | None = raw_path
        self.route_key: str | None = event_dict.get("routeKey")
        self.path: str | None = None
        self.uri_params: dict[str, str] | None = event_dict.get("pathParameters")
        self.stage_vars: dict[str, str] | None = event_dict.get("stageVariables")
        self._v2_context: dict[str, Any] | None = None
        self._headers: CaseInsensitiveMapping | None = None
        self._query_params: Any = _UNSET
        self._raw_body: bytes | None = None
        self._json_body: Any = _UNSET

    @property
    def context(self) -> dict[str, Any]:
        """``requestContext`` with the REST-style keys added (built on first access)."""
        context = self._v2_context
        if context is None:
            context = self._v2_context = rest_style_context(self._event, self.method, self.path)
        return context

    @context.setter
    def context(self, value: dict[str, Any]) -> None:
        self._v2_context = value

    @property
    def headers(self) -> CaseInsensitiveMapping:
        """Request headers, case-insensitive, with ``cookie`` rebuilt from ``cookies``."""
        headers = self._headers
        if headers is None:
            raw = self._event.get("headers")
            cookies = self._event.get("cookies")
            if cookies:
                raw = dict(raw or {})
                raw["cookie"] = "; ".join(cookies)
            headers = self._headers = CaseInsensitiveMapping(raw)
        return headers

    @headers.setter
    def headers(self, value: CaseInsensitiveMapping) -> None:
        self._headers = value

    def header(self, lower_name: str) -> Any:
        """One header by lower-case name, without building ``headers`` if unused."""
        headers = self._headers
        if headers is not None:
            return headers.get(lower_name)
        if lower_name == "cookie" and self._event.get("cookies"):
            return self.headers.get("cookie")
        return find_header(self._event.get("headers"), lower_name)

    @property
    def query_params(self) -> MultiDict | None:
        """Query string as a ``MultiDict`` (every value of repeated names), or ``None``."""
        params = self._query_params
        if params is _UNSET:
            event = self._event
            raw = event.get("rawQueryString")
            if raw:
                params = MultiDict(parse_query_string(raw))
            else:
                # No raw string (hand-made events): the comma-joined map is
                # all there is; a value is kept whole rather than guessed apart.
                single = event.get("queryStringParameters")
                params = MultiDict({k: [v] for k, v in single.items()}) if single else None
            self._query_params = params
        return params  # type: ignore[no-any-return]

    @query_params.setter
    def query_params(self, value: MultiDict | None) -> None:
        self._query_params = value


def rest_style_context(
    event: dict[str, Any], method: str | None, path: str | None
) -> dict[str, Any]:
    """A copy of a 2.0 ``requestContext`` with the keys REST views read.

    ``httpMethod``, ``resourcePath`` and ``path`` as REST has them;
    ``identity`` with ``sourceIp``/``userAgent`` (and the IAM caller's keys
    for AWS_IAM routes); ``authorizer`` keeps ``jwt``/``lambda``/``iam`` and
    also holds ``claims``/``scopes`` (JWT) and the Lambda authorizer's
    context keys at the top, where REST puts them.
    """
    original = event.get("requestContext")
    context: dict[str, Any] = dict(original) if isinstance(original, dict) else {}
    http = context.get("http")
    if not isinstance(http, dict):
        http = {}
    context.setdefault("httpMethod", method)
    context.setdefault("resourcePath", path)
    context.setdefault("path", http.get("path"))
    identity: dict[str, Any] = {
        "sourceIp": http.get("sourceIp"),
        "userAgent": http.get("userAgent"),
    }
    authorizer = context.get("authorizer")
    if isinstance(authorizer, dict):
        flat: dict[str, Any] = {}
        jwt = authorizer.get("jwt")
        if isinstance(jwt, dict):
            flat["claims"] = jwt.get("claims")
            flat["scopes"] = jwt.get("scopes")
        granted = authorizer.get("lambda")
        if isinstance(granted, dict):
            flat.update(granted)
        iam = authorizer.get("iam")
        if isinstance(iam, dict):
            cognito = iam.get("cognitoIdentity")
            if not isinstance(cognito, dict):
                cognito = {}
            identity.update(
                accessKey=iam.get("accessKey"),
                accountId=iam.get("accountId"),
                caller=iam.get("callerId"),
                user=iam.get("userId"),
                userArn=iam.get("userArn"),
                principalOrgId=iam.get("principalOrgId"),
                cognitoIdentityId=cognito.get("identityId"),
                cognitoIdentityPoolId=cognito.get("identityPoolId"),
            )
        # The event's own keys win over the flattened copies.
        flat.update(authorizer)
        context["authorizer"] = flat
    existing = context.get("identity")
    if isinstance(existing, dict):
        identity.update(existing)
    context["identity"] = identity
    return context


# -- route matching ---------------------------------------------------------


class RouteMatcher:
    """The app's route templates, matched against a concrete path.

    Used when the event does not name the route (``$default`` catch-all,
    function URLs): at each segment a literal beats ``{param}``, which beats
    a greedy ``{param+}``, as API Gateway ranks routes.

    >>> RouteMatcher(["/users/{id}", "/users/me"]).match("/users/7")
    ('/users/{id}', {'id': '7'})
    """

    __slots__ = ("_exact", "_patterns", "_cache")

    def __init__(self, templates: Any) -> None:
        self._exact: set[str] = set()
        parsed: list[tuple[str, tuple[tuple[int, str], ...]]] = []
        for template in templates:
            segments = []
            for segment in template.split("/")[1:]:
                if segment[:1] == "{" and segment[-1:] == "}":
                    name = segment[1:-1]
                    if name.endswith("+"):
                        segments.append((_GREEDY, name[:-1]))
                    else:
                        segments.append((_PARAM, name))
                else:
                    segments.append((_LITERAL, segment))
            if all(kind == _LITERAL for kind, _ in segments):
                self._exact.add(template)
            else:
                parsed.append((template, tuple(segments)))
        parsed.sort(key=lambda item: [(k, v if k == _LITERAL else "") for k, v in item[1]])
        self._patterns = parsed
        # Concrete path -> match: clients repeat the same URLs.
        self._cache: dict[str, tuple[str, dict[str, str]] | None] = {}

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        """(template, parameters) for ``path``, or None when nothing matches."""
        try:
            found = self._cache[path]
        except KeyError:
            found = self._search(path)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[path] = found
        if found is None:
            return None
        # A fresh dict each time: views may change their uri_params.
        return found[0], dict(found[1])

    def _search(self, path: str) -> tuple[str, dict[str, str]] | None:
        if len(path) > 1 and path[-1] == "/":
            path = path[:-1]
        if path in self._exact:
            return path, {}
        parts = path.split("/")[1:]
        for template, segments in self._patterns:
            params = _match(segments, parts)
            if params is not None:
                return template, params
        return None


def _match(segments: tuple[tuple[int, str], ...], parts: list[str]) -> dict[str, str] | None:
    greedy = segments[-1][0] == _GREEDY
    if greedy:
        if len(parts) < len(segments):
            return None
    elif len(parts) != len(segments):
        return None
    params: dict[str, str] = {}
    for index, (kind, value) in enumerate(segments):
        part = parts[index]
        if kind == _LITERAL:
            if part != value:
                return None
        elif not part:
            return None
        elif kind == _GREEDY:
            rest = "/".join(parts[index:])
            params[value] = rest
        else:
            params[value] = part
    return params


def _matcher(app: Chalice) -> RouteMatcher:
    routes = app.routes
    cached = app._http_v2_routes
    # Routes may be added after the first request (tests do): rebuild then.
    if cached is None or cached[0] != len(routes):
        cached = app._http_v2_routes = (
            len(routes),
            RouteMatcher([path for path, methods in routes.items() if methods]),
        )
    return cached[1]


def resolve_route(app: Chalice, request: HttpV2Request) -> None:
    """Set ``request.path``/``uri_params`` from ``routeKey``, else by matching the path."""
    route_key = request.route_key
    if route_key and route_key != "$default":
        template = route_key.partition(" ")[2]
        if template in app.routes:
            request.path = template
            return
    raw_path = request.raw_path
    if not raw_path:
        return
    path = _unquote(raw_path)
    matcher = _matcher(app)
    stage = request._event["requestContext"].get("stage")
    if stage and stage != "$default":
        # A named stage's name leads the path (https://.../prod/users).
        prefix = "/" + stage
        if path == prefix or path.startswith(prefix + "/"):
            found = matcher.match(path[len(prefix) :] or "/")
            if found is not None:
                request.path, request.uri_params = found
                return
    found = matcher.match(path)
    if found is not None:
        request.path, request.uri_params = found


# -- dispatch and the 2.0 result ---------------------------------------------


def handle_http_v2(app: Chalice, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run one payload format 2.0 invocation through middleware and the matching view."""
    app.lambda_context = context
    request = HttpV2Request(event, context)
    if request.method is None:
        app.current_request = None
        return to_v2_result(error_response("InternalServerError", "Unknown request.", 500))
    resolve_route(app, request)
    app.current_request = request
    try:
        if app.middleware_handlers:
            response = _chain(app)(request)
        else:
            response = dispatch_v2(app, request)
    except Exception:
        response = unhandled_error(app, request)
    try:
        return to_v2_result(response)
    except Exception:
        if getattr(context, "raise_encoding_errors", False):
            raise
        return to_v2_result(unhandled_error(app, request))


def _chain(app: Chalice) -> Callable[[Request], Response]:
    cached = app._http_v2_chain
    count = len(app.middleware_handlers)
    if cached is None or cached[0] != count:
        chain = build_chain(app.middleware_handlers, "http", lambda req: dispatch_v2(app, req))
        cached = app._http_v2_chain = (count, chain)
    return cached[1]


def dispatch_v2(app: Chalice, request: Request) -> Response:
    """REST dispatch, plus the 404 a catch-all route or function URL can meet."""
    if request.path is None:
        shown = getattr(request, "raw_path", None) or ""
        return error_response("NotFoundError", f"No route for {request.method} {shown}", 404)
    return dispatch(app, request)


def to_v2_result(response: Response) -> dict[str, Any]:
    """``response`` as a payload format 2.0 result.

    ``Set-Cookie`` values (a string or a list) become ``cookies``; other
    list-valued headers are joined with commas (2.0 has no multi-value
    headers); a missing Content-Type is ``application/json`` (REST's
    default); a ``bytes`` body is base64-encoded, anything else that is not
    a string is JSON-encoded.
    """
    headers: dict[str, Any] = {}
    cookies: list[str] | None = None
    for key, value in response.headers.items():
        if len(key) == 10 and key.lower() == "set-cookie":
            if cookies is None:
                cookies = []
            if isinstance(value, list):
                cookies.extend(value)
            else:
                cookies.append(value)
        elif value.__class__ is list:
            headers[key] = ",".join(str(item) for item in value)
        else:
            headers[key] = value
    body = response.body
    encoded = False
    if body.__class__ is not str:
        if isinstance(body, (bytes, bytearray)):
            from binascii import b2a_base64

            body = b2a_base64(body, newline=False).decode("ascii")
            encoded = True
        elif not isinstance(body, str):
            body = json_dumps(body)
    if find_header(headers, "content-type") is None:
        # What REST APIs default to; HTTP APIs would send no type at all.
        headers["Content-Type"] = "application/json"
    result: dict[str, Any] = {
        "statusCode": response.status_code,
        "headers": headers,
        "body": body,
        "isBase64Encoded": encoded,
    }
    if cookies is not None:
        result["cookies"] = cookies
    return result
