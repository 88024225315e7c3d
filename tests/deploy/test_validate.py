"""Deploy-time validation of an app with its config (SPEC §3.3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.app import Chalice, CORSConfig
from chalice.config import Config
from chalice.deploy.validate import (
    python_version_warning,
    validate_app,
    validate_feature_flags,
    validate_route_content_types,
    validate_routes,
)
from chalice.errors import ExperimentalFeatureError, ValidationError


def config(tmp_path: Path, **data: Any) -> Config:
    return Config.from_dict({"version": "2.0", "app_name": "demo", **data}, project_dir=tmp_path)


def simple_app() -> Chalice:
    app = Chalice(app_name="demo")

    @app.route("/")
    def index() -> dict[str, str]:
        return {}

    return app


def test_valid_app_has_no_errors(tmp_path: Path) -> None:
    warnings = validate_app(simple_app(), config(tmp_path))
    assert all("python" in w.lower() for w in warnings)


def test_trailing_slash(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")

    @app.route("/users/")
    def users() -> None:
        pass

    with pytest.raises(ValidationError) as info:
        validate_app(app, config(tmp_path))
    assert "'/users/'" in str(info.value) and "'/users'" in str(info.value)


def test_empty_route_path() -> None:
    app = Chalice(app_name="demo")

    @app.route("")
    def root() -> None:
        pass

    with pytest.raises(ValidationError, match="empty string"):
        validate_routes(app)


def test_cors_and_options() -> None:
    app = Chalice(app_name="demo")

    @app.route("/a", methods=["GET"], cors=True)
    def get_a() -> None:
        pass

    @app.route("/a", methods=["OPTIONS"])
    def options_a() -> None:
        pass

    with pytest.raises(ValidationError, match="OPTIONS"):
        validate_routes(app)


def test_cors_configs_differ() -> None:
    app = Chalice(app_name="demo")

    @app.route("/a", methods=["GET"], cors=CORSConfig(allow_origin="https://a"))
    def get_a() -> None:
        pass

    @app.route("/a", methods=["POST"], cors=CORSConfig(allow_origin="https://b"))
    def post_a() -> None:
        pass

    with pytest.raises(ValidationError, match="CORS configuration"):
        validate_routes(app)


def test_same_cors_configs_ok() -> None:
    app = Chalice(app_name="demo")

    @app.route("/a", methods=["GET", "POST"], cors=True)
    def a() -> None:
        pass

    validate_routes(app)


def test_mixed_content_types() -> None:
    app = Chalice(app_name="demo")

    @app.route(
        "/up", methods=["POST"], content_types=["application/json", "application/octet-stream"]
    )
    def up() -> None:
        pass

    with pytest.raises(ValidationError, match="mix binary"):
        validate_route_content_types(app)


def test_duplicate_names(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")

    @app.lambda_function(name="same")
    def one(event: Any, context: Any) -> None:
        pass

    @app.on_sns_message(topic="t", name="same")
    def two(event: Any) -> None:
        pass

    with pytest.raises(ValidationError, match="Duplicate function name 'same'"):
        validate_app(app, config(tmp_path))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"api_gateway_endpoint_vpce": "vpce-1"}, "only allowed with a PRIVATE"),
        ({"api_gateway_endpoint_type": "PRIVATE"}, "needs a resource policy"),
        (
            {
                "api_gateway_endpoint_type": "PRIVATE",
                "api_gateway_endpoint_vpce": "v",
                "api_gateway_policy_file": "p.json",
            },
            "only one of",
        ),
        (
            {
                "api_gateway_endpoint_type": "PRIVATE",
                "api_gateway_endpoint_vpce": "v",
                "api_gateway_custom_domain": {"domain_name": "d", "certificate_arn": "c"},
            },
            "custom_domain is not supported",
        ),
        ({"manage_iam_role": False}, "iam_role_arn"),
        (
            {"lambda_functions": {"api_handler": {"subnet_ids": ["s"]}}},
            "both subnet_ids and security_group_ids",
        ),
    ],
)
def test_config_rules(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        validate_app(simple_app(), config(tmp_path, **data))
    assert "how to fix" in str(info.value)


def test_private_with_vpce_ok(tmp_path: Path) -> None:
    validate_app(
        simple_app(),
        config(tmp_path, api_gateway_endpoint_type="PRIVATE", api_gateway_endpoint_vpce="v"),
    )


def test_sqs_queue_rules(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")

    @app.on_sqs_message(queue="https://sqs.us-west-2.amazonaws.com/1/q")
    def handler(event: Any) -> None:
        pass

    with pytest.raises(ValidationError, match="queue_arn='arn:aws:sqs"):
        validate_app(app, config(tmp_path))

    app2 = Chalice(app_name="demo")

    @app2.on_sqs_message(queue_arn="q")
    def handler2(event: Any) -> None:
        pass

    with pytest.raises(ValidationError, match="not an ARN"):
        validate_app(app2, config(tmp_path))


def test_function_name_too_long(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")

    @app.lambda_function(name="x" * 60)
    def fn(event: Any, context: Any) -> None:
        pass

    with pytest.raises(ValidationError, match="at most 64"):
        validate_app(app, config(tmp_path))


def test_experimental_flags(tmp_path: Path) -> None:
    app = Chalice(app_name="demo")

    @app.on_ws_connect()
    def connect(event: Any) -> None:
        pass

    with pytest.raises(ExperimentalFeatureError, match="WEBSOCKETS"):
        validate_app(app, config(tmp_path))
    app.experimental_feature_flags.add("WEBSOCKETS")
    validate_app(app, config(tmp_path))


def test_unknown_function_section_warns(tmp_path: Path) -> None:
    warnings = validate_app(
        simple_app(), config(tmp_path, lambda_functions={"api_handlr": {"lambda_timeout": 5}})
    )
    assert any("'api_handlr'" in w and "Did you mean `api_handler`?" in w for w in warnings)


def test_python_version_warning() -> None:
    assert python_version_warning((3, 12)) is None
    warning = python_version_warning((3, 9))
    assert warning is not None and "python3.9" in warning and "python3.10" in warning
    assert python_version_warning((3, 15)) is not None


def test_config_warnings_are_returned(tmp_path: Path) -> None:
    cfg = Config.from_dict({"app_name": "demo", "lamda_timeout": 3}, project_dir=tmp_path)
    warnings = validate_app(simple_app(), cfg)
    assert any("Did you mean `lambda_timeout`?" in w for w in warnings)


def test_config_warnings_not_repeated_when_already_reported(tmp_path: Path) -> None:
    seen: list[str] = []
    cfg = Config.from_dict(
        {"app_name": "demo", "lamda_timeout": 3}, project_dir=tmp_path, warn=seen.append
    )
    assert len(seen) == 1
    assert not any("lamda_timeout" in w for w in validate_app(simple_app(), cfg.scope("x")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"environment_variables": {"AWS_REGION": "us-east-1"}}, "reserves: AWS_REGION"),
        ({"environment_variables": {"BIG": "x" * 5000}}, "allows 4096"),
        ({"tags": {"aws:owner": "me"}}, "reserved `aws:` prefix"),
        ({"automatic_layer": True, "layers": ["a", "b", "c", "d", "e"]}, "6 layers"),
    ],
)
def test_lambda_limits(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_app(simple_app(), config(tmp_path, **data))


def test_five_layers_ok(tmp_path: Path) -> None:
    validate_app(simple_app(), config(tmp_path, layers=["a", "b", "c", "d", "e"]))


def test_validate_app_takes_a_snapshot(tmp_path: Path) -> None:
    from chalice.app import snapshot

    app = simple_app()
    assert validate_app(snapshot(app), config(tmp_path)) == validate_app(app, config(tmp_path))


def test_mixed_content_types_message_lists_the_types() -> None:
    from chalice.app import snapshot

    app = Chalice(app_name="demo")

    @app.route("/up", methods=["POST"], content_types=["application/json", "image/png"])
    def up() -> None:
        pass

    with pytest.raises(ValidationError) as info:
        validate_route_content_types(snapshot(app))
    assert "the content_types ['application/json', 'image/png'] mix binary" in str(info.value)
    # Explicit binary types win over the app's.
    validate_route_content_types(app, ["text/plain"])


def test_routes_looked_up_at_runtime_are_not_validated() -> None:
    app = Chalice(app_name="demo")
    app.routes[""]  # noqa: B018 - an unknown path lookup leaves an empty entry
    validate_routes(app)


def test_feature_flags_from_the_snapshot() -> None:
    from chalice.app import snapshot

    app = Chalice(app_name="demo")

    @app.on_ws_connect()
    def conn(event: Any) -> None:
        pass

    with pytest.raises(ExperimentalFeatureError, match="WEBSOCKETS"):
        validate_feature_flags(snapshot(app))
    app.experimental_feature_flags.add("WEBSOCKETS")
    validate_feature_flags(snapshot(app))
