"""Commands that work on the local project only: ``new-project`` and ``local``.

Thin: parse options, call the module that does the work, print. Heavy modules
(the local server, config loading) are imported inside the command functions.
"""

from __future__ import annotations

import click

from chalice.cli import context


@click.command("new-project")
@click.argument("project_name", required=False)
@click.option("--profile", default=None, help="Accepted for compatibility; not used.")
@click.option(
    "-t",
    "--project-type",
    # Spelled out (not read from newproj.ProjectType) to keep start-up imports small;
    # tests/cli/test_newproj.py checks the two lists agree.
    type=click.Choice(["rest-api", "s3-event-handler", "lambda-only", "legacy", "cdk-ddb"]),
    default=None,
    help="The project template (default: legacy; asked interactively without a name).",
)
def new_project(project_name: str | None, profile: str | None, project_type: str | None) -> None:
    """Create a new project directory from a template."""
    from pathlib import Path

    from chalice import __version__
    from chalice.cli import newproj

    del profile
    if project_name is None:
        name, chosen = newproj.prompt_for_project(_ask, click.echo)
        if project_type is not None:
            chosen = newproj.ProjectType(project_type)
    else:
        name = project_name
        chosen = newproj.ProjectType(project_type) if project_type else newproj.DEFAULT_PROJECT_TYPE
    newproj.create_project(Path.cwd(), name, chosen, chalice_version=__version__)
    click.echo(f"Your project has been generated in ./{name.strip()}")
    warning = newproj.python_version_warning()
    if warning:
        click.echo(warning, err=True)


def _ask(prompt: str) -> str:
    # input() rather than click.prompt: EOF (no stdin) must abort cleanly, and
    # click's Abort handling then exits 1 as for Ctrl-C.
    try:
        return input(prompt)
    except EOFError:
        raise click.exceptions.Abort() from None


@click.command("local")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    type=click.IntRange(0, 65535),
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--stage", default="dev", show_default=True, help="Stage whose config to use.")
@click.option(
    "--autoreload/--no-autoreload",
    default=True,
    show_default=True,
    help="Restart the server when app.py, chalicelib/ or the config change.",
)
def local(host: str, port: int, stage: str, autoreload: bool) -> None:
    """Serve the app on a local HTTP server that emulates API Gateway."""
    from chalice.local import run_local_server

    run_local_server(
        context.current().project_dir, host=host, port=port, stage=stage, autoreload=autoreload
    )


COMMANDS = [new_project, local]
