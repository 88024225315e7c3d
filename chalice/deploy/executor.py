"""Runs a plan's step DAG; the only code that lets AWS be mutated.

Ready steps (all ``depends_on`` finished) run concurrently on a bounded thread
pool (``max_parallel``). Every resource is recorded in the state file as soon
as it exists or changes (a step calls ``ctx.record`` right after the create
call returns; the executor records the step's final values when it ends) and
removed from it as soon as it is deleted, each time with an atomic write. So
after any failure, every resource that exists is in the state file.

On the first failure no new step starts and the plan's stop event is set:
the calls of running steps no longer retry or wait (``retry.py``), so those
steps end soon; each finishes its current call and records what exists.
Then the first failure is raised as one ``DeployError`` naming the resource,
the AWS call, AWS's code and message, and what to try, worded for a deploy
or a delete (``Mode``). This module never decides what to change: that is in
the plan.
"""

from __future__ import annotations

import concurrent.futures
import enum
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import attrs

from chalice.aws.errors import AWSError, is_access_denied
from chalice.aws.retry import Kind, Stopped, WaitTimeout, rule_for
from chalice.aws.session import AWSClients
from chalice.deploy.plan import Action, Plan, Step
from chalice.deploy.reporter import OrderedOutput, Reporter
from chalice.deploy.state import DeployedState, save_state
from chalice.errors import DeployError, UserError


class Steps(Protocol):
    """Steps still being planned (``planner.PlanStream``): one future per step."""

    names: tuple[str, ...]
    futures: tuple[concurrent.futures.Future[Step], ...]

    def abort(self) -> None:
        """Plan nothing more (a step failed)."""
        ...

    def wait(self) -> None:
        """Until every planner has ended."""
        ...


def start_order(
    ready: list[int], steps: Mapping[int, Step], dependants: Mapping[str, list[int]]
) -> list[int]:
    """``ready`` in the order to start them: longest chain of serial calls ahead first.

    A step's chain is its own ``serial_calls`` plus the longest chain among
    the (planned) steps that depend on it. When the role's step ends, nine
    functions become ready at once, and their CreateFunction calls leave
    one at a time (botocore's CPU, a few ms each with the zip): the function
    the REST API waits for goes first, a function nothing waits for last.
    Ties keep plan order.
    """
    memo: dict[int, int] = {}

    def chain(i: int) -> int:
        if i not in memo:
            step = steps[i]
            own = step.serial_calls if step.apply is not None else 0
            after = (chain(j) for j in dependants.get(step.name, ()) if j in steps)
            memo[i] = own + max(after, default=0)
        return memo[i]

    return sorted(ready, key=lambda i: (-chain(i), i))


def _resolved(step: Step) -> concurrent.futures.Future[Step]:
    fut: concurrent.futures.Future[Step] = concurrent.futures.Future()
    fut.set_result(step)
    return fut


class Mode(enum.Enum):
    """What the plan does, for the wording of errors."""

    DEPLOY = "deploy"
    DELETE = "delete"


class Recorder:
    """The state file of one stage, updated (atomically) after each change.

    ``store`` replaces the local file write (the stage's state backend, see
    ``chalice.deploy.statebackend``).

    Each ``record``/``forget`` returns once a write that includes its change
    is done. Writes are one at a time, and a write takes the state as it is
    when it starts, so changes made while one runs are written together by
    the next (group commit): nine functions deleted at once cost two writes
    (each an fsync of the file and of its directory), not nine in a row,
    and reading the state never waits for a write.
    """

    def __init__(
        self,
        project_dir: Path,
        stage: str,
        state: DeployedState,
        *,
        order: tuple[str, ...] = (),
        store: Callable[[DeployedState], None] | None = None,
    ) -> None:
        self.project_dir = Path(project_dir)
        self.stage = stage
        self._state = state
        self._order = order
        self._store = store
        self._lock = threading.Lock()  # the state and its version
        self._write_lock = threading.Lock()  # one write at a time
        self._version = 0  # of the state in memory
        self._saved_version = -1  # of the state last written (or found unchanged)
        self._written: str | None = None

    @property
    def state(self) -> DeployedState:
        with self._lock:
            return self._state

    def record(self, name: str, resource_type: str, values: Mapping[str, Any]) -> None:
        with self._lock:
            self._state = self._state.with_resource(name, resource_type, values, order=self._order)
            self._version += 1
            version = self._version
        self._save(version)

    def forget(self, name: str) -> None:
        with self._lock:
            self._state = self._state.without(name)
            self._version += 1
            version = self._version
        self._save(version)

    def flush(self) -> None:
        """Write the file even if nothing changed (a migration, or ``resources: []``)."""
        with self._lock:
            self._version += 1
            version = self._version
        self._save(version, force=True)

    def _save(self, version: int, *, force: bool = False) -> None:
        """Return once the state of ``version`` (or a later one) is written."""
        with self._write_lock:
            if self._saved_version >= version:
                return  # another thread's write included this change
            if force:
                self._written = None
            with self._lock:
                state, latest = self._state, self._version
            text = state.to_json()
            if text != self._written:
                if self._store is not None:
                    self._store(state)
                else:
                    save_state(self.project_dir, self.stage, state, text=text)
                self._written = text
            self._saved_version = latest


@attrs.define
class _Context:
    """The ``StepContext`` of one running step."""

    clients: AWSClients
    step: Step
    index: int
    executor: Executor

    def outputs(self, name: str) -> Mapping[str, Any]:
        found = self.executor.recorder.state.get(name)
        if found is None:
            raise RuntimeError(f"{self.step.name} needs {name}, which has not been recorded")
        return found

    def record(self, values: Mapping[str, Any]) -> None:
        self.executor.recorder.record(self.step.name, self.step.resource_type, values)

    def say(self, line: str) -> None:
        self.executor.output.say(self.index, line)


class Executor:
    """Runs ``plan`` with at most ``max_parallel`` steps at a time.

    Steps get ``clients`` through a view stopped by ``stop``, which is set on
    the first failure (see the module docstring).
    """

    def __init__(
        self,
        *,
        clients: AWSClients,
        recorder: Recorder,
        reporter: Reporter,
        max_parallel: int = 8,
        mode: Mode = Mode.DEPLOY,
    ) -> None:
        self.clients = clients
        self.recorder = recorder
        self.reporter = reporter
        self.max_parallel = max(1, max_parallel)
        self.mode = mode
        self.output = OrderedOutput(reporter, 0)
        self.stop = threading.Event()
        self._first_lock = threading.Lock()
        self._first_failure: str | None = None

    def execute(self, plan: Plan | Steps) -> DeployedState:
        """Run every step; with ``Steps`` still being planned, start each as it comes.

        A step starts once it is planned and the steps it depends on ran, so
        writes overlap the reads of unrelated resources. A planning error is a
        failure like any other (no new step starts; running ones finish).
        """
        if isinstance(plan, Plan):
            names = tuple(s.name for s in plan.steps)
            futures: tuple[concurrent.futures.Future[Step], ...] = tuple(
                _resolved(s) for s in plan.steps
            )
        else:
            names, futures = plan.names, plan.futures
        self.output = OrderedOutput(self.reporter, len(names))
        self.stop = threading.Event()
        self._first_failure = None
        # Tests may pass a fake (or None) for clients: only real ones have views.
        with_stop = getattr(self.clients, "with_stop", None)
        step_clients = with_stop(self.stop) if with_stop is not None else self.clients
        known = set(names)
        unplanned = {f: i for i, f in enumerate(futures)}
        steps: dict[int, Step] = {}
        dependants: dict[str, list[int]] = {}
        waiting: dict[int, set[str]] = {}
        done: set[str] = set()
        failures: list[tuple[Step, BaseException]] = []
        running: dict[concurrent.futures.Future[None], int] = {}

        with concurrent.futures.ThreadPoolExecutor(max_workers=self.max_parallel) as pool:
            while unplanned or waiting or running:
                for fut in [f for f in unplanned if f.done()]:
                    i = unplanned.pop(fut)
                    err = fut.exception()
                    if err is None:
                        steps[i] = fut.result()
                        waiting[i] = {d for d in steps[i].depends_on if d in known}
                        for d in waiting[i]:
                            dependants.setdefault(d, []).append(i)
                    elif not failures:  # later ones were only stopped by the first
                        failures.append((Step(names[i], "resource", Action.UNCHANGED), err))
                        self._stop_all(plan, names[i])
                if failures:
                    self._stop_all(plan, None)
                else:
                    ready = [i for i, deps in waiting.items() if deps <= done]
                    while ready:
                        ready = start_order(ready, steps, dependants)
                        for i in ready:
                            del waiting[i]
                            if steps[i].apply is None:
                                # Nothing to call (unchanged, or a forgotten entry):
                                # recorded here, without a thread to start.
                                self._apply(steps[i], i, step_clients)
                                done.add(steps[i].name)
                                self.output.finish(i)
                            else:
                                running[pool.submit(self._run, steps[i], i, step_clients)] = i
                        ready = [i for i, deps in waiting.items() if deps <= done]
                if failures and not running:
                    break  # start nothing new; planners still reading end on their own
                if not running and not unplanned:
                    break  # a dependency cycle
                watched: list[concurrent.futures.Future[Any]] = list(running)
                if not failures:
                    watched += list(unplanned)
                finished, _ = concurrent.futures.wait(
                    watched, return_when=concurrent.futures.FIRST_COMPLETED
                )
                # Planners that finished are taken at the top of the loop.
                for ran in [f for f in running if f in finished]:
                    i = running.pop(ran)
                    err = ran.exception()
                    if err is not None:
                        failures.append((steps[i], err))
                    else:
                        done.add(steps[i].name)
                    self.output.finish(i)
        if not isinstance(plan, Plan) and failures:
            plan.wait()  # no planner outlives the command (they stopped retrying)
        self.output.flush_all()
        if failures:
            # The step that failed first is the cause; the others mostly stopped
            # retrying (or never started) because of it.
            cause = next((f for f in failures if f[0].name == self._first_failure), failures[0])
            raise _as_error(*cause, self.mode) from cause[1]
        if waiting:
            stuck = ", ".join(steps[i].name for i in sorted(waiting))
            raise RuntimeError(f"steps never became ready (dependency cycle?): {stuck}")
        return self.recorder.state

    def _stop_all(self, plan: Plan | Steps, failed: str | None) -> None:
        """After the first failure: running calls stop retrying, planning stops."""
        with self._first_lock:
            if failed is not None and not self.stop.is_set():
                self._first_failure = failed
            self.stop.set()
        if not isinstance(plan, Plan):
            plan.abort()

    def _run(self, step: Step, index: int, clients: AWSClients) -> None:
        if self.stop.is_set():
            # Queued in the pool before the failure but not started: start nothing new.
            raise Stopped(f"{step.name} was not started: another step failed")
        try:
            self._apply(step, index, clients)
        except BaseException:
            with self._first_lock:
                if not self.stop.is_set():
                    self._first_failure = step.name  # the cause; later ones follow from it
                # Set here, in the worker, before it can take the next queued step.
                self.stop.set()
            raise

    def _apply(self, step: Step, index: int, clients: AWSClients) -> None:
        ctx = _Context(clients=clients, step=step, index=index, executor=self)
        if step.apply is None:
            if step.action is Action.DELETE:
                self.recorder.forget(step.name)
            elif step.recorded is not None:
                self.recorder.record(step.name, step.resource_type, step.recorded)
            return
        values = step.apply(ctx)
        if step.action is Action.DELETE and values is None:
            self.recorder.forget(step.name)
        elif values is not None:
            self.recorder.record(step.name, step.resource_type, values)


TOO_LARGE = (
    "the deployment package is too large for Lambda (50 MB zipped, 250 MB unzipped, "
    "layers included); turn on 'automatic_layer' in .chalice/config.json to move "
    "requirements into a layer, or trim requirements.txt and vendor/"
)
ADVICE = {
    "RequestEntityTooLargeException": TOO_LARGE,
    "InvalidParameterValueException": "check the value in .chalice/config.json for this resource",
    "LimitExceededException": "an AWS account limit was hit; delete unused resources or ask "
    "AWS for a higher limit",
}
RETRY_ADVICE = (
    "fix the cause above and run the command again; resources created so far are "
    "recorded and will be reused"
)
THROTTLED = (
    "AWS kept throttling this call (other deploys or tools in this account share the "
    "same quota); wait a minute and run the command again, or allow more attempts with "
    "AWS_MAX_ATTEMPTS (see 'Retries, waits and pacing' in docs/deploy.rst)"
)
STILL_PROPAGATING = (
    "the role still lacked this permission after waiting about 150 s for IAM to "
    "propagate; check that the function's role (its policy file or autogen_policy) "
    "allows it, then run the command again"
)
DELETE_RETRY_ADVICE = (
    "fix the cause above and run 'chalice delete' again; resources deleted so far are "
    "removed from the state file and the rest stay recorded, so the next delete "
    "finishes the job"
)
WORDING = {
    Mode.DEPLOY: "While deploying your chalice application",
    Mode.DELETE: "While deleting your chalice application",
}


def advice(err: AWSError) -> str:
    """What to try after ``err`` (names the IAM action when access was denied)."""
    if is_access_denied(err):
        if err.service in ("apigateway", "apigatewayv2"):
            action = "apigateway:GET/POST/PUT/PATCH/DELETE"  # API Gateway's IAM actions are verbs
        else:
            action = f"{err.service}:{err.operation}"  # the other services' IAM prefixes match
        return (
            f"the AWS credentials in use are not allowed {action}; grant it (ask your AWS "
            "administrator) or deploy with a profile that has it (--profile)"
        )
    if err.code == "InvalidParameterValueException" and "unzipped size" in err.message.lower():
        return TOO_LARGE
    rule = rule_for(err.service, err.operation, err.code, err.message)
    if rule is not None and rule.kind is Kind.THROTTLE:
        return THROTTLED
    if rule is not None and rule.kind is Kind.PROPAGATION:
        return STILL_PROPAGATING
    return ADVICE.get(err.code, RETRY_ADVICE)


def _as_error(step: Step, err: BaseException, mode: Mode = Mode.DEPLOY) -> BaseException:
    """The one error the user sees for ``err`` raised by ``step``."""
    if isinstance(err, UserError):
        return err
    resource = f"{step.resource_type} '{step.name}'"
    wording = WORDING[mode]
    if isinstance(err, AWSError):
        fix = advice(err)
        if mode is Mode.DELETE and fix == RETRY_ADVICE:
            fix = DELETE_RETRY_ADVICE
        return DeployError(
            f"ERROR - {wording}, the call "
            f"{err.service}.{err.operation} failed with {err.code}: {err.message}",
            where=resource,
            fix=fix,
        )
    if isinstance(err, (WaitTimeout, Stopped)):
        again = "chalice delete" if mode is Mode.DELETE else "chalice deploy"
        return DeployError(
            f"ERROR - {wording}, {err}",
            where=resource,
            fix=f"AWS is slow to apply the change; run '{again}' again",
        )
    return err
