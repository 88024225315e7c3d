"""Registry entry types read by the tooling."""

from __future__ import annotations

from chalice.app import BuiltinAuthConfig, LambdaFunction, RouteEntry, ScheduledEventConfig


def _view() -> None:
    return None


def test_route_entry_params_and_equality() -> None:
    entry = RouteEntry(_view, "view", "/a/{x}/b/{y_1}/{proxy+}", "GET")
    assert entry.view_args == ["x", "y_1"]
    assert entry.content_types == ["application/json"]
    assert entry == RouteEntry(_view, "view", "/a/{x}/b/{y_1}/{proxy+}", "GET")
    assert entry != RouteEntry(_view, "view", "/a/{x}/b/{y_1}/{proxy+}", "POST")
    assert "GET /a/{x}" in repr(entry)


def test_builtin_auth_config_defaults() -> None:
    config = BuiltinAuthConfig("auth", "app.auth")
    assert (config.ttl_seconds, config.execution_role, config.header) == (
        None,
        None,
        "Authorization",
    )


def test_handler_reprs() -> None:
    assert repr(LambdaFunction(_view, "fn", "app.fn")) == "PureLambdaConfig('fn', 'app.fn')"
    config = ScheduledEventConfig("tick", "app.tick", "rate(1 hour)", "")
    assert config.schedule_expression == "rate(1 hour)"
