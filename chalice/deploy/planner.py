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

from chalice.aws.errors import AWSError, is_access_denied
from chalice.deploy import models
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


def build_plan(application: models.Application, ctx: PlanContext, *, max_parallel: int = 8) -> Plan:
    """The deploy plan: create/update/unchanged per desired resource, then the sweep.

    Resources are planned concurrently (their reads are independent) as soon
    as the resources they depend on are planned, since a planner may consult
    what its dependencies will look like (``ctx.known``).
    """
    order = planning_order(application)
    names = {m.resource_name for m in order}
    deps: dict[str, set[str]] = {}
    # Planning needs only what a planner consults (``ctx.known``/``exists_now``):
    # layers, functions and APIs. Roles and log groups have predictable names
    # and ARNs, so functions are planned alongside them.
    predictable = {
        m.resource_name for m in order if isinstance(m, (models.ManagedIAMRole, models.LogGroup))
    }
    for m in order:
        needs = set(_model_deps(m)) - predictable
        if isinstance(m, models.DomainName):
            needs.add(api_resource_of(m))
        deps[m.resource_name] = needs & names
    planned: dict[str, Step] = {}
    pending = {m.resource_name: m for m in order}
    workers = max(MIN_PLANNING_WORKERS, max_parallel)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        _prefetch_account(ctx, pool)
        running: dict[concurrent.futures.Future[Step], str] = {}
        while pending or running:
            for name in [n for n in pending if deps[n] <= planned.keys()]:
                running[pool.submit(_plan_one, pending.pop(name), ctx)] = name
            if not running:
                raise RuntimeError(f"dependency cycle among {sorted(pending)}")
            done, _ = concurrent.futures.wait(
                running, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for fut in done:
                del running[fut]
                step = fut.result()  # the first planning error stops the plan
                planned[step.name] = step
                ctx.steps[step.name] = step
    steps = [planned[m.resource_name] for m in order]
    wanted = {s.name for s in steps}
    gone = [r for r in ctx.state.resources if r["name"] not in wanted]
    steps.extend(_delete_steps(gone, ctx, after=frozenset(wanted)))
    return Plan(stage=ctx.stage, steps=tuple(steps))


def build_delete_plan(ctx: PlanContext) -> Plan:
    """Delete everything recorded for the stage."""
    return Plan(stage=ctx.stage, steps=tuple(_delete_steps(list(ctx.state.resources), ctx)))


def _with_deps(step: Step, deps: frozenset[str]) -> Step:
    import attrs

    return attrs.evolve(step, depends_on=deps)


def _delete_steps(
    recorded: list[dict[str, object]], ctx: PlanContext, *, after: frozenset[str] = frozenset()
) -> list[Step]:
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
    steps: list[Step] = []
    for entry in entries:
        planner = planner_for_type(str(entry["resource_type"]))
        assert planner is not None
        tier = DELETE_TIERS[str(entry["resource_type"])]
        earlier = frozenset(s.name for s in steps if DELETE_TIERS[s.resource_type] < tier)
        try:
            step = planner.plan_delete(dict(entry), ctx)
        except AWSError as err:
            # Planning a deletion may ask AWS (the account id of an ARN...).
            where = f"{entry.get('resource_type')} '{entry.get('name')}'"
            raise _planning_error(err, where) from err
        steps.append(_with_deps(step, after | earlier))
    return steps


__all__ = ["Action", "build_delete_plan", "build_plan", "planning_order"]
