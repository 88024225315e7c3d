"""Builds the ``Plan`` of a deploy (desired models x state x AWS) or a delete.

Deploy: each desired resource, in dependency order, is planned by its
registered planner (read-only AWS calls); then every recorded resource that
is no longer desired is planned for deletion (the sweeper). Delete: every
recorded resource is planned for deletion. Deletions run after every
create/update, in tiers (subscriptions and domains, then APIs, then
functions, then roles/layers/log groups) so nothing is deleted while
something still uses it. Nothing here mutates AWS.
"""

from __future__ import annotations

import concurrent.futures
import functools
import threading
from collections.abc import Callable
from concurrent.futures import Future

import attrs

from chalice.aws.errors import AWSError, is_access_denied
from chalice.aws.protocols import Clients
from chalice.aws.retry import Stopped
from chalice.deploy import account_guard, models
from chalice.deploy.descriptors import DELETE_TIERS
from chalice.deploy.executor import advice
from chalice.deploy.plan import Action, Plan, Step
from chalice.deploy.resources import PlanContext, planner_for_model, planner_for_type
from chalice.deploy.resources.domain import api_resource_of
from chalice.errors import DeployError, StateError


def planning_order(application: models.Application) -> list[models.RecordedResource]:
    """Dependency order, except that a domain comes right after its API (it maps it)."""
    order = models.dependency_order(application)
    domains = [r for r in order if isinstance(r, models.DomainName)]
    rest: list[models.RecordedResource] = [r for r in order if not isinstance(r, models.DomainName)]
    for d in domains:
        api = api_resource_of(d)
        at = next((i for i, r in enumerate(rest) if r.resource_name == api), len(rest) - 1)
        rest.insert(at + 1, d)
    return rest


def _model_deps(model: models.RecordedResource) -> frozenset[str]:
    return frozenset(
        d.resource_name
        for d in model.dependencies()
        if not isinstance(d, (models.PreCreatedIAMRole, models.APIMapping, models.DomainName))
    )


def _plan_one(model: models.RecordedResource, ctx: PlanContext) -> Step:
    recorded = ctx.state.get(model.resource_name)
    if recorded is not None and recorded.get("resource_type") != model.resource_type.value:
        recorded = None
    try:
        step = planner_for_model(model).plan(model, recorded, ctx)
    except AWSError as err:
        raise _planning_error(err, f"{model.resource_type.value} '{model.resource_name}'") from err
    return _with_deps(step, step.depends_on | _model_deps(model))


def _planning_error(err: AWSError, where: str) -> DeployError:
    return DeployError(
        f"ERROR - While planning your chalice application, the call "
        f"{err.service}.{err.operation} failed with {err.code}: {err.message}",
        where=where,
        fix=advice(err)
        if is_access_denied(err)
        else "check your AWS credentials and region, then run the command again",
    )


# Planning only reads, and the pacer (chalice/aws/pacing.py) keeps reads within
# AWS's quotas, so the planning pool is wide enough that the pool is never what
# makes the reads of a large app take several rounds.
MIN_PLANNING_WORKERS = 32


def _prefetch_account(ctx: PlanContext, pool: concurrent.futures.ThreadPoolExecutor) -> None:
    """Ask for the account id alongside the first reads, not before them.

    Most planners need it (ARNs); the first one to ask waits for this call
    instead of making its own. A failure here is left for that planner to
    meet (and report, naming its resource).
    """

    def fetch() -> None:
        try:
            _ = ctx.clients.account_id
        except Exception:  # reported by the planner that needs it
            return

    pool.submit(fetch)


class PlanStream:
    """A plan being built: one slot per step, in plan order, each a future.

    Every planner starts at once (in dependency order, on a FIFO pool, so a
    planner waiting in ``ctx.known`` for a dependency never waits for one not
    yet started). The executor may start a step as soon as its slot resolves
    and its dependencies ran, while other resources are still being read;
    ``plan()`` waits for every slot, for ``chalice plan``. After ``abort()``
    (the first failure) planners not yet started are skipped, and the reads
    of running ones no longer retry or wait.
    """

    def __init__(self, stage: str, names: tuple[str, ...], futures: tuple[Future[Step], ...]) -> None:
        self.stage = stage
        self.names = names
        self.futures = futures
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._first: BaseException | None = None

    def failed(self, err: BaseException) -> None:
        """A planner failed: keep the first error, start no other planner."""
        with self._lock:
            if self._first is None:
                self._first = err
        self.stop.set()

    def abort(self) -> None:
        """Stop planning (a step failed): skipped planners resolve to ``Stopped``."""
        self.stop.set()

    def wait(self) -> None:
        """Until every planner has ended (whatever the outcome)."""
        concurrent.futures.wait(self.futures)

    def plan(self) -> Plan:
        """The whole plan; raises the first planning error (in time)."""
        self.wait()
        with self._lock:
            first = self._first
        if first is not None:
            raise first
        return Plan(stage=self.stage, steps=tuple(f.result() for f in self.futures))


def _stoppable(clients: Clients, stop: threading.Event) -> Clients:
    # Tests may pass fakes without views; those have no retries to stop.
    with_stop = getattr(clients, "with_stop", None)
    return clients if with_stop is None else with_stop(stop)


def start_plan(
    application: models.Application, ctx: PlanContext, *, max_parallel: int = 8
) -> PlanStream:
    """Start planning a deploy: create/update/unchanged per desired resource, then the sweep.

    Returns at once. Planners consult what their dependencies will look like
    (``ctx.known``/``ctx.exists_now``), which waits for those steps only.
    """
    order = planning_order(application)
    wanted = frozenset(m.resource_name for m in order)
    gone = _gone_entries([r for r in ctx.state.resources if r["name"] not in wanted])
    names = tuple(m.resource_name for m in order) + tuple(str(e["name"]) for e in gone)
    ctx.expect(names)
    ctx.deleting = frozenset(str(e["name"]) for e in gone)
    stream = PlanStream(ctx.stage, names, ())
    # The planners' reads stop retrying once the plan is abandoned.
    plan_ctx = attrs.evolve(ctx, clients=_stoppable(ctx.clients, stream.stop))
    plan_ctx._planning = ctx._planning  # the same waits: one plan
    workers = min(max(MIN_PLANNING_WORKERS, max_parallel), len(names) + 1)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="plan")
    _start_workers(pool, workers)
    futures: list[Future[Step]] = []

    accounts = account_guard.recorded_accounts(ctx.state)

    def run(name: str, plan_one: Callable[[], Step]) -> Step:
        step: Step | None = None
        try:
            if stream.stop.is_set():
                raise Stopped(f"{name} was not planned: another step failed")
            step = plan_one()
            # No step reaches the executor before the account is known to be
            # the state's (the first step waits for GetCallerIdentity).
            account_guard.verify(plan_ctx.clients, accounts, plan_ctx.stage)
            return step
        except BaseException as err:
            if isinstance(err, Stopped):
                raise
            cause = account_guard.explain(err, plan_ctx.clients, accounts, plan_ctx.stage)
            stream.failed(cause)
            if cause is err:
                raise
            raise cause from err
        finally:
            plan_ctx.planned(name, step)

    _prefetch_account(plan_ctx, pool)
    for m in order:
        futures.append(pool.submit(run, m.resource_name, functools.partial(_plan_one, m, plan_ctx)))
    tiers = _tiers(gone)
    for entry in gone:
        futures.append(
            pool.submit(
                run,
                str(entry["name"]),
                functools.partial(_plan_delete, entry, plan_ctx, wanted | tiers[str(entry["name"])]),
            )
        )
    stream.futures = tuple(futures)
    pool.shutdown(wait=False)  # the submitted planners run to their end
    return stream


def _start_workers(pool: concurrent.futures.ThreadPoolExecutor, count: int) -> None:
    """Start ``count`` workers now, while nothing else runs.

    A pool starts a thread per submit, and ``Thread.start`` waits until the
    new thread runs: once the first planners are busy (creating botocore
    clients, signing), each start waits for the GIL, and the 27th planner of
    an app started ~0.3 s after the first on a loaded machine.
    """
    barrier = threading.Barrier(count + 1)
    for _ in range(count):
        pool.submit(barrier.wait)
    barrier.wait()


def build_plan(application: models.Application, ctx: PlanContext, *, max_parallel: int = 8) -> Plan:
    """The whole deploy plan (``chalice plan``), every resource read first."""
    return start_plan(application, ctx, max_parallel=max_parallel).plan()


def build_delete_plan(ctx: PlanContext) -> Plan:
    """Delete everything recorded for the stage."""
    ctx.deleting = frozenset(str(r["name"]) for r in ctx.state.resources)
    return Plan(stage=ctx.stage, steps=tuple(_delete_steps(list(ctx.state.resources), ctx)))


def _with_deps(step: Step, deps: frozenset[str]) -> Step:
    return attrs.evolve(step, depends_on=deps)


def _gone_entries(recorded: list[dict[str, object]]) -> list[dict[str, object]]:
    """Recorded entries to delete, in deletion order (reverse creation order, by tier)."""
    entries = list(reversed(recorded))
    for entry in entries:
        if str(entry.get("resource_type")) not in DELETE_TIERS:
            raise StateError(
                f"Unknown resource type {entry.get('resource_type')!r} for resource "
                f"{entry.get('name')!r} in the deployed state.",
                fix="remove the entry from .chalice/deployed/<stage>.json (and the resource "
                "by hand), or use the chalice version that wrote it",
            )
    entries.sort(key=lambda e: DELETE_TIERS[str(e["resource_type"])])
    return entries


def _tiers(entries: list[dict[str, object]]) -> dict[str, frozenset[str]]:
    """For each entry, the entries of earlier delete tiers (deleted before it)."""
    tier = {str(e["name"]): DELETE_TIERS[str(e["resource_type"])] for e in entries}
    return {n: frozenset(o for o, t in tier.items() if t < tier[n]) for n in tier}


def _plan_delete(entry: dict[str, object], ctx: PlanContext, after: frozenset[str]) -> Step:
    planner = planner_for_type(str(entry["resource_type"]))
    assert planner is not None
    try:
        step = planner.plan_delete(dict(entry), ctx)
    except AWSError as err:
        # Planning a deletion may ask AWS (the account id of an ARN...).
        where = f"{entry.get('resource_type')} '{entry.get('name')}'"
        raise _planning_error(err, where) from err
    return _with_deps(step, after)


def _delete_steps(recorded: list[dict[str, object]], ctx: PlanContext) -> list[Step]:
    entries = _gone_entries(recorded)
    tiers = _tiers(entries)
    return [_plan_delete(e, ctx, tiers[str(e["name"])]) for e in entries]


__all__ = ["Action", "PlanStream", "build_delete_plan", "build_plan", "planning_order", "start_plan"]
