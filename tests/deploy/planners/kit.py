"""A deploy in miniature for planner unit tests: plan and apply against ``FakeAWS``.

``World`` holds the fake account, the state (as the executor would record
it) and the plan context of the current deploy round. ``round`` plans models
in order, as ``planner.build_plan`` would (a later model sees the earlier
steps through ``ctx.known``/``ctx.exists_now``); ``run`` applies the steps in
order, recording what they return. Models are hand-built (no app, no build).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action, Step
from chalice.deploy.resources import planner_for_model, planner_for_type
from chalice.deploy.resources.base import PlanContext
from chalice.deploy.state import DeployedState
from chalice.deploy.tagging import Tagging
from tests.deploy.e2e import models_kit
from tests.fakeaws import ACCOUNT, FakeAWS

APP, STAGE = "demo", "dev"


class StepRun:
    """The ``StepContext`` of one step: outputs from the state, records into it."""

    def __init__(self, world: World, step: Step) -> None:
        self.world = world
        self.step = step
        self.lines: list[str] = []

    @property
    def clients(self) -> FakeAWS:
        return self.world.aws

    def outputs(self, name: str) -> Mapping[str, Any]:
        found = self.world.state.get(name)
        if found is None:
            raise AssertionError(f"{self.step.name} needs {name}, which is not recorded")
        return found

    def record(self, values: Mapping[str, Any]) -> None:
        self.world.record(self.step.name, self.step.resource_type, values)

    def say(self, line: str) -> None:
        self.lines.append(line)


class World:
    """A fake account, the stage's state, and the current deploy round."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.aws = FakeAWS()
        self.state = DeployedState()
        self.warnings: list[str] = []
        self.tagging = Tagging(warn=self.warnings.append)
        self.ctx = self._context()
        self.said: list[str] = []

    def _context(self) -> PlanContext:
        return PlanContext(
            clients=self.aws,  # type: ignore[arg-type]
            app_name=APP,
            stage=STAGE,
            state=self.state,
            tagging=self.tagging,
        )

    # -- state -------------------------------------------------------------------------
    def record(self, name: str, resource_type: str, values: Mapping[str, Any]) -> None:
        self.state = self.state.with_resource(name, resource_type, values)

    def forget(self, name: str) -> None:
        """Drop ``name`` from the state (a crash before it was recorded)."""
        self.state = DeployedState(
            resources=tuple(r for r in self.state.resources if r["name"] != name)
        )

    # -- planning and applying ------------------------------------------------------------
    def round(self, *resources: Any) -> list[Step]:
        """Plan ``resources`` in order in a fresh deploy round (read calls only)."""
        self.ctx = self._context()
        steps = []
        for model in resources:
            step = planner_for_model(model).plan(
                model, self.state.get(model.resource_name), self.ctx
            )
            self.ctx.steps[model.resource_name] = step
            steps.append(step)
        return steps

    def run(self, *steps: Step) -> None:
        """Apply ``steps`` in order, recording what each returns (or dropping a deleted one)."""
        for step in steps:
            if step.apply is None:
                if step.recorded:
                    self.record(step.name, step.resource_type, step.recorded)
                continue
            run = StepRun(self, step)
            values = step.apply(run)
            self.said.extend(run.lines)
            if step.action is Action.DELETE:
                self.forget(step.name)
            elif values is not None:
                self.record(step.name, step.resource_type, values)

    def deploy(self, *resources: Any) -> list[Step]:
        """Plan and apply ``resources``; the steps."""
        steps = self.round(*resources)
        self.run(*steps)
        return steps

    def delete(self, *names: str) -> Step:
        """Plan and apply, in a fresh round, the deletion of recorded resources ``names``.

        The plan deletes all of ``names`` (``ctx.deleting``), in the order given,
        as a ``chalice delete`` orders them by tier; the first one's step.
        """
        self.ctx = self._context()
        self.ctx.deleting = frozenset(names)
        steps = []
        for name in names:
            entry = self.state.get(name)
            assert entry is not None, f"{name} is not recorded"
            planner = planner_for_type(str(entry["resource_type"]))
            assert planner is not None
            steps.append(planner.plan_delete(entry, self.ctx))
        self.run(*steps)
        return steps[0]

    def quiet(self, *resources: Any) -> list[Step]:
        """Plan again with a clean log; assert no mutating call and every step unchanged."""
        self.aws.log.clear()
        steps = self.round(*resources)
        assert [s.action for s in steps] == [Action.UNCHANGED] * len(steps), [
            (s.name, s.action, s.changes) for s in steps
        ]
        self.run(*steps)
        assert self.aws.log.mutating() == []
        return steps

    # -- models ---------------------------------------------------------------------------
    def package(self, code: str = "v1") -> models.DeploymentPackage:
        return models_kit.make_zip(self.tmp / f"{code}.zip", body=f"# {code}\n")

    def function(self, name: str = "api_handler", **kw: Any) -> models.LambdaFunction:
        pkg = kw.pop("package", None) or self.package()
        role = kw.pop("role", None) or models_kit.role(APP, STAGE)
        tags = kw.pop("tags", None)
        fn = models_kit.function(APP, STAGE, name, pkg, role, **kw)
        return fn if tags is None else attrs.evolve(fn, tags=tags)


def fn_arn(function_name: str) -> str:
    return f"arn:aws:lambda:us-west-2:{ACCOUNT}:function:{function_name}"


def changed_fields(step: Step) -> set[str]:
    return {c.field for c in step.changes}


def all_in_flight(
    monkeypatch: pytest.MonkeyPatch, calls: int, *reads: tuple[object, tuple[str, ...]]
) -> None:
    """Make every call of these reads wait until ``calls`` of them are in flight at once.

    ``reads``: (fake, method names) pairs. A read made only after another one
    answered never fills the barrier, and the planning fails with
    ``BrokenBarrierError`` (after 30 s: a hang guard).
    """
    together = threading.Barrier(calls, timeout=30)
    for target, methods in reads:
        for method in methods:
            original = getattr(target, method)

            def read(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                together.wait()
                return _original(*args, **kwargs)

            monkeypatch.setattr(target, method, read)
