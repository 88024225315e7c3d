"""The Tagging seam: create tagged, fall back to untagged on a tag-only refusal, say once.

The refusal texts are AWS's own shapes ("User: <principal> is not authorized
to perform: <action> on resource: <arn> because ..."), as IAM, CloudWatch
Logs, EventBridge, Lambda and API Gateway return them for an identity policy
that lacks the action, and for an SCP's explicit deny.
"""

from __future__ import annotations

import threading

import pytest

from chalice.aws.errors import AWSError
from chalice.deploy.tagging import (
    DOCS_PAGE,
    TAG_PERMISSIONS,
    Refusal,
    Tagging,
    is_tag_denied,
    refused_action,
)

WHO = "User: arn:aws:sts::123456789012:assumed-role/Deployer/session is not authorized to perform"
NO_POLICY = "because no identity-based policy allows the {action} action"
SCP = "with an explicit deny in a service control policy"


def denial(
    service: str, operation: str, code: str, action: str, resource: str, why: str = ""
) -> AWSError:
    reason = why or NO_POLICY.format(action=action)
    return AWSError(
        service=service,
        operation=operation,
        code=code,
        message=f"{WHO}: {action} on resource: {resource} {reason}",
    )


TAG_REFUSALS = {
    "iam": denial(
        "iam", "CreateRole", "AccessDenied", "iam:TagRole", "arn:aws:iam::123456789012:role/app-dev"
    ),
    "logs": denial(
        "logs",
        "CreateLogGroup",
        "AccessDeniedException",
        "logs:TagResource",
        "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/app-dev-fn:*",
    ),
    "events": denial(
        "events",
        "PutRule",
        "AccessDeniedException",
        "events:TagResource",
        "arn:aws:events:us-west-2:123456789012:rule/app-dev-every_five",
    ),
    "lambda": denial(
        "lambda",
        "CreateFunction",
        "AccessDeniedException",
        "lambda:TagResource",
        "arn:aws:lambda:us-west-2:123456789012:function:app-dev-fn",
    ),
    "apigateway": denial(
        "apigateway",
        "CreateRestApi",
        "AccessDeniedException",
        "apigateway:PUT",
        "arn:aws:apigateway:us-west-2::/tags/arn%3Aaws%3Aapigateway%3Aus-west-2%3A%3A%2Frestapis%2Fa1b2c3",
    ),
    "apigatewayv2": denial(
        "apigatewayv2",
        "CreateApi",
        "AccessDeniedException",
        "apigateway:POST",
        "arn:aws:apigateway:us-west-2::/tags/arn%3Aaws%3Aapigateway%3Aus-west-2%3A%3A%2Fapis%2Fa1b2c3",
    ),
}

# Refusals of the call itself, or of something else than tags: never absorbed.
OTHER_REFUSALS = [
    denial(
        "iam",
        "CreateRole",
        "AccessDenied",
        "iam:CreateRole",
        "arn:aws:iam::123456789012:role/Tags-dev",
    ),
    # An app named "TagApp": its ARN must not be read as a tagging action.
    denial(
        "lambda",
        "CreateFunction",
        "AccessDeniedException",
        "lambda:CreateFunction",
        "arn:aws:lambda:us-west-2:123456789012:function:TagApp-dev-fn",
    ),
    denial(
        "lambda",
        "CreateFunction",
        "AccessDeniedException",
        "iam:PassRole",
        "arn:aws:iam::123456789012:role/TagApp-dev",
    ),
    denial(
        "apigatewayv2",
        "CreateApi",
        "AccessDeniedException",
        "apigateway:POST",
        "arn:aws:apigateway:us-west-2::/apis",
    ),
    denial(
        "logs",
        "CreateLogGroup",
        "AccessDeniedException",
        "logs:CreateLogGroup",
        "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/x",
        SCP,
    ),
    AWSError(service="iam", operation="CreateRole", code="Throttling", message="Rate exceeded"),
]


@pytest.mark.parametrize("service", sorted(TAG_REFUSALS))
def test_each_services_tag_refusal_is_recognised(service: str) -> None:
    assert is_tag_denied(TAG_REFUSALS[service])


def test_an_scp_deny_of_tagging_is_recognised() -> None:
    err = denial(
        "iam", "CreateRole", "AccessDenied", "iam:TagRole", "arn:aws:iam::123456789012:role/a", SCP
    )
    assert is_tag_denied(err)


@pytest.mark.parametrize("err", OTHER_REFUSALS, ids=lambda e: f"{e.operation}-{e.code}")
def test_refusals_of_anything_but_tags_are_not_tag_refusals(err: AWSError) -> None:
    assert not is_tag_denied(err)


def test_a_message_without_the_usual_shape_still_counts_when_it_names_a_tag_action() -> None:
    err = AWSError(
        service="logs",
        operation="CreateLogGroup",
        code="AccessDeniedException",
        message="The caller lacks logs:TagResource for this log group.",
    )
    assert refused_action(err) is None
    assert is_tag_denied(err)


def test_an_api_gateway_message_without_the_usual_shape_counts_by_its_tags_path() -> None:
    err = AWSError(
        service="apigateway",
        operation="TagResource",
        code="AccessDeniedException",
        message="Access denied to arn:aws:apigateway:us-west-2::/tags/arn%3Aaws%3Aapigateway",
    )
    assert is_tag_denied(err)


def test_refused_action_reads_action_and_resource() -> None:
    assert refused_action(TAG_REFUSALS["iam"]) == (
        "iam:TagRole",
        "arn:aws:iam::123456789012:role/app-dev",
    )


class FakeCreate:
    """A create call that refuses tags ``refuse`` times (or always), recording its calls."""

    def __init__(self, refusal: AWSError | None, *, result: str = "arn") -> None:
        self.refusal = refusal
        self.result = result
        self.calls: list[dict[str, str] | None] = []
        self._lock = threading.Lock()

    def __call__(self, tags: dict[str, str] | None) -> str:
        with self._lock:
            self.calls.append(tags)
        if tags and self.refusal is not None:
            raise self.refusal
        return self.result


TAGS = {"chalice:app": "app", "chalice:stage": "dev", "chalice:resource": "default-role"}


def test_create_passes_tags_when_allowed() -> None:
    said: list[str] = []
    create = FakeCreate(None)
    assert Tagging(warn=said.append).create("iam", TAGS, create) == "arn"
    assert create.calls == [TAGS]
    assert said == []


def test_a_refused_tagged_create_is_made_untagged_and_said_once() -> None:
    said: list[str] = []
    tagging = Tagging(warn=said.append)
    create = FakeCreate(TAG_REFUSALS["iam"])
    assert tagging.create("iam", TAGS, create) == "arn"
    assert create.calls == [TAGS, None]
    # Later creates on the same service go untagged at once, silently.
    assert tagging.create("iam", TAGS, create) == "arn"
    assert create.calls == [TAGS, None, None]
    assert len(said) == 1
    text = said[0]
    assert "crash adoption by tag" in text
    assert "iam:TagRole" in text
    assert DOCS_PAGE in text and DOCS_PAGE == "docs/permissions.rst"
    assert "iam.CreateRole: AccessDenied" in text
    assert tagging.denied == {"iam": TAG_REFUSALS["iam"].message}


def test_each_further_service_gets_one_short_line() -> None:
    said: list[str] = []
    tagging = Tagging(warn=said.append)
    for service in ("iam", "logs", "events", "logs", "iam"):
        tagging.create(service, TAGS, FakeCreate(TAG_REFUSALS[service]))
    assert len(said) == 3
    assert "crash adoption by tag" in said[0]
    assert said[1].startswith("Tagging is also refused for logs")
    assert TAG_PERMISSIONS["logs"] in said[1]
    assert TAG_PERMISSIONS["events"] in said[2]
    assert [d.service for d in tagging.denials] == ["iam", "logs", "events"]


def test_a_refusal_of_the_create_itself_is_raised_untouched() -> None:
    said: list[str] = []
    err = OTHER_REFUSALS[0]
    create = FakeCreate(err)
    with pytest.raises(AWSError) as raised:
        Tagging(warn=said.append).create("iam", TAGS, create)
    assert raised.value is err
    assert create.calls == [TAGS]
    assert said == []


def test_when_the_untagged_retry_fails_that_error_is_raised() -> None:
    refused = TAG_REFUSALS["lambda"]
    other = AWSError(
        service="lambda",
        operation="CreateFunction",
        code="InvalidParameterValueException",
        message="bad",
    )

    def create(tags: dict[str, str] | None) -> str:
        raise refused if tags else other

    with pytest.raises(AWSError) as raised:
        Tagging().create("lambda", TAGS, create)
    assert raised.value is other


def test_separate_tagging_call_refused_is_noted_not_raised() -> None:
    said: list[str] = []
    tagging = Tagging(warn=said.append)
    calls: list[int] = []

    def apply() -> None:
        calls.append(1)
        raise TAG_REFUSALS["apigateway"]

    assert tagging.tag("apigateway", apply) is False
    assert tagging.tag("apigateway", apply) is False  # not asked again
    assert calls == [1]
    assert len(said) == 1 and TAG_PERMISSIONS["apigateway"] in said[0]
    assert tagging.tag("lambda", lambda: None) is True


def test_separate_tagging_call_other_errors_raise() -> None:
    def apply() -> None:
        raise OTHER_REFUSALS[-1]

    with pytest.raises(AWSError):
        Tagging().tag("iam", apply)


def test_a_refused_adoption_lookup_means_nothing_to_adopt() -> None:
    said: list[str] = []
    tagging = Tagging(warn=said.append)
    refused = denial(
        "apigatewayv2",
        "GetApis",
        "AccessDeniedException",
        "apigateway:GET",
        "arn:aws:apigateway:us-west-2::/apis",
    )
    looked: list[int] = []

    def find() -> str | None:
        looked.append(1)
        raise refused

    assert tagging.lookup("apigatewayv2", find) is None
    assert tagging.lookup("apigatewayv2", find) is None
    assert looked == [1]
    assert len(said) == 1
    assert "crash adoption by tag" in said[0] and "apigateway:GET" in said[0]
    assert [d.kind for d in tagging.denials] == [Refusal.READ]
    assert tagging.denied == {}  # tagging itself was not refused


def test_a_lookup_that_fails_otherwise_still_fails() -> None:
    def find() -> str | None:
        raise AWSError(
            service="apigatewayv2", operation="GetApis", code="InternalFailure", message="x"
        )

    with pytest.raises(AWSError):
        Tagging().lookup("apigatewayv2", find)


def test_a_lookup_finds_what_it_finds() -> None:
    assert Tagging().lookup("apigatewayv2", lambda: "api-1") == "api-1"


def test_concurrent_refusals_say_it_once() -> None:
    said: list[str] = []
    tagging = Tagging(warn=said.append)
    workers = 6
    barrier = threading.Barrier(workers)
    create = FakeCreate(TAG_REFUSALS["logs"])

    def run() -> None:
        barrier.wait()
        tagging.create("logs", TAGS, create)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(said) == 1
    # Every create happened exactly once untagged; tagged tries are at most one per worker.
    assert create.calls.count(None) == workers
