"""What the ``chalice`` group hands to every command: the project dir and flags.

A stdlib dataclass rather than attrs on purpose: this module is imported for
``chalice --help``, which must stay cheap. Must not import botocore.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import click


class ClientFactory(Protocol):
    """Makes an AWS client for a service; tests inject fakes through this seam."""

    def __call__(
        self,
        service: str,
        *,
        profile: str | None = None,
        read_timeout: int | None = None,
        max_attempts: int | None = None,
    ) -> Any:
        """An object answering the botocore-named calls the command makes."""
        ...


def aws_clients(
    service: str,
    *,
    profile: str | None = None,
    read_timeout: int | None = None,
    max_attempts: int | None = None,
) -> Any:
    """The real ``ClientFactory``: the ``chalice.aws`` wrapper of ``service``."""
    from chalice.cli import services

    return services.service_client(
        service, profile=profile, read_timeout=read_timeout, max_attempts=max_attempts
    )


@dataclasses.dataclass(frozen=True)
class CLIContext:
    """Global options, resolved: the absolute project directory, the debug flag,
    and how to make AWS clients."""

    project_dir: Path
    debug: bool = False
    clients: ClientFactory = aws_clients
    # Called by deploy, plan and delete once their AWS clients exist, before
    # the first call: the console script's ``root.freeze_long_lived``; None
    # when the CLI is run from Python (its collector is the caller's).
    clients_ready: Callable[[], None] | None = None


def current() -> CLIContext:
    """The ``CLIContext`` of the running click invocation."""
    ctx = click.get_current_context()
    obj = ctx.find_object(CLIContext)
    if obj is None:  # a command invoked outside the chalice group (tests)
        obj = CLIContext(project_dir=Path.cwd())
    return obj
