"""An unchanged redeploy knows a function's policy by its revision; a change is still seen.

Through botocore against moto, with the fidelity fix that gives a function a
new ``RevisionId`` on every change of its code, configuration or policy
(``moto_fidelity._lambda_revisions``, as AWS does).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice.deploy import models
from chalice.deploy.deployer import deploy_application
from chalice.deploy.function_policies import cache_path
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter


def _deploy(resources: list[Any], project: Path, aws: Any) -> None:
    deploy_application(
        models.Application("dev", tuple(resources)),
        project_dir=project,
        app_name="demo",
        clients=aws,
        ui=RecordingReporter(),
    )


def _app(tmp_path: Path) -> list[Any]:
    pkg = kit.make_zip(tmp_path / "a.zip")
    fn = kit.function("demo", "dev", "hourly", pkg, kit.role("demo", "dev"))
    return [models.ScheduledEvent("hourly-event", "demo-dev-hourly-event", "rate(1 hour)", "", fn)]


def _ops(calls: Any, name: str) -> int:
    return sum(1 for _, op in calls.calls if op == name)


def test_the_policy_is_read_until_known_then_not_until_it_changes(
    project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    _deploy(app, project, aws)  # creates: nothing to read
    calls.reset()
    _deploy(app, project, aws)  # the first unchanged one reads, and remembers
    assert _ops(calls, "GetPolicy") == 1 and calls.mutating == []
    assert cache_path(project).exists()
    calls.reset()
    _deploy(app, project, aws)
    assert _ops(calls, "GetPolicy") == 0 and calls.mutating == []

    # Someone removes the permission by hand: the function has a new revision,
    # so the next deploy reads the policy and grants it again.
    policy = boto.awslambda.get_policy(FunctionName="demo-dev-hourly")
    assert (
        policy["RevisionId"]
        == boto.awslambda.get_function(FunctionName="demo-dev-hourly")["Configuration"][
            "RevisionId"
        ]
    )
    sid = json.loads(policy["Policy"])["Statement"][0]["Sid"]
    boto.awslambda.remove_permission(FunctionName="demo-dev-hourly", StatementId=sid)
    calls.reset()
    _deploy(app, project, aws)
    assert _ops(calls, "GetPolicy") == 1 and "AddPermission" in calls.mutating
    statements = json.loads(boto.awslambda.get_policy(FunctionName="demo-dev-hourly")["Policy"])
    assert [s["Sid"] for s in statements["Statement"]] == [sid]

    # That deploy changed the policy, so it forgot it; the next one reads it beside
    # the function (not after), and the one after that knows it again.
    calls.reset()
    _deploy(app, project, aws)
    assert _ops(calls, "GetPolicy") == 1 and calls.mutating == []
    calls.reset()
    _deploy(app, project, aws)
    assert _ops(calls, "GetPolicy") == 0 and calls.mutating == []


def test_a_lost_or_broken_cache_only_costs_the_read(
    project: Path, aws: Any, calls: Any, tmp_path: Path
) -> None:
    app = _app(tmp_path)
    _deploy(app, project, aws)
    _deploy(app, project, aws)
    cache_path(project).write_text("{ not json")
    calls.reset()
    _deploy(app, project, aws)
    assert _ops(calls, "GetPolicy") == 1 and calls.mutating == []
