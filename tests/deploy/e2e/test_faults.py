"""Crash safety: fail the k-th mutating AWS call of a deploy/delete, for every k.

Faults are injected by a botocore hook on our own session (``CallLog``):
"before" (the request never reaches AWS) or "after" (AWS applied it but the
answer is lost, like a crash between the call and recording it). For every
k the invariants of issue 4 point 1 must hold:

* after a failed deploy or delete, every resource that exists is in the
  state file ("before" faults; an "after" fault is the crash case below);
* re-running deploy converges: exactly one of each resource, all recorded,
  and a further deploy makes no mutating call (resources created by the
  failed run are adopted, never duplicated);
* delete then removes everything, also after a partial deploy or delete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.state import load_state, state_path
from chalice.errors import DeployError
from tests.deploy.e2e import models_kit as kit
from tests.reporting import RecordingReporter

# Mutating calls of the sample app's first deploy / of its delete (the guard
# test below fails when they change, so every k stays covered).
DEPLOY_CALLS = 24
DELETE_CALLS = 16


def _app(tmp: Path, sources: dict[str, str], app: str) -> Any:
    return kit.full_app(
        tmp,
        app=app,
        sources=sources,
        with_domains=False,
        drop=("websocket", "kinfn", "ddbfn", "pattern"),
    )


@pytest.fixture
def name(request: pytest.FixtureRequest) -> str:
    """A unique app name per test: moto is shared (not reset) between these tests."""
    import hashlib

    return "f" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]


EXPECTED = {
    "functions": 6,
    "roles": 1,
    "rest_apis": 1,
    "rules": 1,
    "mappings": 1,
    "subscriptions": 1,
    "layers": 1,
}


def _deploy(app: Any, project: Path, aws: Any, name: str) -> None:
    deploy_application(
        app, project_dir=project, app_name=name, clients=aws, ui=RecordingReporter(), max_parallel=4
    )


def _delete(project: Path, aws: Any, name: str) -> None:
    delete_stage(
        project_dir=project,
        stage="dev",
        app_name=name,
        clients=aws,
        ui=RecordingReporter(),
        max_parallel=4,
    )


def assert_all_recorded(boto: Any, project: Path, name: str) -> None:
    """Every resource of the app that exists in the emulator is named in the state."""
    path = state_path(project, "dev")
    text = json.dumps(load_state(project, "dev").resources) if path.exists() else ""
    for kind, items in kit.leftovers(boto, name).items():
        for item in items:
            assert item in text, f"{kind} {item} exists but is not recorded"


def assert_converged(boto: Any, project: Path, aws: Any, calls: Any, app: Any, name: str) -> None:
    calls.reset()
    _deploy(app, project, aws, name)
    left = kit.leftovers(boto, name)
    assert {k: len(v) for k, v in left.items()} == EXPECTED
    assert_all_recorded(boto, project, name)
    calls.reset()
    _deploy(app, project, aws, name)
    assert calls.mutating == []


def assert_deleted(boto: Any, project: Path, aws: Any, name: str) -> None:
    _delete(project, aws, name)
    assert kit.leftovers(boto, name) == {}
    assert load_state(project, "dev").resources == ()


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("k", range(1, DEPLOY_CALLS + 1))
def test_deploy_fault_at_k(
    k: int,
    after: bool,
    shared_env: str,
    name: str,
    project: Path,
    aws: Any,
    boto: Any,
    calls: Any,
    tmp_path: Path,
) -> None:
    sources = kit.create_sources(boto, name)
    app = _app(tmp_path, sources, name)
    calls.reset(fail_at=k, after=after)
    try:
        _deploy(app, project, aws, name)
    except DeployError as err:
        assert "InjectedFault" in str(err)
    else:
        pytest.fail(f"the first deploy made fewer than {k} mutating calls")
    if not after:
        assert_all_recorded(boto, project, name)
    assert_converged(boto, project, aws, calls, app, name)
    assert_deleted(boto, project, aws, name)


@pytest.mark.parametrize("k", range(1, DELETE_CALLS + 1))
def test_delete_fault_at_k(
    k: int,
    shared_env: str,
    name: str,
    project: Path,
    aws: Any,
    boto: Any,
    calls: Any,
    tmp_path: Path,
) -> None:
    sources = kit.create_sources(boto, name)
    _deploy(_app(tmp_path, sources, name), project, aws, name)
    calls.reset(fail_at=k)
    try:
        _delete(project, aws, name)
    except DeployError:
        pass
    else:
        pytest.fail(f"delete made fewer than {k} mutating calls")
    assert_all_recorded(boto, project, name)
    calls.reset()
    assert_deleted(boto, project, aws, name)


def test_first_deploy_fits_the_k_range(
    shared_env: str, name: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    sources = kit.create_sources(boto, name)
    calls.reset()
    _deploy(_app(tmp_path, sources, name), project, aws, name)
    assert len(calls.mutating) == DEPLOY_CALLS
    calls.reset()
    _delete(project, aws, name)
    assert len(calls.mutating) == DELETE_CALLS
