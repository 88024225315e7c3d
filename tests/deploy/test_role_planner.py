"""The role planner's reads (in-memory fakes) and the planning waits of ``PlanContext``."""

from __future__ import annotations

import json
import threading
from typing import Any

import attrs

from chalice.deploy import models
from chalice.deploy.plan import Action, Step
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.resources.iam import RolePlanner
from chalice.deploy.state import DeployedState

WAIT = 30  # seconds: a guard against a hang only

TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
POLICY: dict[str, Any] = {"Version": "2012-10-17", "Statement": []}
ROLE = models.ManagedIAMRole(
    resource_name="default-role",
    role_name="app-dev",
    trust_policy=TRUST,
    policy=models.AutoGenIAMPolicy(document=POLICY),
)


class FakeIAM:
    """Answers GetRole/GetRolePolicy from a dict; both reads must be in flight at once."""

    def __init__(self, roles: dict[str, dict[str, Any]], *, parties: int = 2) -> None:
        self.roles = roles
        # Each read waits until the other one started: proves they overlap.
        self.barrier = threading.Barrier(parties, timeout=WAIT)

    def get_role(self, name: str) -> dict[str, Any] | None:
        self.barrier.wait()
        role = self.roles.get(name)
        if role is None:
            return None
        return {"Arn": role["arn"], "AssumeRolePolicyDocument": json.dumps(TRUST)}

    def get_role_policy(self, role: str, policy_name: str) -> dict[str, Any] | None:
        self.barrier.wait()
        found = self.roles.get(role)
        return None if found is None else found["policy"]


class FakeClients:
    """Fails the test if the account id is asked for (that is a GetCallerIdentity)."""

    def __init__(self, iam: FakeIAM) -> None:
        self.iam = iam
        self.account_asked = 0

    @property
    def account_id(self) -> str:
        self.account_asked += 1
        return "123456789012"

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:aws:{service}:{'us-west-2' if region else ''}:{self.account_id}:{resource}"


def _ctx(clients: FakeClients) -> PlanContext:
    return PlanContext(clients=clients, app_name="app", stage="dev", state=DeployedState.empty())  # type: ignore[arg-type]


def test_an_existing_role_is_planned_without_the_account_id() -> None:
    clients = FakeClients(FakeIAM({"app-dev": {"arn": "arn:aws:iam::999:role/app-dev", "policy": POLICY}}))
    step = RolePlanner().plan(ROLE, None, _ctx(clients))
    assert step.action is Action.UNCHANGED
    # The ARN is GetRole's answer, not one computed from GetCallerIdentity.
    assert step.recorded == {"role_name": "app-dev", "role_arn": "arn:aws:iam::999:role/app-dev"}
    assert clients.account_asked == 0


def test_a_changed_policy_is_an_update() -> None:
    other = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    clients = FakeClients(FakeIAM({"app-dev": {"arn": "arn:aws:iam::999:role/app-dev", "policy": other}}))
    step = RolePlanner().plan(ROLE, None, _ctx(clients))
    assert step.action is Action.UPDATE
    assert [c.field for c in step.changes] == ["policy"]


def test_a_missing_role_is_created_with_the_arn_it_will_have() -> None:
    clients = FakeClients(FakeIAM({}))
    step = RolePlanner().plan(ROLE, None, _ctx(clients))
    assert step.action is Action.CREATE
    assert step.expected == {"role_name": "app-dev", "role_arn": "arn:aws:iam::123456789012:role/app-dev"}


def test_known_waits_for_a_dependency_being_planned() -> None:
    ctx = _ctx(FakeClients(FakeIAM({})))
    ctx.expect(["fn"])
    seen: list[Any] = []
    asking = threading.Event()

    def dependant() -> None:
        asking.set()
        seen.append(ctx.known("fn"))
        seen.append(ctx.exists_now("fn"))

    thread = threading.Thread(target=dependant)
    thread.start()
    assert asking.wait(WAIT)
    step = Step("fn", "lambda_function", Action.UNCHANGED, expected={"lambda_arn": "arn:fn"})
    ctx.planned("fn", step)
    thread.join(WAIT)
    # Whenever it asked, it got the planned step, never the (empty) state's answer.
    assert seen == [{"lambda_arn": "arn:fn"}, True]


def test_a_failed_dependency_releases_its_waiters() -> None:
    ctx = _ctx(FakeClients(FakeIAM({})))
    ctx.expect(["fn"])
    ctx.planned("fn", None)
    assert ctx.known("fn") is None and ctx.exists_now("fn") is False


@attrs.frozen
class _Fn:
    resource_name: str = "fn"
    function_name: str = "app-dev-fn"


def test_function_arn_does_not_wait_for_the_functions_planning() -> None:
    clients = FakeClients(FakeIAM({}))
    ctx = PlanContext(clients=clients, app_name="app", stage="dev", state=DeployedState.empty())  # type: ignore[arg-type]
    ctx.expect(["fn"])  # never planned in this test: waiting would hang
    got: list[str] = []
    thread = threading.Thread(target=lambda: got.append(ctx.function_arn(_Fn())))  # type: ignore[arg-type]
    thread.start()
    thread.join(WAIT)
    assert got and got[0].endswith(":function:app-dev-fn")
