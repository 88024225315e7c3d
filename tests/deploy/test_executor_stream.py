"""Executor fed by a plan still being built: steps start as their planning ends.

The "planners" here are futures the test resolves by hand, so every ordering
is decided by events, never by timing.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy.executor import Executor, Recorder
from chalice.deploy.plan import Action, Step, StepContext
from chalice.deploy.state import DeployedState
from chalice.errors import DeployError
from tests.reporting import RecordingReporter

WAIT = 30  # seconds: only a guard against a hang, never reached when correct


class Stream:
    """A ``Steps`` whose planners the test finishes one by one."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.futures: tuple[concurrent.futures.Future[Step], ...] = tuple(
            concurrent.futures.Future() for _ in names
        )
        self.aborted = threading.Event()

    def planned(self, step: Step) -> None:
        self.futures[self.names.index(step.name)].set_result(step)

    def failed(self, name: str, err: BaseException) -> None:
        self.futures[self.names.index(name)].set_exception(err)

    def abort(self) -> None:
        self.aborted.set()

    def wait(self) -> None:
        for fut in self.futures:
            if not fut.done():
                fut.set_exception(RuntimeError("not planned"))


def _executor(tmp_path: Path) -> Executor:
    recorder = Recorder(tmp_path, "dev", DeployedState.empty())
    return Executor(clients=None, recorder=recorder, reporter=RecordingReporter(), max_parallel=4)  # type: ignore[arg-type]


def _step(name: str, *, applied: threading.Event, deps: tuple[str, ...] = ()) -> Step:
    def apply(ctx: StepContext) -> Mapping[str, Any]:
        applied.set()
        return {"lambda_arn": f"arn:{name}"}

    return Step(name, "lambda_function", Action.CREATE, apply, depends_on=frozenset(deps))


def test_a_planned_step_runs_while_others_are_still_being_planned(tmp_path: Path) -> None:
    stream = Stream(("a", "b"))
    a_applied, b_applied = threading.Event(), threading.Event()
    result: list[DeployedState] = []
    runner = threading.Thread(target=lambda: result.append(_executor(tmp_path).execute(stream)))
    runner.start()
    stream.planned(_step("a", applied=a_applied))
    # "a" is applied although "b" is still being read.
    assert a_applied.wait(WAIT)
    assert not stream.futures[1].done()
    stream.planned(_step("b", applied=b_applied))
    runner.join(WAIT)
    assert b_applied.is_set()
    assert [r["name"] for r in result[0].resources] == ["a", "b"]


def test_a_step_waits_for_its_dependency_to_run_not_only_to_be_planned(tmp_path: Path) -> None:
    stream = Stream(("fn", "rule"))
    fn_applied, rule_applied = threading.Event(), threading.Event()
    release = threading.Event()

    def slow_fn(ctx: StepContext) -> Mapping[str, Any]:
        assert release.wait(WAIT)
        fn_applied.set()
        return {"lambda_arn": "arn:fn"}

    runner = threading.Thread(target=lambda: _executor(tmp_path).execute(stream))
    runner.start()
    stream.planned(Step("fn", "lambda_function", Action.CREATE, slow_fn))
    stream.planned(_step("rule", applied=rule_applied, deps=("fn",)))
    assert not rule_applied.is_set()
    release.set()
    runner.join(WAIT)
    assert fn_applied.is_set() and rule_applied.is_set()


def test_a_planning_error_stops_the_deploy_and_names_its_resource(tmp_path: Path) -> None:
    stream = Stream(("fn", "api", "later"))
    release, started = threading.Event(), threading.Event()
    later_applied = threading.Event()

    def running(ctx: StepContext) -> Mapping[str, Any]:
        started.set()
        assert release.wait(WAIT)
        return {"lambda_arn": "arn:fn"}

    errors: list[BaseException] = []
    executor = _executor(tmp_path)

    def run() -> None:
        try:
            executor.execute(stream)
        except BaseException as err:  # noqa: BLE001 - handed to the test thread
            errors.append(err)

    runner = threading.Thread(target=run)
    runner.start()
    stream.planned(Step("fn", "lambda_function", Action.CREATE, running))
    assert started.wait(WAIT)
    stream.failed("api", DeployError("ERROR - While planning", where="rest_api 'api'"))
    # The running step is allowed to finish (and is recorded); nothing new starts.
    assert stream.aborted.wait(WAIT)
    stream.planned(_step("later", applied=later_applied))
    release.set()
    runner.join(WAIT)
    assert not later_applied.is_set()
    assert len(errors) == 1 and isinstance(errors[0], DeployError)
    assert "rest_api 'api'" in str(errors[0])
    assert [r["name"] for r in executor.recorder.state.resources] == ["fn"]


def test_a_step_failure_aborts_planning(tmp_path: Path) -> None:
    stream = Stream(("bad", "unplanned"))

    def boom(ctx: StepContext) -> Mapping[str, Any]:
        raise RuntimeError("boom")

    stream.planned(Step("bad", "lambda_function", Action.CREATE, boom))
    with pytest.raises(RuntimeError, match="boom"):
        _executor(tmp_path).execute(stream)
    assert stream.aborted.is_set()
