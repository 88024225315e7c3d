"""State file: schema 2.0 keys/format, atomic save, legacy migration."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chalice.deploy.state import (
    DeployedState,
    legacy_path,
    load_state,
    save_state,
    state_path,
)
from chalice.errors import StateError


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_missing_state_is_empty(tmp_path: Path) -> None:
    state = load_state(tmp_path, "dev")
    assert state.resources == () and state.migrated_from is None


def test_round_trip_and_exact_format(tmp_path: Path) -> None:
    state = DeployedState.empty().with_resource(
        "default-role", "iam_role", {"role_name": "a-dev", "role_arn": "arn:aws:iam::1:role/a-dev"}
    )
    path = save_state(tmp_path, "dev", state)
    assert path == tmp_path / ".chalice" / "deployed" / "dev.json"
    text = path.read_text()
    assert text.endswith("}\n")
    assert (
        text
        == json.dumps(
            {
                "resources": [
                    {
                        "name": "default-role",
                        "resource_type": "iam_role",
                        "role_name": "a-dev",
                        "role_arn": "arn:aws:iam::1:role/a-dev",
                    }
                ],
                "schema_version": "2.0",
                "backend": "api",
            },
            indent=2,
            separators=(",", ": "),
        )
        + "\n"
    )
    assert load_state(tmp_path, "dev").resources == state.resources
    # No temp files left behind.
    assert os.listdir(path.parent) == ["dev.json"]


def test_resource_values_and_api_mapping_names() -> None:
    state = DeployedState.empty().with_resource(
        "api_gateway_custom_domain", "domain_name", {"domain_name": "x.com", "api_mapping": []}
    )
    assert (
        state.resource_values("api_gateway_custom_domain.api_mapping./")["domain_name"] == "x.com"
    )
    with pytest.raises(ValueError):
        state.resource_values("nope")


def test_with_resource_keeps_plan_order_regardless_of_finish_order() -> None:
    order = ("a", "b", "c")
    state = DeployedState.empty()
    for name in ("c", "a", "b"):
        state = state.with_resource(name, "lambda_function", {"lambda_arn": name}, order=order)
    assert state.resource_names() == ["a", "b", "c"]
    state = state.with_resource("b", "lambda_function", {"lambda_arn": "new"}, order=order)
    assert state.get("b") == {"name": "b", "resource_type": "lambda_function", "lambda_arn": "new"}
    assert state.without("b").resource_names() == ["a", "c"]


def test_missing_schema_version_is_1_0_and_rejected(tmp_path: Path) -> None:
    _write(state_path(tmp_path, "dev"), {"resources": []})
    with pytest.raises(StateError, match=r"Unsupported schema version \(1.0\)"):
        load_state(tmp_path, "dev")


def test_corrupt_state_is_a_user_error(tmp_path: Path) -> None:
    state_path(tmp_path, "dev").parent.mkdir(parents=True)
    state_path(tmp_path, "dev").write_text("{not json")
    with pytest.raises(StateError) as err:
        load_state(tmp_path, "dev")
    assert "dev.json" in str(err.value)


def test_legacy_migration(tmp_path: Path) -> None:
    legacy = {
        "dev": {
            "region": "us-west-2",
            "api_handler_name": "myapp-dev",
            "api_handler_arn": "arn:aws:lambda:us-west-2:1:function:myapp-dev",
            "rest_api_id": "abc123",
            "lambda_functions": {
                "myapp-dev-foo": {
                    "type": "pure_lambda",
                    "arn": "arn:aws:lambda:us-west-2:1:function:myapp-dev-foo",
                },
            },
            "chalice_version": "1.1.0",
            "api_gateway_stage": "api",
            "backend": "api",
        }
    }
    _write(legacy_path(tmp_path), legacy)
    before = legacy_path(tmp_path).read_text()
    state = load_state(tmp_path, "dev", app_name="myapp")
    assert state.migrated_from == legacy_path(tmp_path)
    assert [dict(r) for r in state.resources] == [
        {
            "name": "foo",
            "resource_type": "lambda_function",
            "lambda_arn": "arn:aws:lambda:us-west-2:1:function:myapp-dev-foo",
        },
        {
            "name": "api_handler",
            "resource_type": "lambda_function",
            "lambda_arn": "arn:aws:lambda:us-west-2:1:function:myapp-dev",
        },
        {
            "name": "rest_api",
            "resource_type": "rest_api",
            "rest_api_id": "abc123",
            # Rebuilt from the legacy region and api_gateway_stage for `chalice url`.
            "rest_api_url": "https://abc123.execute-api.us-west-2.amazonaws.com/api/",
        },
    ]
    # In memory only: the old file is untouched and no new file appears.
    assert legacy_path(tmp_path).read_text() == before
    assert not state_path(tmp_path, "dev").exists()
    # Another stage is not in the legacy file: empty.
    assert load_state(tmp_path, "prod").resources == ()


def test_legacy_plain_arn_format(tmp_path: Path) -> None:
    _write(
        legacy_path(tmp_path),
        {
            "dev": {
                "api_handler_arn": "arn:aws:lambda:us-west-2:1:function:myapp-dev",
                "api_handler_name": "myapp-dev",
                "rest_api_id": "r1",
                "lambda_functions": {
                    "myapp-dev-auth": "arn:aws:lambda:us-west-2:1:function:myapp-dev-auth"
                },
            }
        },
    )
    state = load_state(tmp_path, "dev")
    assert state.get("auth") == {
        "name": "auth",
        "resource_type": "lambda_function",
        "lambda_arn": "arn:aws:lambda:us-west-2:1:function:myapp-dev-auth",
    }


def test_stage_file_wins_over_legacy(tmp_path: Path) -> None:
    _write(legacy_path(tmp_path), {"dev": {"rest_api_id": "old"}})
    save_state(tmp_path, "dev", DeployedState.empty())
    assert load_state(tmp_path, "dev").migrated_from is None


@pytest.mark.parametrize(
    "legacy",
    [
        [],
        {"dev": []},
        {"dev": {"lambda_functions": 3}},
        {"dev": {"lambda_functions": {"myapp-dev-foo": 3}}},
        {"dev": {"lambda_functions": {"myapp-dev-foo": {"type": "pure_lambda"}}}},
    ],
)
def test_malformed_legacy_state_is_a_clear_error(tmp_path: Path, legacy: object) -> None:
    _write(legacy_path(tmp_path), legacy)
    before = legacy_path(tmp_path).read_text()
    with pytest.raises(StateError) as err:
        load_state(tmp_path, "dev", app_name="myapp")
    assert "deployed.json" in str(err.value) and "cannot be migrated" in str(err.value)
    assert legacy_path(tmp_path).read_text() == before
