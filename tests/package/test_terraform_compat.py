"""Coming from upstream's Terraform output: references, addresses and state keep working.

Upstream's documentation has users reference
``data.null_data_source.chalice.outputs.app`` / ``.stage`` from their own
``*.tf`` files next to ``chalice.tf.json``, and upstream states hold its
resource addresses. These tests pin what such users depend on, in both
layouts (docs/packaging.rst, "Coming from upstream's Terraform output").
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chalice.cli import cli
from chalice.errors import PackageError
from chalice.package import PackageFormat, PackageOptions, package_app
from chalice.package.terraform import TerraformLayout, generate_terraform_template

# Autouse: the in-process CLI run must not leak its CLI-mode variable.
from tests.cli.helpers import restore_cli_mode  # noqa: F401
from tests.package import _shape, _tfcheck, _tfupstream
from tests.package._models import full_application, s3_application
from tests.package.test_upstream_compat import _upstream_venv, diff

LAYOUTS = list(TerraformLayout)


def _full(layout: TerraformLayout) -> dict[str, Any]:
    return generate_terraform_template(
        full_application(terraform=True, log_retention=None),
        app_name="pkgfull",
        layout=layout,
    )


def _merged(chalice: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    """One module of ``chalice.tf.json`` plus a user's file (blocks of one type merge)."""
    merged: dict[str, Any] = json.loads(json.dumps(chalice))
    for block, by_type in user.items():
        target = merged.setdefault(block, {})
        for key, value in by_type.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                target[key] = {**target[key], **value}
            else:
                target[key] = value
    return merged


# What upstream's docs show: a user's file next to chalice.tf.json naming
# things after the app and stage, and pointing at the API and the handler.
UPSTREAM_USER_CONFIG: dict[str, Any] = {
    "resource": {
        "aws_ssm_parameter": {
            "api_id": {
                "name": "/${data.null_data_source.chalice.outputs.app}"
                "/${data.null_data_source.chalice.outputs.stage}/api-id",
                "type": "String",
                "value": "${aws_api_gateway_rest_api.rest_api.id}",
            }
        },
        "aws_lambda_permission": {
            "extra_invoke": {
                "function_name": "${aws_lambda_function.api_handler.arn}",
                "action": "lambda:InvokeFunction",
                "principal": "apigateway.amazonaws.com",
                "source_arn": "${aws_api_gateway_rest_api.rest_api.execution_arn}/*",
            }
        },
    },
    "output": {
        "app_name": {"value": "${data.null_data_source.chalice.outputs.app}"},
        "handler_name": {"value": "${aws_lambda_function.api_handler.function_name}"},
        "deployment": {"value": "${aws_api_gateway_deployment.rest_api.id}"},
    },
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.value)
def test_upstream_user_configuration_resolves(layout: TerraformLayout) -> None:
    merged = _merged(_full(layout), UPSTREAM_USER_CONFIG)
    assert _tfcheck.unresolved_references(merged) == []


def test_user_configuration_fails_without_the_data_source() -> None:
    # The reference check does see a missing data source (what used to break).
    merged = _merged(
        _tfcheck.for_local_mirror(_full(TerraformLayout.CURRENT)), UPSTREAM_USER_CONFIG
    )
    assert _tfcheck.unresolved_references(merged) == ["data.null_data_source.chalice.outputs"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.value)
def test_null_data_source_carries_app_and_stage(layout: TerraformLayout) -> None:
    config = generate_terraform_template(s3_application("prod"), app_name="pkgs3", layout=layout)
    # null_data_source copies inputs to outputs: outputs.app / outputs.stage.
    assert config["data"]["null_data_source"] == {
        "chalice": {"inputs": {"app": "pkgs3", "stage": "prod"}}
    }
    assert config["terraform"]["required_providers"]["null"] == {
        "source": "hashicorp/null",
        "version": ">= 2, < 4",
    }
    # The non-deprecated equivalent, for configurations in the same module.
    assert config["locals"]["chalice_app"] == "pkgs3"
    assert config["locals"]["chalice_stage"] == "prod"


# Every address and attribute upstream's output offers a user's configuration.
DOCUMENTED_REFERENCES = (
    "data.null_data_source.chalice.outputs",
    "data.aws_caller_identity.chalice.account_id",
    "data.aws_partition.chalice.partition",
    "data.aws_region.chalice.name",
    "local.chalice_api_swagger",
    "aws_api_gateway_rest_api.rest_api.id",
    "aws_api_gateway_rest_api.rest_api.execution_arn",
    "aws_api_gateway_deployment.rest_api.id",
    "aws_api_gateway_deployment.rest_api.invoke_url",
    "aws_lambda_function.api_handler.arn",
    "aws_lambda_function.api_handler.invoke_arn",
    "aws_lambda_function.api_handler.function_name",
    "aws_iam_role.default-role.arn",
    "aws_lambda_layer_version.managed-layer.arn",
    "aws_cloudwatch_event_rule.every_five-event.arn",
    "aws_apigatewayv2_api.websocket_api.id",
    "aws_apigatewayv2_stage.websocket_api_stage.invoke_url",
)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.value)
def test_every_documented_reference_resolves(layout: TerraformLayout) -> None:
    probe = {
        "output": {
            f"ref{i}": {"value": f"${{{ref}}}"} for i, ref in enumerate(DOCUMENTED_REFERENCES)
        }
    }
    config = _full(layout)
    assert _tfcheck.unresolved_references(_merged(config, probe)) == []
    assert set(config["output"]) >= {"EndpointURL", "RestAPIId", "WebsocketAPIId"}


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.value)
def test_rule_names_are_upstreams(layout: TerraformLayout) -> None:
    # ``name`` forces replacement: it must stay upstream's ``<fn>-event``.
    rules = _full(layout)["resource"]["aws_cloudwatch_event_rule"]
    assert {key: rule["name"] for key, rule in rules.items()} == {
        "every_five-event": "every_five-event",
        "on_commit-event": "on_commit-event",
    }
    targets = _full(layout)["resource"]["aws_cloudwatch_event_target"]
    assert (
        targets["every_five-event"]["rule"] == "${aws_cloudwatch_event_rule.every_five-event.name}"
    )


def test_upstream_layout_sets_the_stage_on_the_deployment() -> None:
    config = _full(TerraformLayout.UPSTREAM)
    resources = config["resource"]
    assert "aws_api_gateway_stage" not in resources
    assert resources["aws_api_gateway_deployment"]["rest_api"] == {
        "rest_api_id": "${aws_api_gateway_rest_api.rest_api.id}",
        "stage_name": "api",
        "stage_description": "${md5(local.chalice_api_swagger)}",
        "lifecycle": {"create_before_destroy": True},
    }
    assert config["output"]["EndpointURL"] == {
        "value": "${aws_api_gateway_deployment.rest_api.invoke_url}"
    }
    mapping = resources["aws_api_gateway_base_path_mapping"]["api_gateway_custom_domain_mapping"]
    assert mapping["stage_name"] == "${aws_api_gateway_deployment.rest_api.stage_name}"
    assert resources["aws_api_gateway_rest_api"]["rest_api"]["minimum_compression_size"] == 1024
    assert config["terraform"]["required_version"] == ">= 0.12.26"
    assert config["terraform"]["required_providers"]["aws"] == {
        "source": "hashicorp/aws",
        "version": ">= 3.61.0, < 5",
    }


def test_current_layout_uses_a_stage_resource() -> None:
    config = _full(TerraformLayout.CURRENT)
    deployment = config["resource"]["aws_api_gateway_deployment"]["rest_api"]
    assert "stage_name" not in deployment and "stage_description" not in deployment
    assert config["resource"]["aws_api_gateway_stage"]["rest_api"]["stage_name"] == "api"
    assert config["terraform"]["required_providers"]["aws"]["version"] == ">= 5.0"


# Upstream layout vs upstream 1.34.0's output: the same addresses and types
# (so a state maps 1:1 and plans with no replacement); only outputs we fixed.
UPSTREAM_LAYOUT_DIFF: dict[str, dict[str, list[str]]] = {
    "full/nologs/terraform": {
        "outputs_added": ["WebsocketAliasDomainName", "WebsocketHostedZoneId"],
        "output_values_changed": ["WebsocketConnectEndpointURL"],
    },
    "s3/dev/terraform": {},
}


@pytest.mark.parametrize("case", sorted(UPSTREAM_LAYOUT_DIFF))
def test_upstream_layout_matches_upstream_addresses(case: str) -> None:
    upstream = json.loads(_shape.FIXTURE.read_text())["cases"][case]
    app, stage, _ = case.split("/")
    if app == "s3":
        application = s3_application(stage)
        app_name = "pkgs3"
    else:
        application = full_application(stage, terraform=True, log_retention=None)
        app_name = "pkgfull"
    ours = _shape.terraform_shape(
        generate_terraform_template(application, app_name=app_name, layout=TerraformLayout.UPSTREAM)
    )
    assert diff(upstream, ours) == UPSTREAM_LAYOUT_DIFF[case]


def test_cli_writes_the_upstream_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(_shape.APPS / "s3", project)
    monkeypatch.chdir(project)
    runner = CliRunner()
    result = runner.invoke(
        cli, ["package", "--pkg-format", "terraform", "--terraform-layout", "upstream", "out"]
    )
    assert result.exit_code == 0, result.output
    out = project / "out"
    upstream = json.loads(_shape.FIXTURE.read_text())["cases"]["s3/dev/terraform"]
    assert diff(upstream, _shape.shape_of(out, "terraform")) == {}
    config = json.loads((out / "chalice.tf.json").read_text())
    assert config["resource"]["aws_api_gateway_deployment"]["rest_api"]["stage_name"] == "api"
    assert _tfcheck.unresolved_references(config) == []
    assert _tfcheck.unknown_arguments(config) == []
    refused = runner.invoke(cli, ["package", "--terraform-layout", "upstream", "out2"])
    assert refused.exit_code != 0
    assert "--terraform-layout only applies to --pkg-format terraform" in refused.output
    assert not (project / "out2").exists()


def test_layout_option_is_checked() -> None:
    with pytest.raises(PackageError, match="--terraform-layout only applies"):
        PackageOptions(
            pkg_format=PackageFormat.CLOUDFORMATION, terraform_layout=TerraformLayout.UPSTREAM
        ).check()
    with pytest.raises(PackageError, match="Unknown --terraform-layout 'old'") as err:
        package_app("nowhere", "out", pkg_format="terraform", terraform_layout="old")
    assert "current, upstream" in str(err.value)


# The migration step docs/packaging.rst gives for the current layout.
MIGRATION_IMPORT: dict[str, Any] = {
    "import": [{"to": "aws_api_gateway_stage.rest_api", "id": "abc123defg/api"}]
}
# The non-deprecated equivalents of the data source, in a user's file.
LOCALS_USER_CONFIG: dict[str, Any] = {
    "resource": {
        "aws_ssm_parameter": {
            "api_id": {
                "name": "/${local.chalice_app}/${local.chalice_stage}/api-id",
                "type": "String",
                "value": "${aws_api_gateway_rest_api.rest_api.id}",
            }
        }
    }
}


@pytest.mark.skipif(
    not _tfcheck.terraform_available(), reason="terraform or its provider mirror is absent"
)
def test_terraform_validates_user_files_and_the_migration_import(tmp_path: Path) -> None:
    module = tmp_path / "module"
    _tfcheck.write_module(module, _tfcheck.for_local_mirror(_full(TerraformLayout.CURRENT)))
    (module / "user.tf.json").write_text(json.dumps(LOCALS_USER_CONFIG))
    (module / "migrate.tf.json").write_text(json.dumps(MIGRATION_IMPORT))
    result = _tfcheck.terraform_validate(module)
    assert result["valid"], result["diagnostics"]
    assert result["warning_count"] == 0, result["diagnostics"]


# Where our output's arguments differ from upstream 1.34.0's for resources
# both have (normalised: references compare by the resources they name).
# None replaces a resource: each is updated in place, or is the same value
# spelled another way, or (the deployment) is the documented migration.
ARGUMENT_REASONS = {
    "aws_lambda_function.tags": "the aws-chalice tag names our version; updated in place",
    "aws_iam_role_policy.policy": "our generated policy (sorted actions, Sids); in place",
    "aws_api_gateway_base_path_mapping.base_path": "url_prefix is honoured; in place",
    "aws_api_gateway_base_path_mapping.domain_name": "a reference: same value, orders creation",
    "aws_api_gateway_base_path_mapping.stage_name": "a reference: same value, orders creation",
    "aws_apigatewayv2_domain_name.domain_name_configuration": "TLS policy explicit; in place",
    "aws_api_gateway_rest_api.endpoint_configuration": "PRIVATE APIs list their VPC endpoints",
    "aws_api_gateway_rest_api.policy": "an equivalent policy document",
    "aws_api_gateway_rest_api.minimum_compression_size": "a string, provider 5's type",
    "aws_api_gateway_deployment.stage_name": "the stage is its own resource (migration)",
    "aws_api_gateway_deployment.stage_description": "redeploys through triggers (migration)",
    "aws_api_gateway_deployment.triggers": "redeploys through triggers (migration)",
}
_UPSTREAM_LAYOUT_ARGUMENTS = {
    "full/nologs/terraform": {
        "aws_lambda_function.tags",
        "aws_iam_role_policy.policy",
        "aws_api_gateway_base_path_mapping.base_path",
        "aws_api_gateway_base_path_mapping.domain_name",
        "aws_api_gateway_base_path_mapping.stage_name",
        "aws_apigatewayv2_domain_name.domain_name_configuration",
    },
    "full/variant/terraform": {
        "aws_lambda_function.tags",
        "aws_api_gateway_rest_api.endpoint_configuration",
        "aws_api_gateway_rest_api.policy",
    },
    "full/regional/terraform": {
        "aws_lambda_function.tags",
        "aws_iam_role_policy.policy",
        "aws_api_gateway_base_path_mapping.domain_name",
        "aws_api_gateway_base_path_mapping.stage_name",
    },
    "s3/dev/terraform": {"aws_lambda_function.tags"},
}
_CURRENT_LAYOUT_EXTRA = {
    "aws_api_gateway_deployment.stage_name",
    "aws_api_gateway_deployment.stage_description",
    "aws_api_gateway_deployment.triggers",
}


@pytest.mark.parametrize("case", sorted(_UPSTREAM_LAYOUT_ARGUMENTS))
def test_arguments_match_upstream_resource_by_resource(case: str, tmp_path: Path) -> None:
    app, stage, _ = case.split("/")
    upstream = json.loads(_tfupstream.FIXTURE.read_text())["cases"][case]
    project = tmp_path / "project"
    shutil.copytree(_shape.APPS / app, project)
    differences: dict[str, set[str]] = {}
    for layout in LAYOUTS:
        out = tmp_path / layout.value
        package_app(project, out, stage=stage, pkg_format="terraform", terraform_layout=layout)
        ours = json.loads((out / "chalice.tf.json").read_text())
        # depends_on only orders operations; it never changes a resource.
        found = _tfupstream.argument_differences(
            upstream["resource"], ours["resource"], ignore=frozenset({"depends_on"})
        )
        differences[layout.value] = set(found)
    expected = _UPSTREAM_LAYOUT_ARGUMENTS[case]
    assert differences["upstream"] == expected
    compression = {"aws_api_gateway_rest_api.minimum_compression_size"} if app == "full" else set()
    assert differences["current"] == expected | _CURRENT_LAYOUT_EXTRA | compression
    assert differences["current"] <= set(ARGUMENT_REASONS)


def test_upstream_pins_are_upstreams_except_the_terraform_cap() -> None:
    upstream = json.loads(_tfupstream.FIXTURE.read_text())["cases"]["s3/dev/terraform"]
    ours = generate_terraform_template(
        s3_application(), app_name="pkgs3", layout=TerraformLayout.UPSTREAM
    )["terraform"]
    assert upstream["terraform"]["required_version"] == ">= 0.12.26, < 1.4.0"
    assert ours["required_version"] == ">= 0.12.26"
    for provider, pin in upstream["terraform"]["required_providers"].items():
        assert ours["required_providers"][provider]["version"] == pin["version"]


@pytest.mark.slow
@pytest.mark.skipif(_upstream_venv() is None, reason="no upstream chalice venv")
def test_live_upstream_still_matches_terraform_fixture() -> None:
    venv = _upstream_venv()
    assert venv is not None
    fixture = json.loads(_tfupstream.FIXTURE.read_text())["cases"]
    with tempfile.TemporaryDirectory() as tmp:
        for app, stage, fmt in _tfupstream.TERRAFORM_CASES:
            live = _tfupstream.run_upstream(venv, app, stage, Path(tmp))
            assert live == fixture[f"{app}/{stage}/{fmt}"]
