"""Commands about a stage's recorded state and lock: ``chalice state ...``, ``chalice unlock``.

``state show`` (what is recorded, where, who holds the lock, the history),
``state pull`` / ``push`` (copy between S3 and the checkout, refusing to
overwrite newer state), ``state migrate`` (move a stage between the checkout
and S3), ``unlock`` (break a lock by hand, after confirmation). Thin: the work
is in ``chalice.deploy.state_transfer`` and the backends; heavy modules are
imported inside the functions.
"""

from __future__ import annotations

from typing import Any

import click

from chalice.cli import context

_STAGE = click.option("--stage", default="dev", show_default=True, help="The chalice stage.")
_PROFILE = click.option("--profile", default=None, help="The AWS credentials profile to use.")


def _backend(stage: str, profile: str | None) -> Any:
    from chalice.cli import services
    from chalice.deploy.state_access import backend_for

    project_dir = context.current().project_dir
    params = {"profile": profile} if profile else None
    config = services.load_config(project_dir, stage=stage, user_params=params)
    return backend_for(config, project_dir=project_dir, profile=profile or config.profile)


def _warn(line: str) -> None:
    click.echo(line, err=True)


@click.group("state")
def state() -> None:
    """Show, pull, push or migrate a stage's recorded state."""


@state.command("show")
@_STAGE
@_PROFILE
@click.option("--history", is_flag=True, default=False, help="List the S3 object's versions.")
def show(stage: str, profile: str | None, history: bool) -> None:
    """Print where the stage's state lives, its resources and who holds its lock."""
    from chalice.deploy.backend_config import BackendKind

    backend = _backend(stage, profile)
    recorded, version = backend.read(stage)
    click.echo(f"Stage:    {stage}")
    click.echo(f"Backend:  {backend.spec.describe()} (from {backend.spec.source})")
    click.echo(f"Location: {backend.where(stage)}")
    if not version.exists:
        click.echo("State:    none recorded")
    else:
        detail = f"ETag {version.token}" if backend.spec.kind is BackendKind.S3 else "present"
        if version.version_id:
            detail += f", version {version.version_id}"
        click.echo(f"State:    {detail}")
    holder = backend.holder(stage)
    click.echo(f"Lock:     {holder.describe() if holder else 'not locked'}")
    click.echo(f"Resources ({len(recorded.resources)}):")
    for entry in recorded.resources:
        click.echo(f"  - {entry['resource_type']}: {entry['name']}")
    if backend.spec.kind is BackendKind.S3:
        for warning in backend.check():
            _warn(warning)
        if history:
            click.echo("History (newest first):")
            for item in backend.history(stage):
                latest = " (current)" if item.get("IsLatest") else ""
                click.echo(f"  - {item.get('VersionId')}  {item.get('LastModified')}{latest}")


@state.command("pull")
@_STAGE
@_PROFILE
@click.option("--version-id", default=None, help="Pull this version of the S3 object instead.")
@click.option("--force", is_flag=True, default=False, help="Overwrite a local file that differs.")
def pull(stage: str, profile: str | None, version_id: str | None, force: bool) -> None:
    """Write the remote state to .chalice/deployed/<stage>.json."""
    from chalice.deploy import state_transfer

    outcome = state_transfer.pull(
        _backend(stage, profile),
        context.current().project_dir,
        stage,
        version_id=version_id,
        force=force,
    )
    click.echo(outcome.message)


@state.command("push")
@_STAGE
@_PROFILE
@click.option(
    "--force", is_flag=True, default=False, help="Overwrite remote state that changed since pull."
)
def push(stage: str, profile: str | None, force: bool) -> None:
    """Write .chalice/deployed/<stage>.json to the S3 backend (over the version pulled)."""
    from chalice.deploy import state_transfer

    outcome = state_transfer.push(
        _backend(stage, profile), context.current().project_dir, stage, force=force, notice=_warn
    )
    click.echo(outcome.message)


@state.command("migrate")
@_STAGE
@_PROFILE
@click.option(
    "--to",
    "destination",
    type=click.Choice(["s3", "local"]),
    required=True,
    help="s3: from the checkout to the configured bucket; local: back to the checkout.",
)
def migrate(stage: str, profile: str | None, destination: str) -> None:
    """Move a stage's state between the checkout and the configured S3 backend."""
    from chalice.deploy import state_transfer
    from chalice.deploy.backend_config import BackendKind

    outcome = state_transfer.migrate(
        _backend(stage, profile),
        context.current().project_dir,
        stage,
        to=BackendKind(destination),
        notice=_warn,
    )
    click.echo(outcome.message)


@click.command("unlock")
@_STAGE
@_PROFILE
@click.option("--yes", is_flag=True, default=False, help="Do not ask for confirmation.")
def unlock(stage: str, profile: str | None, yes: bool) -> None:
    """Break the stage's lock (left by a deploy that was killed or lost)."""
    backend = _backend(stage, profile)
    holder = backend.holder(stage)
    if holder is None:
        click.echo(f"Stage '{stage}' is not locked.")
        return
    click.echo(f"Stage '{stage}' is locked by {holder.describe()}.")
    if not yes:
        click.confirm(
            "Break this lock? Only do so if that command is no longer running", abort=True
        )
    broken = backend.break_lock(stage)
    click.echo(f"Unlocked stage '{stage}'." if broken else f"Stage '{stage}' was already unlocked.")


COMMANDS = [state, unlock]
