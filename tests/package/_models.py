"""Hand-built ``models.Application`` values for the template generator tests.

They mirror ``fixtures/apps/full`` and ``fixtures/apps/s3`` as the graph and
build stages would produce them, so the generators can be tested without the
rest of the pipeline (and compared with what upstream 1.34.0 produced for the
same apps, stored in ``fixtures/upstream-1.34.0.json``).
"""

from __future__ import annotations

from typing import Any

from chalice.deploy import models

APP = "pkgfull"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:*:logs:*:*:*",
        }
    ],
}
PKG = models.DeploymentPackage(filename="/nonexistent/deployment.zip", sha256="abc=")
LAYER_PKG = models.DeploymentPackage(filename="/nonexistent/layer.zip", sha256="def=")


def cfn_uri(fn_id: str) -> dict[str, Any]:
    return {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31"
        f"/functions/${{{fn_id}.Arn}}/invocations"
    }


def tf_uri(fn_name: str) -> str:
    return f"${{aws_lambda_function.{fn_name}.invoke_arn}}"


def swagger(app_name: str, *, terraform: bool, authorizer: bool = True) -> dict[str, Any]:
    """A small swagger document in the CloudFormation or Terraform URI style."""

    def integration(uri: Any) -> dict[str, Any]:
        return {
            "responses": {"default": {"statusCode": "200"}},
            "uri": uri,
            "passthroughBehavior": "when_no_match",
            "httpMethod": "POST",
            "contentHandling": "CONVERT_TO_TEXT",
            "type": "aws_proxy",
        }

    handler_uri = tf_uri("api_handler") if terraform else cfn_uri("APIHandler")
    doc: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"version": "1.0", "title": app_name},
        "schemes": ["https"],
        "paths": {
            "/": {
                "get": {
                    "consumes": ["application/json"],
                    "produces": ["application/json"],
                    "responses": {
                        "200": {
                            "description": "200 response",
                            "schema": {"$ref": "#/definitions/Empty"},
                        }
                    },
                    "x-amazon-apigateway-integration": integration(handler_uri),
                }
            }
        },
        "definitions": {"Empty": {"type": "object", "title": "Empty Schema"}},
        "x-amazon-apigateway-binary-media-types": ["application/octet-stream"],
    }
    if authorizer:
        auth_uri = tf_uri("token_auth") if terraform else cfn_uri("TokenAuth")
        doc["paths"]["/"]["get"]["security"] = [{"token_auth": []}]
        doc["securityDefinitions"] = {
            "token_auth": {
                "in": "header",
                "type": "apiKey",
                "name": "Authorization",
                "x-amazon-apigateway-authtype": "custom",
                "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": auth_uri},
            }
        }
    return doc


def _function(
    name: str,
    stage: str,
    role: models.Role,
    *,
    handler: str | None = None,
    layer: models.LambdaLayer | None,
    log_retention: int | None,
    app_name: str = APP,
    **kw: Any,
) -> models.LambdaFunction:
    function_name = f"{app_name}-{stage}" if name == "api_handler" else f"{app_name}-{stage}-{name}"
    log_group = None
    if log_retention is not None:
        log_group = models.LogGroup(
            resource_name=f"{name}-log-group",
            log_group_name=f"/aws/lambda/{app_name}-{stage}-{name}",
            retention_in_days=log_retention,
        )
    defaults: dict[str, Any] = {
        "environment_variables": {"STAGE": "dev"},
        "tags": {"team": "pkg", "aws-chalice": f"version=1.34.0:stage={stage}:app={app_name}"},
        "xray": True,
        "layers": ("arn:aws:lambda:us-west-2:123456789012:layer:userlayer:3",),
    }
    defaults.update(kw)
    return models.LambdaFunction(
        resource_name=name,
        function_name=function_name,
        deployment_package=PKG,
        handler=handler or f"app.{name}",
        runtime="python3.11",
        role=role,
        managed_layer=layer,
        log_group=log_group,
        **defaults,
    )


def full_application(
    stage: str = "dev",
    *,
    terraform: bool = False,
    log_retention: int | None = 14,
    stacked_events: bool = False,
    architecture: str = "x86_64",
) -> models.Application:
    """The ``fixtures/apps/full`` app as built models.

    ``stacked_events`` gives ``every_five`` a second event source (an SQS
    queue), which upstream drops in SAM.
    """
    role = models.ManagedIAMRole(
        resource_name="default-role",
        role_name=f"{APP}-{stage}",
        trust_policy=TRUST,
        policy=models.AutoGenIAMPolicy(document=POLICY),
    )
    layer = models.LambdaLayer(
        resource_name="managed-layer",
        layer_name=f"{APP}-{stage}-managed-layer",
        runtime="python3.11",
        deployment_package=LAYER_PKG,
        architecture=architecture,
    )

    def fn(name: str, **kw: Any) -> models.LambdaFunction:
        return _function(
            name,
            stage,
            role,
            layer=layer,
            log_retention=log_retention,
            architecture=architecture,
            **kw,
        )

    pure = fn(
        "pure",
        subnet_ids=("subnet-0123456789abcdef0", "subnet-0123456789abcdef1"),
        security_group_ids=("sg-0123456789abcdef0",),
        reserved_concurrency=3,
        memory_size=256,
        timeout=30,
    )
    every_five = fn("every_five")
    on_commit = fn("on_commit")
    on_topic = fn("on_topic")
    on_topic_arn = fn("on_topic_arn")
    on_queue = fn("on_queue")
    on_queue_arn = fn("on_queue_arn")
    on_stream = fn("on_stream")
    on_table = fn("on_table")
    api_handler = fn("api_handler", handler="app.app")
    token_auth = fn("token_auth")
    ws = {
        kind: fn(f"websocket_{kind}", handler=f"app.{kind}")
        for kind in ("connect", "message", "disconnect")
    }
    resources: list[models.Resource] = [
        pure,
        models.ScheduledEvent(
            resource_name="every_five-event",
            rule_name=f"{APP}-{stage}-every_five-event",
            schedule_expression="rate(5 minutes)",
            rule_description="every five",
            lambda_function=every_five,
        ),
        models.CloudWatchEvent(
            resource_name="on_commit-event",
            rule_name=f"{APP}-{stage}-on_commit-event",
            event_pattern='{"source": ["aws.codecommit"]}',
            lambda_function=on_commit,
        ),
        models.SNSLambdaSubscription(
            resource_name="on_topic-sns-subscription", topic="mytopic", lambda_function=on_topic
        ),
        models.SNSLambdaSubscription(
            resource_name="on_topic_arn-sns-subscription",
            topic="arn:aws:sns:us-west-2:123456789012:othertopic",
            lambda_function=on_topic_arn,
        ),
        models.SQSEventSource(
            resource_name="on_queue-sqs-event-source",
            queue="myqueue",
            queue_arn=None,
            batch_size=5,
            maximum_batching_window_in_seconds=10,
            maximum_concurrency=4,
            lambda_function=on_queue,
        ),
        models.SQSEventSource(
            resource_name="on_queue_arn-sqs-event-source",
            queue="arnqueue",
            queue_arn="arn:aws:sqs:us-west-2:123456789012:arnqueue",
            batch_size=1,
            maximum_batching_window_in_seconds=0,
            maximum_concurrency=None,
            lambda_function=on_queue_arn,
        ),
        models.KinesisEventSource(
            resource_name="on_stream-kinesis-event-source",
            stream="mystream",
            batch_size=50,
            starting_position="TRIM_HORIZON",
            maximum_batching_window_in_seconds=0,
            lambda_function=on_stream,
        ),
        models.DynamoDBEventSource(
            resource_name="on_table-dynamodb-event-source",
            stream_arn="arn:aws:dynamodb:us-west-2:123456789012:table/mytable/stream/"
            "2020-01-01T00:00:00.000",
            batch_size=100,
            starting_position="LATEST",
            maximum_batching_window_in_seconds=0,
            lambda_function=on_table,
        ),
    ]
    if stacked_events:
        resources.append(
            models.SQSEventSource(
                resource_name="every_five-sqs-event-source",
                queue="stacked",
                queue_arn=None,
                batch_size=1,
                maximum_batching_window_in_seconds=0,
                maximum_concurrency=None,
                lambda_function=every_five,
            )
        )
    resources.append(
        models.RestAPI(
            resource_name="rest_api",
            swagger_doc=swagger(APP, terraform=terraform),
            minimum_compression="1024",
            api_gateway_stage="api",
            endpoint_type="EDGE",
            lambda_function=api_handler,
            xray=True,
            authorizers=(token_auth,),
            domain_name=models.DomainName(
                resource_name="api_gateway_custom_domain",
                domain_name="api.example.com",
                protocol=models.APIType.HTTP,
                certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
                api_mapping=models.APIMapping(
                    resource_name="api_mapping", mount_path="v1", api_gateway_stage="api"
                ),
                tags={"b": "2", "a": "1"},
            ),
        )
    )
    resources.append(
        models.WebsocketAPI(
            resource_name="websocket_api",
            name=f"{APP}-{stage}-websocket-api",
            api_gateway_stage="api",
            routes=("$connect", "$default", "$disconnect"),
            connect_function=ws["connect"],
            message_function=ws["message"],
            disconnect_function=ws["disconnect"],
            domain_name=models.DomainName(
                resource_name="websocket_api_custom_domain",
                domain_name="ws.example.com",
                protocol=models.APIType.WEBSOCKET,
                certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/def",
                api_mapping=models.APIMapping(
                    resource_name="api_mapping", mount_path="(none)", api_gateway_stage="api"
                ),
                endpoint_type="REGIONAL",
                tags={"owner": "ws"},
            ),
        )
    )
    return models.Application(stage=stage, resources=tuple(resources))


def s3_application(stage: str = "dev") -> models.Application:
    """The ``fixtures/apps/s3`` app: three S3 handlers on two buckets plus a route."""
    app_name = "pkgs3"
    role = models.ManagedIAMRole(
        resource_name="default-role",
        role_name=f"{app_name}-{stage}",
        trust_policy=TRUST,
        policy=models.AutoGenIAMPolicy(document=POLICY),
    )

    def fn(name: str, **kw: Any) -> models.LambdaFunction:
        return _function(
            name,
            stage,
            role,
            layer=None,
            log_retention=None,
            app_name=app_name,
            environment_variables={},
            tags={},
            xray=False,
            layers=(),
            **kw,
        )

    def s3(
        name: str, bucket: str, events: tuple[str, ...], prefix: str | None, suffix: str | None
    ) -> models.S3BucketNotification:
        return models.S3BucketNotification(
            resource_name=f"{name}-s3event",
            bucket=bucket,
            events=events,
            prefix=prefix,
            suffix=suffix,
            lambda_function=fn(name),
        )

    return models.Application(
        stage=stage,
        resources=(
            s3("first", "mybucket", ("s3:ObjectCreated:*",), "in/", ".csv"),
            s3("second", "mybucket", ("s3:ObjectRemoved:*",), None, None),
            s3("third", "otherbucket", ("s3:ObjectCreated:*",), None, None),
            models.RestAPI(
                resource_name="rest_api",
                swagger_doc=swagger(app_name, terraform=True, authorizer=False),
                minimum_compression="",
                api_gateway_stage="api",
                endpoint_type="EDGE",
                lambda_function=fn("api_handler", handler="app.app"),
            ),
        ),
    )


def http_application(stage: str = "dev") -> models.Application:
    """An HTTP API stage (every authorizer kind, CORS) and two function URLs."""
    app_name = "pkghttp"
    role = models.ManagedIAMRole(
        resource_name="default-role",
        role_name=f"{app_name}-{stage}",
        trust_policy=TRUST,
        policy=models.AutoGenIAMPolicy(document=POLICY),
    )

    def fn(name: str, **kw: Any) -> models.LambdaFunction:
        return _function(
            name,
            stage,
            role,
            layer=None,
            log_retention=None,
            app_name=app_name,
            environment_variables={},
            tags={},
            xray=False,
            layers=(),
            **kw,
        )

    handler = fn("api_handler", handler="app.app")
    auth = fn("token_auth")
    pure = fn("pure")
    kinds = models.HttpAuthorizerKind
    api = models.HttpApi(
        resource_name="http_api",
        name=f"{app_name}-{stage}-http-api",
        api_gateway_stage="api",
        routes=(
            models.HttpApiRoute("GET /"),
            models.HttpApiRoute("GET /users/{name}", kinds.JWT, "cognito", ("users/read",)),
            models.HttpApiRoute("PUT /users/{name}", kinds.LAMBDA, "token_auth"),
            models.HttpApiRoute("POST /admin", kinds.IAM),
        ),
        lambda_function=handler,
        authorizers=(
            models.HttpApiAuthorizer(
                name="cognito",
                kind=kinds.JWT,
                identity_source=("$request.header.Authorization",),
                issuer="https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc",
                audience=("client1",),
            ),
            models.HttpApiAuthorizer(
                name="token_auth",
                kind=kinds.LAMBDA,
                identity_source=("$request.header.Authorization",),
                function="token_auth",
                function_name=auth.function_name,
                ttl_seconds=60,
            ),
        ),
        cors=models.CorsSettings(
            allow_origins=("https://example.com",),
            allow_methods=("GET", "OPTIONS", "POST", "PUT"),
            allow_headers=("Authorization", "Content-Type"),
            max_age=600,
        ),
        domain_name=models.DomainName(
            resource_name="http_api_custom_domain",
            domain_name="http.example.com",
            protocol=models.APIType.HTTP_API,
            certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/ghi",
            api_mapping=models.APIMapping(
                resource_name="api_mapping", mount_path="v1", api_gateway_stage="api"
            ),
            endpoint_type="REGIONAL",
            tags={"owner": "http"},
        ),
        stage_settings=models.HttpStageSettings(
            access_log_destination="arn:aws:logs:us-west-2:123456789012:log-group:access",
            throttling_burst_limit=100,
            throttling_rate_limit=50.0,
        ),
    )
    return models.Application(
        stage=stage,
        resources=(
            pure,
            auth,
            api,
            models.FunctionUrl(
                resource_name="pure-function-url",
                auth_type="NONE",
                lambda_function=pure,
                cors=models.CorsSettings(allow_origins=("*",)),
            ),
            models.FunctionUrl(
                resource_name="api_handler-function-url",
                auth_type="AWS_IAM",
                lambda_function=handler,
            ),
        ),
    )
