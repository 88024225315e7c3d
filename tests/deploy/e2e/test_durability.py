"""The state file is written as the deploy goes, and delete runs in tier order.

The fault and kill tests alone cannot tell "recorded after every resource"
from "recorded once at the end": the next deploy adopts orphans by tag
either way. These tests look at the file on disk *during* the deploy: at
each mutating call, every resource whose create call already came back (on
the same thread, see ``creations``) must be listed there. Delete order is
checked on the recorded call sequence against the planner's delete tiers.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from chalice.aws.session import AWSClients
from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.state import state_path
from tests.deploy.e2e import models_kit as kit
from tests.deploy.e2e.creations import CreationLog, is_mutating, is_recorded
from tests.reporting import RecordingReporter

# The planner's delete tiers (chalice/deploy/planner.py, DELETE_TIERS), seen
# as the AWS calls that remove each kind of resource: event sources and
# domains first, then the APIs, then the functions they invoke, then what
# functions use (roles, layers, log groups).
DELETE_CALL_TIER = {
    ("sns", "Unsubscribe"): 0,
    ("lambda", "DeleteEventSourceMapping"): 0,
    ("s3", "PutBucketNotificationConfiguration"): 0,
    ("events", "RemoveTargets"): 0,
    ("events", "DeleteRule"): 0,
    ("apigateway", "DeleteRestApi"): 1,
    ("apigatewayv2", "DeleteApi"): 1,
    ("lambda", "DeleteFunction"): 2,
    ("iam", "DeleteRolePolicy"): 3,
    ("iam", "DeleteRole"): 3,
    ("lambda", "DeleteLayerVersion"): 3,
    ("logs", "DeleteLogGroup"): 3,
}


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    """A unique app name per test: moto is shared (not reset) between these tests."""
    import hashlib

    return "d" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]


def _app(tmp: Path, sources: dict[str, str], app: str) -> Any:
    return kit.full_app(
        tmp, app=app, sources=sources, with_domains=False, drop=("kinfn", "ddbfn", "pattern")
    )


class StateWatch:
    """At each mutating call, reads the state file and notes creates missing from it."""

    def __init__(self, project: Path) -> None:
        self.path = state_path(project, "dev")
        self.checks = 0
        self.missing: list[tuple[str, str]] = []  # (call about to be made, unrecorded resource)
        self._lock = threading.Lock()

    def __call__(self, log: CreationLog, thread: int, operation: str) -> None:
        created = log.created_before(thread)
        text = self.path.read_text() if self.path.exists() else ""
        with self._lock:
            self.checks += 1
            self.missing += [(operation, name) for name in created if not is_recorded(name, text)]


def test_every_created_resource_is_on_disk_before_the_next_call(
    shared_env: str, name: str, project: Path, boto: Any, tmp_path: Path
) -> None:
    session = botocore.session.Session()
    watch = StateWatch(project)
    log = CreationLog(session, on_mutating=watch)
    clients = AWSClients(session, sleep=lambda _s: None)
    sources = kit.create_sources(boto, name)
    deploy_application(
        _app(tmp_path, sources, name),
        project_dir=project,
        app_name=name,
        clients=clients,
        ui=RecordingReporter(),
        max_parallel=4,
    )
    created = [n for _, kind, n in log.events if kind == "created"]
    # Not vacuous: every kind of resource was created, and checked many times.
    assert len(created) >= 12 and watch.checks >= len(created)
    assert watch.missing == [], "resources created but not yet in the state file on disk"
    # And once the deploy is over, every create is recorded, whichever thread made it.
    text = state_path(project, "dev").read_text()
    assert [n for n in created if not is_recorded(n, text)] == []
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=clients, ui=RecordingReporter()
    )
    assert kit.leftovers(boto, name) == {}


def test_delete_removes_resources_in_tier_order(
    shared_env: str, name: str, project: Path, boto: Any, tmp_path: Path
) -> None:
    session = botocore.session.Session()
    sequence: list[tuple[str, str]] = []
    deleting = threading.Event()  # clients copy the session's hooks: register before any
    lock = threading.Lock()

    def before(model: Any, **_: Any) -> None:
        if deleting.is_set() and is_mutating(model.name):
            with lock:
                sequence.append((model.service_model.service_name, model.name))

    session.register("before-call", before)
    clients = AWSClients(session, sleep=lambda _s: None)
    sources = kit.create_sources(boto, name)
    deploy_application(
        kit.full_app(tmp_path, app=name, sources=sources, with_domains=False),
        project_dir=project,
        app_name=name,
        clients=clients,
        ui=RecordingReporter(),
        max_parallel=4,
    )
    deleting.set()
    delete_stage(
        project_dir=project,
        stage="dev",
        app_name=name,
        clients=clients,
        ui=RecordingReporter(),
        max_parallel=4,
    )
    assert kit.leftovers(boto, name) == {}
    tiered = [(DELETE_CALL_TIER[call], call) for call in sequence if call in DELETE_CALL_TIER]
    # Every tier took part (the sample app has every kind of resource) ...
    assert {tier for tier, _ in tiered} == {0, 1, 2, 3}, sequence
    assert {call for _, call in tiered} >= {
        ("sns", "Unsubscribe"),
        ("lambda", "DeleteEventSourceMapping"),
        ("events", "DeleteRule"),
        ("apigateway", "DeleteRestApi"),
        ("apigatewayv2", "DeleteApi"),
        ("lambda", "DeleteFunction"),
        ("iam", "DeleteRole"),
        ("lambda", "DeleteLayerVersion"),
    }, sequence
    # ... and no call of a tier started before every call of the tiers below it:
    # subscriptions, mappings, rules and notifications go before the functions
    # they invoke, APIs before their handlers, functions before their role.
    for i, (tier, call) in enumerate(tiered):
        later_lower = [c for t, c in tiered[i + 1 :] if t < tier]
        assert later_lower == [], f"{call} (tier {tier}) ran before {later_lower}"
