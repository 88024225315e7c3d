"""Entry points of ``chalice deploy``, ``chalice delete`` and ``chalice plan``.

The pipeline, in order (each collaborator is passed in or built here once):

1-4. ``chalice.build.desired.desired_application`` (the front half shared
   with ``chalice package`` and ``dev appgraph``): load the project, validate
   it (warnings are printed), build the resource graph, then the artifacts
   (zips, policy documents, swagger with deploy-style URIs; local only).
5. Lock the stage, load its state (migrating a legacy ``deployed.json``).
   The AWS clients the plan will use are created before its first call
   (``aws_services.py``), in a thread started as soon as the graph is
   built, so it overlaps the zips' build.
6. ``start_plan``: compare models with the state and AWS (read calls only).
7. ``Executor``: run the plan's DAG in parallel, each step as soon as it is
   planned and its dependencies ran (so writes overlap unrelated reads); each
   resource is recorded in ``.chalice/deployed/<stage>.json`` as soon as it
   exists or is deleted.
8. Print the ``Resources deployed:`` report.

``plan`` stops after 6 and prints the plan; it records nothing and takes no
lock. ``delete`` skips 1-4 (it needs only the config) and plans deletion of
everything recorded. The CLI calls these; they raise ``UserError``s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from chalice.aws.session import AWSClients, create_clients
from chalice.deploy import account_guard, function_policies, models
from chalice.deploy.aws_services import services_for
from chalice.deploy.descriptors import DESCRIPTORS
from chalice.deploy.executor import Executor, Mode, Recorder
from chalice.deploy.plan import Plan
from chalice.deploy.planner import build_delete_plan, build_plan, planning_order, start_plan
from chalice.deploy.reporter import Reporter
from chalice.deploy.resources import PlanContext
from chalice.deploy.state import DeployedState, state_path
from chalice.deploy.state_access import backend_for, locked_stage
from chalice.deploy.statebackend import LocalFileBackend, StateBackend
from chalice.deploy.tagging import Tagging

if TYPE_CHECKING:
    from chalice.config import Config


@attrs.frozen
class DeployResult:
    """What a deploy did: its plan, the final state (None for a plan only), the report."""

    plan: Plan
    state: DeployedState | None
    report: str = ""


def _clients(
    session: Any, profile: str | None, max_parallel: int, connection_timeout: int | None
) -> AWSClients:
    return create_clients(
        profile=profile,
        session=session,
        max_pool=max(10, max_parallel * 2),
        connection_timeout=connection_timeout,
    )


def build(
    project_dir: Path,
    *,
    stage: str,
    user_params: Mapping[str, Any] | None,
    ui: Reporter,
    on_graph: Callable[[Config, models.Application], None] | None = None,
) -> tuple[Config, models.Application]:
    """Steps 1-4, the front half shared with package and appgraph: (config, built app).

    ``on_graph`` runs once the models exist, before the zips are built.
    """
    from chalice.build.desired import Target, desired_application

    desired = desired_application(
        project_dir,
        stage=stage,
        target=Target.DEPLOY,
        user_params=user_params,
        ui=ui,
        on_graph=on_graph,
    )
    return desired.config, desired.application


def _services(application: models.Application, recorded: Iterable[Mapping[str, Any]]) -> list[str]:
    """The services a deploy of ``application`` over ``recorded`` entries will call."""
    types = [m.resource_type.value for m in planning_order(application)]
    return services_for(types + [str(e.get("resource_type")) for e in recorded], identity=True)


def _create_ahead(
    clients: AWSClients, services: list[str], clients_ready: Callable[[], None] | None
) -> None:
    """Create the clients of ``services`` now, before the first call (on first use
    each would land between two calls), then call ``clients_ready``. Test fakes
    have nothing to create."""
    prefetch = getattr(clients, "prefetch", None)
    if prefetch is not None:
        prefetch(services).close()
    if clients_ready is not None:
        clients_ready()


def deploy(
    project_dir: Path,
    *,
    stage: str = "dev",
    user_params: Mapping[str, Any] | None = None,
    max_parallel: int = 32,
    plan_only: bool = False,
    ui: Reporter,
    session: Any = None,
    force_unlock: bool = False,
    connection_timeout: int | None = None,
    clients_ready: Callable[[], None] | None = None,
) -> DeployResult:
    """``chalice deploy`` (``plan_only``: ``chalice deploy --plan``).

    ``clients_ready`` is called once the AWS clients exist, before the first
    call (the console script freezes the garbage collector's view then).
    """
    project_dir = Path(project_dir).resolve()
    made: list[AWSClients] = []
    with contextlib.ExitStack() as ahead:

        def start_clients(config: Config, application: models.Application) -> None:
            # They are made while the zips build; leaving the block waits for
            # them (after an error, only for the one being made).
            clients = _clients(session, config.profile, max_parallel, connection_timeout)
            made.append(clients)
            ahead.enter_context(clients.prefetch(_services(application, ())))

        config, application = build(
            project_dir, stage=stage, user_params=user_params, ui=ui, on_graph=start_clients
        )
    (clients,) = made or [_clients(session, config.profile, max_parallel, connection_timeout)]
    return deploy_application(
        application,
        project_dir=project_dir,
        app_name=config.app_name,
        clients=clients,
        ui=ui,
        max_parallel=max_parallel,
        plan_only=plan_only,
        force_unlock=force_unlock,
        backend=backend_for(config, project_dir=project_dir, session=session),
        clients_ready=clients_ready,
    )


def plan(
    project_dir: Path,
    *,
    stage: str = "dev",
    user_params: Mapping[str, Any] | None = None,
    ui: Reporter,
    session: Any = None,
) -> Plan:
    """``chalice plan``: print what a deploy would do; read calls only, records nothing."""
    return deploy(
        project_dir, stage=stage, user_params=user_params, ui=ui, session=session, plan_only=True
    ).plan


def delete(
    project_dir: Path,
    *,
    stage: str = "dev",
    ui: Reporter,
    session: Any = None,
    max_parallel: int = 32,
    force_unlock: bool = False,
    profile: str | None = None,
    clients_ready: Callable[[], None] | None = None,
) -> DeployedState:
    """``chalice delete``: delete everything recorded for ``stage``; leaves ``resources: []``.

    ``clients_ready``: as for ``deploy``.
    """
    from chalice.config import Config

    project_dir = Path(project_dir).resolve()
    user_params = {"profile": profile} if profile else None
    config = Config.load(project_dir, stage=stage, user_params=user_params, warn=ui.warn)
    clients = _clients(session, config.profile, max_parallel, None)
    return delete_stage(
        project_dir=project_dir,
        stage=stage,
        app_name=config.app_name,
        clients=clients,
        ui=ui,
        max_parallel=max_parallel,
        force_unlock=force_unlock,
        backend=backend_for(config, project_dir=project_dir, session=session),
        clients_ready=clients_ready,
    )


def deploy_application(
    application: models.Application,
    *,
    project_dir: Path,
    app_name: str,
    clients: AWSClients,
    ui: Reporter,
    max_parallel: int = 32,
    plan_only: bool = False,
    force_unlock: bool = False,
    backend: StateBackend | None = None,
    clients_ready: Callable[[], None] | None = None,
) -> DeployResult:
    """Steps 5-8 for an already built application (tests call this directly)."""
    stage = application.stage
    backend = backend or LocalFileBackend(project_dir, app_name=app_name)
    if plan_only:
        state = backend.read(stage)[0]
        _create_ahead(clients, _services(application, state.resources), clients_ready)
        ctx = _plan_context(clients, app_name, stage, state, ui, project_dir=project_dir)
        the_plan = build_plan(application, ctx, max_parallel=max_parallel)
        ui.info(the_plan.render())
        return DeployResult(plan=the_plan, state=None)
    with locked_stage(
        backend, project_dir=project_dir, stage=stage, command="chalice deploy",
        force_unlock=force_unlock, notice=ui.warn,
    ) as stored:  # fmt: skip
        state = stored.state
        _announce_migration(state, project_dir, stage, ui)
        _create_ahead(clients, _services(application, state.resources), clients_ready)
        ctx = _plan_context(clients, app_name, stage, state, ui, project_dir=project_dir)
        # Each step starts as soon as it is planned and its dependencies ran:
        # writes overlap the reads of unrelated resources.
        planning = start_plan(application, ctx, max_parallel=max_parallel)
        order = tuple(r.resource_name for r in planning_order(application))
        recorder = Recorder(project_dir, stage, state, order=order, store=stored.save)
        Executor(
            clients=clients, recorder=recorder, reporter=ui, max_parallel=max_parallel
        ).execute(planning)
        the_plan = planning.plan()
        if state.migrated_from is not None:
            recorder.flush()
        final = recorder.state
        function_policies.remember(project_dir, the_plan, ctx)
    report = deployed_report(final)
    ui.info(report)
    return DeployResult(plan=the_plan, state=final, report=report)


def delete_stage(
    *,
    project_dir: Path,
    stage: str,
    app_name: str,
    clients: AWSClients,
    ui: Reporter,
    max_parallel: int = 32,
    force_unlock: bool = False,
    backend: StateBackend | None = None,
    clients_ready: Callable[[], None] | None = None,
) -> DeployedState:
    """Delete every recorded resource of ``stage`` (already-gone counts as deleted)."""
    backend = backend or LocalFileBackend(project_dir, app_name=app_name)
    with locked_stage(
        backend, project_dir=project_dir, stage=stage, command="chalice delete",
        force_unlock=force_unlock, notice=ui.warn,
    ) as stored:  # fmt: skip
        state = stored.state
        _announce_migration(state, project_dir, stage, ui)
        recorded = [str(e.get("resource_type")) for e in state.resources]
        accounts = account_guard.recorded_accounts(state)
        _create_ahead(clients, services_for(recorded, identity=bool(accounts)), clients_ready)
        # Before the first delete: in another account, what is missing by
        # name would be counted as deleted and forgotten.
        account_guard.verify(clients, accounts, stage)
        ctx = _plan_context(clients, app_name, stage, state, ui)
        the_plan = build_delete_plan(ctx)
        recorder = Recorder(project_dir, stage, state, store=stored.save)
        Executor(
            clients=clients,
            recorder=recorder,
            reporter=ui,
            max_parallel=max_parallel,
            mode=Mode.DELETE,
        ).execute(the_plan)
        recorder.flush()
        return recorder.state


def _plan_context(
    clients: AWSClients,
    app_name: str,
    stage: str,
    state: DeployedState,
    ui: Reporter,
    *,
    project_dir: Path | None = None,
) -> PlanContext:
    """What the planners consult; tag refusals are told to the user once.

    ``project_dir``: a deploy's, whose cached function policies it may use.
    """
    return PlanContext(
        clients=clients,
        app_name=app_name,
        stage=stage,
        state=state,
        tagging=Tagging(warn=ui.warn),
        known_policies=function_policies.load(project_dir) if project_dir is not None else {},
    )


def _announce_migration(state: DeployedState, project_dir: Path, stage: str, ui: Reporter) -> None:
    """Say that a legacy ``deployed.json`` is being read (deploy and delete alike)."""
    if state.migrated_from is not None:
        ui.info(
            f"Migrating deployed resources of stage '{stage}' from {state.migrated_from} "
            f"to {state_path(project_dir, stage)} (the old file is left unchanged)."
        )


def deployed_report(state: DeployedState) -> str:
    """The ``Resources deployed:`` summary (layers, functions, domains, then URLs).

    Each type's lines come from its descriptor, in ``DESCRIPTORS`` order;
    within a type, entries keep their recorded order.
    """
    lines = ["Resources deployed:"]
    for descriptor in DESCRIPTORS:
        if descriptor.report is None:
            continue
        for entry in state.resources:
            if entry["resource_type"] == descriptor.resource_type.value:
                lines.extend(descriptor.report(descriptor.record().from_entry(entry)))
    return "\n".join(lines) + "\n"
