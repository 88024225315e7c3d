"""Running pip: the one seam between the packager and the package index.

pip has no stable Python API, so we only ever run it as a subprocess of the
build interpreter (``python -m pip ...``), never through the shell and never
by importing its internals. The environment is inherited, so users' pip
settings (``PIP_INDEX_URL``, ``PIP_FIND_LINKS``, ``PIP_NO_INDEX``, proxies,
certificates) apply. Tests inject a fake ``PipRunner`` instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import attrs


@attrs.frozen
class PipResult:
    """What a pip run returned: its exit code and its merged stdout/stderr."""

    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        """True when pip exited with status 0."""
        return self.returncode == 0


class PipRunner(Protocol):
    """Runs ``pip <args>`` and returns its result; never raises for a pip failure.

    ``env`` holds extra environment variables for this run only.
    """

    def run(
        self, args: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> PipResult: ...


class SubprocessPipRunner:
    """Runs pip in a child process of ``python`` (the build interpreter by default)."""

    def __init__(self, *, python: str | None = None) -> None:
        self._python = python or sys.executable

    def run(
        self, args: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> PipResult:
        """Run ``python -m pip <args>`` and collect its output."""
        # Imported here: a cached build never runs pip, and subprocess (with
        # selectors and signal) is a noticeable part of a cached build's start-up.
        import subprocess

        command = [
            self._python,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "--no-input",
            *args,
        ]
        proc = subprocess.run(
            command,
            cwd=cwd,
            env={**os.environ, **env} if env else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            check=False,
        )
        return PipResult(returncode=proc.returncode, output=proc.stdout)
