"""An AWS-realism layer between botocore and moto: what real AWS does that moto doesn't.

moto is instant, unlimited and permissive; AWS is none of these. ``AWSRealism``
hooks a botocore session (``before-parameter-build``, ``before-call`` and
``after-call`` events; botocore itself is never patched) and, on a
``VirtualClock``, reproduces what a first real deploy meets:

* IAM propagation (``Propagation``): for a while after CreateRole /
  UpdateAssumeRolePolicy, Lambda cannot assume the role; after CreateRole /
  PutRolePolicy / AttachRolePolicy, the role's permissions are not visible
  yet to Lambda's own checks (event source mappings, VPC ENIs, KMS grants).
  AWS: "IAM eventual consistency", https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
  ("changes ... take time to become visible ... a role ... created ...
  can't be used immediately").
* Lambda function states (``LambdaStates``): ``Pending`` after CreateFunction,
  ``LastUpdateStatus: InProgress`` after UpdateFunctionCode/Configuration,
  changes refused with ResourceConflictException meanwhile, ``Failed`` on
  demand. AWS: "Lambda function states",
  https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html.
* Control-plane quotas (``realism_quotas.Quotas``): over quota, the
  service's own throttling error (API Gateway TooManyRequestsException with
  Retry-After, Lambda TooManyRequestsException "Rate exceeded", others
  Throttling/ThrottlingException "Rate exceeded").
* Tag-permission denial (``deny_tags``): a create that carries tags, or a
  tagging call, is refused with AccessDenied naming the tag action. AWS
  authorizes tags given on a create as a separate tag action ("If tags are
  specified in the resource-creating action, AWS performs additional
  authorization", e.g. "Grant permission to tag resources on creation",
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html);
  the refusal's text as real accounts get it:
  https://github.com/openshift/installer/issues/1073 (iam:TagRole on CreateRole).

Refused calls never reach moto (``before-call`` answers for it), so botocore's
own retries do not see them: the deploy's retry layer does. Counters
(``calls``, ``mutating``, ``served``, ``throttled``) let tests assert.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections import Counter
from collections.abc import Mapping
from typing import Any

from tests.deploy.e2e.realism_lambda import LambdaStates, function_name
from tests.deploy.e2e.realism_quotas import Quotas, VirtualClock, retry_after_header

READ_PREFIXES = ("Get", "List", "Describe", "Head")

ASSUME_TEXT = "The role defined for the function cannot be assumed by Lambda."
SQS_TEXT = "The provided execution role does not have permissions to call ReceiveMessage on SQS"
# Kinesis and DynamoDB streams: AWS's text as reported from real accounts, e.g.
# https://github.com/awsdocs/aws-lambda-developer-guide/issues/237.
STREAM_TEXT = (
    "Cannot access stream {arn}. Please ensure the role can perform the GetRecords, "
    "GetShardIterator, DescribeStream, ListShards, and ListStreams Actions on your stream in IAM."
)
# https://github.com/aws/aws-sam-cli/issues/617 (VPC function, fresh role).
ENI_TEXT = (
    "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"
)
# https://github.com/hashicorp/terraform-provider-aws/issues/4633 (customer KMS
# key for environment variables, role just created).
KMS_TEXT = (
    "Lambda was unable to configure access to your environment variables because the KMS key "
    "is invalid for CreateGrant. Please check your KMS key settings. KMS Exception: "
    "InvalidArnException KMS Message: ARN does not refer to a valid principal: "
    "arn:aws:sts::{account}:assumed-role/{role}/{function}"
)
DENIED = "AccessDeniedException"
TAG_DENIED_TEXT = (
    "User: {caller} is not authorized to perform: {action} on resource: {resource} "
    "because no identity-based policy allows the {action} action"
)


class FakeHTTPResponse:
    """The little of an HTTP response botocore reads after a ``before-call`` answer."""

    def __init__(self, status_code: int, headers: Mapping[str, str]) -> None:
        self.status_code = status_code
        self.headers = dict(headers)
        self.content = b""
        self.text = ""


def error_response(
    code: str,
    message: str,
    status: int,
    *,
    headers: Mapping[str, str] | None = None,
    **fields: Any,
) -> tuple[FakeHTTPResponse, dict[str, Any]]:
    """An AWS error as botocore hands it to ``ClientError`` (``fields``: modeled members)."""
    hdrs = dict(headers or {})
    parsed: dict[str, Any] = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": hdrs, "RetryAttempts": 0},
        "message": message,
        **fields,
    }
    return FakeHTTPResponse(status, hdrs), parsed


def throttle_response(service: str, wait: float) -> tuple[FakeHTTPResponse, dict[str, Any]]:
    """The throttling error ``service`` answers when a quota is exhausted.

    API Gateway (v1 and v2): 429 TooManyRequestsException "Too Many Requests"
    with a ``Retry-After`` header (modeled as ``retryAfterSeconds``). Lambda:
    429 TooManyRequestsException "Rate exceeded", Reason
    CallerRateLimitExceeded (API reference, Errors of every operation). Query
    APIs (IAM, STS, SNS): Throttling "Rate exceeded"; JSON APIs (Logs,
    EventBridge): ThrottlingException "Rate exceeded".
    """
    after = retry_after_header(wait)
    if service in ("apigateway", "apigatewayv2"):
        return error_response(
            "TooManyRequestsException", "Too Many Requests", 429,
            headers={"retry-after": after}, retryAfterSeconds=after,
        )  # fmt: skip
    if service == "lambda":
        return error_response(
            "TooManyRequestsException", "Rate exceeded", 429, headers={"retry-after": after},
            retryAfterSeconds=after, Reason="CallerRateLimitExceeded", Type="User",
        )  # fmt: skip
    if service in ("iam", "sts", "sns", "sqs"):
        return error_response("Throttling", "Rate exceeded", 400)
    return error_response("ThrottlingException", "Rate exceeded", 400)


class Propagation:
    """When each role's trust and permissions became (will become) visible to Lambda."""

    def __init__(self, delay: float, policy_delay: float | None = None) -> None:
        self.delay = delay
        self.policy_delay = delay if policy_delay is None else policy_delay
        self._trust: dict[str, float] = {}
        self._policy: dict[str, float] = {}

    def changed(self, role: str, now: float, *, trust: bool, policy: bool) -> None:
        if trust:
            self._trust[role_name(role)] = now
        if policy:
            self._policy[role_name(role)] = now

    def forget(self, role: str) -> None:
        self._trust.pop(role_name(role), None)
        self._policy.pop(role_name(role), None)

    def trust_pending(self, role: str, now: float) -> bool:
        at = self._trust.get(role_name(role))
        return at is not None and now < at + self.delay

    def policy_pending(self, role: str, now: float) -> bool:
        at = self._policy.get(role_name(role))
        return at is not None and now < at + self.policy_delay


def role_name(role: str) -> str:
    """``my-role`` from ``arn:aws:iam::123456789012:role/path/my-role`` (or the name)."""
    return role.rsplit("/", 1)[-1]


def is_mutating(operation: str) -> bool:
    return not operation.startswith(READ_PREFIXES)


class AWSRealism:
    """The layer: attach it to each botocore session of the simulated account.

    ``iam_delay``: seconds a role change takes to be seen by Lambda;
    ``policy_delay`` (default: the same): seconds for a permission change
    (Lambda's own checks of the role's permissions may lag its trust).
    ``pending`` / ``vpc_pending`` / ``in_progress``: seconds a function stays
    ``Pending`` after create (without / with a VPC) and ``InProgress`` after
    an update. ``quotas``: None for unlimited. ``deny_tags``: refuse tags.
    """

    def __init__(
        self,
        clock: VirtualClock | None = None,
        *,
        iam_delay: float = 10.0,
        policy_delay: float | None = None,
        pending: float = 2.0,
        vpc_pending: float = 30.0,
        in_progress: float = 2.0,
        quotas: Quotas | None = None,
        deny_tags: bool = False,
        tags_allowed: frozenset[str] = frozenset(),
        account: str = "123456789012",
        region: str = "us-west-2",
        caller: str = "arn:aws:iam::123456789012:user/deployer",
    ) -> None:
        self.clock = clock or VirtualClock()
        self.propagation = Propagation(iam_delay, policy_delay)
        self.states = LambdaStates(
            pending=pending, vpc_pending=vpc_pending, in_progress=in_progress
        )
        self.quotas = quotas
        self.deny_tags = deny_tags
        # Services whose tagging stays allowed while ``deny_tags`` refuses the rest.
        self.tags_allowed = tags_allowed
        self.account = account
        self.region = region
        self.caller = caller
        self.calls: list[tuple[str, str]] = []
        self.served: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self._lock = threading.RLock()

    # -- wiring ---------------------------------------------------------------
    def attach(self, session: Any) -> Any:
        """Hook ``session`` (before its clients are created); returns it."""
        session.register("before-parameter-build", self._keep_params)
        session.register("before-call", self._before)
        session.register("after-call", self._after)
        return session

    def fail_function(
        self,
        name: str,
        *,
        reason: str = "Lambda was unable to create an ENI in the VPC of the Lambda function "
        "because the limit for Network Interfaces has been reached.",
        code: str = "EniLimitExceeded",
    ) -> None:
        """Functions named ``name`` created from now on end ``Failed`` (not ``Active``)."""
        with self._lock:
            self.states.fail(name, reason=reason, code=code)

    def fail_updates(
        self,
        name: str,
        *,
        reason: str = "The specified security group does not exist.",
        code: str = "InvalidSecurityGroup",
    ) -> None:
        """Updates of ``name`` from now on end ``LastUpdateStatus: Failed``."""
        with self._lock:
            self.states.fail_updates(name, reason=reason, code=code)

    @property
    def operations(self) -> Counter[str]:
        """Calls so far by ``service.Operation`` (refused ones too)."""
        with self._lock:
            return Counter(f"{service}.{op}" for service, op in self.calls)

    @property
    def mutating(self) -> list[str]:
        """Operations of the calls made so far that change something (refused ones too)."""
        with self._lock:
            return [op for _, op in self.calls if is_mutating(op)]

    def reset_counters(self) -> None:
        with self._lock:
            self.calls = []
            self.served = Counter()
            self.throttled = Counter()

    # -- hooks ----------------------------------------------------------------
    @staticmethod
    def _keep_params(params: Any, context: Any, **_: Any) -> None:
        # before-call only sees the serialized request; keep the API params.
        context["realism_params"] = dict(params)

    def _before(self, model: Any, context: Any, **_: Any) -> Any:
        service = model.service_model.service_name
        op = model.name
        params: dict[str, Any] = context.get("realism_params", {})
        now = self.clock.now()
        with self._lock:
            self.calls.append((service, op))
            answer = self._refusal(service, op, params, now)
        if answer is not None:
            context["realism_refused"] = True
        return answer

    def _refusal(
        self, service: str, op: str, params: dict[str, Any], now: float
    ) -> tuple[FakeHTTPResponse, dict[str, Any]] | None:
        if self.quotas is not None:
            wait = self.quotas.admit(service, op, params, now)
            if wait > 0:
                self.served["throttle"] += 1
                self.throttled[f"{service}.{op}"] += 1
                return throttle_response(service, wait)
        if self.deny_tags:
            denied = self._tag_denial(service, op, params)
            if denied is not None:
                self.served["tag_denied"] += 1
                return denied
        if service == "lambda":
            refused = self._lambda_refusal(op, params, now)
            if refused is not None:
                return refused
        return None

    def _after(self, http_response: Any, parsed: Any, model: Any, context: Any, **_: Any) -> None:
        if context.get("realism_refused") or http_response.status_code >= 300:
            return
        service = model.service_model.service_name
        op = model.name
        params: dict[str, Any] = context.get("realism_params", {})
        now = self.clock.now()
        with self._lock:
            if service == "iam":
                self._iam_changed(op, params, now)
            elif service == "lambda":
                self.states.observe(op, params, parsed, now)

    # -- IAM propagation ------------------------------------------------------
    def _iam_changed(self, op: str, params: dict[str, Any], now: float) -> None:
        role = str(params.get("RoleName", ""))
        if op == "CreateRole":
            self.propagation.changed(role, now, trust=True, policy=True)
        elif op == "UpdateAssumeRolePolicy":
            self.propagation.changed(role, now, trust=True, policy=False)
        elif op in ("PutRolePolicy", "AttachRolePolicy", "DeleteRolePolicy", "DetachRolePolicy"):
            self.propagation.changed(role, now, trust=False, policy=True)
        elif op == "DeleteRole":
            self.propagation.forget(role)

    def _lambda_refusal(
        self, op: str, params: dict[str, Any], now: float
    ) -> tuple[FakeHTTPResponse, dict[str, Any]] | None:
        """IAM propagation texts first (AWS validates the role), then function states."""
        text = self._propagation_text(op, params, now)
        if text is not None:
            self.served["propagation"] += 1
            return error_response("InvalidParameterValueException", text, 400, Type="User")
        conflict = self.states.conflict(op, params, now)
        if conflict is not None:
            self.served["conflict"] += 1
            return error_response("ResourceConflictException", conflict, 409, Type="User")
        return None

    def _propagation_text(self, op: str, params: dict[str, Any], now: float) -> str | None:
        if op in ("CreateFunction", "UpdateFunctionConfiguration"):
            name = function_name(str(params.get("FunctionName", "")))
            role = str(params.get("Role") or self.states.role_of(name) or "")
            if not role:
                return None
            if params.get("Role") and self.propagation.trust_pending(role, now):
                return ASSUME_TEXT
            if not self.propagation.policy_pending(role, now):
                return None
            if (params.get("VpcConfig") or {}).get("SubnetIds"):
                return ENI_TEXT
            if params.get("KMSKeyArn"):
                return KMS_TEXT.format(account=self.account, role=role_name(role), function=name)
            return None
        if op == "CreateEventSourceMapping":
            role = self.states.role_of(function_name(str(params.get("FunctionName", ""))))
            if not role or not self.propagation.policy_pending(role, now):
                return None
            source = str(params.get("EventSourceArn", ""))
            if source.startswith("arn:aws:sqs:") or ":sqs:" in source:
                return SQS_TEXT
            if ":kinesis:" in source or ":dynamodb:" in source:
                return STREAM_TEXT.format(arn=source)
        return None

    # -- tag denial -------------------------------------------------------------
    def _tag_denial(
        self, service: str, op: str, params: dict[str, Any]
    ) -> tuple[FakeHTTPResponse, dict[str, Any]] | None:
        target = self._tag_target(service, op, params)
        if target is None or service in self.tags_allowed:
            return None
        action, resource, code = target
        text = TAG_DENIED_TEXT.format(caller=self.caller, action=action, resource=resource)
        return error_response(code, text, 403)

    def _tag_target(
        self, service: str, op: str, params: dict[str, Any]
    ) -> tuple[str, str, str] | None:
        """(denied action, resource ARN, error code) when this call asks to tag."""
        acct, region = self.account, self.region
        if service == "iam" and (op == "TagRole" or (op == "CreateRole" and params.get("Tags"))):
            role = params.get("RoleName", "")
            return "iam:TagRole", f"arn:aws:iam::{acct}:role/{role}", "AccessDenied"
        if service == "lambda" and (
            op == "TagResource" or (op == "CreateFunction" and params.get("Tags"))
        ):
            arn = params.get("Resource") or (
                f"arn:aws:lambda:{region}:{acct}:function:{params.get('FunctionName')}"
            )
            return "lambda:TagResource", str(arn), DENIED
        if service == "logs" and (
            op in ("TagResource", "TagLogGroup") or (op == "CreateLogGroup" and params.get("tags"))
        ):
            arn = params.get("resourceArn") or (
                f"arn:aws:logs:{region}:{acct}:log-group:{params.get('logGroupName')}"
            )
            return "logs:TagResource", str(arn), DENIED
        if service == "events" and (
            op == "TagResource" or (op == "PutRule" and params.get("Tags"))
        ):
            arn = (
                params.get("ResourceARN")
                or f"arn:aws:events:{region}:{acct}:rule/{params.get('Name')}"
            )
            return "events:TagResource", str(arn), DENIED
        if service == "apigateway" and (
            op == "TagResource"
            or (op in ("CreateRestApi", "CreateDomainName") and params.get("tags"))
        ):
            arn = params.get("resourceArn") or f"arn:aws:apigateway:{region}::/restapis/*"
            path = urllib.parse.quote(str(arn), safe="")
            return "apigateway:PUT", f"arn:aws:apigateway:{region}::/tags/{path}", DENIED
        if service == "apigatewayv2" and (
            op == "TagResource" or (op in ("CreateApi", "CreateDomainName") and params.get("Tags"))
        ):
            arn = params.get("ResourceArn") or f"arn:aws:apigateway:{region}::/apis/*"
            path = urllib.parse.quote(str(arn), safe="")
            return "apigateway:POST", f"arn:aws:apigateway:{region}::/tags/{path}", DENIED
        return None


def clients_take_a_clock() -> bool:
    """Whether ``AWSClients`` paces calls on an injected clock (``clock=``)."""
    import inspect

    from chalice.aws.session import AWSClients

    return "clock" in inspect.signature(AWSClients).parameters


def realistic_clients(session: Any, clock: VirtualClock) -> Any:
    """``AWSClients`` that sleep (and, once "retry" lands, pace) on ``clock``.

    Until ``AWSClients`` takes ``clock=``, it is built without it: it still
    sleeps on the virtual clock but cannot pace calls per service.
    """
    from chalice.aws.session import AWSClients

    if clients_take_a_clock():
        return AWSClients(session, sleep=clock.sleep, clock=clock.now)  # type: ignore[call-arg]
    return AWSClients(session, sleep=clock.sleep)
