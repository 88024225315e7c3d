"""The HTTP API side of the graph: routes become an ``HttpApi`` model, and
``function_url`` config sections become ``FunctionUrl`` models.

``graph.py`` calls ``http_api_resources`` instead of building a ``RestAPI``
when the stage says ``"api_gateway_type": "HTTP"``, and ``function_urls``
for every function it built. Both are functions of plain inputs (a list of
``RouteInfo``, the config, a callable that returns the ``LambdaFunction`` of
a handler) so that the graph can feed them from any source. Pure: no disk,
no AWS.

Authorizers map to what HTTP APIs have:

* ``IAMAuthorizer`` -> route ``AuthorizationType: AWS_IAM`` (no authorizer);
* ``CognitoUserPoolAuthorizer`` -> a JWT authorizer whose issuer is
  ``https://cognito-idp.<region>.amazonaws.com/<pool id>`` (from the first
  provider ARN) and whose audience is its ``app_client_ids``;
* ``JWTAuthorizer`` -> a JWT authorizer (any OpenID Connect issuer);
* ``@app.authorizer()`` -> a Lambda ``REQUEST`` authorizer, payload format
  2.0, IAM-policy responses (what ``AuthResponse`` returns) unless it says
  ``simple_responses=True`` (then ``EnableSimpleResponses``), its
  ``ttl_seconds`` as the cache TTL (300 when unset, as on REST) and its
  ``header`` as the identity source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from chalice.app._snapshot import AuthorizerKind, AuthorizerSpec
from chalice.config import Config
from chalice.deploy import models
from chalice.deploy.validate_http import RouteInfo, check_http_routes, routes_of

HTTP_API = "http_api"
DEFAULT_AUTHORIZER_TTL = 300

FunctionFor = Callable[[str], models.LambdaFunction]

__all__ = ["RouteInfo", "cognito_issuer", "function_urls", "http_api_resources", "routes_of"]


def cognito_issuer(pool_arn: str) -> str:
    """``arn:aws:cognito-idp:us-west-2:1:userpool/us-west-2_X`` -> the pool's issuer URL."""
    region = pool_arn.split(":")[3]
    pool_id = pool_arn.rsplit("/", 1)[-1]
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def _header(header: str) -> tuple[str, ...]:
    return (f"$request.header.{header}",)


def _authorizer(
    auth: AuthorizerSpec, function_for: FunctionFor
) -> tuple[models.HttpApiAuthorizer | None, models.LambdaFunction | None]:
    """The HTTP API authorizer of a route's authorizer (and its function)."""
    if auth.kind is AuthorizerKind.COGNITO:
        return (
            models.HttpApiAuthorizer(
                name=auth.name,
                kind=models.HttpAuthorizerKind.JWT,
                identity_source=_header(auth.header),
                issuer=cognito_issuer(auth.provider_arns[0]),
                audience=auth.audience,
            ),
            None,
        )
    if auth.kind is AuthorizerKind.JWT:
        return (
            models.HttpApiAuthorizer(
                name=auth.name,
                kind=models.HttpAuthorizerKind.JWT,
                identity_source=_header(auth.header),
                issuer=auth.issuer,
                audience=auth.audience,
            ),
            None,
        )
    if auth.kind is AuthorizerKind.BUILTIN:
        fn = function_for(auth.name)
        ttl = DEFAULT_AUTHORIZER_TTL if auth.ttl_seconds is None else int(auth.ttl_seconds)
        return (
            models.HttpApiAuthorizer(
                name=auth.name,
                kind=models.HttpAuthorizerKind.LAMBDA,
                identity_source=_header(auth.header),
                function=fn.resource_name,
                function_name=fn.function_name,
                ttl_seconds=ttl,
                simple_responses=auth.simple_responses,
                invoke_role_arn=auth.execution_role,
            ),
            fn,
        )
    return None, None  # IAMAuthorizer: a route setting, no authorizer resource


def _cors(routes: Sequence[RouteInfo]) -> models.CorsSettings | None:
    cors = next((r.cors for r in routes if r.cors is not None), None)
    if cors is None:
        return None
    return models.CorsSettings(
        allow_origins=(cors.allow_origin,),
        allow_methods=tuple(sorted({r.method for r in routes} | {"OPTIONS"})),
        allow_headers=tuple(sorted(cors.allow_headers)),
        expose_headers=tuple(cors.expose_headers or ()),
        max_age=cors.max_age,
        allow_credentials=cors.allow_credentials,
    )


def http_api_resources(
    config: Config, routes: Sequence[RouteInfo], function_for: FunctionFor
) -> list[models.Resource]:
    """The Lambda authorizer functions, then the ``HttpApi`` serving ``routes``.

    ``function_for(name)`` returns the (shared) ``LambdaFunction`` model of
    the app's function ``name``; ``config`` is the stage's. The stage is
    ``api_gateway_stage`` (default ``api``, as REST; ``$default`` serves at
    the root of the API's URL).
    """
    check_http_routes(routes, where=f"app.py, stage `{config.stage}` (api_gateway_type HTTP)")
    handler = function_for("api_handler")
    authorizers: dict[str, models.HttpApiAuthorizer] = {}
    functions: list[models.Resource] = []
    api_routes: list[models.HttpApiRoute] = []
    for r in routes:
        auth, fn = _authorizer(r.authorizer, function_for) if r.authorizer else (None, None)
        if fn is not None and all(f is not fn for f in functions):
            functions.append(fn)
        if auth is not None:
            authorizers.setdefault(auth.name, auth)
            api_routes.append(
                models.HttpApiRoute(
                    route_key=r.route_key,
                    authorization=auth.kind,
                    authorizer=auth.name,
                    scopes=r.authorizer.scopes if r.authorizer else (),
                )
            )
        elif r.authorizer is not None and r.authorizer.kind is AuthorizerKind.IAM:
            api_routes.append(
                models.HttpApiRoute(r.route_key, authorization=models.HttpAuthorizerKind.IAM)
            )
        else:
            api_routes.append(models.HttpApiRoute(r.route_key))
    cfg = config.scope("api_handler")
    api = models.HttpApi(
        resource_name=HTTP_API,
        name=f"{config.app_name}-{config.stage}-http-api",
        api_gateway_stage=cfg.api_gateway_stage,
        routes=tuple(api_routes),
        lambda_function=handler,
        authorizers=tuple(authorizers.values()),
        cors=_cors(routes),
        domain_name=_domain(cfg.api_gateway_custom_domain, cfg.api_gateway_stage),
        stage_settings=_stage_settings(cfg),
    )
    return [*functions, api]


def _stage_settings(cfg: Config) -> models.HttpStageSettings:
    """``http_api_access_log`` and ``http_api_throttling`` as the stage's settings."""
    log = cfg.http_api_access_log or {}
    throttling = cfg.http_api_throttling or {}
    burst = throttling.get("burst_limit")
    rate = throttling.get("rate_limit")
    return models.HttpStageSettings(
        access_log_destination=log.get("destination_arn"),
        access_log_format=log.get("format") or models.DEFAULT_HTTP_ACCESS_LOG_FORMAT,
        throttling_burst_limit=None if burst is None else int(burst),
        throttling_rate_limit=None if rate is None else float(rate),
    )


def _domain(domain: dict[str, Any] | None, stage: str) -> models.DomainName | None:
    """``api_gateway_custom_domain`` as a regional v2 domain mapped to the HTTP API."""
    if domain is None:
        return None
    from chalice.deploy.graph import mount_path  # graph imports this module

    tags = domain.get("tags")
    return models.DomainName(
        resource_name="http_api_custom_domain",
        domain_name=domain["domain_name"],
        protocol=models.APIType.HTTP_API,
        certificate_arn=domain["certificate_arn"],
        api_mapping=models.APIMapping(
            resource_name="api_mapping",
            mount_path=mount_path(domain.get("url_prefix")),
            api_gateway_stage=stage,
        ),
        tls_version=models.TLSVersion(domain.get("tls_version") or "TLS_1_2"),
        tags=dict(tags) if tags is not None else None,
        endpoint_type="REGIONAL",
    )


def _url_cors(section: dict[str, Any]) -> models.CorsSettings | None:
    cors = section.get("cors")
    if cors is None:
        return None
    return models.CorsSettings(
        allow_origins=tuple(cors.get("allow_origins") or ()),
        allow_methods=tuple(cors.get("allow_methods") or ()),
        allow_headers=tuple(cors.get("allow_headers") or ()),
        expose_headers=tuple(cors.get("expose_headers") or ()),
        max_age=cors.get("max_age"),
        allow_credentials=cors.get("allow_credentials"),
    )


def function_urls(
    functions: Iterable[models.LambdaFunction], config: Config
) -> list[models.FunctionUrl]:
    """A ``FunctionUrl`` for every function whose config section has ``function_url``."""
    out: list[models.FunctionUrl] = []
    for fn in functions:
        section = config.scope(fn.resource_name).function_url
        if section is None:
            continue
        out.append(
            models.FunctionUrl(
                resource_name=f"{fn.resource_name}-function-url",
                auth_type=str(section["auth_type"]),
                lambda_function=fn,
                cors=_url_cors(section),
            )
        )
    return out
