"""Errors of the tooling (config, build, deploy, package, CLI).

Every error a user can cause derives from ``UserError``: the CLI prints its
message (what went wrong, where, how to fix it) and exits with
``exit_code`` without a traceback, unless ``--debug`` is given. Anything
else reaching the CLI is a bug in chalice and is reported as such.
This module must not import botocore or click.
"""

from __future__ import annotations

from chalice.app import ChaliceError


class UserError(ChaliceError):
    """A problem the user can fix. ``str(err)`` is the whole message."""

    exit_code = 2

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self._format())

    def _format(self) -> str:
        lines = [self.what]
        if self.where:
            lines.append(f"  where: {self.where}")
        if self.fix:
            lines.append(f"  how to fix: {self.fix}")
        return "\n".join(lines)


class ConfigError(UserError):
    """``.chalice/config.json`` (or a file it names) is missing or invalid."""


class AppLoadError(UserError):
    """``app.py`` could not be imported (syntax error, import error, no ``app``)."""


class ValidationError(UserError):
    """The app and config together are not deployable (route rules, names, flags...)."""


class ExperimentalFeatureError(UserError):
    """The app uses an experimental feature it did not opt into."""


class BuildError(UserError):
    """Building the deployment package (requirements, vendor, zip) failed."""


class MissingDependencyError(BuildError):
    """A requirement has no wheel for the Lambda target and cannot be built portably."""


class PackageError(UserError):
    """``chalice package`` cannot express what the app asks for, or its inputs are bad."""


class StateError(UserError):
    """``.chalice/deployed/<stage>.json`` is unreadable or of an unknown schema."""


class LockError(UserError):
    """Another deploy or delete of the same stage holds the lock."""


class DeployError(UserError):
    """An AWS call failed during deploy/delete; names the resource, call and AWS error."""

    exit_code = 1
