"""The botocore session and clients of one deploy, and the service base class.

``AWSClients`` owns one botocore session and creates each service client once
(client creation is not thread-safe; the clients themselves are). It also
answers the account/region/partition questions every planner needs. Nothing
here mutates AWS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice.aws.errors import AWSError, setup_error, translate
from chalice.aws.retry import DEFAULT, RetryPolicy, call_with_retry, transient

if TYPE_CHECKING:
    from chalice.aws.apigateway import APIGateway
    from chalice.aws.apigatewayv2 import APIGatewayV2
    from chalice.aws.events import Events
    from chalice.aws.iam import IAM
    from chalice.aws.lambda_ import Lambda
    from chalice.aws.logs import Logs
    from chalice.aws.s3 import S3
    from chalice.aws.sns import SNS

DNS_SUFFIXES = {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov"}


def _operation_name(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", "call")
    return "".join(part.capitalize() for part in name.split("_"))


class Service:
    """Base of the per-service wrappers: one ``_call`` that translates and retries."""

    service = ""

    def __init__(self, client: Any, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.sleep = sleep

    def _call(
        self,
        fn: Callable[..., Any],
        *,
        retry_on: Callable[[AWSError], bool] = transient,
        policy: RetryPolicy = DEFAULT,
        **params: Any,
    ) -> dict[str, Any]:
        op = _operation_name(fn)
        result: dict[str, Any] = call_with_retry(
            lambda: translate(self.service, op, lambda: fn(**params)),
            should_retry=retry_on,
            policy=policy,
            sleep=self.sleep,
        )
        return result

    def _get(self, fn: Callable[..., Any], not_found: tuple[str, ...], **params: Any) -> dict[str, Any] | None:
        """A read call where "does not exist" is an answer (None), not an error."""
        try:
            return self._call(fn, **params)
        except AWSError as err:
            if err.code in not_found:
                return None
            raise

    def _delete(self, fn: Callable[..., Any], not_found: tuple[str, ...], **params: Any) -> bool:
        """A delete where "already gone" counts as deleted. False if it was gone."""
        try:
            self._call(fn, **params)
            return True
        except AWSError as err:
            if err.code in not_found:
                return False
            raise


def _create_client(session: Any, name: str, config: Any) -> Any:
    """``session.create_client`` with setup problems (no region...) as ``AWSSetupError``."""
    from botocore.exceptions import BotoCoreError

    try:
        return session.create_client(name, config=config)
    except BotoCoreError as err:
        setup = setup_error(name, "CreateClient", type(err).__name__, str(err))
        if setup is None:
            raise
        raise setup from err


class AWSClients:
    """The clients of one deploy, created on first use, shared by all threads."""

    def __init__(
        self,
        session: Any,
        *,
        max_pool: int = 10,
        connection_timeout: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = session
        self.sleep = sleep
        self._max_pool = max_pool
        self._connection_timeout = connection_timeout
        self._lock = threading.Lock()
        self._account_lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._account_id: str | None = None

    def client(self, name: str) -> Any:
        """The botocore client for service ``name`` (created once, thread-safe)."""
        with self._lock:
            if name not in self._clients:
                from botocore.config import Config

                kwargs: dict[str, Any] = {
                    "retries": {"mode": "standard", "max_attempts": 6},
                    "max_pool_connections": self._max_pool,
                }
                if self._connection_timeout is not None:
                    kwargs["connect_timeout"] = self._connection_timeout
                    kwargs["read_timeout"] = self._connection_timeout
                self._clients[name] = _create_client(self.session, name, Config(**kwargs))
            return self._clients[name]

    @property
    def region(self) -> str:
        region = self.session.get_config_variable("region")
        if not region:
            from chalice.errors import ConfigError

            raise ConfigError(
                "No AWS region is configured.",
                fix="set AWS_DEFAULT_REGION or a region in your AWS profile (~/.aws/config)",
            )
        return str(region)

    @property
    def partition(self) -> str:
        getter = getattr(self.session, "get_partition_for_region", None)
        if getter is not None:
            try:
                return str(getter(self.region))
            except Exception:  # an unknown region name: assume the commercial partition
                return "aws"
        return "aws"

    @property
    def dns_suffix(self) -> str:
        return DNS_SUFFIXES.get(self.partition, "amazonaws.com")

    @property
    def account_id(self) -> str:
        """The caller's account (one GetCallerIdentity per deploy, whatever the threads)."""
        with self._account_lock:
            if self._account_id is None:
                sts = self.client("sts")
                ident = translate("sts", "GetCallerIdentity", lambda: sts.get_caller_identity())
                self._account_id = str(ident["Account"])
            return self._account_id

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        reg = self.region if region else ""
        return f"arn:{self.partition}:{service}:{reg}:{self.account_id}:{resource}"

    def arn_apigateway(self, api_id: str) -> str:
        """The taggable ARN of a REST API."""
        return f"arn:{self.partition}:apigateway:{self.region}::/restapis/{api_id}"

    # Service wrappers (typed; created per call, they are tiny).
    @property
    def iam(self) -> IAM:
        from chalice.aws.iam import IAM

        return IAM(self.client("iam"), sleep=self.sleep)

    @property
    def lambda_(self) -> Lambda:
        from chalice.aws.lambda_ import Lambda

        return Lambda(self.client("lambda"), sleep=self.sleep)

    @property
    def logs(self) -> Logs:
        from chalice.aws.logs import Logs

        return Logs(self.client("logs"), sleep=self.sleep)

    @property
    def apigateway(self) -> APIGateway:
        from chalice.aws.apigateway import APIGateway

        return APIGateway(self.client("apigateway"), sleep=self.sleep)

    @property
    def apigatewayv2(self) -> APIGatewayV2:
        from chalice.aws.apigatewayv2 import APIGatewayV2

        return APIGatewayV2(self.client("apigatewayv2"), sleep=self.sleep)

    @property
    def events(self) -> Events:
        from chalice.aws.events import Events

        return Events(self.client("events"), sleep=self.sleep)

    @property
    def s3(self) -> S3:
        from chalice.aws.s3 import S3

        return S3(self.client("s3"), sleep=self.sleep)

    @property
    def sns(self) -> SNS:
        from chalice.aws.sns import SNS

        return SNS(self.client("sns"), sleep=self.sleep)


def create_clients(
    *,
    profile: str | None = None,
    session: Any = None,
    max_pool: int = 10,
    connection_timeout: int | None = None,
) -> AWSClients:
    """An ``AWSClients`` over ``session`` or a new botocore session for ``profile``."""
    if session is None:
        import botocore.session

        session = botocore.session.Session(profile=profile)
        session.user_agent_extra = "chalice"
    return AWSClients(session, max_pool=max_pool, connection_timeout=connection_timeout)
