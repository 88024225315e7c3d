"""The ``chalice`` click group: global options, error reporting, command registry.

Global options are ``--project-dir`` (made absolute; the CLI then runs from it),
``--debug`` and ``--version``. Any exception escaping a command is reported by
``ChaliceGroup`` (see ``chalice.cli.failure``): a message on stderr and an exit
code, with a traceback only under ``--debug``. Must never import botocore or the
deploy pipeline at module level.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from chalice.cli.context import CLIContext


def _version_message() -> str:
    import platform

    from chalice import __version__

    return (
        f"chalice {__version__}, python {platform.python_version()}, "
        f"{platform.system().lower()} {platform.release()}"
    )


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(_version_message())
    ctx.exit(0)


class ChaliceGroup(click.Group):
    """A click group that turns escaped exceptions into one message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            raise  # `chalice logs | head`: click exits quietly on EPIPE
        except Exception as exc:
            from chalice.cli.failure import describe_failure

            obj = ctx.find_object(CLIContext)
            failure = describe_failure(exc, debug=bool(obj and obj.debug))
            if failure.traceback:
                click.echo(failure.traceback, err=True, nl=False)
            click.echo(failure.message, err=True)
            ctx.exit(failure.exit_code)


MAX_DEBUG_MESSAGE = 4000


def _configure_debug_logging() -> None:
    import logging

    class _Truncate(logging.Filter):
        # botocore logs whole request bodies at DEBUG: a deployment zip would
        # flood the terminal with megabytes of binary.
        def filter(self, record: logging.LogRecord) -> bool:
            message = record.getMessage()
            if len(message) > MAX_DEBUG_MESSAGE:
                omitted = len(message) - MAX_DEBUG_MESSAGE
                record.msg = f"{message[:MAX_DEBUG_MESSAGE]}... ({omitted} characters omitted)"
                record.args = None
            return True

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s [%(levelname)s] %(message)s"))
    handler.addFilter(_Truncate())
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)


@click.group(cls=ChaliceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the chalice, Python and OS versions and exit.",
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="The project directory (default: the current directory).",
)
@click.option(
    "--debug/--no-debug", default=False, help="Print debug logs and tracebacks to stderr."
)
@click.pass_context
def cli(ctx: click.Context, project_dir: str | None, debug: bool) -> None:
    """Chalice: write Python serverless apps for AWS Lambda and API Gateway."""
    # Apps can check this to know they are being loaded by the tooling, not Lambda.
    os.environ["AWS_CHALICE_CLI_MODE"] = "true"
    path = Path(project_dir).absolute() if project_dir else Path.cwd()
    if project_dir and path.is_dir():
        os.chdir(path)
    if debug:
        _configure_debug_logging()
    # Tests may pass a CLIContext as click's ``obj`` to inject fakes; keep its seams.
    base = ctx.obj if isinstance(ctx.obj, CLIContext) else CLIContext(project_dir=path)
    ctx.obj = dataclasses.replace(base, project_dir=path, debug=debug)


def _register() -> None:
    from chalice.cli import commands_deploy, commands_info, commands_project, commands_state

    for module in (commands_project, commands_deploy, commands_info, commands_state):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point: run the CLI and exit with its status.

    Exits by raising ``SystemExit`` (click's standalone mode), so the
    interpreter's normal shutdown runs: non-daemon threads are joined,
    ``atexit`` handlers run and stdio is flushed.
    """
    if argv is not None:
        cli.main(args=list(argv), prog_name="chalice")
        raise SystemExit(0)  # pragma: no cover - click's standalone mode always exits
    try:
        cli.main(prog_name="chalice", obj=console_context())
    finally:
        _cheapen_teardown()
    raise SystemExit(0)  # pragma: no cover - click's standalone mode always exits


def console_context() -> CLIContext:
    """What the console script hands the group (which sets the project dir itself)."""
    return CLIContext(project_dir=Path.cwd(), clients_ready=freeze_long_lived)


def freeze_long_lived() -> None:
    """Leave what exists once a deploy's clients are made out of later collections.

    By then the process holds what it keeps to its end: modules, the app,
    and botocore's service models (tens of thousands of objects per client).
    In the collected generations they were walked again by every collection
    of an older generation: on the sample app's unchanged redeploy one such
    pass of 5-12 ms fell inside the burst of reads, and collections took
    30-60 ms in all; frozen, 1 ms fell inside the burst and 14-26 ms in all
    (``gc.callbacks``, 3 runs each). Frozen objects are still freed when
    their last reference goes; only a cycle that was garbage already is kept
    until exit, which a command about to end can afford. The console script
    alone does this, as with teardown below.
    """
    import gc

    gc.freeze()


def _cheapen_teardown() -> None:
    """Spare the exiting console script the garbage collector's final passes.

    Shutdown runs full collections while it clears modules; measured, they
    were most of a plain exit's teardown (15-30 ms after ``chalice --help``,
    35-50 ms after a cached ``chalice package``, a tenth of either command).
    Frozen objects are skipped by those passes and, with collection disabled,
    nothing new is queued: teardown drops to 4-7 ms. Only the console script
    does this; ``main(argv)`` called from Python leaves its caller's collector
    alone.
    """
    import gc

    gc.disable()
    gc.freeze()
