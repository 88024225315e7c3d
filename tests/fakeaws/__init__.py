"""An in-memory AWS implementing ``chalice.aws.protocols.Clients``, for unit tests.

``FakeAWS()`` hands out fake services with the semantics the planners rely
on (reads of missing things answer None, deletes of missing things False,
other failures ``AWSError`` with AWS's codes; ARNs and ids shaped like
AWS's) and logs every call, mutating or not, in ``FakeAWS.log``. No
botocore, no network, no clock: a planner test runs in milliseconds.

    >>> aws = FakeAWS()
    >>> aws.iam.get_role("r") is None
    True
    >>> aws.log.ops()
    ['iam:GetRole']

``aws.log.refuse(service, operation, code)`` makes the next call of an
operation fail, e.g. a tagging refusal.
"""

from __future__ import annotations

import itertools

from tests.fakeaws.apigateway import FakeAPIGateway, FakeAPIGatewayV2
from tests.fakeaws.core import ACCOUNT, PARTITION, REGION, Call, CallLog
from tests.fakeaws.function_urls import FakeFunctionUrls
from tests.fakeaws.httpapi import FakeHttpApis
from tests.fakeaws.lambda_ import FakeLambda, code_sha256
from tests.fakeaws.services import FakeEvents, FakeIAM, FakeLogs, FakeS3, FakeSNS


class FakeAWS:
    """One account and region of fake AWS (``Clients``): identity plus each service."""

    def __init__(self, *, region: str = REGION, partition: str = PARTITION) -> None:
        self.log = CallLog()
        ids = itertools.count(0x1000)
        self._region = region
        self._partition = partition
        self.iam = FakeIAM(self.log, ids)
        self.lambda_ = FakeLambda(self.log, ids)
        self.logs = FakeLogs(self.log, ids)
        self.apigateway = FakeAPIGateway(self.log, ids)
        self.apigatewayv2 = FakeAPIGatewayV2(self.log, ids)
        self.events = FakeEvents(self.log, ids)
        self.s3 = FakeS3(self.log, ids)
        self.sns = FakeSNS(self.log, ids)
        # HTTP APIs share the v2 API space; function URLs belong to their function.
        self.httpapi = FakeHttpApis(self.log, ids, self.apigatewayv2)
        self.function_urls = FakeFunctionUrls(self.log, ids, self.lambda_)

    @property
    def region(self) -> str:
        return self._region

    @property
    def partition(self) -> str:
        return self._partition

    @property
    def dns_suffix(self) -> str:
        return "amazonaws.com.cn" if self._partition == "aws-cn" else "amazonaws.com"

    @property
    def account_id(self) -> str:
        return ACCOUNT

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        reg = self._region if region else ""
        return f"arn:{self._partition}:{service}:{reg}:{ACCOUNT}:{resource}"

    def arn_apigateway(self, api_id: str) -> str:
        return f"arn:{self._partition}:apigateway:{self._region}::/restapis/{api_id}"


__all__ = ["ACCOUNT", "REGION", "Call", "CallLog", "FakeAWS", "code_sha256"]
