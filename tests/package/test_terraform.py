"""The Terraform generator: references resolve, arguments fit provider 5.100.0, terraform validates.

Both layouts (``TerraformLayout``) are checked; what an upstream user's
configuration and state need from them is in ``test_terraform_compat.py``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.deploy import models
from chalice.package.terraform import (
    TerraformLayout,
    bucket_resource_name,
    escape,
    generate_terraform_template,
)
from tests.package import _shape, _tfcheck
from tests.package._models import full_application, s3_application, swagger


def _full() -> dict[str, Any]:
    return generate_terraform_template(
        full_application(terraform=True, stacked_events=True), app_name="pkgfull"
    )


def _s3() -> dict[str, Any]:
    return generate_terraform_template(s3_application(), app_name="pkgs3")


def _private() -> dict[str, Any]:
    """A PRIVATE REST API with a policy and a regional domain, on a pre-created role."""
    app = full_application(terraform=True, log_retention=None)
    rest = next(r for r in app.resources if isinstance(r, models.RestAPI))
    assert rest.domain_name is not None
    rest = attrs.evolve(
        rest,
        endpoint_type="PRIVATE",
        authorizers=(),
        swagger_doc=swagger("p", terraform=True, authorizer=False),
        vpce_ids=("vpce-0123456789abcdef0",),
        policy=models.IAMPolicy(document={"Version": "2012-10-17", "Statement": []}),
        domain_name=attrs.evolve(rest.domain_name, endpoint_type="REGIONAL"),
        lambda_function=attrs.evolve(
            rest.lambda_function,
            role=models.PreCreatedIAMRole(role_arn="arn:aws:iam::123456789012:role/mine"),
            managed_layer=None,
        ),
    )
    return generate_terraform_template(
        models.Application(stage="dev", resources=(rest,)), app_name="p"
    )


def _full_upstream() -> dict[str, Any]:
    return generate_terraform_template(
        full_application(terraform=True, stacked_events=True),
        app_name="pkgfull",
        layout=TerraformLayout.UPSTREAM,
    )


CONFIGS = {"full": _full, "s3": _s3, "private": _private, "full_upstream": _full_upstream}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_references_resolve(name: str) -> None:
    assert _tfcheck.unresolved_references(CONFIGS[name]()) == []


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_arguments_fit_the_provider_schema(name: str) -> None:
    assert _tfcheck.unknown_arguments(CONFIGS[name]()) == []


def test_reference_checker_catches_mistakes() -> None:
    config = _s3()
    config["resource"]["aws_lambda_function"]["first"]["role"] = "${aws_iam_role.nope.arn}"
    config["output"]["X"] = {"value": "${local.missing}"}
    config["output"]["Y"] = {"value": "$${local.escaped_is_fine}"}
    assert _tfcheck.unresolved_references(config) == ["aws_iam_role.nope.arn", "local.missing"]
    config["resource"]["aws_iam_role"]["default-role"]["bogus"] = 1
    assert _tfcheck.unknown_arguments(config) == ["aws_iam_role.default-role.bogus"]


def test_top_level_and_provider_requirements() -> None:
    config = _full()
    assert set(config) == {"resource", "locals", "terraform", "data", "output"}
    assert config["terraform"]["required_providers"]["aws"] == {
        "source": "hashicorp/aws",
        "version": ">= 5.0",
    }
    assert config["terraform"]["required_providers"]["null"] == {
        "source": "hashicorp/null",
        "version": ">= 2, < 4",
    }
    assert set(config["data"]) == {
        "aws_caller_identity",
        "aws_partition",
        "aws_region",
        "null_data_source",
    }
    swagger = json.loads(config["locals"]["chalice_api_swagger"])
    assert swagger["swagger"] == "2.0"
    assert config["locals"]["chalice_app"] == "pkgfull"


def test_resources_keyed_by_chalice_names() -> None:
    resources = _full()["resource"]
    assert set(resources["aws_lambda_function"]) >= {
        "api_handler",
        "pure",
        "token_auth",
        "websocket_connect",
    }
    fn = resources["aws_lambda_function"]["pure"]
    assert fn["function_name"] == "pkgfull-dev-pure"
    assert fn["source_code_hash"] == '${filebase64sha256("${path.module}/deployment.zip")}'
    assert fn["filename"] == "${path.module}/deployment.zip"
    assert fn["layers"][0] == "${aws_lambda_layer_version.managed-layer.arn}"
    assert fn["tracing_config"] == {"mode": "Active"}
    assert fn["depends_on"] == ["aws_cloudwatch_log_group.pure-log-group"]
    assert resources["aws_iam_role_policy"]["default-role"]["name"] == "default-rolePolicy"
    assert set(resources["aws_lambda_event_source_mapping"]) == {
        "on_queue-sqs-event-source",
        "on_queue_arn-sqs-event-source",
        "on_stream-kinesis-event-source",
        "on_table-dynamodb-event-source",
        "every_five-sqs-event-source",
    }
    rule = resources["aws_cloudwatch_event_rule"]["every_five-event"]
    assert rule == {
        "name": "every_five-event",
        "schedule_expression": "rate(5 minutes)",
        "description": "every five",
    }
    assert resources["aws_api_gateway_rest_api"]["rest_api"]["minimum_compression_size"] == "1024"
    assert (
        resources["aws_api_gateway_base_path_mapping"]["api_gateway_custom_domain_mapping"][
            "base_path"
        ]
        == "v1"
    )


def test_api_handler_log_group_matches_the_function() -> None:
    groups = _full()["resource"]["aws_cloudwatch_log_group"]
    assert groups["api_handler-log-group"]["name"] == "/aws/lambda/pkgfull-dev"


def test_s3_notifications_aggregated_per_bucket() -> None:
    resources = _s3()["resource"]
    notifications = resources["aws_s3_bucket_notification"]
    assert set(notifications) == {"mybucket_notify", "otherbucket_notify"}
    mybucket = notifications["mybucket_notify"]
    assert [e["lambda_function_arn"] for e in mybucket["lambda_function"]] == [
        "${aws_lambda_function.first.arn}",
        "${aws_lambda_function.second.arn}",
    ]
    assert mybucket["lambda_function"][0]["filter_prefix"] == "in/"
    assert mybucket["lambda_function"][0]["filter_suffix"] == ".csv"
    assert mybucket["depends_on"] == [
        "aws_lambda_permission.first-s3event",
        "aws_lambda_permission.second-s3event",
    ]
    assert resources["aws_lambda_permission"]["first-s3event"]["principal"] == "s3.amazonaws.com"


def test_private_api_policy_and_endpoint() -> None:
    resources = _private()["resource"]
    rest = resources["aws_api_gateway_rest_api"]["rest_api"]
    assert rest["endpoint_configuration"] == {
        "types": ["PRIVATE"],
        "vpc_endpoint_ids": ["vpce-0123456789abcdef0"],
    }
    assert json.loads(rest["policy"]) == {"Version": "2012-10-17", "Statement": []}
    assert (
        resources["aws_lambda_function"]["api_handler"]["role"]
        == "arn:aws:iam::123456789012:role/mine"
    )
    assert "aws_iam_role" not in resources
    domain = resources["aws_api_gateway_domain_name"]["api_gateway_custom_domain"]
    assert "regional_certificate_arn" in domain and "certificate_arn" not in domain


def test_literal_strings_are_escaped() -> None:
    assert escape("a ${b} %{c}") == "a $${b} %%{c}"
    app = s3_application()
    api = app.resources[-1]
    assert isinstance(api, models.RestAPI)
    api = attrs.evolve(
        api, lambda_function=attrs.evolve(api.lambda_function, environment_variables={"T": "${x}"})
    )
    config = generate_terraform_template(
        models.Application(stage="dev", resources=(api,)), app_name="a"
    )
    assert config["resource"]["aws_lambda_function"]["api_handler"]["environment"]["variables"] == {
        "T": "$${x}"
    }


def _escaped_config() -> dict[str, Any]:
    """A role policy with an IAM policy variable and swagger text holding ``${``."""
    app = s3_application()
    api = app.resources[-1]
    assert isinstance(api, models.RestAPI) and api.swagger_doc is not None
    role = api.lambda_function.role
    assert isinstance(role, models.ManagedIAMRole)
    document = {"Statement": [{"Resource": "arn:aws:s3:::b/${aws:username}/*"}]}
    doc = dict(api.swagger_doc, info={"title": "costs ${5}", "version": "1.0"})
    api = attrs.evolve(
        api,
        swagger_doc=doc,
        lambda_function=attrs.evolve(
            api.lambda_function,
            role=attrs.evolve(role, policy=models.AutoGenIAMPolicy(document=document)),
        ),
    )
    return generate_terraform_template(
        models.Application(stage="dev", resources=(api,)), app_name="a"
    )


def test_policy_variables_and_swagger_text_stay_literal() -> None:
    config = _escaped_config()
    policy = config["resource"]["aws_iam_role_policy"]["default-role"]["policy"]
    assert "$${aws:username}" in policy
    swagger_text = config["locals"]["chalice_api_swagger"]
    assert "costs $${5}" in swagger_text
    assert '"${aws_lambda_function.api_handler.invoke_arn}"' in swagger_text
    assert _tfcheck.unresolved_references(config) == []


def test_bucket_resource_names_are_valid_identifiers() -> None:
    assert bucket_resource_name("mybucket") == "mybucket_notify"
    assert bucket_resource_name("my.bucket") == "my_bucket_notify"
    assert bucket_resource_name("1bucket") == "_1bucket_notify"


def test_deterministic() -> None:
    assert json.dumps(_full()) == json.dumps(_full())


def _pipeline_configs(tmp_path: Path) -> dict[str, dict[str, Any]]:
    """The real pipeline's output for the fixture apps, when the pipeline is available."""
    try:
        from chalice import Chalice  # noqa: F401
        from chalice.package import package_app
    except ImportError:
        return {}
    configs = {}
    for app, stage in (("full", "dev"), ("full", "variant"), ("full", "regional"), ("s3", "dev")):
        project = tmp_path / f"project-{app}-{stage}"
        shutil.copytree(_shape.APPS / app, project)
        out = tmp_path / f"out-{app}-{stage}"
        package_app(project, out, stage=stage, pkg_format="terraform")
        config = json.loads((out / "chalice.tf.json").read_text())
        assert _tfcheck.unresolved_references(config) == []
        assert _tfcheck.unknown_arguments(config) == []
        configs[f"pipeline_{app}_{stage}"] = config
    return configs


@pytest.mark.skipif(
    not _tfcheck.terraform_available(), reason="terraform or its provider mirror is absent"
)
def test_terraform_validate(tmp_path: Path) -> None:
    # One init for every configuration (each a child module): init dominates the time.
    configs = {name: make() for name, make in CONFIGS.items() if name != "full_upstream"}
    configs["escapes"] = _escaped_config()
    configs.update(_pipeline_configs(tmp_path / "pipeline"))
    configs = {name: _tfcheck.for_local_mirror(config) for name, config in configs.items()}
    result = _tfcheck.terraform_validate_all(tmp_path / "root", configs)
    assert result["valid"], result["diagnostics"]
    assert result["warning_count"] == 0, result["diagnostics"]


@pytest.mark.skipif(
    not _tfcheck.terraform_available(), reason="terraform or its provider mirror is absent"
)
def test_terraform_validate_upstream_layout(tmp_path: Path) -> None:
    """The upstream layout is valid; provider 5.100.0 only flags the stage-on-deployment.

    Its pin (< 5) is widened for the check: only 5.100.0 is in the mirror,
    and 5.x still accepts every argument the layout uses.
    """
    config = _tfcheck.for_local_mirror(_full_upstream())
    config["terraform"]["required_providers"]["aws"]["version"] = ">= 2"
    result = _tfcheck.terraform_validate_all(tmp_path / "root", {"upstream": config})
    assert result["valid"], result["diagnostics"]
    flagged = sorted(
        (d["summary"], d["snippet"]["code"].strip())
        for d in result["diagnostics"]
        if d["severity"] == "warning"
    )
    assert flagged == [
        ("Argument is deprecated", '"stage_name": "api",'),
        (
            "Deprecated attribute",
            '"stage_name": "${aws_api_gateway_deployment.rest_api.stage_name}",',
        ),
        ("Deprecated attribute", '"value": "${aws_api_gateway_deployment.rest_api.invoke_url}"'),
    ]
