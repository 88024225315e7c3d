"""Resource models -> an AWS SAM (CloudFormation) template, as a plain dict.

``generate_sam_template`` is a pure function: it reads the built
``models.Application`` (zips built, policies and the CloudFormation-style
swagger document filled in) and returns the template. It never touches the
disk nor AWS; copying the zips and writing the file is the caller's job.

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
REST_API_ID = "RestAPI"
WEBSOCKET_API_ID = "WebsocketAPI"

_EXECUTE_API_SOURCE_ARN = (
    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${%s}/*"
)
_WEBSOCKET_INTEGRATION_URI = (
    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
    "${WebsocketHandler}/invocations"
)

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


def _ref(name: str) -> dict[str, Any]:
    return {"Ref": name}


def _get_att(name: str, attr: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [name, attr]}


def _sub(template: str) -> dict[str, Any]:
    return {"Fn::Sub": template}


def _arn_sub(service: str, resource: str) -> dict[str, Any]:
    """``Fn::Sub`` of an ARN in the stack's own partition, region and account."""
    return _sub(
        f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"
    )


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

    def _put(self, logical: str, owner: str, resource: dict[str, Any]) -> None:
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
        self._put(
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
        self._put(
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
            self._put(
                logical_id(fn.log_group.resource_name),
                fn.log_group.resource_name,
                {
                    "Type": "AWS::Logs::LogGroup",
                    "Properties": {
                        "LogGroupName": _sub(f"/aws/lambda/${{{fid}}}"),
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
            layers.append(_ref(logical_id(fn.managed_layer.resource_name)))
        layers.extend(fn.layers)
        if layers:
            props["Layers"] = layers
        if isinstance(fn.role, models.PreCreatedIAMRole):
            props["Role"] = fn.role.role_arn
        else:
            props["Role"] = _get_att(logical_id(fn.role.resource_name), "Arn")
        self._put(fid, fn.resource_name, {"Type": "AWS::Serverless::Function", "Properties": props})

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

    def _add_invoke_permission(
        self, pid: str, owner: str, function_name: Any, api_id: str, api_param: str
    ) -> None:
        self._put(
            pid,
            owner,
            {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": function_name,
                    "Action": "lambda:InvokeFunction",
                    "Principal": "apigateway.amazonaws.com",
                    "SourceArn": {
                        "Fn::Sub": [_EXECUTE_API_SOURCE_ARN % api_param, {api_param: _ref(api_id)}]
                    },
                },
            },
        )

    # -- REST API -----------------------------------------------------------

    def add_rest_api(self, api: models.RestAPI) -> None:
        """``AWS::Serverless::Api``, invoke permissions, custom domain and outputs."""
        if api.swagger_doc is None:
            raise PackageError(
                "The REST API's swagger document was not built.",
                where="rest_api",
                fix="this is a bug in chalice: the build stage must fill swagger_doc",
            )
        props: dict[str, Any] = {
            "EndpointConfiguration": api.endpoint_type,
            "StageName": api.api_gateway_stage,
            "DefinitionBody": api.swagger_doc,
        }
        if api.minimum_compression:
            props["MinimumCompressionSize"] = int(api.minimum_compression)
        if api.xray:
            props["TracingEnabled"] = True
        self._put(
            REST_API_ID, api.resource_name, {"Type": "AWS::Serverless::Api", "Properties": props}
        )
        handler_id = logical_id(api.lambda_function.resource_name)
        self._add_invoke_permission(
            f"{handler_id}InvokePermission",
            "rest_api_invoke",
            _ref(handler_id),
            REST_API_ID,
            "RestAPIId",
        )
        for auth in api.authorizers:
            auth_id = logical_id(auth.resource_name)
            self._add_invoke_permission(
                f"{auth_id}InvokePermission",
                f"{auth.resource_name}_invoke",
                _get_att(auth_id, "Arn"),
                REST_API_ID,
                "RestAPIId",
            )
        if api.domain_name is not None:
            self._add_rest_domain(api.domain_name)
        self.outputs.update(
            {
                "RestAPIId": {"Value": _ref(REST_API_ID)},
                "APIHandlerName": {"Value": _ref(handler_id)},
                "APIHandlerArn": {"Value": _get_att(handler_id, "Arn")},
                "EndpointURL": {
                    "Value": _sub(
                        f"https://${{{REST_API_ID}}}.execute-api.${{AWS::Region}}"
                        f".${{AWS::URLSuffix}}/{api.api_gateway_stage}/"
                    )
                },
            }
        )

    def _add_rest_domain(self, domain: models.DomainName) -> None:
        did = logical_id(domain.resource_name)
        props: dict[str, Any] = {
            "DomainName": domain.domain_name,
            "EndpointConfiguration": {"Types": [domain.endpoint_type]},
        }
        if domain.endpoint_type == "EDGE":
            props["CertificateArn"] = domain.certificate_arn
        else:
            props["RegionalCertificateArn"] = domain.certificate_arn
        props["SecurityPolicy"] = domain.tls_version.value
        if domain.tags:
            props["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(domain.tags.items())]
        self._put(
            did, domain.resource_name, {"Type": "AWS::ApiGateway::DomainName", "Properties": props}
        )
        mapping: dict[str, Any] = {
            "DomainName": _ref(did),
            "RestApiId": _ref(REST_API_ID),
        }
        if domain.api_mapping.mount_path != "(none)":
            mapping["BasePath"] = domain.api_mapping.mount_path
        # ``RestAPI.Stage`` is SAM's reference to the stage it generates; a
        # literal stage name would let CloudFormation create the mapping
        # before the stage exists.
        mapping["Stage"] = _ref(f"{REST_API_ID}.Stage")
        self._put(
            f"{did}Mapping",
            f"{domain.resource_name} mapping",
            {"Type": "AWS::ApiGateway::BasePathMapping", "Properties": mapping},
        )
        # For the DNS alias record (as Terraform's outputs and ``chalice deploy`` give).
        edge = domain.endpoint_type == "EDGE"
        self.outputs["AliasDomainName"] = {
            "Value": _get_att(did, "DistributionDomainName" if edge else "RegionalDomainName")
        }
        self.outputs["HostedZoneId"] = {
            "Value": _get_att(did, "DistributionHostedZoneId" if edge else "RegionalHostedZoneId")
        }

    # -- Websocket API ------------------------------------------------------

    def add_websocket_api(self, api: models.WebsocketAPI) -> None:
        """The websocket API, its routes, integrations, stage, domain and outputs."""
        self._put(
            WEBSOCKET_API_ID,
            api.resource_name,
            {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {
                    "Name": api.name,
                    "RouteSelectionExpression": "$request.body.action",
                    "ProtocolType": "WEBSOCKET",
                },
            },
        )
        handlers = [
            ("$connect", "Connect", api.connect_function),
            ("$default", "Message", api.message_function),
            ("$disconnect", "Disconnect", api.disconnect_function),
        ]
        route_ids: list[str] = []
        for route_key, kind, fn in handlers:
            if fn is None:
                continue
            fid = logical_id(fn.resource_name)
            integration_id = f"Websocket{kind}APIIntegration"
            self._put(
                integration_id,
                f"{fn.resource_name} integration",
                {
                    "Type": "AWS::ApiGatewayV2::Integration",
                    "Properties": {
                        "ApiId": _ref(WEBSOCKET_API_ID),
                        "ConnectionType": "INTERNET",
                        "ContentHandlingStrategy": "CONVERT_TO_TEXT",
                        "IntegrationType": "AWS_PROXY",
                        "IntegrationUri": {
                            "Fn::Sub": [_WEBSOCKET_INTEGRATION_URI, {"WebsocketHandler": _ref(fid)}]
                        },
                    },
                },
            )
            self._add_invoke_permission(
                f"Websocket{kind}InvokePermission",
                f"{fn.resource_name} permission",
                _ref(fid),
                WEBSOCKET_API_ID,
                "WebsocketAPIId",
            )
            route_id = f"Websocket{kind}Route"
            route_ids.append(route_id)
            self._put(
                route_id,
                f"{fn.resource_name} route",
                {
                    "Type": "AWS::ApiGatewayV2::Route",
                    "Properties": {
                        "ApiId": _ref(WEBSOCKET_API_ID),
                        "RouteKey": route_key,
                        "Target": {"Fn::Join": ["/", ["integrations", _ref(integration_id)]]},
                    },
                },
            )
            self.outputs[f"Websocket{kind}HandlerArn"] = {"Value": _get_att(fid, "Arn")}
            self.outputs[f"Websocket{kind}HandlerName"] = {"Value": _ref(fid)}
        self._put(
            "WebsocketAPIDeployment",
            "websocket deployment",
            {
                "Type": "AWS::ApiGatewayV2::Deployment",
                "DependsOn": route_ids,
                "Properties": {"ApiId": _ref(WEBSOCKET_API_ID)},
            },
        )
        self._put(
            "WebsocketAPIStage",
            "websocket stage",
            {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {
                    "ApiId": _ref(WEBSOCKET_API_ID),
                    "DeploymentId": _ref("WebsocketAPIDeployment"),
                    "StageName": api.api_gateway_stage,
                },
            },
        )
        if api.domain_name is not None:
            self._add_websocket_domain(api.domain_name)
        self.outputs["WebsocketAPIId"] = {"Value": _ref(WEBSOCKET_API_ID)}
        self.outputs["WebsocketConnectEndpointURL"] = {
            "Value": _sub(
                f"wss://${{{WEBSOCKET_API_ID}}}.execute-api.${{AWS::Region}}"
                f".${{AWS::URLSuffix}}/{api.api_gateway_stage}/"
            )
        }

    def _add_websocket_domain(self, domain: models.DomainName) -> None:
        did = logical_id(domain.resource_name)
        props: dict[str, Any] = {
            "DomainName": domain.domain_name,
            "DomainNameConfigurations": [
                {
                    "CertificateArn": domain.certificate_arn,
                    "EndpointType": "REGIONAL",
                    "SecurityPolicy": domain.tls_version.value,
                }
            ],
        }
        if domain.tags:
            props["Tags"] = dict(sorted(domain.tags.items()))
        self._put(
            did,
            domain.resource_name,
            {"Type": "AWS::ApiGatewayV2::DomainName", "Properties": props},
        )
        mapping: dict[str, Any] = {
            "DomainName": _ref(did),
            "ApiId": _ref(WEBSOCKET_API_ID),
            "Stage": _ref("WebsocketAPIStage"),
        }
        if domain.api_mapping.mount_path != "(none)":
            mapping["ApiMappingKey"] = domain.api_mapping.mount_path
        self._put(
            f"{did}Mapping",
            f"{domain.resource_name} mapping",
            {"Type": "AWS::ApiGatewayV2::ApiMapping", "Properties": mapping},
        )
        self.outputs["WebsocketAliasDomainName"] = {"Value": _get_att(did, "RegionalDomainName")}
        self.outputs["WebsocketHostedZoneId"] = {"Value": _get_att(did, "RegionalHostedZoneId")}


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
        topic = _arn_sub("sns", topic)
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
                "Stream": _arn_sub("kinesis", f"stream/{source.stream}"),
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
    queue: Any = source.queue_arn if source.queue_arn else _arn_sub("sqs", source.queue)
    props: dict[str, Any] = {
        "Queue": queue,
        "BatchSize": source.batch_size,
        "MaximumBatchingWindowInSeconds": source.maximum_batching_window_in_seconds,
    }
    if source.maximum_concurrency is not None:
        props["ScalingConfig"] = {"MaximumConcurrency": source.maximum_concurrency}
    return props
