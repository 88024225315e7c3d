"""``aws_services``: every resource type says which clients a deploy creates ahead."""

from __future__ import annotations

from chalice.deploy.aws_services import services_for
from chalice.deploy.descriptors import DESCRIPTORS

# The botocore names behind the ``AWSClients`` wrappers.
KNOWN = {"iam", "lambda", "logs", "apigateway", "apigatewayv2", "events", "s3", "sns", "sts"}


def test_every_descriptor_names_known_services() -> None:
    for descriptor in DESCRIPTORS:
        assert descriptor.aws_services, descriptor.resource_type
        assert set(descriptor.aws_services) <= KNOWN, descriptor.resource_type


def test_services_in_first_use_order_each_once() -> None:
    types = ["iam_role", "lambda_function", "s3_event", "rest_api", "lambda_function"]
    assert services_for(types, identity=True) == ["sts", "iam", "lambda", "s3", "apigateway"]
    assert services_for(types, identity=False) == ["iam", "lambda", "s3", "apigateway"]
    assert services_for(["no_such_type"], identity=False) == []
