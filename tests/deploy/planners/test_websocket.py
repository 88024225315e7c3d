"""Decisions of the websocket API planner (chalice/deploy/resources/websocket.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, all_in_flight, changed_fields

ROUTES = ("$connect", "$default", "$disconnect")


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def ws(
    w: World, routes: tuple[str, ...] = ROUTES, message: str = "websocket_message"
) -> tuple[Any, ...]:
    connect, msg, disconnect = (
        w.function("websocket_connect"),
        w.function(message),
        w.function("websocket_disconnect"),
    )
    api = models.WebsocketAPI(
        resource_name="websocket_api",
        name="demo-dev-websocket-api",
        api_gateway_stage="api",
        routes=routes,
        connect_function=connect,
        message_function=msg,
        disconnect_function=disconnect,
    )
    return connect, msg, disconnect, api


def api_id(w: World) -> str:
    return str(w.state.get("websocket_api")["websocket_api_id"])  # type: ignore[index]


def test_create_routes_integrations_stage_and_permissions(w: World) -> None:
    steps = w.deploy(*ws(w))
    assert steps[-1].action is Action.CREATE
    the_id = api_id(w)
    v2 = w.aws.apigatewayv2
    assert sorted(r["RouteKey"] for r in v2.routes[the_id].values()) == sorted(ROUTES)
    assert len(v2.integrations[the_id]) == 3
    assert v2.stages[(the_id, "api")]["DeploymentId"]
    assert v2.apis[the_id]["Tags"]["chalice:resource"] == "websocket_api"
    assert len(w.aws.lambda_.policies["demo-dev-websocket_connect"]) == 1
    assert w.state.get("websocket_api") == {
        "name": "websocket_api",
        "resource_type": "websocket_api",
        "websocket_api_url": f"wss://{the_id}.execute-api.us-west-2.amazonaws.com/api/",
        "websocket_api_id": the_id,
    }


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*ws(w))
    w.quiet(*ws(w))


def test_new_handler_repoints_only_its_route_and_redeploys(w: World) -> None:
    w.deploy(*ws(w))
    w.aws.log.clear()
    steps = w.deploy(*ws(w, message="other_message"))
    assert steps[-1].action is Action.UPDATE and "routes" in changed_fields(steps[-1])
    ops = w.aws.log.ops(mutating=True)
    assert ops.count("apigatewayv2:DeleteRoute") == 1 and ops.count("apigatewayv2:CreateRoute") == 1
    assert ops[-2:] == ["apigatewayv2:CreateDeployment", "apigatewayv2:UpdateStage"]
    w.quiet(*ws(w, message="other_message"))


def test_removed_route_is_deleted(w: World) -> None:
    w.deploy(*ws(w))
    steps = w.deploy(*ws(w, routes=("$connect", "$default")))
    assert "routes" in changed_fields(steps[-1])
    keys = {r["RouteKey"] for r in w.aws.apigatewayv2.routes[api_id(w)].values()}
    assert keys == {"$connect", "$default"}
    assert len(w.aws.apigatewayv2.integrations[api_id(w)]) == 2


def test_api_created_before_a_crash_is_adopted_by_tag(w: World) -> None:
    w.deploy(*ws(w))
    the_id = api_id(w)
    w.forget("websocket_api")
    w.quiet(*ws(w))
    assert list(w.aws.apigatewayv2.apis) == [the_id]


def test_delete(w: World) -> None:
    w.deploy(*ws(w))
    w.aws.log.clear()
    w.delete("websocket_api")
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:DeleteApi"]
    assert w.aws.apigatewayv2.apis == {}


def test_an_unchanged_api_is_read_in_one_round_trip(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    w.deploy(*ws(w))
    # Integrations, routes, the stage and the three functions' policies must
    # all be in flight at once: a read made after another answered never
    # fills the barrier.
    all_in_flight(
        monkeypatch,
        6,
        (w.aws.apigatewayv2, ("list_integrations", "list_routes", "get_stage")),
        (w.aws.lambda_, ("get_policy",)),
    )
    w.quiet(*ws(w))
