"""Resource models -> a Terraform JSON configuration (``chalice.tf.json``), as a dict.

``generate_terraform_template`` is pure: it reads the built
``models.Application`` (with the Terraform-style swagger document, whose
integration URIs are ``${aws_lambda_function.<name>.invoke_arn}``) and
returns the configuration. It never touches the disk nor AWS. Each resource
type is added by the emitter its descriptor names
(``chalice/deploy/descriptors.py``): the builder's ``add_*`` methods and the
``emit_*`` functions here, the APIs' in ``terraform_apis.py``.

Resource addresses (type + name), rule names and the
``data.null_data_source.chalice`` data source are upstream's, so existing
Terraform state and user configurations referencing them keep working. The
two layouts (``TerraformLayout``) differ in the REST stage and the AWS
provider they target: ``CURRENT`` a separate ``aws_api_gateway_stage`` for
``hashicorp/aws`` 5.x (checked with 5.100.0), ``UPSTREAM`` upstream's
stage-on-the-deployment and provider pin (``< 5``), so an upstream state
plans with no change. ``docs/packaging.rst`` explains the choice and the
migration from one to the other.
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any

import attrs

from chalice.deploy import models
from chalice.deploy.descriptors import descriptor_for

REQUIRED_TERRAFORM = ">= 1.0"
REQUIRED_AWS_PROVIDER = ">= 5.0"
# Upstream's pins. Its Terraform cap (< 1.4.0) is not kept: Terraform 1.x
# reads state written by any earlier 1.x, and the cap only blocked upgrades.
UPSTREAM_TERRAFORM = ">= 0.12.26"
UPSTREAM_AWS_PROVIDER = ">= 3.61.0, < 5"
# hashicorp/null, for data.null_data_source.chalice (deprecated in null 3.x,
# still served; user configurations reference it, so it stays).
REQUIRED_NULL_PROVIDER = ">= 2, < 4"

_PARTITION = "${data.aws_partition.chalice.partition}"
_REGION = "${data.aws_region.chalice.name}"
_ACCOUNT = "${data.aws_caller_identity.chalice.account_id}"
_TF_NAME_INVALID = re.compile(r"[^A-Za-z0-9_-]")


class TerraformLayout(enum.Enum):
    """``--terraform-layout``: how the REST API's stage is expressed.

    ``CURRENT``: an ``aws_api_gateway_stage`` resource, provider ``>= 5``
    (the deployment's ``stage_name`` is deprecated in 5.x and gone in 6.0).
    ``UPSTREAM``: the stage set on ``aws_api_gateway_deployment`` and
    provider ``< 5``, as upstream Chalice wrote them.
    """

    CURRENT = "current"
    UPSTREAM = "upstream"


@attrs.frozen
class ArtifactPaths:
    """Where the configuration says the zips are (relative to the module)."""

    code: str = "${path.module}/deployment.zip"
    layer: str = "${path.module}/layer-deployment.zip"


def escape(value: str) -> str:
    """A literal string for Terraform: ``${`` and ``%{`` would start a template."""
    return value.replace("${", "$${").replace("%{", "%%{")


_SWAGGER_REFERENCE = re.compile(r"\$\$\{(aws_lambda_function\.[A-Za-z0-9_-]+\.invoke_arn)\}")


def swagger_local(doc: dict[str, Any]) -> str:
    """The swagger document as a Terraform string: literal, except the function URIs.

    Docstrings or policies in the document may contain ``${`` (IAM policy
    variables such as ``${aws:username}``); only the integration URIs the
    generator wrote are real references.
    """
    return _SWAGGER_REFERENCE.sub(r"${\1}", escape(json.dumps(doc)))


def json_literal(document: Any) -> str:
    """A policy document as a literal JSON string (``${aws:username}`` stays as is)."""
    return escape(json.dumps(document))


def escape_map(values: dict[str, str]) -> dict[str, str]:
    """Every value of ``values`` as a literal string (``escape``)."""
    return {k: escape(v) for k, v in values.items()}


def _hash_of(path: str) -> str:
    return f'${{filebase64sha256("{path}")}}'


def _arn(service: str, resource: str) -> str:
    return f"arn:{_PARTITION}:{service}:{_REGION}:{_ACCOUNT}:{resource}"


def bucket_resource_name(bucket: str) -> str:
    """``aws_s3_bucket_notification`` key for a bucket: ``<bucket>_notify``.

    Terraform names allow only letters, digits, ``_`` and ``-`` and must not
    start with a digit; bucket names may hold dots and start with a digit.
    """
    name = _TF_NAME_INVALID.sub("_", bucket)
    if name[:1].isdigit():
        name = f"_{name}"
    return f"{name}_notify"


def generate_terraform_template(
    application: models.Application,
    *,
    app_name: str,
    paths: ArtifactPaths | None = None,
    layout: TerraformLayout = TerraformLayout.CURRENT,
) -> dict[str, Any]:
    """The Terraform configuration for ``application`` (SPEC §5.2, in ``layout``)."""
    builder = TerraformBuilder(paths or ArtifactPaths(), app_name=app_name, layout=layout)
    for resource in models.dependency_order(application):
        builder.add(resource)
    builder.finish_s3()
    # The non-deprecated way to read the app and stage in the same module;
    # null_data_source.chalice carries the same values for upstream's users.
    local_values: dict[str, Any] = {"chalice_app": app_name, "chalice_stage": application.stage}
    if builder.swagger is not None:
        local_values["chalice_api_swagger"] = swagger_local(builder.swagger)
    upstream = layout is TerraformLayout.UPSTREAM
    template: dict[str, Any] = {
        "resource": builder.resources,
        "locals": local_values,
        "terraform": {
            "required_version": UPSTREAM_TERRAFORM if upstream else REQUIRED_TERRAFORM,
            "required_providers": {
                "aws": {
                    "source": "hashicorp/aws",
                    "version": UPSTREAM_AWS_PROVIDER if upstream else REQUIRED_AWS_PROVIDER,
                },
                "null": {"source": "hashicorp/null", "version": REQUIRED_NULL_PROVIDER},
            },
        },
        "data": {
            "aws_caller_identity": {"chalice": {}},
            "aws_partition": {"chalice": {}},
            "aws_region": {"chalice": {}},
            "null_data_source": {
                "chalice": {"inputs": {"app": escape(app_name), "stage": escape(application.stage)}}
            },
        },
        "output": builder.outputs,
    }
    return template


class TerraformBuilder:
    """Accumulates resources and outputs; one ``add`` per recorded model.

    The ``add_*`` methods and the ``emit_*`` functions below are the Terraform
    emitters the resource descriptors name (``chalice/deploy/descriptors.py``).
    """

    def __init__(
        self,
        paths: ArtifactPaths,
        *,
        app_name: str,
        layout: TerraformLayout = TerraformLayout.CURRENT,
    ) -> None:
        self._paths = paths
        self.app_name = app_name
        self.layout = layout
        self.resources: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.swagger: dict[str, Any] | None = None
        # bucket -> [(subscriber entry, permission resource name)], in order.
        self._s3: dict[str, list[tuple[dict[str, Any], str]]] = {}

    def put(self, rtype: str, name: str, body: dict[str, Any]) -> None:
        """Add resource ``name`` of Terraform type ``rtype``."""
        self.resources.setdefault(rtype, {})[name] = body

    def add(self, resource: models.RecordedResource) -> None:
        """Add ``resource`` with its type's emitter (its descriptor's ``terraform``)."""
        descriptor_for(resource).terraform()(self, resource)

    def add_layer(self, layer: models.LambdaLayer) -> None:
        """``aws_lambda_layer_version`` of the managed layer."""
        self.put(
            "aws_lambda_layer_version",
            layer.resource_name,
            {
                "layer_name": layer.layer_name,
                "compatible_runtimes": [layer.runtime],
                "compatible_architectures": [layer.architecture],
                "filename": self._paths.layer,
                "source_code_hash": _hash_of(self._paths.layer),
            },
        )

    # -- IAM, functions -----------------------------------------------------

    def add_role(self, role: models.ManagedIAMRole) -> None:
        """``aws_iam_role`` and its inline ``aws_iam_role_policy``."""
        self.put(
            "aws_iam_role",
            role.resource_name,
            {"name": role.role_name, "assume_role_policy": json_literal(role.trust_policy)},
        )
        self.put(
            "aws_iam_role_policy",
            role.resource_name,
            {
                "name": f"{role.resource_name}Policy",
                "policy": json_literal(role.policy.document),
                "role": f"${{aws_iam_role.{role.resource_name}.id}}",
            },
        )

    def add_function(self, fn: models.LambdaFunction) -> None:
        """``aws_lambda_function`` (and its log group, when it has one)."""
        body: dict[str, Any] = {
            "function_name": fn.function_name,
            "runtime": fn.runtime,
            "handler": fn.handler,
            "memory_size": fn.memory_size,
            "architectures": [fn.architecture],
            "tags": escape_map(fn.tags),
            "timeout": fn.timeout,
            "source_code_hash": _hash_of(self._paths.code),
            "filename": self._paths.code,
        }
        if fn.subnet_ids or fn.security_group_ids:
            body["vpc_config"] = {
                "subnet_ids": list(fn.subnet_ids),
                "security_group_ids": list(fn.security_group_ids),
            }
        if fn.reserved_concurrency is not None:
            body["reserved_concurrent_executions"] = fn.reserved_concurrency
        if fn.environment_variables:
            body["environment"] = {"variables": escape_map(fn.environment_variables)}
        if fn.xray:
            body["tracing_config"] = {"mode": "Active"}
        layers: list[str] = []
        if fn.managed_layer is not None:
            layers.append(f"${{aws_lambda_layer_version.{fn.managed_layer.resource_name}.arn}}")
        layers.extend(fn.layers)
        if layers:
            body["layers"] = layers
        if isinstance(fn.role, models.PreCreatedIAMRole):
            body["role"] = fn.role.role_arn
        else:
            body["role"] = f"${{aws_iam_role.{fn.role.resource_name}.arn}}"
        if fn.log_group is not None:
            # Named after the real function name (upstream's api_handler group
            # did not match), and created first so Lambda does not create it
            # without a retention policy.
            self.put(
                "aws_cloudwatch_log_group",
                fn.log_group.resource_name,
                {
                    "name": f"/aws/lambda/{fn.function_name}",
                    "retention_in_days": fn.log_group.retention_in_days,
                },
            )
            body["depends_on"] = [f"aws_cloudwatch_log_group.{fn.log_group.resource_name}"]
        self.put("aws_lambda_function", fn.resource_name, body)

    # -- event sources ------------------------------------------------------

    def add_rule(self, name: str, fn: models.LambdaFunction, rule: dict[str, Any]) -> None:
        """An event rule ``name`` targeting ``fn``, with the permission to invoke it."""
        self.put("aws_cloudwatch_event_rule", name, rule)
        self.put(
            "aws_cloudwatch_event_target",
            name,
            {
                "rule": f"${{aws_cloudwatch_event_rule.{name}.name}}",
                "target_id": name,
                "arn": fn_arn(fn),
            },
        )
        self.put(
            "aws_lambda_permission",
            name,
            {
                "function_name": fn_arn(fn),
                "action": "lambda:InvokeFunction",
                "principal": "events.amazonaws.com",
                "source_arn": f"${{aws_cloudwatch_event_rule.{name}.arn}}",
            },
        )

    def add_sns(self, sub: models.SNSLambdaSubscription) -> None:
        """The topic subscription and the permission letting SNS invoke the function."""
        topic = sub.topic if sub.topic.startswith("arn:") else _arn("sns", sub.topic)
        self.put(
            "aws_lambda_permission",
            sub.resource_name,
            {
                "function_name": fn_arn(sub.lambda_function),
                "action": "lambda:InvokeFunction",
                "principal": "sns.amazonaws.com",
                "source_arn": topic,
            },
        )
        self.put(
            "aws_sns_topic_subscription",
            sub.resource_name,
            {"topic_arn": topic, "protocol": "lambda", "endpoint": fn_arn(sub.lambda_function)},
        )

    def add_s3(self, event: models.S3BucketNotification) -> None:
        """The invoke permission; the bucket's notification is written by ``finish_s3``."""
        self.put(
            "aws_lambda_permission",
            event.resource_name,
            {
                "statement_id": event.resource_name,
                "action": "lambda:InvokeFunction",
                "function_name": fn_arn(event.lambda_function),
                "principal": "s3.amazonaws.com",
                "source_account": _ACCOUNT,
                "source_arn": f"arn:{_PARTITION}:s3:::{event.bucket}",
            },
        )
        entry: dict[str, Any] = {
            "events": list(event.events),
            "lambda_function_arn": fn_arn(event.lambda_function),
        }
        if event.prefix:
            entry["filter_prefix"] = event.prefix
        if event.suffix:
            entry["filter_suffix"] = event.suffix
        self._s3.setdefault(event.bucket, []).append((entry, event.resource_name))

    def finish_s3(self) -> None:
        """One notification resource per bucket: S3 keeps a single configuration per bucket."""
        for bucket, subscribers in self._s3.items():
            self.put(
                "aws_s3_bucket_notification",
                bucket_resource_name(bucket),
                {
                    "bucket": bucket,
                    "lambda_function": [entry for entry, _ in subscribers],
                    # S3 checks it may invoke each function when the
                    # configuration is written.
                    "depends_on": [f"aws_lambda_permission.{name}" for _, name in subscribers],
                },
            )


# -- emitters of the event sources (the descriptors name them) ----------------


def emit_with_owner(
    builder: TerraformBuilder, resource: models.LogGroup | models.DomainName
) -> None:
    """Nothing: a log group is emitted with its function, a domain with its API."""


def emit_rule(
    builder: TerraformBuilder, event: models.ScheduledEvent | models.CloudWatchEvent
) -> None:
    """An ``aws_cloudwatch_event_rule`` (schedule or pattern) targeting the function.

    The rule is named ``<fn>-event`` as upstream names it (not the
    ``<app>-<stage>-`` prefixed name ``chalice deploy`` uses): the name forces
    replacement, so existing states keep their rules. Two stages of one app
    in one account and region share the name (see docs/packaging.rst).
    """
    name = event.resource_name
    if isinstance(event, models.ScheduledEvent):
        rule: dict[str, Any] = {
            "name": name,
            "schedule_expression": event.schedule_expression,
        }
        if event.rule_description:
            rule["description"] = escape(event.rule_description)
    else:
        rule = {"name": name, "event_pattern": escape(event.event_pattern)}
    builder.add_rule(name, event.lambda_function, rule)


def emit_sqs(builder: TerraformBuilder, source: models.SQSEventSource) -> None:
    """An ``aws_lambda_event_source_mapping`` from the queue."""
    mapping: dict[str, Any] = {
        "event_source_arn": source.queue_arn or _arn("sqs", source.queue),
        "batch_size": source.batch_size,
        "maximum_batching_window_in_seconds": source.maximum_batching_window_in_seconds,
        "function_name": fn_arn(source.lambda_function),
    }
    if source.maximum_concurrency is not None:
        mapping["scaling_config"] = {"maximum_concurrency": source.maximum_concurrency}
    builder.put("aws_lambda_event_source_mapping", source.resource_name, mapping)


def emit_kinesis(builder: TerraformBuilder, source: models.KinesisEventSource) -> None:
    """An ``aws_lambda_event_source_mapping`` from the stream."""
    builder.put(
        "aws_lambda_event_source_mapping",
        source.resource_name,
        {
            "event_source_arn": _arn("kinesis", f"stream/{source.stream}"),
            "batch_size": source.batch_size,
            "starting_position": source.starting_position,
            "maximum_batching_window_in_seconds": source.maximum_batching_window_in_seconds,
            "function_name": fn_arn(source.lambda_function),
        },
    )


def emit_dynamodb(builder: TerraformBuilder, source: models.DynamoDBEventSource) -> None:
    """An ``aws_lambda_event_source_mapping`` from the table's stream."""
    builder.put(
        "aws_lambda_event_source_mapping",
        source.resource_name,
        {
            "event_source_arn": source.stream_arn,
            "batch_size": source.batch_size,
            "starting_position": source.starting_position,
            "maximum_batching_window_in_seconds": source.maximum_batching_window_in_seconds,
            "function_name": fn_arn(source.lambda_function),
        },
    )


def fn_arn(fn: models.LambdaFunction) -> str:
    """A reference to the ARN of ``fn``'s ``aws_lambda_function``."""
    return f"${{aws_lambda_function.{fn.resource_name}.arn}}"
