"""The HTTP API side of the graph, its validation refusals and its config keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice import Chalice
from chalice.app import (
    CognitoUserPoolAuthorizer,
    CORSConfig,
    CustomAuthorizer,
    IAMAuthorizer,
    JWTAuthorizer,
)
from chalice.config import Config
from chalice.deploy import models
from chalice.deploy.graph import build_application
from chalice.deploy.graph_http import cognito_issuer
from chalice.deploy.validate import validate_app
from chalice.errors import ConfigError, ValidationError

POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC"
KINDS = models.HttpAuthorizerKind


def _config(tmp_path: Path, stage: dict[str, Any] | None = None, **top: Any) -> Config:
    data = {"version": "2.0", "app_name": "demo", "stages": {"dev": stage or {}}, **top}
    return Config.from_dict(data, project_dir=tmp_path)


def _http(tmp_path: Path, **stage: Any) -> Config:
    return _config(tmp_path, {"api_gateway_type": "HTTP", **stage})


def _built(app: Chalice, config: Config) -> list[models.RecordedResource]:
    validate_app(app, config)
    return models.dependency_order(build_application(app, config))


def _api(resources: list[models.RecordedResource]) -> models.HttpApi:
    return next(r for r in resources if isinstance(r, models.HttpApi))


def test_rest_stays_the_default(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/")(lambda: {})
    built = _built(app, _config(tmp_path))
    assert any(isinstance(r, models.RestAPI) for r in built)
    assert not any(isinstance(r, models.HttpApi) for r in built)


def test_an_http_stage_builds_an_http_api_with_every_authorizer_kind(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.api.cors = CORSConfig(allow_origin="https://example.com", max_age=60)

    @app.authorizer(ttl_seconds=30, header="X-Token")
    def auth(request: Any) -> Any:
        return None

    cognito = CognitoUserPoolAuthorizer("pool", [POOL], app_client_ids=["c1", "c2"])
    jwt = JWTAuthorizer("oidc", issuer="https://id.example.com", audience=["api"])
    app.route("/")(lambda: {})
    app.route("/a", methods=["PUT"], authorizer=auth)(lambda: {})
    app.route("/b/{x}", authorizer=cognito.with_scopes(["read"]))(lambda x: {})
    app.route("/c", authorizer=jwt)(lambda: {})
    app.route("/d", methods=["POST"], authorizer=IAMAuthorizer())(lambda: {})

    built = _built(app, _http(tmp_path))
    api = _api(built)
    assert [type(r).__name__ for r in built][-3:] == ["LambdaFunction", "LambdaFunction", "HttpApi"]
    assert api.name == "demo-dev-http-api"
    assert api.api_gateway_stage == "api"
    assert api.lambda_function.function_name == "demo-dev"
    routes = {r.route_key: r for r in api.routes}
    assert routes["GET /"] == models.HttpApiRoute("GET /")
    assert routes["PUT /a"] == models.HttpApiRoute("PUT /a", KINDS.LAMBDA, "auth")
    assert routes["GET /b/{x}"] == models.HttpApiRoute("GET /b/{x}", KINDS.JWT, "pool", ("read",))
    assert routes["GET /c"].authorizer == "oidc"
    assert routes["POST /d"] == models.HttpApiRoute("POST /d", KINDS.IAM)
    authorizers = {a.name: a for a in api.authorizers}
    assert authorizers["pool"].issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"
    assert authorizers["pool"].audience == ("c1", "c2")
    assert authorizers["oidc"].issuer == "https://id.example.com"
    lam = authorizers["auth"]
    assert (lam.kind, lam.function, lam.function_name) == (KINDS.LAMBDA, "auth", "demo-dev-auth")
    assert lam.identity_source == ("$request.header.X-Token",)
    assert lam.ttl_seconds == 30
    assert lam.simple_responses is False  # IAM policies unless asked
    assert api.cors is not None
    assert api.cors.allow_origins == ("https://example.com",)
    assert api.cors.allow_methods == ("GET", "OPTIONS", "POST", "PUT")
    assert api.cors.max_age == 60


def test_the_stage_name_comes_from_api_gateway_stage(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/")(lambda: {})
    api = _api(_built(app, _http(tmp_path, api_gateway_stage="$default")))
    assert api.api_gateway_stage == "$default"


def test_a_custom_domain_maps_to_the_http_api(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/")(lambda: {})
    domain = {
        "domain_name": "api.example.com",
        "certificate_arn": "arn:aws:acm:x",
        "url_prefix": "v1",
    }
    api = _api(_built(app, _http(tmp_path, api_gateway_custom_domain=domain)))
    assert api.domain_name is not None
    assert api.domain_name.resource_name == "http_api_custom_domain"
    assert api.domain_name.protocol is models.APIType.HTTP_API
    assert api.domain_name.endpoint_type == "REGIONAL"
    assert api.domain_name.api_mapping.mount_path == "v1"
    assert api.domain_name.api_mapping.api_gateway_stage == "api"


def test_access_log_and_throttling_from_config(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/")(lambda: {})
    arn = "arn:aws:logs:us-west-2:123456789012:log-group:access"
    config = _http(
        tmp_path,
        http_api_access_log={"destination_arn": arn, "format": "$context.requestId"},
        http_api_throttling={"burst_limit": 10, "rate_limit": 5},
    )
    settings = _api(_built(app, config)).stage_settings
    assert settings == models.HttpStageSettings(
        access_log_destination=arn,
        access_log_format="$context.requestId",
        throttling_burst_limit=10,
        throttling_rate_limit=5.0,
    )
    assert _api(_built(app, _http(tmp_path))).stage_settings == models.HttpStageSettings()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("http_api_access_log", {}, "needs `destination_arn`"),
        ("http_api_access_log", {"destination_arn": "my-group"}, "log group ARN"),
        ("http_api_throttling", {"burst_limit": 1}, "needs `rate_limit`"),
        ("http_api_throttling", {"burst_limit": -1, "rate_limit": 1}, "a number of 0 or more"),
        ("http_api_throttling", {"burst": 1, "rate_limit": 1}, "needs `burst_limit`"),
        ("http_api_throttling", {"burst_limit": 1, "rate_limit": 1, "x": 1}, "Unknown field"),
    ],
)
def test_stage_settings_checks(tmp_path: Path, key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _config(tmp_path, {key: value})


def test_cognito_issuer() -> None:
    assert cognito_issuer(POOL) == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"


def test_function_urls_from_config(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/")(lambda: {})
    app.lambda_function(name="worker")(lambda e, c: {})
    config = _config(
        tmp_path,
        {
            "lambda_functions": {
                "api_handler": {"function_url": {"auth_type": "AWS_IAM"}},
                "worker": {
                    "function_url": {
                        "auth_type": "NONE",
                        "cors": {"allow_origins": ["*"], "max_age": 10},
                    }
                },
            }
        },
    )
    urls = {r.resource_name: r for r in _built(app, config) if isinstance(r, models.FunctionUrl)}
    assert set(urls) == {"api_handler-function-url", "worker-function-url"}
    assert urls["api_handler-function-url"].auth_type == "AWS_IAM"
    assert urls["api_handler-function-url"].lambda_function.function_name == "demo-dev"
    assert urls["worker-function-url"].cors == models.CorsSettings(allow_origins=("*",), max_age=10)


# -- refusals -----------------------------------------------------------------------


def _refused(tmp_path: Path, app: Chalice, config: Config | None = None) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_app(app, config or _http(tmp_path))
    return info.value


def test_api_keys_are_refused(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/keyed", api_key_required=True)(lambda: {})
    text = str(_refused(tmp_path, app))
    assert "HTTP APIs have no API keys" in text
    assert "route GET /keyed" in text
    assert "api_key_required" in text and '"api_gateway_type": "REST"' in text


def test_cors_that_differs_between_routes_is_refused(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/a", cors=True)(lambda: {})
    app.route("/b", cors=CORSConfig(allow_origin="https://x.example.com"))(lambda: {})
    text = str(_refused(tmp_path, app))
    assert "one CORS configuration" in text and "app.api.cors" in text


def test_cors_on_some_routes_only_is_refused(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/a", cors=True)(lambda: {})
    app.route("/b")(lambda: {})
    assert "route GET /b" in str(_refused(tmp_path, app))


def test_custom_authorizer_and_cognito_without_clients_are_refused(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    custom = CustomAuthorizer("ext", authorizer_uri="arn:aws:apigateway:x")
    app.route("/a", authorizer=custom)(lambda: {})
    assert "REST TOKEN authorizer" in str(_refused(tmp_path, app))
    app = Chalice(app_name="demo")
    app.route("/a", authorizer=CognitoUserPoolAuthorizer("pool", [POOL]))(lambda: {})
    assert "app_client_ids" in str(_refused(tmp_path, app))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("api_gateway_policy_file", "policy.json"),
        ("minimum_compression_size", 100),
        ("api_gateway_endpoint_type", "EDGE"),
    ],
)
def test_rest_only_settings_are_refused(tmp_path: Path, key: str, value: Any) -> None:
    app = Chalice(app_name="demo")
    app.route("/")(lambda: {})
    text = str(_refused(tmp_path, app, _http(tmp_path, **{key: value})))
    assert f"stages.dev.{key}" in text
    assert "HTTP" in text


def test_a_rest_stage_refuses_http_stage_settings(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    app.route("/")(lambda: {})
    config = _config(tmp_path, {"http_api_throttling": {"burst_limit": 1, "rate_limit": 1}})
    text = str(_refused(tmp_path, app, config))
    assert "stages.dev.http_api_throttling" in text and "REST API" in text


def test_a_rest_stage_refuses_a_jwt_authorizer(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")
    jwt = JWTAuthorizer("oidc", issuer="https://id.example.com", audience=["api"])
    app.route("/", authorizer=jwt)(lambda: {})
    text = str(_refused(tmp_path, app, _config(tmp_path)))
    assert "HTTP APIs only" in text and '"api_gateway_type": "HTTP"' in text


def _simple_app() -> Chalice:
    app = Chalice(app_name="demo")

    @app.authorizer(simple_responses=True)
    def auth(request: Any) -> Any:
        return True

    app.route("/", authorizer=auth)(lambda: {})
    return app


def test_simple_responses_reach_the_http_api_authorizer(tmp_path: Path) -> None:
    lam = _api(_built(_simple_app(), _http(tmp_path))).authorizers[0]
    assert (lam.kind, lam.simple_responses) == (KINDS.LAMBDA, True)


def test_a_rest_stage_refuses_simple_responses(tmp_path: Path) -> None:
    text = str(_refused(tmp_path, _simple_app(), _config(tmp_path)))
    assert "simple_responses=True" in text and "route GET /" in text
    assert '"api_gateway_type": "HTTP"' in text and "AuthResponse" in text


def test_an_unused_simple_responses_authorizer_is_not_refused_on_rest(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")

    @app.authorizer(simple_responses=True)
    def auth(request: Any) -> Any:
        return True

    app.route("/")(lambda: {})
    assert any(isinstance(r, models.RestAPI) for r in _built(app, _config(tmp_path)))


# -- config keys -------------------------------------------------------------------


def test_api_gateway_type_values(tmp_path: Path) -> None:
    assert _config(tmp_path).api_gateway_type == "REST"
    assert _config(tmp_path, api_gateway_type="HTTP").api_gateway_type == "HTTP"
    assert _config(tmp_path, {"api_gateway_type": "HTTP"}).api_gateway_type == "HTTP"
    with pytest.raises(ConfigError, match="Did you mean `HTTP`"):
        _config(tmp_path, {"api_gateway_type": "http"})


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"auth_type": "PUBLIC"}, "needs `auth_type` NONE or AWS_IAM"),
        ({}, "needs `auth_type` NONE or AWS_IAM"),
        ({"auth_type": "NONE", "cors": []}, "must be an object"),
        ({"auth_type": "NONE", "cors": {"allow_origin": ["*"]}}, "Did you mean `allow_origins`"),
        ({"auth_type": "NONE", "cors": {"max_age": 100000}}, "from 0 to 86400"),
        ({"auth_type": "NONE", "cors": {"allow_methods": "GET"}}, "a list of strings"),
    ],
)
def test_function_url_checks(tmp_path: Path, section: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        _config(tmp_path, {"lambda_functions": {"f": {"function_url": section}}})
    assert "stages.dev.lambda_functions.f.function_url" in str(info.value)


def test_function_url_is_read_from_function_sections_only(tmp_path: Path) -> None:
    config = _config(tmp_path, function_url={"auth_type": "NONE"})
    assert any("function_url" in w for w in config.warnings)
    assert config.scope("f").function_url is None
    top = _config(tmp_path, lambda_functions={"f": {"function_url": {"auth_type": "NONE"}}})
    assert top.scope("f").function_url == {"auth_type": "NONE"}


def test_cors_view_ignores_case_order_and_unset_values() -> None:
    mine = models.CorsSettings(
        allow_origins=("https://b", "https://a"),
        allow_methods=("get", "POST"),
        allow_headers=("X-Token", "Content-Type"),
    ).to_aws()
    answered = {
        "AllowOrigins": ["https://a", "https://b"],
        "AllowMethods": ["POST", "GET"],
        "AllowHeaders": ["content-type", "x-token"],
        "ExposeHeaders": [],
    }
    assert models.cors_view(mine) == models.cors_view(answered)
    assert models.cors_view({}) is None and models.cors_view(None) is None
