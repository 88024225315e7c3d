"""Which AWS services a deploy or a delete will call, known before it calls any.

The deployer creates those botocore clients before the first call (while the
zips build, see ``deployer.deploy``) instead of on first use between two
calls. ``SERVICES`` says, per ``resource_type`` string of the state file,
the clients its planner and steps use (``AWSClients`` attribute names map to
botocore service names: ``lambda_``, ``function_urls`` -> ``lambda``;
``httpapi`` -> ``apigatewayv2``). A type missing here is only slower: its
clients are still created on first use. ``tests/deploy/test_aws_services.py``
checks every ``ResourceType`` is listed. Nothing here calls AWS.
"""

from __future__ import annotations

from collections.abc import Iterable

# Every planner that builds an ARN asks for the account id (STS), once.
IDENTITY = "sts"

SERVICES: dict[str, tuple[str, ...]] = {
    "iam_role": ("iam",),
    "lambda_function": ("lambda",),
    "lambda_layer": ("lambda",),
    "log_group": ("logs",),
    "rest_api": ("apigateway", "lambda"),
    "websocket_api": ("apigatewayv2", "lambda"),
    "http_api": ("apigatewayv2", "lambda"),
    # A REST API's domain is in API Gateway v1, an HTTP or websocket API's in v2.
    "domain_name": ("apigateway", "apigatewayv2"),
    "s3_event": ("s3", "lambda"),
    "sns_event": ("sns", "lambda"),
    "sqs_event": ("lambda",),
    "kinesis_event": ("lambda",),
    "dynamodb_event": ("lambda",),
    "cloudwatch_event": ("events", "lambda"),
    "function_url": ("lambda",),
}


def services_for(resource_types: Iterable[str], *, identity: bool) -> list[str]:
    """The services of ``resource_types``, each once, in the order first needed.

    ``identity``: the account id will be asked (a deploy's planners do; a
    delete knows its ARNs from the state file).

    >>> services_for(["iam_role", "lambda_function", "cloudwatch_event"], identity=True)
    ['sts', 'iam', 'lambda', 'events']
    """
    names = [IDENTITY] if identity else []
    for resource_type in resource_types:
        for name in SERVICES.get(resource_type, ()):
            if name not in names:
                names.append(name)
    return names
