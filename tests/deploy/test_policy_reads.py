"""A function's policy is read once per plan, and a recorded one without waiting.

``PlanContext.policy_statements`` is what every planner that grants a
service the right to invoke a function (rules, SNS, S3, APIs, function URLs)
asks. A redeploy's functions are recorded and most likely exist, so their
policies are read beside the functions' own reads instead of one round trip
after them; the answer counts only if the function's step says it exists.
No test here sleeps: a read that waited for the function's step could not
happen before ``planned`` is called, and the tests wait for the read first.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chalice.deploy.function_policies import KnownPolicy
from chalice.deploy.plan import Action, Step
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.state import DeployedState

NAME, FUNCTION = "api_handler", "demo-dev"
ARN = f"arn:aws:lambda:us-west-2:123456789012:function:{FUNCTION}"
STATEMENTS = [{"Sid": "s1", "Principal": {"Service": "events.amazonaws.com"}}]
HANG_GUARD = 30.0  # only reached when the behaviour under test is broken


class _Lambda:
    def __init__(self) -> None:
        self.reads: list[str] = []
        self.read_started = threading.Event()

    def get_policy(self, name: str) -> tuple[str, list[dict[str, Any]]]:
        self.reads.append(name)
        self.read_started.set()
        return "rev-2", list(STATEMENTS)


class _Clients:
    def __init__(self) -> None:
        self.lambda_ = _Lambda()


def _context(
    *, recorded: bool, known: dict[str, KnownPolicy] | None = None
) -> tuple[PlanContext, _Lambda]:
    state = DeployedState()
    if recorded:
        state = state.with_resource(NAME, "lambda_function", {"lambda_arn": ARN})
    clients = _Clients()
    ctx = PlanContext(
        clients=clients,  # type: ignore[arg-type]
        app_name="demo",
        stage="dev",
        state=state,
        known_policies=known or {},
    )
    ctx.expect([NAME])
    return ctx, clients.lambda_


def _step(action: Action) -> Step:
    return Step(NAME, "lambda_function", action, recorded={}, expected={})


def _ask(ctx: PlanContext, answers: list[list[dict[str, Any]]]) -> threading.Thread:
    thread = threading.Thread(
        target=lambda: answers.append(ctx.policy_statements(NAME, FUNCTION)), daemon=True
    )
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("action", "expected"), [(Action.UNCHANGED, STATEMENTS), (Action.CREATE, [])]
)
def test_a_recorded_functions_policy_is_read_before_its_step_is_known(
    action: Action, expected: list[dict[str, Any]]
) -> None:
    ctx, lam = _context(recorded=True)
    answers: list[list[dict[str, Any]]] = []
    thread = _ask(ctx, answers)
    read_first = lam.read_started.wait(HANG_GUARD)
    ctx.planned(NAME, _step(action))  # CREATE: deleted by hand, so its policy is gone too
    assert read_first, "the read waited for the function's step"
    thread.join(HANG_GUARD)
    assert answers == [expected]


def test_a_function_not_recorded_is_read_only_once_it_is_known_to_exist() -> None:
    ctx, lam = _context(recorded=False)
    ctx.planned(NAME, _step(Action.CREATE))
    assert ctx.policy_statements(NAME, FUNCTION) == []
    assert lam.reads == []  # a new function has no policy: no call

    ctx, lam = _context(recorded=False)
    ctx.planned(NAME, _step(Action.UPDATE))  # found by its tags, not in the state
    assert ctx.policy_statements(NAME, FUNCTION) == STATEMENTS
    assert lam.reads == [FUNCTION]


def test_every_planner_asking_about_one_function_shares_one_read() -> None:
    ctx, lam = _context(recorded=True)
    answers: list[list[dict[str, Any]]] = []
    threads = [_ask(ctx, answers) for _ in range(4)]
    ctx.planned(NAME, _step(Action.UNCHANGED))
    for thread in threads:
        thread.join(HANG_GUARD)
    assert answers == [STATEMENTS] * 4
    assert lam.reads == [FUNCTION]


# -- a policy known at a revision (``chalice/deploy/function_policies.py``) ------------

KNOWN = [{"Sid": "known", "Principal": {"Service": "sns.amazonaws.com"}}]


def test_a_policy_known_at_the_functions_revision_is_not_read() -> None:
    ctx, lam = _context(recorded=True, known={ARN: KnownPolicy("rev-1", KNOWN)})
    answers: list[list[dict[str, Any]]] = []
    thread = _ask(ctx, answers)
    # It waits for the function's own read to compare revisions.
    assert answers == []
    ctx.note_function(NAME, ARN, "rev-1")
    ctx.planned(NAME, _step(Action.UNCHANGED))
    thread.join(HANG_GUARD)
    assert answers == [KNOWN]
    assert lam.reads == []
    assert ctx.policy_read(NAME) is None  # nothing read: nothing new to remember


def test_a_function_changed_since_its_policy_was_known_is_read_again() -> None:
    ctx, lam = _context(recorded=True, known={ARN: KnownPolicy("rev-1", KNOWN)})
    ctx.note_function(NAME, ARN, "rev-2")  # changed by hand, or by a deploy
    ctx.planned(NAME, _step(Action.UNCHANGED))
    assert ctx.policy_statements(NAME, FUNCTION) == STATEMENTS
    assert lam.reads == [FUNCTION]
    assert ctx.policy_read(NAME) == KnownPolicy("rev-2", STATEMENTS)


def test_a_known_policy_of_a_function_gone_is_empty_and_not_read() -> None:
    ctx, lam = _context(recorded=True, known={ARN: KnownPolicy("rev-1", KNOWN)})
    ctx.planned(NAME, _step(Action.CREATE))  # deleted by hand: its policy went with it
    assert ctx.policy_statements(NAME, FUNCTION) == []
    assert lam.reads == []


def test_a_known_policy_is_a_copy_planners_cannot_spoil() -> None:
    known = {ARN: KnownPolicy("rev-1", KNOWN)}
    ctx, _lam = _context(recorded=True, known=known)
    ctx.note_function(NAME, ARN, "rev-1")
    ctx.planned(NAME, _step(Action.UNCHANGED))
    ctx.policy_statements(NAME, FUNCTION)[0]["Sid"] = "changed"
    assert known[ARN].statements == KNOWN and KNOWN[0]["Sid"] == "known"
