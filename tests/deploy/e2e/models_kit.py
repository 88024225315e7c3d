"""Hand-built resource models for engine tests (no app import, no packager).

A tiny deterministic zip stands in for the deployment package, so the tests
exercise planning and execution against moto without building anything.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from chalice.deploy import models

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["logs:*"], "Resource": "arn:*:logs:*:*:*"}],
}


def make_zip(
    path: Path, body: str = "def handler(event, context):\n    return {}\n"
) -> models.DeploymentPackage:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("app.py", date_time=(1980, 1, 1, 0, 0, 0))
        zf.writestr(info, body)
    data = buf.getvalue()
    path.write_bytes(data)
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return models.DeploymentPackage(filename=str(path), sha256=sha)


def role(app: str, stage: str, policy: dict[str, Any] | None = None) -> models.ManagedIAMRole:
    return models.ManagedIAMRole(
        resource_name="default-role",
        role_name=f"{app}-{stage}",
        trust_policy=TRUST,
        policy=models.AutoGenIAMPolicy(document=policy or POLICY),
    )


def function(
    app: str,
    stage: str,
    name: str,
    pkg: models.DeploymentPackage,
    the_role: models.Role,
    **kw: Any,
) -> models.LambdaFunction:
    fname = f"{app}-{stage}" if name == "api_handler" else f"{app}-{stage}-{name}"
    handler = "app.app" if name == "api_handler" else f"app.{name}"
    return models.LambdaFunction(
        resource_name=name,
        function_name=fname,
        deployment_package=pkg,
        handler=handler,
        runtime="python3.11",
        role=the_role,
        tags={"aws-chalice": f"version=1.35.0:stage={stage}:app={app}"},
        **kw,
    )


def swagger(app: str, authorizer: str | None = None) -> dict[str, Any]:
    uri = (
        "arn:{partition}:apigateway:{region_name}:lambda:path/2015-03-31/functions/"
        "{api_handler_lambda_arn}/invocations"
    )
    op: dict[str, Any] = {
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "responses": {
            "200": {"description": "200 response", "schema": {"$ref": "#/definitions/Empty"}}
        },
        "x-amazon-apigateway-integration": {
            "responses": {"default": {"statusCode": "200"}},
            "uri": uri,
            "passthroughBehavior": "when_no_match",
            "httpMethod": "POST",
            "contentHandling": "CONVERT_TO_TEXT",
            "type": "aws_proxy",
        },
    }
    return {
        "swagger": "2.0",
        "info": {"version": "1.0", "title": app},
        "schemes": ["https"],
        "paths": {"/": {"get": op}},
        "definitions": {"Empty": {"type": "object", "title": "Empty Schema"}},
        "x-amazon-apigateway-binary-media-types": ["application/octet-stream"],
    }


def full_app(
    tmp: Path,
    *,
    app: str = "demo",
    stage: str = "dev",
    sources: Any = None,
    memory: int = 128,
    code: str = "v1",
    drop: tuple[str, ...] = (),
    with_domains: bool = True,
) -> models.Application:
    """Every resource type: role, layer, log group, functions, rules, S3/SNS/SQS/
    Kinesis/DynamoDB sources, REST API (+ authorizer, domain), websocket API (+ domain).

    ``sources`` holds the ARNs/names of the pre-created bucket/topic/queue/
    stream/table; ``drop`` removes handlers by name (to test the sweeper).
    """
    pkg = make_zip(
        tmp / f"{app}-{stage}-{code}.zip", body=f"# {code}\ndef handler(e, c):\n    return 1\n"
    )
    layer_pkg = make_zip(tmp / f"{app}-{stage}-layer.zip", body="LAYER = 1\n")
    the_role = role(app, stage)
    layer = models.LambdaLayer(
        resource_name="managed-layer",
        layer_name=f"{app}-{stage}-managed-layer",
        runtime="python3.11",
        deployment_package=layer_pkg,
    )

    def fn(name: str, **kw: Any) -> models.LambdaFunction:
        return function(app, stage, name, pkg, the_role, managed_layer=layer, **kw)

    s = sources or {}
    res: list[Any] = []
    cron = fn(
        "cron",
        memory_size=memory,
        log_group=models.LogGroup("cron-log-group", f"/aws/lambda/{app}-{stage}-cron", 14),
    )
    if "cron" not in drop:
        res.append(
            models.ScheduledEvent(
                "cron-event", f"{app}-{stage}-cron-event", "rate(5 minutes)", "every 5", cron
            )
        )
    if "pattern" not in drop:
        res.append(
            models.CloudWatchEvent(
                "pattern-event",
                f"{app}-{stage}-pattern-event",
                '{"source": ["aws.ec2"]}',
                fn("pattern"),
            )
        )
    if "s3fn" not in drop:
        res.append(
            models.S3BucketNotification(
                "s3fn-s3event", s["bucket"], ("s3:ObjectCreated:*",), "images/", ".jpg", fn("s3fn")
            )
        )
    if "snsfn" not in drop:
        res.append(models.SNSLambdaSubscription("snsfn-sns-subscription", s["topic"], fn("snsfn")))
    if "sqsfn" not in drop:
        res.append(
            models.SQSEventSource(
                "sqsfn-sqs-event-source", s["queue"], None, 10, 0, None, fn("sqsfn")
            )
        )
    if "kinfn" not in drop:
        res.append(
            models.KinesisEventSource(
                "kinfn-kinesis-event-source", s["stream"], 100, "LATEST", 0, fn("kinfn")
            )
        )
    if "ddbfn" not in drop:
        res.append(
            models.DynamoDBEventSource(
                "ddbfn-dynamodb-event-source", s["stream_arn"], 100, "LATEST", 0, fn("ddbfn")
            )
        )
    auth = fn("auth")
    rest_domain = models.DomainName(
        resource_name="api_gateway_custom_domain",
        domain_name=f"api-{stage}.example.com",
        protocol=models.APIType.HTTP,
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        api_mapping=models.APIMapping("api_mapping", "(none)", "api"),
    )
    res.append(
        models.RestAPI(
            resource_name="rest_api",
            swagger_doc=swagger(app),
            minimum_compression="",
            api_gateway_stage="api",
            endpoint_type="EDGE",
            lambda_function=fn("api_handler"),
            authorizers=(auth,),
            domain_name=rest_domain if with_domains else None,
        )
    )
    if "websocket" not in drop:
        ws_domain = models.DomainName(
            resource_name="websocket_api_custom_domain",
            domain_name=f"ws-{stage}.example.com",
            protocol=models.APIType.WEBSOCKET,
            certificate_arn="arn:aws:acm:us-west-2:123456789012:certificate/def",
            api_mapping=models.APIMapping("api_mapping", "chat", "api"),
            endpoint_type="REGIONAL",
        )
        res.append(
            models.WebsocketAPI(
                resource_name="websocket_api",
                name=f"{app}-{stage}-websocket-api",
                api_gateway_stage="api",
                routes=("$connect", "$default", "$disconnect"),
                connect_function=fn("websocket_connect"),
                message_function=fn("websocket_message"),
                disconnect_function=fn("websocket_disconnect"),
                domain_name=ws_domain if with_domains else None,
            )
        )
    return models.Application(stage=stage, resources=tuple(res))


def create_sources(boto: Any, suffix: str = "") -> dict[str, str]:
    """The bucket, topic, queue, stream and table the sample app subscribes to."""
    bucket = f"demo-bucket{suffix}".lower()
    boto.s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    topic = f"demo-topic{suffix}"
    boto.sns.create_topic(Name=topic)
    queue = f"demo-queue{suffix}"
    boto.sqs.create_queue(QueueName=queue)
    stream = f"demo-stream{suffix}"
    boto.kinesis.create_stream(StreamName=stream, ShardCount=1)
    table = boto.dynamodb.create_table(
        TableName=f"demo-table{suffix}",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    return {
        "bucket": bucket,
        "topic": topic,
        "queue": queue,
        "stream": stream,
        "stream_arn": table["TableDescription"]["LatestStreamArn"],
    }


def leftovers(boto: Any, app: str = "demo", stage: str | None = None) -> dict[str, list[str]]:
    """Everything of ``app`` (optionally one stage) still in the emulator."""
    prefix = f"{app}-{stage}" if stage else app
    out: dict[str, list[str]] = {}
    out["functions"] = [
        f["FunctionName"]
        for f in boto.awslambda.list_functions()["Functions"]
        if f["FunctionName"].startswith(prefix)
    ]
    out["roles"] = [
        r["RoleName"] for r in boto.iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)
    ]
    out["rest_apis"] = [
        a["id"]
        for a in boto.apigateway.get_rest_apis()["items"]
        if (a.get("tags") or {}).get("chalice:app") == app
        and (stage is None or (a.get("tags") or {}).get("chalice:stage") == stage)
    ]
    out["ws_apis"] = [
        a["ApiId"] for a in boto.apigatewayv2.get_apis()["Items"] if a["Name"].startswith(prefix)
    ]
    out["rules"] = [
        r["Name"] for r in boto.events.list_rules()["Rules"] if r["Name"].startswith(prefix)
    ]
    out["mappings"] = [
        m["UUID"]
        for m in boto.awslambda.list_event_source_mappings()["EventSourceMappings"]
        if m["FunctionArn"].split(":")[-1].startswith(prefix)
    ]
    out["subscriptions"] = [
        s["SubscriptionArn"]
        for s in boto.sns.list_subscriptions()["Subscriptions"]
        if s["Protocol"] == "lambda" and s["Endpoint"].split(":")[-1].startswith(prefix)
    ]
    out["layers"] = [
        v["LayerVersionArn"]
        for layer in boto.awslambda.list_layers()["Layers"]
        if layer["LayerName"].startswith(prefix)
        for v in boto.awslambda.list_layer_versions(LayerName=layer["LayerName"])["LayerVersions"]
    ]
    return {k: v for k, v in out.items() if v}
