"""Decisions of the custom domain planner (chalice/deploy/resources/domain.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, changed_fields
from tests.deploy.planners.test_apigateway import api, api_id
from tests.deploy.planners.test_websocket import ws

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
CERT2 = "arn:aws:acm:us-east-1:123456789012:certificate/new"


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def rest_domain(**kw: Any) -> models.DomainName:
    domain = models.DomainName(
        resource_name="api_gateway_custom_domain",
        domain_name="api.example.com",
        protocol=models.APIType.HTTP,
        certificate_arn=CERT,
        api_mapping=models.APIMapping("api_mapping", "(none)", "api"),
    )
    return attrs.evolve(domain, **kw)


def ws_domain(**kw: Any) -> models.DomainName:
    domain = models.DomainName(
        resource_name="websocket_api_custom_domain",
        domain_name="ws.example.com",
        protocol=models.APIType.WEBSOCKET,
        certificate_arn=CERT,
        api_mapping=models.APIMapping("api_mapping", "chat", "api"),
        endpoint_type="REGIONAL",
    )
    return attrs.evolve(domain, **kw)


def test_create_rest_domain_and_its_mapping(w: World) -> None:
    steps = w.deploy(*api(w), rest_domain())
    assert steps[-1].action is Action.CREATE
    assert w.aws.apigateway.base_paths["api.example.com"] == [
        {"basePath": "(none)", "restApiId": api_id(w), "stage": "api"}
    ]
    entry = w.state.get("api_gateway_custom_domain")
    assert entry is not None
    assert entry["hosted_zone_id"] == "Z2FDTNDATAQYW2"
    assert entry["alias_domain_name"].endswith(".cloudfront.net")
    assert entry["api_mapping"] == [{"key": "/"}]
    assert entry["certificate_arn"] == CERT and entry["domain_name"] == "api.example.com"


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*api(w), rest_domain())
    w.quiet(*api(w), rest_domain())


def test_certificate_change_patches_the_domain(w: World) -> None:
    w.deploy(*api(w), rest_domain())
    w.aws.log.clear()
    steps = w.deploy(*api(w), rest_domain(certificate_arn=CERT2))
    assert changed_fields(steps[-1]) == {"certificate_arn"}
    assert w.aws.log.ops(mutating=True) == ["apigateway:UpdateDomainName"]
    w.quiet(*api(w), rest_domain(certificate_arn=CERT2))


def test_mount_path_change_replaces_the_mapping(w: World) -> None:
    w.deploy(*api(w), rest_domain())
    moved = rest_domain(api_mapping=models.APIMapping("api_mapping", "v1", "api"))
    w.aws.log.clear()
    steps = w.deploy(*api(w), moved)
    assert changed_fields(steps[-1]) == {"api_mapping"}
    assert w.aws.log.ops(mutating=True) == [
        "apigateway:DeleteBasePathMapping",
        "apigateway:CreateBasePathMapping",
    ]
    assert w.aws.apigateway.base_paths["api.example.com"][0]["basePath"] == "v1"
    w.quiet(*api(w), moved)


def test_renamed_domain_replaces_the_old_one(w: World) -> None:
    w.deploy(*api(w), rest_domain())
    steps = w.deploy(*api(w), rest_domain(domain_name="www.example.com"))
    assert steps[-1].action is Action.UPDATE and changed_fields(steps[-1]) == {"domain_name"}
    assert list(w.aws.apigateway.domains) == ["www.example.com"]


def test_websocket_domain(w: World) -> None:
    steps = w.deploy(*ws(w), ws_domain())
    assert steps[-1].action is Action.CREATE
    [mapping] = w.aws.apigatewayv2.api_mappings["ws.example.com"]
    assert mapping["ApiMappingKey"] == "chat" and mapping["Stage"] == "api"
    entry = w.state.get("websocket_api_custom_domain")
    assert entry is not None and entry["api_mapping"] == [{"key": "/chat"}]
    w.quiet(*ws(w), ws_domain())
    w.aws.log.clear()
    w.delete("websocket_api_custom_domain")
    assert w.aws.log.ops(mutating=True) == ["apigatewayv2:DeleteDomainName"]


def test_delete_rest_domain(w: World) -> None:
    w.deploy(*api(w), rest_domain())
    w.aws.log.clear()
    w.delete("api_gateway_custom_domain")
    assert w.aws.log.ops(mutating=True) == ["apigateway:DeleteDomainName"]
    assert w.aws.apigateway.domains == {}
