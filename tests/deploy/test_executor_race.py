"""The parallel executor never loses a record: writes are serialised, and a
failure in one branch keeps what the other branches finished, also the ones
that finish after the failure."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from chalice.aws.errors import AWSError
from chalice.deploy.executor import Executor, Recorder
from chalice.deploy.plan import Action, Plan, Step, StepContext
from chalice.deploy.state import DeployedState, state_path
from tests.reporting import RecordingReporter


def _execute(tmp_path: Path, steps: list[Step], max_parallel: int) -> Recorder:
    recorder = Recorder(tmp_path, "dev", DeployedState.empty(), order=tuple(s.name for s in steps))
    executor = Executor(
        clients=None,  # type: ignore[arg-type]
        recorder=recorder,
        reporter=RecordingReporter(),
        max_parallel=max_parallel,
    )
    executor.execute(Plan("dev", tuple(steps)))
    return recorder


def _saved(tmp_path: Path) -> list[str]:
    return [r["name"] for r in json.loads(state_path(tmp_path, "dev").read_text())["resources"]]


def test_branch_finishing_after_another_failed_is_recorded(tmp_path: Path) -> None:
    failed = threading.Event()
    started = threading.Event()

    def slow(ctx: StepContext) -> Mapping[str, Any]:
        started.set()
        ctx.record({"lambda_arn": "arn:partial"})
        assert failed.wait(5)
        time.sleep(0.05)  # finish well after the failure was seen
        return {"lambda_arn": "arn:slow"}

    def bad(ctx: StepContext) -> Mapping[str, Any]:
        # "bad" starts first (a step depends on it); "slow" is running when it fails.
        assert started.wait(5)
        failed.set()
        raise AWSError(service="iam", operation="CreateRole", code="X", message="no")

    steps = [
        Step("slow", "lambda_function", Action.CREATE, slow),
        Step("bad", "iam_role", Action.CREATE, bad),
        Step("never", "lambda_function", Action.CREATE, slow, depends_on=frozenset({"bad"})),
    ]
    with pytest.raises(Exception, match="iam.CreateRole failed with X"):
        _execute(tmp_path, steps, max_parallel=2)
    saved = json.loads(state_path(tmp_path, "dev").read_text())["resources"]
    assert saved == [{"name": "slow", "resource_type": "lambda_function", "lambda_arn": "arn:slow"}]


def test_concurrent_records_are_all_written(tmp_path: Path) -> None:
    barrier = threading.Barrier(8)

    def step(i: int) -> Step:
        def apply(ctx: StepContext) -> Mapping[str, Any]:
            barrier.wait(5)  # all eight record at the same moment
            for n in range(5):
                ctx.record({"lambda_arn": f"arn:{i}:{n}"})
            return {"lambda_arn": f"arn:{i}"}

        return Step(f"f{i}", "lambda_function", Action.CREATE, apply)

    steps = [step(i) for i in range(8)]
    recorder = _execute(tmp_path, steps, max_parallel=8)
    assert _saved(tmp_path) == [f"f{i}" for i in range(8)]
    assert [r["lambda_arn"] for r in recorder.state.resources] == [f"arn:{i}" for i in range(8)]
    # No temporary files left behind.
    assert sorted(p.name for p in state_path(tmp_path, "dev").parent.iterdir()) == ["dev.json"]
