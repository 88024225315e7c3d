"""Glue between the deploy/package commands and the engines that do the work.

Calls ``chalice.deploy.deployer`` (deploy, plan, delete), ``chalice.package``
(``package_app``) and, for the app graph, the shared front half
``chalice.build.desired``, handing them a ``ConsoleUI``, and prints their
results. Knows nothing about AWS itself. Imported only when one of those
commands runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import click

from chalice.cli.ui import ConsoleUI


def _reporter(ui: ConsoleUI) -> Any:
    from chalice.deploy.reporter import Reporter

    return Reporter(out=ui.info, err=ui.warn)


def run_deploy(
    project_dir: Path,
    *,
    stage: str,
    user_params: Mapping[str, Any],
    max_parallel: int = 32,
    plan_only: bool = False,
    force_unlock: bool = False,
    connection_timeout: int | None = None,
    session: Any = None,
    clients_ready: Callable[[], None] | None = None,
) -> None:
    """Deploy (or only plan) ``stage``; the deployer prints the plan or the report."""
    from chalice.deploy import deployer

    ui = ConsoleUI()
    with ui.activity("Planning" if plan_only else "Deploying"):
        deployer.deploy(
            project_dir,
            stage=stage,
            user_params=dict(user_params),
            max_parallel=max_parallel,
            plan_only=plan_only,
            ui=_reporter(ui),
            force_unlock=force_unlock,
            connection_timeout=connection_timeout,
            session=session,
            clients_ready=clients_ready,
        )


def run_delete(
    project_dir: Path,
    *,
    stage: str,
    profile: str | None,
    max_parallel: int = 32,
    force_unlock: bool = False,
    session: Any = None,
    clients_ready: Callable[[], None] | None = None,
) -> None:
    """Delete every recorded resource of ``stage``."""
    from chalice.cli import services
    from chalice.deploy import deployer

    ui = ConsoleUI()
    services.require_project(project_dir)
    # A typo in --stage used to end silently with exit 0, as if it had
    # deleted something. The state is read again (under the lock) by delete.
    nothing_recorded = not _has_resources(project_dir, stage)
    with ui.activity("Deleting"):
        deployer.delete(
            project_dir,
            stage=stage,
            ui=_reporter(ui),
            max_parallel=max_parallel,
            profile=profile,
            force_unlock=force_unlock,
            session=session,
            clients_ready=clients_ready,
        )
    if nothing_recorded:
        ui.warn(
            f"Nothing to delete: no resources are recorded for stage '{stage}' "
            f"(.chalice/deployed/{stage}.json). If you deployed under another name, pass "
            "that --stage."
        )


def _has_resources(project_dir: Path, stage: str) -> bool:
    from chalice.deploy.state_access import read_stage_state

    return bool(read_stage_state(project_dir, stage).resources)


def run_package(
    project_dir: Path,
    *,
    out: str,
    stage: str,
    pkg_format: str,
    template_format: str,
    merge_template: str | None,
    single_file: bool,
    profile: str | None,
    terraform_layout: str | None = None,
) -> None:
    """Write the SAM or Terraform templates and the packages to ``out``."""
    from chalice.package import package_app

    ui = ConsoleUI()
    with ui.activity("Packaging"):
        package_app(
            project_dir,
            Path(out).absolute(),
            stage=stage,
            pkg_format=pkg_format,
            template_format=template_format,
            merge_template=merge_template,
            single_file=single_file,
            ui=ui,
            profile=profile,
            terraform_layout=terraform_layout,
        )


def print_appgraph(project_dir: Path, *, stage: str, user_params: Mapping[str, Any]) -> None:
    """Print the resource tree the app defines for ``stage`` (no AWS calls, no zips)."""
    from chalice.build.desired import Target, desired_application

    desired = desired_application(
        project_dir, stage=stage, target=Target.APPGRAPH, user_params=dict(user_params)
    )
    click.echo("Application")
    for line in render_tree(list(desired.application.resources)):
        click.echo(line)


def _children(resource: Any) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for field in attrs.fields(type(resource)):
        value = getattr(resource, field.name)
        if attrs.has(type(value)):
            found.append((field.name, value))
        elif isinstance(value, (list, tuple)) and value and all(attrs.has(type(v)) for v in value):
            found.extend((f"{field.name}[{i}]", v) for i, v in enumerate(value))
    return found


def _label(name: str | None, resource: Any) -> str:
    kind = type(resource).__name__
    resource_name = getattr(resource, "resource_name", None)
    text = f"{kind}({resource_name})" if resource_name else kind
    return f"{name}: {text}" if name else text


def render_tree(resources: list[Any]) -> Iterator[str]:
    """Box-drawing lines for a list of attrs models and the models they hold."""

    def walk(items: list[tuple[str | None, Any]], prefix: str) -> Iterator[str]:
        for index, (name, resource) in enumerate(items):
            last = index == len(items) - 1
            yield prefix + ("└── " if last else "├── ") + _label(name, resource)
            children: list[tuple[str | None, Any]] = list(_children(resource))
            yield from walk(children, prefix + ("    " if last else "│   "))

    yield from walk([(None, r) for r in resources], "")
