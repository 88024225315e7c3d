"""The cache of functions' policies by revision: what a deploy keeps, drops and ignores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice.deploy import function_policies
from chalice.deploy.function_policies import KnownPolicy, cache_path
from chalice.deploy.plan import Action, Plan, Step
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.state import DeployedState

ARN = "arn:aws:lambda:us-west-2:123456789012:function:demo-dev-{}"
STATEMENTS = [{"Sid": "s1", "Principal": {"Service": "events.amazonaws.com"}}]


class _Lambda:
    def __init__(self, revisions: dict[str, str]) -> None:
        self.revisions = revisions  # what GetPolicy answers, by function name

    def get_policy(self, name: str) -> tuple[str, list[dict[str, Any]]] | None:
        revision = self.revisions.get(name)
        return (revision, list(STATEMENTS)) if revision is not None else None


class _Clients:
    def __init__(self, revisions: dict[str, str]) -> None:
        self.lambda_ = _Lambda(revisions)


def _planned(
    functions: dict[str, str], policies: dict[str, str], known: dict[str, KnownPolicy]
) -> PlanContext:
    """A context in which each function of ``functions`` (name -> revision GetFunction
    answered) was planned unchanged and its policy asked for (``policies``: what
    GetPolicy answers)."""
    state = DeployedState()
    for name in functions:
        state = state.with_resource(name, "lambda_function", {"lambda_arn": ARN.format(name)})
    ctx = PlanContext(
        clients=_Clients(policies),  # type: ignore[arg-type]
        app_name="demo",
        stage="dev",
        state=state,
        known_policies=known,
    )
    for name, revision in functions.items():
        ctx.note_function(name, ARN.format(name), revision)
        ctx.planned(name, Step(name, "lambda_function", Action.UNCHANGED))
        ctx.policy_statements(name, name)
    return ctx


def _plan(names: list[str], *, changed: bool = False) -> Plan:
    steps = [Step(n, "lambda_function", Action.UNCHANGED) for n in names]
    if changed:
        steps.append(Step("every_hour", "cloudwatch_event", Action.UPDATE))
    return Plan("dev", tuple(steps))


def test_an_unchanged_deploy_keeps_the_policies_read_at_the_functions_revision(
    tmp_path: Path,
) -> None:
    # "b": GetPolicy answered another revision than GetFunction (changed in
    # between, or AWS's answers differ): nothing is known from that read.
    ctx = _planned({"a": "r1", "b": "r2"}, {"a": "r1", "b": "r3"}, {})
    function_policies.remember(tmp_path, _plan(["a", "b"]), ctx)
    assert function_policies.load(tmp_path) == {ARN.format("a"): KnownPolicy("r1", STATEMENTS)}


def test_a_deploy_that_changes_anything_drops_its_functions_policies(tmp_path: Path) -> None:
    other = "arn:aws:lambda:us-west-2:123456789012:function:other-dev-x"
    function_policies.store(
        tmp_path,
        {ARN.format("a"): KnownPolicy("r1", STATEMENTS), other: KnownPolicy("r9", STATEMENTS)},
    )
    ctx = _planned({"a": "r1"}, {}, function_policies.load(tmp_path))
    function_policies.remember(tmp_path, _plan(["a"], changed=True), ctx)
    # Another stage's or app's function is not this plan's to drop.
    assert function_policies.load(tmp_path) == {other: KnownPolicy("r9", STATEMENTS)}


def test_an_unchanged_deploy_that_read_nothing_new_writes_nothing(tmp_path: Path) -> None:
    known = {ARN.format("a"): KnownPolicy("r1", STATEMENTS)}
    ctx = _planned({"a": "r1"}, {}, known)  # the known policy was used: no read
    function_policies.remember(tmp_path, _plan(["a"]), ctx)
    assert not cache_path(tmp_path).exists()


def test_an_unreadable_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    path = cache_path(tmp_path)
    path.parent.mkdir(parents=True)
    for text in (
        "{not json",
        json.dumps({"format": 99, "functions": {}}),
        json.dumps({"format": 1, "functions": []}),
        json.dumps({"format": 1, "functions": {"arn": {"revision_id": "", "statements": []}}}),
    ):
        path.write_text(text)
        assert function_policies.load(tmp_path) == {}
    path.write_text(json.dumps({"format": 1, "functions": {"arn": {"revision_id": "r"}}}))
    assert function_policies.load(tmp_path) == {}


def test_a_cache_that_cannot_be_written_costs_nothing_but_reads(tmp_path: Path) -> None:
    (tmp_path / ".chalice").write_text("a file where the directory would go")
    function_policies.store(tmp_path, {ARN.format("a"): KnownPolicy("r1", STATEMENTS)})
    assert function_policies.load(tmp_path) == {}
