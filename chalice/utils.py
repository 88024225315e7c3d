"""Upstream's ``chalice.utils`` helpers that outside tooling imports (compatibility shim).

Public projects built on upstream Chalice import a few of these in their
CLIs, build scripts and integration tests: ``serialize_to_json`` (pretty
JSON as chalice writes it), ``to_cfn_resource_name`` (CloudFormation
logical ids), ``UI`` (write/error/confirm) and ``OSUtils`` (file system
helpers). They are small wrappers over the standard library and over
``chalice.deploy.naming``; chalice itself does not use them. Other upstream
internals (zip builders, deployed-value records, pipes) are not provided:
use ``chalice package``/``chalice deploy`` or the standard library instead.

Standard library only; never talks to AWS.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from chalice.deploy.naming import to_cfn_resource_name

__all__ = ["AbortedError", "OSUtils", "UI", "serialize_to_json", "to_cfn_resource_name"]


def serialize_to_json(data: Any) -> str:
    """``data`` as chalice writes JSON files: 2-space indent and a final newline.

    >>> serialize_to_json({"a": [1]})
    '{\\n  "a": [\\n    1\\n  ]\\n}\\n'
    """
    return json.dumps(data, indent=2, separators=(",", ": ")) + "\n"


class AbortedError(Exception):
    """``UI.confirm(..., abort=True)`` was answered no."""


def _ask(message: str, default: bool) -> bool:
    suffix = " [Y/n]: " if default else " [y/N]: "
    answer = input(message + suffix).strip().lower()
    if not answer:
        return default
    return answer in ("y", "yes")


class UI:
    """Messages to the user: ``write`` to ``out``, ``error`` to ``err``, ``confirm`` a question.

    ``confirm`` is a ``(message, default) -> bool`` callable (a prompt on
    standard input by default), so scripts and tests can answer it.
    """

    def __init__(
        self,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        confirm: Callable[[str, bool], bool] | None = None,
    ) -> None:
        self._out = out
        self._err = err
        self._confirm = confirm or _ask

    def write(self, msg: str) -> None:
        """Write ``msg`` as is (no newline added) to the output stream."""
        (self._out or sys.stdout).write(msg)

    def error(self, msg: str) -> None:
        """Write ``msg`` as is to the error stream."""
        (self._err or sys.stderr).write(msg)

    def confirm(self, msg: str, default: bool = False, abort: bool = False) -> bool:
        """Ask a yes/no question; with ``abort``, a no raises ``AbortedError``."""
        answer = bool(self._confirm(msg, default))
        if abort and not answer:
            raise AbortedError(msg)
        return answer


class OSUtils:
    """File system helpers with upstream's method names (``binary`` defaults to True)."""

    def environ(self) -> dict[str, str]:
        """A copy of the process environment."""
        return dict(os.environ)

    def open(self, filename: str, mode: str) -> IO[Any]:
        """``open(filename, mode)``."""
        return open(filename, mode)  # noqa: SIM115 - the caller closes it

    def file_exists(self, filename: str) -> bool:
        """Whether ``filename`` is an existing regular file."""
        return os.path.isfile(filename)

    def directory_exists(self, path: str) -> bool:
        """Whether ``path`` is an existing directory."""
        return os.path.isdir(path)

    def get_file_contents(
        self, filename: str, binary: bool = True, encoding: str = "utf-8"
    ) -> Any:
        """The file's bytes (``binary``) or text."""
        if binary:
            with open(filename, "rb") as f:
                return f.read()
        with open(filename, encoding=encoding) as f:
            return f.read()

    def set_file_contents(self, filename: str, contents: Any, binary: bool = True) -> None:
        """Write ``contents`` (bytes when ``binary``, else text) to ``filename``."""
        if binary:
            with open(filename, "wb") as f:
                f.write(contents)
        else:
            with open(filename, "w", encoding="utf-8") as f:
                f.write(contents)

    def remove_file(self, filename: str) -> None:
        """Delete ``filename`` if it exists."""
        with contextlib.suppress(FileNotFoundError):
            os.remove(filename)

    def get_directory_contents(self, path: str) -> list[str]:
        """The names in directory ``path``."""
        return os.listdir(path)

    def makedirs(self, path: str) -> None:
        """Create ``path`` and its parents (no error if it exists)."""
        os.makedirs(path, exist_ok=True)

    def dirname(self, path: str) -> str:
        """``os.path.dirname``."""
        return os.path.dirname(path)

    def basename(self, path: str) -> str:
        """``os.path.basename``."""
        return os.path.basename(path)

    def abspath(self, path: str) -> str:
        """``os.path.abspath``."""
        return os.path.abspath(path)

    def joinpath(self, *args: str) -> str:
        """``os.path.join``."""
        return os.path.join(*args)

    def normalized_filename(self, path: str) -> str:
        """The absolute, normalised form of ``path``."""
        return os.path.normpath(os.path.abspath(path))

    def walk(
        self, path: str, followlinks: bool = False
    ) -> Iterator[tuple[str, list[str], list[str]]]:
        """``os.walk``."""
        return os.walk(path, followlinks=followlinks)

    def copytree(self, source: str, destination: str) -> None:
        """Copy a directory tree (into an existing destination too)."""
        shutil.copytree(source, destination, dirs_exist_ok=True)

    def rmtree(self, directory: str) -> None:
        """Delete a directory tree."""
        shutil.rmtree(directory)

    def copy(self, source: str, destination: str) -> None:
        """Copy one file."""
        shutil.copy(source, destination)

    def move(self, source: str, destination: str) -> None:
        """Move a file or directory."""
        shutil.move(source, destination)

    def mtime(self, path: str) -> float:
        """Modification time of ``path``."""
        return os.stat(path).st_mtime

    def stat(self, path: str) -> os.stat_result:
        """``os.stat``."""
        return os.stat(path)

    @contextlib.contextmanager
    def tempdir(self) -> Iterator[str]:
        """A temporary directory, removed afterwards."""
        with tempfile.TemporaryDirectory() as path:
            yield path
