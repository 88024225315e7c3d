"""Resource models -> an AWS SAM (CloudFormation) template, as a plain dict.

``generate_sam_template`` is a pure function: it reads the built
``models.Application`` (zips built, policies and the CloudFormation-style
swagger document filled in) and returns the template. It never touches the
disk nor AWS; copying the zips and writing the file is the caller's job.
Each resource type is added by the emitter its descriptor names
(``chalice/deploy/descriptors.py``): the builder's ``add_*`` methods and the
``emit_*`` functions here, the APIs' in ``sam_apis.py``.

Logical ids follow upstream's CamelCase rule (``to_cfn_resource_name``) so a
stack created by upstream Chalice updates in place instead of replacing its
resources. Where upstream is wrong we do better, and ``docs/packaging.rst``
lists every such difference:

* a function with several event sources keeps all of them in ``Events``;
* S3 notifications raise a ``PackageError`` saying what to do instead;
* the API handler's log group refers to ``APIHandler`` (upstream refers to a
  resource that does not exist);
* base path mappings reference the SAM-generated stage, so they are created
  after it.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from chalice.deploy import models
from chalice.deploy.descriptors import descriptor_for
from chalice.deploy.naming import to_cfn_resource_name
from chalice.errors import PackageError

TEMPLATE_FORMAT_VERSION = "2010-09-09"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

# Renamed for backwards compatibility: stacks and Outputs created by every
# Chalice version use this id for the REST handler.
API_HANDLER_ID = "APIHandler"

_S3_FIX = (
    "package with `--pkg-format terraform` (it manages bucket notifications), "
    "deploy with `chalice deploy`, or remove the @app.on_s3_event handler and "
    "configure the bucket's NotificationConfiguration in your own template "
    "(pass it with --merge-template)"
)


@attrs.frozen
class ArtifactPaths:
    """Where the template says the zips are, relative to the template file."""

    code_uri: str = "./deployment.zip"
    layer_uri: str = "./layer-deployment.zip"


def logical_id(resource_name: str) -> str:
    """CloudFormation logical id of a chalice resource (``api_handler`` -> ``APIHandler``)."""
    if resource_name == "api_handler":
        return API_HANDLER_ID
    return to_cfn_resource_name(resource_name)


def check_expressible(application: models.Application) -> None:
    """Raise the ``PackageError`` ``generate_sam_template`` would for unsupported resources.

    Cheap (no artifacts needed), so callers can refuse before building zips.
    """
    for resource in application.resources:
        if isinstance(resource, models.S3BucketNotification):
            raise _s3_error(resource)


def generate_sam_template(
    application: models.Application, *, paths: ArtifactPaths | None = None
) -> dict[str, Any]:
    """The SAM template for ``application`` (SPEC §5.1), deterministic for equal input.

    Raises ``PackageError`` for what CloudFormation cannot express (S3
    notifications on an existing bucket) and for two resources mapping to one
    logical id.
    """
    builder = SAMBuilder(paths or ArtifactPaths())
    for resource in models.dependency_order(application):
        builder.add(resource)
    return {
        "AWSTemplateFormatVersion": TEMPLATE_FORMAT_VERSION,
        "Transform": SAM_TRANSFORM,
        "Outputs": builder.outputs,
        "Resources": builder.resources,
    }


def ref(name: str) -> dict[str, Any]:
    """``{"Ref": name}``."""
    return {"Ref": name}


def get_att(name: str, attr: str) -> dict[str, Any]:
    """``{"Fn::GetAtt": [name, attr]}``."""
    return {"Fn::GetAtt": [name, attr]}


def sub(template: str) -> dict[str, Any]:
    """``{"Fn::Sub": template}``."""
    return {"Fn::Sub": template}


def arn_sub(service: str, resource: str) -> dict[str, Any]:
    """``Fn::Sub`` of an ARN in the stack's own partition, region and account."""
    return sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


class SAMBuilder:
    """Accumulates resources and outputs; one ``add`` per recorded model.

    The ``add_*`` methods and the ``emit_*`` functions below are the SAM
    emitters the resource descriptors name (``chalice/deploy/descriptors.py``).
    """

    def __init__(self, paths: ArtifactPaths) -> None:
        self._paths = paths
        self.resources: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        # logical id -> chalice resource name, to report collisions clearly.
        self._owners: dict[str, str] = {}

    def put(self, logical: str, owner: str, resource: dict[str, Any]) -> None:
        """Add ``resource`` under ``logical``; ``owner`` names it in a collision error."""
        if logical in self._owners:
            raise PackageError(
                f"Two resources map to the CloudFormation logical id {logical!r}: "
                f"{self._owners[logical]!r} and {owner!r}.",
                where=f"resource {owner!r}",
                fix="rename one of the functions (or pass name=... to its decorator) so "
                "their CamelCase forms differ",
            )
        self._owners[logical] = owner
        self.resources[logical] = resource

    def add(self, resource: models.RecordedResource) -> None:
        """Add ``resource`` with its type's emitter (its descriptor's ``sam``)."""
        descriptor_for(resource).sam()(self, resource)

    # -- IAM, layers, functions ---------------------------------------------

    def add_role(self, role: models.ManagedIAMRole) -> None:
        """``AWS::IAM::Role`` with the built policy inline."""
        rid = logical_id(role.resource_name)
        document = role.policy.document
        if document is None:
            raise PackageError(
                f"The policy of role {role.resource_name!r} was not built.",
                where=f"role {role.resource_name!r}",
                fix="this is a bug in chalice: the build stage must fill policy documents",
            )
        self.put(
            rid,
            role.resource_name,
            {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": role.trust_policy,
                    "Policies": [{"PolicyDocument": document, "PolicyName": f"{rid}Policy"}],
                },
            },
        )

    def add_layer(self, layer: models.LambdaLayer) -> None:
        """``AWS::Serverless::LayerVersion`` of the managed layer."""
        self.put(
            logical_id(layer.resource_name),
            layer.resource_name,
            {
                "Type": "AWS::Serverless::LayerVersion",
                "Properties": {
                    "CompatibleRuntimes": [layer.runtime],
                    "CompatibleArchitectures": [layer.architecture],
                    "ContentUri": self._paths.layer_uri,
                    "LayerName": layer.layer_name,
                },
            },
        )

    def add_function(self, fn: models.LambdaFunction) -> None:
        """``AWS::Serverless::Function`` (and its log group, when it has one)."""
        fid = logical_id(fn.resource_name)
        if fn.log_group is not None:
            # The name is taken from the function itself, so the group is the
            # one Lambda writes to (upstream named ``ApiHandler``, which does
            # not exist; the logical id is kept for stack compatibility).
            self.put(
                logical_id(fn.log_group.resource_name),
                fn.log_group.resource_name,
                {
                    "Type": "AWS::Logs::LogGroup",
                    "Properties": {
                        "LogGroupName": sub(f"/aws/lambda/${{{fid}}}"),
                        "RetentionInDays": fn.log_group.retention_in_days,
                    },
                },
            )
        props: dict[str, Any] = {
            "Runtime": fn.runtime,
            "Handler": fn.handler,
            "CodeUri": self._paths.code_uri,
            "Tags": dict(fn.tags),
            "Tracing": "Active" if fn.xray else "PassThrough",
            "Timeout": fn.timeout,
            "MemorySize": fn.memory_size,
            "Architectures": [fn.architecture],
        }
        if fn.environment_variables:
            props["Environment"] = {"Variables": dict(fn.environment_variables)}
        if fn.subnet_ids or fn.security_group_ids:
            props["VpcConfig"] = {
                "SecurityGroupIds": list(fn.security_group_ids),
                "SubnetIds": list(fn.subnet_ids),
            }
        if fn.reserved_concurrency is not None:
            props["ReservedConcurrentExecutions"] = fn.reserved_concurrency
        layers: list[Any] = []
        if fn.managed_layer is not None:
            layers.append(ref(logical_id(fn.managed_layer.resource_name)))
        layers.extend(fn.layers)
        if layers:
            props["Layers"] = layers
        if isinstance(fn.role, models.PreCreatedIAMRole):
            props["Role"] = fn.role.role_arn
        else:
            props["Role"] = get_att(logical_id(fn.role.resource_name), "Arn")
        self.put(fid, fn.resource_name, {"Type": "AWS::Serverless::Function", "Properties": props})

    def add_event(
        self, resource_name: str, fn: models.LambdaFunction, event: dict[str, Any]
    ) -> None:
        """Add ``event`` to the ``Events`` of ``fn`` under the logical id of ``resource_name``."""
        # Each event source adds its own entry: a function subscribed to
        # several sources keeps all of them (upstream kept only the last).
        props = self.resources[logical_id(fn.resource_name)]["Properties"]
        events: dict[str, Any] = props.setdefault("Events", {})
        key = logical_id(resource_name)
        if key in events:
            raise PackageError(
                f"Function {fn.resource_name!r} has two event sources named {key!r}.",
                where=f"function {fn.resource_name!r}",
                fix="give each event decorator a distinct name=...",
            )
        events[key] = event


# -- emitters of the event sources (the descriptors name them) ----------------


def emit_with_owner(builder: SAMBuilder, resource: models.LogGroup | models.DomainName) -> None:
    """Nothing: a log group is emitted with its function, a domain with its API."""


def emit_rule(builder: SAMBuilder, event: models.ScheduledEvent | models.CloudWatchEvent) -> None:
    """A ``Schedule`` or ``CloudWatchEvent`` event of the function."""
    if isinstance(event, models.ScheduledEvent):
        source = {"Type": "Schedule", "Properties": _schedule_properties(event)}
    else:
        source = {
            "Type": "CloudWatchEvent",
            "Properties": {"Pattern": json.loads(event.event_pattern)},
        }
    builder.add_event(event.resource_name, event.lambda_function, source)


def emit_sns(builder: SAMBuilder, sub: models.SNSLambdaSubscription) -> None:
    """An ``SNS`` event of the function (a topic name becomes an ARN in the stack's account)."""
    topic: Any = sub.topic
    if not topic.startswith("arn:"):
        topic = arn_sub("sns", topic)
    builder.add_event(
        sub.resource_name, sub.lambda_function, {"Type": "SNS", "Properties": {"Topic": topic}}
    )


def emit_sqs(builder: SAMBuilder, source: models.SQSEventSource) -> None:
    """An ``SQS`` event of the function."""
    builder.add_event(
        source.resource_name,
        source.lambda_function,
        {"Type": "SQS", "Properties": _sqs_properties(source)},
    )


def emit_kinesis(builder: SAMBuilder, source: models.KinesisEventSource) -> None:
    """A ``Kinesis`` event of the function."""
    builder.add_event(
        source.resource_name,
        source.lambda_function,
        {
            "Type": "Kinesis",
            "Properties": {
                "Stream": arn_sub("kinesis", f"stream/{source.stream}"),
                "BatchSize": source.batch_size,
                "StartingPosition": source.starting_position,
                "MaximumBatchingWindowInSeconds": source.maximum_batching_window_in_seconds,
            },
        },
    )


def emit_dynamodb(builder: SAMBuilder, source: models.DynamoDBEventSource) -> None:
    """A ``DynamoDB`` event of the function."""
    builder.add_event(
        source.resource_name,
        source.lambda_function,
        {
            "Type": "DynamoDB",
            "Properties": {
                "Stream": source.stream_arn,
                "BatchSize": source.batch_size,
                "StartingPosition": source.starting_position,
                "MaximumBatchingWindowInSeconds": source.maximum_batching_window_in_seconds,
            },
        },
    )


def emit_s3(builder: SAMBuilder, event: models.S3BucketNotification) -> None:
    """Refuse: CloudFormation cannot configure an existing bucket (``PackageError``)."""
    raise _s3_error(event)


def _s3_error(event: models.S3BucketNotification) -> PackageError:
    handler = event.lambda_function.resource_name
    return PackageError(
        "CloudFormation cannot add event notifications to an existing S3 bucket, so the "
        f"S3 event handler {handler!r} (bucket {event.bucket!r}) cannot be packaged as a "
        "SAM template.",
        where=f"@app.on_s3_event handler {handler!r}",
        fix=_S3_FIX,
    )


def _schedule_properties(event: models.ScheduledEvent) -> dict[str, Any]:
    props: dict[str, Any] = {"Schedule": event.schedule_expression}
    if event.rule_description:
        props["Description"] = event.rule_description
    return props


def _sqs_properties(source: models.SQSEventSource) -> dict[str, Any]:
    queue: Any = source.queue_arn if source.queue_arn else arn_sub("sqs", source.queue)
    props: dict[str, Any] = {
        "Queue": queue,
        "BatchSize": source.batch_size,
        "MaximumBatchingWindowInSeconds": source.maximum_batching_window_in_seconds,
    }
    if source.maximum_concurrency is not None:
        props["ScalingConfig"] = {"MaximumConcurrency": source.maximum_concurrency}
    return props
