"""Authorizers: the objects passed as ``route(authorizer=...)`` and the built-in one.

``IAMAuthorizer``, ``CognitoUserPoolAuthorizer`` and ``CustomAuthorizer`` only
describe API Gateway configuration (``to_swagger``). ``ChaliceAuthorizer`` is
what ``@app.authorizer()`` returns: its own Lambda entry point that turns the
token event into an ``AuthRequest`` (an HTTP API's payload format 2.0
request event into an ``HttpAPIAuthRequest``) and an ``AuthResponse`` into
the policy document API Gateway expects. Loaded lazily: only apps with authorizers pay
for it. Standard library only.
"""

from __future__ import annotations

from chalice.app._registry import BuiltinAuthConfig

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    _A = TypeVar("_A", bound="Authorizer")


class Authorizer:
    """Base of every authorizer: a security definition name plus scopes."""

    __slots__ = ("name", "scopes")

    def __init__(self, name: str, scopes: list[str] | None = None) -> None:
        self.name = name
        self.scopes: list[str] = [] if scopes is None else list(scopes)

    def to_swagger(self) -> dict[str, Any]:
        """The swagger ``securityDefinitions`` entry."""
        raise NotImplementedError("to_swagger")

    def with_scopes(self: _A, scopes: list[str]) -> _A:
        """A deep copy of this authorizer that requires ``scopes``."""
        import copy

        clone = copy.deepcopy(self)
        clone.scopes = list(scopes)
        return clone

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        slots = _all_slots(type(self))
        return all(getattr(self, s, None) == getattr(other, s, None) for s in slots)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, scopes={self.scopes!r})"


def _all_slots(cls: type) -> list[str]:
    return [s for klass in cls.__mro__ for s in getattr(klass, "__slots__", ())]


class IAMAuthorizer(Authorizer):
    """SigV4-signed requests (``AWS_IAM``)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__("sigv4")

    def to_swagger(self) -> dict[str, Any]:
        return {
            "in": "header",
            "type": "apiKey",
            "name": "Authorization",
            "x-amazon-apigateway-authtype": "awsSigv4",
        }

    def with_scopes(self, scopes: list[str]) -> IAMAuthorizer:
        raise NotImplementedError("IAMAuthorizer does not support scopes")


class CognitoUserPoolAuthorizer(Authorizer):
    """A Cognito user pool authorizer; ``provider_arns`` is a list of pool ARNs.

    ``app_client_ids`` (ours) are the audience of the JWT authorizer an HTTP
    API stage makes of it; REST APIs ignore them.
    """

    __slots__ = ("provider_arns", "header", "app_client_ids")

    def __init__(
        self,
        name: str,
        provider_arns: list[str],
        header: str = "Authorization",
        scopes: list[str] | None = None,
        app_client_ids: list[str] | None = None,
    ) -> None:
        if not isinstance(provider_arns, list):
            raise TypeError(
                f"CognitoUserPoolAuthorizer {name!r}: provider_arns should be a list of "
                f"user pool ARNs, not {type(provider_arns).__name__}"
            )
        super().__init__(name, scopes)
        self.provider_arns = provider_arns
        self.header = header
        self.app_client_ids: list[str] = list(app_client_ids or [])

    def to_swagger(self) -> dict[str, Any]:
        return {
            "in": "header",
            "type": "apiKey",
            "name": self.header,
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {
                "type": "cognito_user_pools",
                "providerARNs": self.provider_arns,
            },
        }


class JWTAuthorizer(Authorizer):
    """A JWT authorizer of an HTTP API (ours): any OpenID Connect issuer.

    API Gateway checks the token's signature against the issuer's keys, its
    ``iss`` against ``issuer`` and its ``aud`` (or ``client_id``) against
    ``audience``. HTTP API stages only: a REST stage refuses it.
    """

    __slots__ = ("issuer", "audience", "header")

    def __init__(
        self,
        name: str,
        issuer: str,
        audience: list[str],
        header: str = "Authorization",
        scopes: list[str] | None = None,
    ) -> None:
        if isinstance(audience, str) or not audience:
            raise TypeError(
                f"JWTAuthorizer {name!r}: audience should be a non-empty list of client ids "
                f"or audiences, not {audience!r}"
            )
        super().__init__(name, scopes)
        self.issuer = issuer
        self.audience = list(audience)
        self.header = header

    def to_swagger(self) -> dict[str, Any]:
        raise NotImplementedError("JWTAuthorizer exists on HTTP APIs only")


class CustomAuthorizer(Authorizer):
    """A Lambda token authorizer deployed outside this app (by its invocation URI)."""

    __slots__ = ("authorizer_uri", "ttl_seconds", "header", "invoke_role_arn")

    def __init__(
        self,
        name: str,
        authorizer_uri: str,
        ttl_seconds: int = 300,
        header: str = "Authorization",
        invoke_role_arn: str | None = None,
        scopes: list[str] | None = None,
    ) -> None:
        super().__init__(name, scopes)
        self.authorizer_uri = authorizer_uri
        self.ttl_seconds = ttl_seconds
        self.header = header
        self.invoke_role_arn = invoke_role_arn

    def to_swagger(self) -> dict[str, Any]:
        authorizer: dict[str, Any] = {
            "type": "token",
            "authorizerUri": self.authorizer_uri,
            "authorizerResultTtlInSeconds": self.ttl_seconds,
        }
        if self.invoke_role_arn is not None:
            authorizer["authorizerCredentials"] = self.invoke_role_arn
        return {
            "in": "header",
            "type": "apiKey",
            "name": self.header,
            "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": authorizer,
        }


class ChaliceAuthorizer(Authorizer):
    """The built-in ``@app.authorizer()``: a Lambda function of this app.

    Calling it with the API Gateway authorizer event runs the user function
    with an ``AuthRequest``. ``to_swagger`` leaves ``authorizerUri`` as the
    ``{<name>_lambda_arn}`` placeholder-based URI the swagger generator fills.
    """

    __slots__ = ("func", "config")

    def __init__(
        self,
        name: str,
        func: Callable[[AuthRequest], Any],
        config: BuiltinAuthConfig | None = None,
        scopes: list[str] | None = None,
    ) -> None:
        super().__init__(name, scopes)
        self.func = func
        self.config = config if config is not None else BuiltinAuthConfig(name, "")

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        if not isinstance(event, dict):
            event = {}  # a malformed event: the function sees an empty request
        if event.get("version") == "2.0" and event.get("type") == "REQUEST":
            return self._call_http_api(event)
        request = AuthRequest(
            event.get("type", "TOKEN"), event.get("authorizationToken"), event.get("methodArn")
        )
        result = self.func(request)
        if isinstance(result, AuthResponse):
            return result.to_dict(request)
        return result

    def _call_http_api(self, event: dict[str, Any]) -> Any:
        # An HTTP API Lambda authorizer (payload format 2.0). It accepts an
        # IAM policy (what AuthResponse builds) or, when deployed with
        # simple_responses=True, a simple response. The result is passed on
        # as the function gave it: judging its format against the deployed
        # setting is API Gateway's job (a mismatch is its 500), and
        # chalice local / the test client make the same judgement.
        request = HttpAPIAuthRequest(event, self.config.header)
        result = self.func(request)
        if isinstance(result, AuthResponse):
            return result.to_dict(request)
        if result is True or result is False:
            return {"isAuthorized": result}
        return result

    def to_swagger(self) -> dict[str, Any]:
        config = self.config
        authorizer: dict[str, Any] = {
            "type": "token",
            "authorizerUri": (
                "arn:{partition}:apigateway:{region_name}:lambda:path/2015-03-31/functions/"
                "{" + self.name + "_lambda_arn}/invocations"
            ),
        }
        if config.execution_role is not None:
            authorizer["authorizerCredentials"] = config.execution_role
        if config.ttl_seconds is not None:
            authorizer["authorizerResultTtlInSeconds"] = config.ttl_seconds
        return {
            "in": "header",
            "type": "apiKey",
            "name": config.header,
            "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": authorizer,
        }


class AuthRequest:
    """What a built-in authorizer receives: the token and the ARN being invoked."""

    __slots__ = ("auth_type", "token", "method_arn")

    def __init__(self, auth_type: str, token: str | None, method_arn: str | None) -> None:
        self.auth_type = auth_type
        self.token = token
        self.method_arn = method_arn

    def __repr__(self) -> str:
        return f"AuthRequest({self.auth_type!r}, {self.token!r}, {self.method_arn!r})"


class HttpAPIAuthRequest(AuthRequest):
    """What a built-in authorizer receives from an HTTP API (payload format 2.0).

    ``auth_type`` is ``"REQUEST"``; ``token`` is the first identity source
    value (the authorizer's header), read from the headers when the event
    lists none; ``method_arn`` is the ``routeArn``, so an ``AuthResponse``
    builds its policy as under REST. The rest of the request is there too:
    ``headers`` (case-insensitive, with ``cookie`` rebuilt from
    ``cookies``), ``query_params`` (a ``MultiDict``), ``route_key``,
    ``raw_path``, ``identity_source``, ``uri_params``, ``stage_vars``,
    ``context`` (the ``requestContext``) and ``event`` (all of it).
    """

    __slots__ = (
        "event",
        "route_key",
        "raw_path",
        "identity_source",
        "uri_params",
        "stage_vars",
        "context",
        "_headers",
        "_query_params",
    )

    def __init__(self, event: dict[str, Any], header: str = "Authorization") -> None:
        from chalice.app._http import CaseInsensitiveMapping

        self.event = event
        sources = event.get("identitySource")
        self.identity_source: list[str] = list(sources) if isinstance(sources, list) else []
        raw_headers = event.get("headers")
        headers = dict(raw_headers) if isinstance(raw_headers, dict) else {}
        cookies = event.get("cookies")
        if cookies:
            headers["cookie"] = "; ".join(cookies)
        self._headers = CaseInsensitiveMapping(headers)
        token = self.identity_source[0] if self.identity_source else None
        if token is None:
            token = self._headers.get(header)
        super().__init__("REQUEST", token, event.get("routeArn"))
        self.route_key: str | None = event.get("routeKey")
        self.raw_path: str | None = event.get("rawPath")
        self.uri_params: dict[str, str] | None = event.get("pathParameters")
        self.stage_vars: dict[str, str] | None = event.get("stageVariables")
        context = event.get("requestContext")
        self.context: dict[str, Any] = context if isinstance(context, dict) else {}
        self._query_params: Any = None

    @property
    def headers(self) -> Any:
        """The request headers (a case-insensitive mapping)."""
        return self._headers

    @property
    def query_params(self) -> Any:
        """The query string as a ``MultiDict`` (every value), or ``None``."""
        params = self._query_params
        if params is None:
            raw = self.event.get("rawQueryString")
            if not raw:
                return None
            from chalice.app._http import MultiDict
            from chalice.app._http_v2 import parse_query_string

            params = self._query_params = MultiDict(parse_query_string(raw))
        return params

    def __repr__(self) -> str:
        return f"HttpAPIAuthRequest({self.route_key!r}, {self.token!r}, {self.method_arn!r})"


class AuthRoute:
    """A path plus the methods an ``AuthResponse`` allows on it."""

    __slots__ = ("path", "methods")

    def __init__(self, path: str, methods: list[str]) -> None:
        self.path = path
        self.methods = methods


class AuthResponse:
    """A built-in authorizer's answer: allowed routes, principal and context.

    ``routes`` items are paths (any method), ``AuthRoute`` objects, or ``"*"``
    for everything in the stage.
    """

    __slots__ = ("routes", "principal_id", "context")

    ALL_HTTP_METHODS = ["DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "GET"]

    def __init__(
        self,
        routes: list[str | AuthRoute],
        principal_id: str,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.routes = routes
        self.principal_id = principal_id
        self.context = context

    def to_dict(self, request: AuthRequest) -> dict[str, Any]:
        """The policy document API Gateway expects from a token authorizer."""
        return {
            "context": {} if self.context is None else self.context,
            "principalId": self.principal_id,
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Action": "execute-api:Invoke",
                        "Effect": "Allow",
                        "Resource": self._resource_arns(request),
                    }
                ],
            },
        }

    def _resource_arns(self, request: AuthRequest) -> list[str]:
        method_arn = request.method_arn or ""
        parts = method_arn.split(":")
        if len(parts) < 6 or "/" not in parts[5]:
            raise ValueError(
                f"AuthResponse: cannot build resource ARNs from methodArn {method_arn!r}; "
                "expected arn:aws:execute-api:<region>:<account>:<api-id>/<stage>/<verb>/<path>"
            )
        prefix = ":".join(parts[:5])
        api_id, stage = parts[5].split("/")[:2]
        base = f"{prefix}:{api_id}/{stage}"
        arns: list[str] = []
        for route in self.routes:
            if isinstance(route, AuthRoute):
                path = route.path.lstrip("/")
                arns.extend(f"{base}/{method}/{path}" for method in route.methods)
            elif route == "*":
                arns.append(f"{base}/*/*")
            else:
                arns.append(f"{base}/*/{route.lstrip('/')}")
        return arns


def make_builtin_authorizer(
    func: Callable[[AuthRequest], Any],
    *,
    name: str,
    handler_string: str,
    ttl_seconds: int | None,
    execution_role: str | None,
    header: str,
    simple_responses: bool = False,
) -> ChaliceAuthorizer:
    """What ``@app.authorizer()`` registers (used by the app's registration code)."""
    config = BuiltinAuthConfig(
        name,
        handler_string,
        ttl_seconds=ttl_seconds,
        execution_role=execution_role,
        header=header,
        simple_responses=simple_responses,
    )
    return ChaliceAuthorizer(name, func, config)
