"""``aws_services``: every resource type says which clients a deploy creates ahead."""

from __future__ import annotations

from chalice.deploy import models
from chalice.deploy.aws_services import SERVICES, services_for

# The botocore names behind the ``AWSClients`` wrappers.
KNOWN = {"iam", "lambda", "logs", "apigateway", "apigatewayv2", "events", "s3", "sns", "sts"}


def test_every_resource_type_is_listed_with_known_services() -> None:
    assert set(SERVICES) == {t.value for t in models.ResourceType}
    for names in SERVICES.values():
        assert set(names) <= KNOWN


def test_services_in_first_use_order_each_once() -> None:
    types = ["iam_role", "lambda_function", "s3_event", "rest_api", "lambda_function"]
    assert services_for(types, identity=True) == ["sts", "iam", "lambda", "s3", "apigateway"]
    assert services_for(types, identity=False) == ["iam", "lambda", "s3", "apigateway"]
    assert services_for(["no_such_type"], identity=False) == []
