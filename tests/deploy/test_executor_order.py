"""Executor start order: of the steps ready together, the longest chain of serial calls first.

With one worker the order steps start in is the order they were submitted,
so these tests see ``start_order`` at work without depending on timing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalice.deploy.executor import Executor, Recorder, start_order
from chalice.deploy.plan import Action, Plan, Step, StepContext
from chalice.deploy.state import DeployedState
from tests.reporting import RecordingReporter


def _step(name: str, started: list[str], *deps: str, serial_calls: int = 1) -> Step:
    def apply(ctx: StepContext) -> Mapping[str, Any]:
        started.append(name)
        return {"lambda_arn": f"arn:{name}"}

    return Step(
        name,
        "lambda_function",
        Action.CREATE,
        apply,
        depends_on=frozenset(deps),
        serial_calls=serial_calls,
    )


def _execute(tmp_path: Path, steps: list[Step]) -> None:
    recorder = Recorder(tmp_path, "dev", DeployedState.empty(), order=tuple(s.name for s in steps))
    Executor(
        clients=None,  # type: ignore[arg-type]
        recorder=recorder,
        reporter=RecordingReporter(),
        max_parallel=1,
    ).execute(Plan("dev", tuple(steps)))


def test_functions_an_api_waits_for_start_before_the_others(tmp_path: Path) -> None:
    # The shape of a first deploy: every function waits for the role; the
    # REST API (two serial calls) waits for two of them, a subscription (one
    # call) for another; nothing waits for the pure functions.
    started: list[str] = []
    steps = [
        _step("role", started, serial_calls=2),
        _step("pure_one", started, "role"),
        _step("on_sns", started, "role"),
        _step("pure_two", started, "role"),
        _step("api_handler", started, "role"),
        _step("auth", started, "role"),
        _step("rest_api", started, "api_handler", "auth", serial_calls=2),
        _step("subscription", started, "on_sns"),
    ]
    _execute(tmp_path, steps)
    functions = [n for n in started if n not in ("role", "rest_api", "subscription")]
    assert functions == ["api_handler", "auth", "on_sns", "pure_one", "pure_two"]


def test_ties_keep_plan_order_and_unchanged_dependants_count_for_nothing() -> None:
    steps = {
        0: Step("a", "lambda_function", Action.CREATE, lambda sc: {}),
        1: Step("b", "lambda_function", Action.CREATE, lambda sc: {}),
        2: Step("c", "lambda_function", Action.CREATE, lambda sc: {}),
        # Depends on "c" but calls nothing (unchanged): "c" is no longer than the others.
        3: Step("d", "lambda_function", Action.UNCHANGED, depends_on=frozenset({"c"})),
    }
    assert start_order([2, 1, 0], steps, {"c": [3]}) == [0, 1, 2]


def test_a_dependant_not_planned_yet_is_not_counted() -> None:
    steps = {
        0: Step("a", "lambda_function", Action.CREATE, lambda sc: {}),
        1: Step("b", "lambda_function", Action.CREATE, lambda sc: {}, serial_calls=3),
    }
    # Index 7 depends on "a" but its planner has not answered yet.
    assert start_order([0, 1], steps, {"a": [7]}) == [1, 0]
