"""Executor: DAG order, bounded parallelism, ordered output, record-as-you-go, errors."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.aws.errors import AWSError
from chalice.deploy.executor import Executor, Recorder
from chalice.deploy.plan import Action, Plan, Step, StepContext
from chalice.deploy.state import DeployedState, state_path
from chalice.errors import DeployError
from tests.reporting import RecordingReporter


class Tracker:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.finished: list[str] = []

    def step(
        self, name: str, *, deps: tuple[str, ...] = (), delay: float = 0.02, fail: bool = False
    ) -> Step:
        def apply(ctx: StepContext) -> Mapping[str, Any]:
            for d in deps:
                assert d in self.finished, f"{name} ran before {d}"
                assert ctx.outputs(d)["lambda_arn"] == f"arn:{d}"
            with self.lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
            ctx.say(f"start {name}")
            time.sleep(delay)
            ctx.say(f"end {name}")
            with self.lock:
                self.running -= 1
            if fail:
                raise AWSError(
                    service="lambda",
                    operation="CreateFunction",
                    code="InvalidParameterValueException",
                    message="bad memory",
                )
            with self.lock:
                self.finished.append(name)
            return {"lambda_arn": f"arn:{name}"}

        return Step(name, "lambda_function", Action.CREATE, apply, depends_on=frozenset(deps))


def _run(
    tmp_path: Path, steps: list[Step], max_parallel: int
) -> tuple[RecordingReporter, Recorder]:
    ui = RecordingReporter()
    recorder = Recorder(tmp_path, "dev", DeployedState.empty(), order=tuple(s.name for s in steps))
    Executor(
        clients=None,
        recorder=recorder,
        reporter=ui,  # type: ignore[arg-type]
        max_parallel=max_parallel,
    ).execute(Plan("dev", tuple(steps)))
    return ui, recorder


class _Wave:
    """Counts the steps inside it; each waits there until ``size`` are inside at once.

    The barrier makes the concurrency assertion deterministic on a loaded
    machine (no sleeps racing each other); its timeout only turns a hang into
    a failure (a broken barrier fails the step, so the deploy fails).
    """

    def __init__(self, size: int) -> None:
        self.barrier = threading.Barrier(size, timeout=120)
        self.lock = threading.Lock()
        self.inside = 0
        self.peak = 0

    def around(self, step: Step) -> Step:
        inner = step.apply
        assert inner is not None

        def apply(ctx: StepContext) -> Mapping[str, Any] | None:
            with self.lock:
                self.inside += 1
                self.peak = max(self.peak, self.inside)
            try:
                self.barrier.wait()
                return inner(ctx)
            finally:
                with self.lock:
                    self.inside -= 1

        return attrs.evolve(step, apply=apply)


def test_parallel_bounded_ordered_output_and_dependencies(tmp_path: Path) -> None:
    t = Tracker()
    wave = _Wave(3)
    steps = [wave.around(t.step(f"f{i}", delay=0)) for i in range(6)]
    steps.append(t.step("api", deps=("f0", "f5"), delay=0))
    ui, recorder = _run(tmp_path, steps, max_parallel=3)
    # Two full waves met at the barrier (so 3 ran at once), and never more.
    assert wave.peak == 3
    assert t.peak <= 3
    expected = []
    for s in steps:
        expected += [f"start {s.name}", f"end {s.name}"]
    assert ui.lines == expected  # plan order, never interleaved
    assert recorder.state.resource_names() == [s.name for s in steps]
    saved = json.loads(state_path(tmp_path, "dev").read_text())
    assert [r["name"] for r in saved["resources"]] == [s.name for s in steps]


def test_failure_stops_scheduling_records_what_exists_and_explains(tmp_path: Path) -> None:
    t = Tracker()
    steps = [t.step("ok"), t.step("bad", fail=True), t.step("later", deps=("bad",))]
    with pytest.raises(DeployError) as err:
        _run(tmp_path, steps, max_parallel=2)
    msg = str(err.value)
    assert "lambda.CreateFunction failed with InvalidParameterValueException: bad memory" in msg
    assert "where: lambda_function 'bad'" in msg and "how to fix:" in msg
    saved = json.loads(state_path(tmp_path, "dev").read_text())
    assert [r["name"] for r in saved["resources"]] == ["ok"]
    assert "later" not in t.finished


def test_partial_record_survives_a_failure_later_in_the_step(tmp_path: Path) -> None:
    def apply(ctx: StepContext) -> Mapping[str, Any]:
        ctx.record({"role_name": "r", "role_arn": "arn:r"})
        raise AWSError(
            service="iam", operation="PutRolePolicy", code="MalformedPolicyDocument", message="nope"
        )

    with pytest.raises(DeployError):
        _run(tmp_path, [Step("default-role", "iam_role", Action.CREATE, apply)], 1)
    saved = json.loads(state_path(tmp_path, "dev").read_text())
    assert saved["resources"] == [
        {"name": "default-role", "resource_type": "iam_role", "role_name": "r", "role_arn": "arn:r"}
    ]


def test_unchanged_and_delete_steps_without_calls(tmp_path: Path) -> None:
    start = DeployedState.empty().with_resource("gone", "lambda_function", {"lambda_arn": "x"})
    recorder = Recorder(tmp_path, "dev", start)
    steps = (
        Step("kept", "lambda_function", Action.UNCHANGED, recorded={"lambda_arn": "k"}),
        Step("gone", "lambda_function", Action.DELETE, lambda ctx: None),
    )
    Executor(clients=None, recorder=recorder, reporter=RecordingReporter()).execute(  # type: ignore[arg-type]
        Plan("dev", steps)
    )
    assert recorder.state.resource_names() == ["kept"]
