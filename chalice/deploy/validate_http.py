"""What an HTTP API stage cannot do, refused before anything is built.

HTTP APIs (API Gateway v2) lack some REST API features. A stage with
``"api_gateway_type": "HTTP"`` whose app uses one of them gets a
``ValidationError`` naming the route, the feature and the fix, never a
template or a deploy that silently drops it:

* ``api_key_required=True``: HTTP APIs have no API keys or usage plans;
* CORS that differs between routes: an HTTP API has one CORS configuration;
* a ``CustomAuthorizer``: it is written for REST ``TOKEN`` events;
* a ``CognitoUserPoolAuthorizer`` without ``app_client_ids``: the JWT
  authorizer needs an audience;
* REST-only settings: ``api_gateway_endpoint_type`` other than the default,
  ``api_gateway_endpoint_vpce``, ``api_gateway_policy_file``,
  and ``minimum_compression_size``.

A REST stage refuses a ``JWTAuthorizer``, an ``@app.authorizer`` with
``simple_responses=True`` (REST authorizers must return an IAM policy, so
every request would fail with API Gateway's 500) and the
``http_api_access_log`` / ``http_api_throttling`` settings (HTTP APIs only)
the same way.

Pure: reads the route list and the config, never AWS.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from chalice.app._snapshot import AppSnapshot, AuthorizerKind, AuthorizerSpec, CorsSpec
from chalice.config import Config
from chalice.errors import ValidationError


@attrs.frozen
class RouteInfo:
    """One ``(path, method)`` of the app as the HTTP API side needs it."""

    path: str
    method: str
    view_name: str
    authorizer: AuthorizerSpec | None = None
    cors: CorsSpec | None = None
    api_key_required: bool = False

    @property
    def route_key(self) -> str:
        """The v2 route key: ``GET /users/{name}``."""
        return f"{self.method} {self.path}"


def routes_of(app: AppSnapshot) -> list[RouteInfo]:
    """The app's routes, in registration order (paths, then methods)."""
    return [
        RouteInfo(
            path=r.path,
            method=r.method,
            view_name=r.view_name,
            authorizer=r.authorizer,
            cors=r.cors,
            api_key_required=r.api_key_required,
        )
        for r in app.routes
    ]


def _fail(what: str, where: str, fix: str) -> None:
    raise ValidationError(what, where=where, fix=fix)


def check_http_routes(routes: Sequence[RouteInfo], *, where: str) -> None:
    """Raise ``ValidationError`` for the first route an HTTP API cannot serve as written."""
    for r in routes:
        at = f"{where}, route {r.route_key} (view `{r.view_name}`)"
        if r.api_key_required:
            _fail(
                "HTTP APIs have no API keys: `api_key_required=True` cannot be enforced.",
                at,
                "Remove api_key_required=True (protect the route with an authorizer instead, "
                'e.g. IAMAuthorizer() or a JWTAuthorizer), or set "api_gateway_type": "REST" '
                "for this stage.",
            )
        kind = None if r.authorizer is None else r.authorizer.kind
        if r.authorizer is not None and kind is AuthorizerKind.CUSTOM:
            _fail(
                f"The CustomAuthorizer `{r.authorizer.name}` is a REST TOKEN authorizer; HTTP "
                "APIs call Lambda authorizers with payload format 2.0 events.",
                at,
                "Use an @app.authorizer() function of this app (it is deployed as a REQUEST "
                "authorizer with payload 2.0), or a JWTAuthorizer, or keep this stage REST.",
            )
        if r.authorizer is not None and kind is AuthorizerKind.COGNITO and not r.authorizer.audience:
            _fail(
                f"The CognitoUserPoolAuthorizer `{r.authorizer.name}` has no app client ids: an "
                "HTTP API checks Cognito tokens with a JWT authorizer, which needs its audience.",
                at,
                "Pass the user pool's app client ids: CognitoUserPoolAuthorizer(..., "
                'app_client_ids=["<client id>"]).',
            )
    with_cors = [r for r in routes if r.cors is not None]
    if with_cors:
        first = with_cors[0]
        for r in routes:
            if r.cors != first.cors:
                _fail(
                    f"Route {r.route_key} has CORS settings that differ from route "
                    f"{first.route_key}; an HTTP API has one CORS configuration for all routes.",
                    f"{where}, route {r.route_key} (view `{r.view_name}`)",
                    "Give every route the same cors=... (simplest: set app.api.cors = True or "
                    "a CORSConfig once and drop the per-route cors arguments), or keep this "
                    "stage REST.",
                )


_REST_ONLY = (
    ("api_gateway_endpoint_vpce", "private REST endpoints"),
    ("api_gateway_policy_file", "REST API resource policies"),
    ("minimum_compression_size", "REST API payload compression"),
)


def is_http_default_stage(config: Config) -> bool:
    """Whether the stage is an HTTP API's ``$default`` stage (served at the URL's root)."""
    return config.api_gateway_type == "HTTP" and config.api_gateway_stage == "$default"


def check_http_config(config: Config) -> None:
    """Refuse REST-only settings on an HTTP stage."""
    cfg = config.scope("api_handler")
    for key, feature in _REST_ONLY:
        if cfg.lookup(key) is not None:
            _fail(
                f"`{key}` configures {feature}, which HTTP APIs do not have.",
                f"{cfg.source}, {cfg.where_set(key)}",
                f'Remove `{key}` from this stage, or set "api_gateway_type": "REST".',
            )
    endpoint = cfg.lookup("api_gateway_endpoint_type")
    if endpoint is not None and endpoint != "REGIONAL":
        _fail(
            f'`api_gateway_endpoint_type` "{endpoint}" is a REST API setting: HTTP APIs are '
            "always regional.",
            f"{cfg.source}, {cfg.where_set('api_gateway_endpoint_type')}",
            'Remove api_gateway_endpoint_type from this stage (or use "REGIONAL"), or set '
            '"api_gateway_type": "REST".',
        )


def check_rest_routes(routes: Sequence[RouteInfo], *, where: str) -> None:
    """A REST stage refuses what only HTTP APIs have (JWT authorizers, simple responses)."""
    for r in routes:
        if r.authorizer is not None and r.authorizer.kind is AuthorizerKind.JWT:
            _fail(
                f"The JWTAuthorizer `{r.authorizer.name}` exists on HTTP APIs only.",
                f"{where}, route {r.route_key} (view `{r.view_name}`)",
                'Set "api_gateway_type": "HTTP" for this stage, or use a '
                "CognitoUserPoolAuthorizer or an @app.authorizer() function on REST.",
            )
        if r.authorizer is not None and r.authorizer.simple_responses:
            # Refused rather than ignored: a REST authorizer that answers
            # {"isAuthorized": ...} fails every request with a 500.
            _fail(
                f"The authorizer `{r.authorizer.name}` has simple_responses=True, which only "
                "HTTP API Lambda authorizers support; a REST API needs an IAM policy.",
                f"{where}, route {r.route_key} (view `{r.view_name}`)",
                'Set "api_gateway_type": "HTTP" for this stage, or drop simple_responses=True '
                "and return an AuthResponse from the authorizer.",
            )


def validate_http_stage(app: AppSnapshot, config: Config) -> None:
    """Every refusal above for an HTTP stage; a REST stage only refuses JWTAuthorizer."""
    routes = routes_of(app)
    kind = config.api_gateway_type
    where = f"app.py, stage `{config.stage}` (api_gateway_type {kind})"
    if kind != "HTTP":
        check_rest_routes(routes, where=where)
        cfg = config.scope("api_handler")
        for key in ("http_api_access_log", "http_api_throttling"):
            if cfg.lookup(key) is not None:
                _fail(
                    f"`{key}` configures an HTTP API stage, but this stage deploys a REST API.",
                    f"{cfg.source}, {cfg.where_set(key)}",
                    f'Set "api_gateway_type": "HTTP" for this stage, or remove `{key}`.',
                )
        return
    check_http_config(config)
    check_http_routes(routes, where=where)
