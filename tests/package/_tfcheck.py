"""Static checks of a ``chalice.tf.json`` configuration, and ``terraform validate``.

``ARGUMENTS`` is a small schema: for every resource type we emit, the
arguments (and nested blocks) that ``hashicorp/aws`` **5.100.0** accepts and
that we use. Taken from the provider's documentation for that version; when
``terraform`` and the provider mirror are present, ``terraform_validate``
checks against the real provider schema as well.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

PROVIDER_VERSION = "5.100.0"
PLUGIN_MIRROR = Path("/opt/tf-plugins")

META_ARGUMENTS = frozenset({"depends_on", "lifecycle", "count", "for_each", "provider"})

ARGUMENTS: dict[str, frozenset[str]] = {
    "aws_lambda_function": frozenset(
        {
            "function_name",
            "runtime",
            "handler",
            "memory_size",
            "architectures",
            "tags",
            "timeout",
            "source_code_hash",
            "filename",
            "role",
            "vpc_config",
            "reserved_concurrent_executions",
            "environment",
            "tracing_config",
            "layers",
        }
    ),
    "aws_iam_role": frozenset({"name", "assume_role_policy"}),
    "aws_iam_role_policy": frozenset({"name", "policy", "role"}),
    "aws_lambda_layer_version": frozenset(
        {
            "layer_name",
            "compatible_runtimes",
            "compatible_architectures",
            "filename",
            "source_code_hash",
        }
    ),
    "aws_cloudwatch_log_group": frozenset({"name", "retention_in_days"}),
    "aws_cloudwatch_event_rule": frozenset(
        {"name", "schedule_expression", "event_pattern", "description"}
    ),
    "aws_cloudwatch_event_target": frozenset({"rule", "target_id", "arn"}),
    "aws_lambda_permission": frozenset(
        {
            "statement_id",
            "function_name",
            "action",
            "principal",
            "source_arn",
            "source_account",
            "function_url_auth_type",
        }
    ),
    "aws_sns_topic_subscription": frozenset({"topic_arn", "protocol", "endpoint"}),
    "aws_lambda_event_source_mapping": frozenset(
        {
            "event_source_arn",
            "function_name",
            "batch_size",
            "starting_position",
            "maximum_batching_window_in_seconds",
            "scaling_config",
        }
    ),
    "aws_s3_bucket_notification": frozenset({"bucket", "lambda_function"}),
    "aws_api_gateway_rest_api": frozenset(
        {
            "body",
            "name",
            "binary_media_types",
            "endpoint_configuration",
            "policy",
            "minimum_compression_size",
        }
    ),
    # stage_name/stage_description: the upstream layout (deprecated in 5.x).
    "aws_api_gateway_deployment": frozenset(
        {"rest_api_id", "triggers", "stage_name", "stage_description"}
    ),
    "aws_api_gateway_stage": frozenset(
        {"rest_api_id", "deployment_id", "stage_name", "xray_tracing_enabled"}
    ),
    "aws_api_gateway_domain_name": frozenset(
        {
            "domain_name",
            "endpoint_configuration",
            "certificate_arn",
            "regional_certificate_arn",
            "security_policy",
            "tags",
        }
    ),
    "aws_api_gateway_base_path_mapping": frozenset(
        {"api_id", "stage_name", "domain_name", "base_path"}
    ),
    "aws_apigatewayv2_api": frozenset(
        {"name", "route_selection_expression", "protocol_type", "cors_configuration"}
    ),
    "aws_apigatewayv2_integration": frozenset(
        {
            "api_id",
            "connection_type",
            "content_handling_strategy",
            "integration_type",
            "integration_uri",
            "payload_format_version",
        }
    ),
    "aws_apigatewayv2_route": frozenset(
        {
            "api_id",
            "route_key",
            "target",
            "authorization_type",
            "authorizer_id",
            "authorization_scopes",
        }
    ),
    "aws_apigatewayv2_deployment": frozenset({"api_id"}),
    "aws_apigatewayv2_stage": frozenset(
        {
            "api_id",
            "deployment_id",
            "name",
            "auto_deploy",
            "access_log_settings",
            "default_route_settings",
        }
    ),
    "aws_apigatewayv2_authorizer": frozenset(
        {
            "api_id",
            "name",
            "authorizer_type",
            "identity_sources",
            "jwt_configuration",
            "authorizer_uri",
            "authorizer_payload_format_version",
            "enable_simple_responses",
            "authorizer_result_ttl_in_seconds",
            "authorizer_credentials_arn",
        }
    ),
    "aws_lambda_function_url": frozenset({"function_name", "authorization_type", "cors"}),
    "aws_apigatewayv2_domain_name": frozenset({"domain_name", "domain_name_configuration", "tags"}),
    "aws_apigatewayv2_api_mapping": frozenset(
        {"api_id", "domain_name", "stage", "api_mapping_key"}
    ),
}

_CORS = frozenset(
    {
        "allow_credentials",
        "allow_headers",
        "allow_methods",
        "allow_origins",
        "expose_headers",
        "max_age",
    }
)
# Nested blocks: (resource type, block) -> accepted arguments.
BLOCKS: dict[tuple[str, str], frozenset[str]] = {
    ("aws_lambda_function", "vpc_config"): frozenset({"subnet_ids", "security_group_ids"}),
    ("aws_lambda_function", "environment"): frozenset({"variables"}),
    ("aws_lambda_function", "tracing_config"): frozenset({"mode"}),
    ("aws_lambda_event_source_mapping", "scaling_config"): frozenset({"maximum_concurrency"}),
    ("aws_s3_bucket_notification", "lambda_function"): frozenset(
        {"lambda_function_arn", "events", "filter_prefix", "filter_suffix"}
    ),
    ("aws_api_gateway_rest_api", "endpoint_configuration"): frozenset(
        {"types", "vpc_endpoint_ids"}
    ),
    ("aws_api_gateway_domain_name", "endpoint_configuration"): frozenset({"types"}),
    ("aws_apigatewayv2_domain_name", "domain_name_configuration"): frozenset(
        {"certificate_arn", "endpoint_type", "security_policy"}
    ),
    ("aws_apigatewayv2_api", "cors_configuration"): _CORS,
    ("aws_lambda_function_url", "cors"): _CORS,
    ("aws_apigatewayv2_authorizer", "jwt_configuration"): frozenset({"audience", "issuer"}),
    ("aws_apigatewayv2_stage", "access_log_settings"): frozenset({"destination_arn", "format"}),
    ("aws_apigatewayv2_stage", "default_route_settings"): frozenset(
        {"throttling_burst_limit", "throttling_rate_limit"}
    ),
}

# Exported attributes we reference, per type (provider 5.100.0).
ATTRIBUTES: dict[str, frozenset[str]] = {
    "aws_lambda_function": frozenset({"arn", "invoke_arn", "function_name"}),
    "aws_iam_role": frozenset({"arn", "id"}),
    "aws_lambda_layer_version": frozenset({"arn"}),
    "aws_cloudwatch_event_rule": frozenset({"arn", "name"}),
    "aws_api_gateway_rest_api": frozenset({"id", "execution_arn"}),
    # invoke_url/stage_name: the upstream layout, and user configurations.
    "aws_api_gateway_deployment": frozenset({"id", "invoke_url", "stage_name"}),
    "aws_api_gateway_stage": frozenset({"invoke_url", "stage_name"}),
    "aws_api_gateway_domain_name": frozenset(
        {
            "domain_name",
            "cloudfront_domain_name",
            "cloudfront_zone_id",
            "regional_domain_name",
            "regional_zone_id",
        }
    ),
    "aws_apigatewayv2_api": frozenset({"id", "execution_arn"}),
    "aws_apigatewayv2_integration": frozenset({"id"}),
    "aws_apigatewayv2_deployment": frozenset({"id"}),
    "aws_apigatewayv2_stage": frozenset({"id", "invoke_url"}),
    "aws_apigatewayv2_domain_name": frozenset({"id", "domain_name_configuration"}),
    "aws_apigatewayv2_authorizer": frozenset({"id"}),
    "aws_lambda_function_url": frozenset({"function_url"}),
    "data.aws_partition": frozenset({"partition"}),
    "data.aws_region": frozenset({"name"}),
    "data.aws_caller_identity": frozenset({"account_id"}),
    # hashicorp/null: ``inputs`` is copied to ``outputs``; both are maps.
    "data.null_data_source": frozenset({"inputs", "outputs"}),
}

_REFERENCE = re.compile(
    r"\b(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_]+|local\.[A-Za-z0-9_]+|var\.[A-Za-z0-9_]+"
    r"|path\.module|aws_[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_]+)"
)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def references(config: dict[str, Any]) -> set[str]:
    """Every ``data.*``/``local.*``/``var.*``/resource reference inside ``${...}``."""
    found: set[str] = set()
    for text in _strings(config):
        unescaped = text.replace("$${", "")
        if "${" not in unescaped:
            continue
        found.update(m.group(1) for m in _REFERENCE.finditer(unescaped))
    return found


def unresolved_references(config: dict[str, Any]) -> list[str]:
    """References naming nothing declared, or an attribute we do not know the type exports."""
    resources = config.get("resource", {})
    data = config.get("data", {})
    local_names = set(config.get("locals", {}))
    variables = set(config.get("variable", {}))
    problems: list[str] = []
    for ref in sorted(references(config)):
        parts = ref.split(".")
        if ref == "path.module":
            continue
        if parts[0] == "local":
            ok = parts[1] in local_names
        elif parts[0] == "var":
            ok = parts[1] in variables
        elif parts[0] == "data":
            ok = parts[2] in data.get(parts[1], {}) and parts[3] in ATTRIBUTES.get(
                f"data.{parts[1]}", ()
            )
        else:
            ok = parts[1] in resources.get(parts[0], {}) and parts[2] in ATTRIBUTES.get(
                parts[0], ()
            )
        if not ok:
            problems.append(ref)
    for rtype, by_name in resources.items():
        for name, body in by_name.items():
            for dep in body.get("depends_on", []):
                dtype, _, dname = dep.partition(".")
                if dname not in resources.get(dtype, {}):
                    problems.append(f"{rtype}.{name}.depends_on {dep}")
    return problems


def unknown_arguments(config: dict[str, Any]) -> list[str]:
    """Arguments (and nested block arguments) outside the provider 5.100.0 schema above."""
    problems: list[str] = []
    for rtype, by_name in config.get("resource", {}).items():
        allowed = ARGUMENTS.get(rtype)
        if allowed is None:
            problems.append(f"{rtype} (type not in the schema)")
            continue
        for name, body in by_name.items():
            for arg, value in body.items():
                if arg in META_ARGUMENTS:
                    continue
                if arg not in allowed:
                    problems.append(f"{rtype}.{name}.{arg}")
                    continue
                block = BLOCKS.get((rtype, arg))
                if block is None:
                    continue
                for item in value if isinstance(value, list) else [value]:
                    problems.extend(f"{rtype}.{name}.{arg}.{k}" for k in item if k not in block)
    return problems


def for_local_mirror(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` without ``data.null_data_source.chalice`` and the ``null`` provider.

    The offline mirror holds only ``hashicorp/aws``; the data source is
    checked statically (``unresolved_references`` knows its attributes).
    """
    copy: dict[str, Any] = json.loads(json.dumps(config))
    copy["terraform"]["required_providers"].pop("null", None)
    copy["data"].pop("null_data_source", None)
    return copy


def terraform_available() -> bool:
    return (
        shutil.which("terraform") is not None and (PLUGIN_MIRROR / "registry.terraform.io").is_dir()
    )


def write_module(module_dir: Path, config: dict[str, Any]) -> None:
    """``chalice.tf.json`` plus placeholder zips (``filebase64sha256`` needs the files)."""
    module_dir.mkdir(parents=True, exist_ok=True)
    (module_dir / "chalice.tf.json").write_text(json.dumps(config, indent=2))
    for zip_name in ("deployment.zip", "layer-deployment.zip"):
        (module_dir / zip_name).write_bytes(b"PK\x05\x06" + b"\x00" * 18)


def terraform_validate_all(root: Path, configs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Validate several configurations with one ``terraform init``: each is a child module."""
    for name, config in configs.items():
        write_module(root / name, config)
    (root / "main.tf.json").write_text(
        json.dumps({"module": {name: {"source": f"./{name}"} for name in configs}}, indent=2)
    )
    return terraform_validate(root)


def terraform_validate(module_dir: Path) -> dict[str, Any]:
    """``terraform init -backend=false`` from the local mirror, then ``validate -json``.

    Offline: the CLI config allows only the filesystem mirror (no registry),
    no plugin cache, and the update checkpoint is disabled.
    """
    cli_config = module_dir.parent / f"{module_dir.name}.tfrc"
    cli_config.write_text(
        "disable_checkpoint = true\n"
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{PLUGIN_MIRROR}"\n  }}\n'
        "}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_DATA_DIR=str(module_dir / ".terraform"),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
    )
    init = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=module_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    result = subprocess.run(
        ["terraform", "validate", "-json", "-no-color"],
        cwd=module_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed
