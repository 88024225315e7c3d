"""Deploy and delete with exactly the policy documented in docs/permissions.rst.

The policy files are read from ``docs/`` (``deploy-policy.json`` and
``deploy-policy-with-tags.json``), so the page and this test cannot diverge.
An IAM user gets the policy, and the deploy runs with that user's keys while
moto enforces IAM (``moto.settings.INITIAL_NO_AUTH_ACTION_COUNT = 0``; the
server runs in this process, so the setting is switched on only around the
deploy and delete, and the test's own setup and inspection stay unchecked).

What moto enforces (moto 5.x), measured by calling each service with a user
whose policy allows nothing:

* every call to IAM, STS, Lambda, CloudWatch Logs, EventBridge, API Gateway
  (v1 and v2), SNS, SQS, S3, Kinesis and DynamoDB Streams is checked against
  the user's policies: action names, Allow/Deny, wildcards;
* S3 is checked against the bucket's ARN; every other service against "*"
  (moto does not know the resource of the request).

What moto does not enforce, and how this test restores AWS's behaviour
(``aws_rules`` below; each names the AWS documentation it follows):

* Resource ARNs: moto asks about the resource "*", which a scoped policy
  statement does not match. When moto does not know the resource, any
  statement Resource counts as matching, so actions are enforced and resource
  scoping is not (except S3 buckets and API Gateway paths, below).
* API Gateway's actions are HTTP verbs on paths ("apigateway:POST on
  arn:aws:apigateway:us-west-2::/restapis"), not operation names ("Service
  Authorization Reference: Amazon API Gateway Management"); moto asks for
  "apigateway:CreateRestApi". The action and resource are rebuilt from the
  request's method and path.
* Tags passed on create are authorized as a separate action (iam:TagRole,
  logs:TagResource, events:TagResource, lambda:TagResource, API Gateway's
  /tags resource: "Controlling access to AWS resources using tags", IAM User
  Guide, "Controlling access during AWS requests"). moto never asks; a
  botocore before-call hook on the deploy's own session answers AccessDenied
  with AWS's text when the policy lacks the tag action.
* iam:PassRole when a role is given to CreateFunction or
  UpdateFunctionConfiguration ("Grant a user permissions to pass a role to
  an AWS service", IAM User Guide): checked by the same hook. Conditions are
  not evaluated (iam:PassedToService is lambda.amazonaws.com by construction).
* moto answers a refusal in the Query protocol's XML whatever the service;
  AWS answers JSON services with {"__type": "AccessDeniedException"}. JSON
  services get their own shape back, so the deploy sees AWS's code.
* moto recomputes SigV4 differently from botocore for REST GET requests and
  answers SignatureDoesNotMatch; signatures are not what this test is about,
  so they are not checked (the access key must still exist in moto's IAM).
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import deployer
from chalice.deploy.state import load_state
from chalice.deploy.tagging import DOCS_PAGE, TAG_PERMISSIONS
from tests.reporting import RecordingReporter

ROOT = Path(__file__).resolve().parents[3]
POLICY = ROOT / "docs" / "deploy-policy.json"
POLICY_WITH_TAGS = ROOT / "docs" / "deploy-policy-with-tags.json"
SAMPLE = Path(__file__).parent / "apps" / "sample"
REGION = "us-west-2"

WEBSOCKET_HANDLERS = """

app.experimental_feature_flags.update(["WEBSOCKETS"])


@app.on_ws_connect()
def connect(event):
    return None


@app.on_ws_message()
def message(event):
    return None
"""


def load_policy(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


# -- the policy, evaluated the way IAM does for what moto leaves out -----------
def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def allows(policy: dict[str, Any], action: str, resource: str) -> bool:
    """Whether an Allow statement covers ``action`` on ``resource`` (no Deny is used)."""
    for stmt in policy["Statement"]:
        if stmt.get("Effect") != "Allow":
            continue
        actions = _as_list(stmt.get("Action", []))
        resources = _as_list(stmt.get("Resource", []))
        if any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions) and any(
            fnmatch.fnmatchcase(resource, r) for r in resources
        ):
            return True
    return False


# (service, operation, tags parameter) -> (action, resource ARN of the new resource)
def _tag_target(
    service: str, op: str, params: dict[str, Any], account: str
) -> tuple[str, str] | None:
    arn = f"arn:aws:{service}:{REGION}:{account}"
    if service == "iam" and op == "CreateRole" and params.get("Tags"):
        return "iam:TagRole", f"arn:aws:iam::{account}:role/{params['RoleName']}"
    if service == "logs" and op == "CreateLogGroup" and params.get("tags"):
        return "logs:TagResource", f"{arn}:log-group:{params['logGroupName']}"
    if service == "events" and op == "PutRule" and params.get("Tags"):
        return "events:TagResource", f"{arn}:rule/{params['Name']}"
    if service == "lambda" and op == "CreateFunction" and params.get("Tags"):
        return "lambda:TagResource", f"{arn}:function:{params['FunctionName']}"
    api = f"arn:aws:apigateway:{REGION}::/tags/"
    if (
        service == "apigateway"
        and op in ("CreateRestApi", "CreateDomainName")
        and params.get("tags")
    ):
        return "apigateway:PUT", api + "new"
    if service == "apigatewayv2" and op in ("CreateApi", "CreateDomainName") and params.get("Tags"):
        return "apigateway:POST", api + "new"
    return None


class AWSRules:
    """A before-call hook: tag-on-create and iam:PassRole, as AWS authorizes them."""

    def __init__(self, policy: dict[str, Any], *, user_arn: str, account: str) -> None:
        self.policy = policy
        self.user_arn = user_arn
        self.account = account
        self.refused: list[tuple[str, str]] = []

    def remember(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        """``before-parameter-build``: keep the call's own parameters for ``check``."""
        context["aws_rules_params"] = dict(params)

    def check(self, model: Any, context: dict[str, Any], **_: Any) -> Any:
        """``before-call``: AWS's answer when the policy lacks an implied action."""
        service = model.service_model.service_name
        op = model.name
        params = context.get("aws_rules_params", {})
        wanted = []
        target = _tag_target(service, op, params, self.account)
        if target is not None:
            wanted.append(target)
        if service == "lambda" and op in ("CreateFunction", "UpdateFunctionConfiguration"):
            if params.get("Role"):
                wanted.append(("iam:PassRole", str(params["Role"])))
        for action, resource in wanted:
            if not allows(self.policy, action, resource):
                self.refused.append((op, action))
                return _denied(service, action, resource, self.user_arn)
        return None


def _denied(service: str, action: str, resource: str, user_arn: str) -> tuple[Any, dict[str, Any]]:
    class Http:
        status_code = 403
        headers: dict[str, str] = {}
        content = b""

    code = "AccessDenied" if service == "iam" else "AccessDeniedException"
    message = (
        f"User: {user_arn} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )
    return Http(), {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": 403},
    }


# -- moto's enforcement, with the fidelity fixes listed in the module docstring -
@contextlib.contextmanager
def enforced() -> Iterator[None]:
    """moto checks every request against the caller's IAM policies inside the block."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import JsonRESTError
    from moto.iam import access_control as ac

    saved = (
        settings.INITIAL_NO_AUTH_ACTION_COUNT,
        ActionAuthenticatorMixin.request_count,
        ac.IAMRequest.check_signature,
        ac.IAMRequest.check_action_permitted,
        ac.IAMRequest._raise_access_denied,
        ac.IAMPolicyStatement._check_element_matches,
    )
    original_check = ac.IAMRequest.check_action_permitted
    original_match = ac.IAMPolicyStatement._check_element_matches
    original_denied = ac.IAMRequest._raise_access_denied

    def check_action_permitted(self: Any, resource: str) -> None:
        if self._service == "apigateway":
            path = self._path.split("?", 1)[0]
            if path.startswith("/v2/"):
                path = path[3:]
            self._action = f"apigateway:{self._method}"
            resource = f"arn:aws:apigateway:{self._region}::{path}"
        original_check(self, resource)

    def check_element_matches(self: Any, element: str, value: str) -> bool:
        if element == "Resource" and value == "*":
            return True  # moto does not know the resource: enforce the action only
        return bool(original_match(self, element, value))

    def raise_access_denied(self: Any) -> None:
        if self._service in ("iam", "sts", "sns"):
            original_denied(self)
        raise JsonRESTError(
            "AccessDeniedException",
            f"User: {self._access_key.arn} is not authorized to perform: {self._action}",
        )

    ac.IAMRequest.check_signature = lambda self: None
    ac.IAMRequest.check_action_permitted = check_action_permitted
    ac.IAMRequest._raise_access_denied = raise_access_denied
    ac.IAMPolicyStatement._check_element_matches = check_element_matches
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield
    finally:
        (
            settings.INITIAL_NO_AUTH_ACTION_COUNT,
            ActionAuthenticatorMixin.request_count,
            ac.IAMRequest.check_signature,
            ac.IAMRequest.check_action_permitted,
            ac.IAMRequest._raise_access_denied,
            ac.IAMPolicyStatement._check_element_matches,
        ) = saved


# -- fixtures -------------------------------------------------------------------
@pytest.fixture
def project(tmp_path: Path, boto: Any) -> Path:
    """The sample app (no REST API) + websocket handlers + log retention."""
    boto.sns.create_topic(Name="sample-topic")
    boto.sqs.create_queue(QueueName="sample-queue")
    boto.s3.create_bucket(
        Bucket="sample-bucket", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project)
    config = json.loads((project / ".chalice" / "config.json").read_text())
    config["stages"]["dev"]["log_retention_in_days"] = 14
    (project / ".chalice" / "config.json").write_text(json.dumps(config))
    app = (project / "app.py").read_text() + WEBSOCKET_HANDLERS
    (project / "app.py").write_text(app)
    return project


def without_routes(project: Path) -> None:
    """Drop the REST API from the app (see test_deploy_without_tag_permissions)."""
    app = (project / "app.py").read_text()
    head, _, rest = app.partition('@app.route("/")')
    rest = rest[rest.index("@app.schedule") :]
    (project / "app.py").write_text(head + rest)


def deployer_session(boto: Any, policy: dict[str, Any]) -> tuple[Any, AWSRules]:
    """A botocore session with the keys of a new user holding exactly ``policy``."""
    import botocore.session

    iam = boto.iam
    user = iam.create_user(UserName="deployer")["User"]
    iam.put_user_policy(
        UserName="deployer", PolicyName="chalice-deploy", PolicyDocument=json.dumps(policy)
    )
    key = iam.create_access_key(UserName="deployer")["AccessKey"]
    session = botocore.session.Session()
    session.set_credentials(key["AccessKeyId"], key["SecretAccessKey"])
    rules = AWSRules(policy, user_arn=user["Arn"], account=user["Arn"].split(":")[4])
    session.register("before-parameter-build", rules.remember)
    session.register("before-call", rules.check)
    return session, rules


# -- tests ----------------------------------------------------------------------
def test_the_policy_files_agree_with_each_other_and_with_the_notice() -> None:
    base = load_policy(POLICY)
    full = load_policy(POLICY_WITH_TAGS)
    extra = full["Statement"][len(base["Statement"]) :]
    assert full["Statement"][: len(base["Statement"])] == base["Statement"]
    assert extra, "the tag permissions are the only difference"
    for stmt in base["Statement"] + extra:
        assert "*" not in _as_list(stmt["Action"]), stmt["Sid"]
    actions = {a for stmt in extra for a in _as_list(stmt["Action"])}
    for service in ("iam", "logs", "events"):
        assert TAG_PERMISSIONS[service] in actions
    assert allows(full, "apigateway:PUT", "arn:aws:apigateway:us-west-2::/tags/x")
    assert allows(full, "apigateway:POST", "arn:aws:apigateway:us-west-2::/tags/x")
    assert not allows(base, "apigateway:POST", "arn:aws:apigateway:us-west-2::/tags/x")
    # Upstream Chalice tags functions (aws-chalice), so its users already grant this.
    assert allows(base, "lambda:TagResource", "arn:aws:lambda:us-west-2:1:function:f")
    assert (ROOT / DOCS_PAGE).is_file()


def test_the_docs_page_shows_the_files_the_test_enforces() -> None:
    page = (ROOT / DOCS_PAGE).read_text()
    assert ".. literalinclude:: deploy-policy.json" in page
    assert ".. literalinclude:: deploy-policy-with-tags.json" in page
    # The excerpt of the tag statements is exactly those statements.
    first, last = (int(n) for n in page.split(":lines: ", 1)[1].split()[0].split("-"))
    excerpt = POLICY_WITH_TAGS.read_text().splitlines()[first - 1 : last]
    shown = json.loads("[" + "\n".join(excerpt) + "]")
    base = load_policy(POLICY)
    assert shown == load_policy(POLICY_WITH_TAGS)["Statement"][len(base["Statement"]) :]


def test_moto_really_enforces_the_policy(aws_env: str, boto: Any) -> None:
    session, _ = deployer_session(boto, load_policy(POLICY))
    sqs = session.create_client("sqs", region_name=REGION)
    logs = session.create_client("logs", region_name=REGION)
    from botocore.exceptions import ClientError

    v2 = session.create_client("apigatewayv2", region_name=REGION)
    api = boto.apigatewayv2.create_api(Name="x", ProtocolType="WEBSOCKET")
    with enforced():
        logs.describe_log_groups()  # allowed
        v2.get_apis()  # allowed: apigateway:GET on /apis
        with pytest.raises(ClientError) as denied:
            sqs.list_queues()  # not in the policy
        with pytest.raises(ClientError) as untaggable:
            # apigateway:POST on /tags/...: only in the policy with tags.
            v2.tag_resource(
                ResourceArn=f"arn:aws:apigateway:{REGION}::/apis/{api['ApiId']}", Tags={"a": "b"}
            )
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert untaggable.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "apigateway:POST" in untaggable.value.response["Error"]["Message"]


def _tags(boto: Any, state: Any) -> dict[str, dict[str, str]]:
    """The tags of each role, log group, rule and websocket API the state lists."""
    out: dict[str, dict[str, str]] = {}
    for r in state.resources:
        kind = r["resource_type"]
        if kind == "iam_role":
            tags = boto.iam.list_role_tags(RoleName=r["role_name"])["Tags"]
            out[r["name"]] = {t["Key"]: t["Value"] for t in tags}
        elif kind == "log_group":
            arn = f"arn:aws:logs:{REGION}:123456789012:log-group:{r['log_group_name']}"
            out[r["name"]] = boto.logs.list_tags_for_resource(resourceArn=arn).get("tags", {})
        elif kind == "cloudwatch_event":
            arn = boto.events.describe_rule(Name=r["rule_name"])["Arn"]
            tags = boto.events.list_tags_for_resource(ResourceARN=arn)["Tags"]
            out[r["name"]] = {t["Key"]: t["Value"] for t in tags}
        elif kind == "websocket_api":
            out[r["name"]] = boto.apigatewayv2.get_api(ApiId=r["websocket_api_id"]).get("Tags", {})
    return out


def _deploy(project: Path, session: Any) -> tuple[Any, RecordingReporter, Any]:
    ui = RecordingReporter()
    with enforced():
        result = deployer.deploy(project, ui=ui, session=session)
    state = result.state
    assert state is not None
    assert load_state(project, "dev").resources == state.resources
    return result, ui, state


def test_deploy_and_delete_with_the_documented_policy(
    aws_env: str, boto: Any, project: Path
) -> None:
    session, rules = deployer_session(boto, load_policy(POLICY_WITH_TAGS))
    _, ui, state = _deploy(project, session)
    assert rules.refused == []
    assert not [w for w in ui.warnings if "crash adoption" in w]
    names = state.resource_names()
    for expected in ("default-role", "rest_api", "websocket_api", "every_five-event"):
        assert expected in names
    tags = _tags(boto, state)
    assert tags and all(t.get("chalice:stage") == "dev" for t in tags.values()), tags

    # A redeploy takes the read and update paths: the policy covers them too.
    _, ui, again = _deploy(project, session)
    assert again.resources == state.resources

    ui = RecordingReporter()
    with enforced():
        final = deployer.delete(project, ui=ui, session=session)
    assert not final.resources
    assert not load_state(project, "dev").resources
    assert boto.iam.list_roles()["Roles"] == []


def test_deploy_without_tag_permissions_creates_untagged_and_says_so_once(
    aws_env: str, boto: Any, project: Path
) -> None:
    """The policy without its tag statements: all works but crash adoption by tag.

    The REST API is left out of this app: its tag fallback belongs to the REST
    API planner (another change); roles, log groups, rules, the websocket API
    and functions are covered here.
    """
    without_routes(project)
    session, rules = deployer_session(boto, load_policy(POLICY))
    _, ui, state = _deploy(project, session)

    refused = {action for _, action in rules.refused}
    assert refused == {"iam:TagRole", "logs:TagResource", "events:TagResource", "apigateway:POST"}
    # Once a service refused, later creates skip the tags; only creates already
    # in flight on other workers (8 at most) may still have asked.
    assert all(1 <= sum(1 for _, a in rules.refused if a == action) <= 8 for action in refused)
    notices = [line for line in ui.warnings if "crash adoption by tag" in line]
    assert len(notices) == 1 and DOCS_PAGE in notices[0]
    also = [line for line in ui.warnings if "is also refused for" in line]
    assert len(also) == 3

    names = state.resource_names()
    for expected in (
        "default-role",
        "websocket_api",
        "every_five-event",
        "on_sqs-sqs-event-source",
    ):
        assert expected in names
    assert any(r["resource_type"] == "log_group" for r in state.resources)
    tags = _tags(boto, state)
    assert tags and all(t == {} for t in tags.values()), tags

    ui = RecordingReporter()
    with enforced():
        final = deployer.delete(project, ui=ui, session=session)
    assert not final.resources
    assert boto.iam.list_roles()["Roles"] == []
