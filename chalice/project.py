"""Loading a user's project: its config and its ``app.py``.

``load_app`` imports ``<project>/app.py`` the way Lambda will run it: the
project directory first on ``sys.path``, ``vendor/`` last, the function's
environment variables set. It imports fresh each time (a cached ``app`` or
``chalicelib`` module is dropped), so tests and the dev server can reload.
Anything going wrong inside the user's code becomes an ``AppLoadError``
pointing at the user's file and line, never a traceback of chalice's
internals. ``load_project`` adds the config and the experimental feature
check.

This module imports user code (that is its job) and changes ``sys.path``,
``sys.modules`` and ``os.environ`` as described; it never calls AWS.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalice.config import Config
from chalice.errors import AppLoadError

if TYPE_CHECKING:
    from chalice.app import Chalice

APP_MODULE = "app"
LIB_PACKAGE = "chalicelib"


def _forget_project_modules() -> None:
    # A module of the same name imported earlier (another project in the same
    # test run, or the previous version of this one) would shadow the file.
    for name in list(sys.modules):
        if name == APP_MODULE or name == LIB_PACKAGE or name.startswith(LIB_PACKAGE + "."):
            del sys.modules[name]
    importlib.invalidate_caches()


def _prepare_sys_path(project_dir: Path) -> None:
    project = str(project_dir)
    if project in sys.path:
        sys.path.remove(project)
    sys.path.insert(0, project)
    vendor = project_dir / "vendor"
    if vendor.is_dir() and str(vendor) not in sys.path:
        sys.path.append(str(vendor))


def _is_inside(filename: str, directory: Path) -> bool:
    try:
        Path(filename).resolve().relative_to(directory)
    except (ValueError, OSError):
        return False
    return True


def _is_user_code(filename: str, project_dir: Path) -> bool:
    # A virtualenv inside the project directory is common; its packages are
    # not the user's code, so the location must not point into them.
    if filename.startswith("<") or not _is_inside(filename, project_dir):
        # "<frozen importlib._bootstrap>" would resolve relative to the CWD.
        return False
    parts = Path(filename).parts
    return not any(p in ("site-packages", "dist-packages", ".chalice") for p in parts)


def _user_frame(err: BaseException, project_dir: Path) -> tuple[str, int | None]:
    """File and line of the deepest traceback frame in the user's code (else app.py)."""
    found: tuple[str, int | None] = (str(project_dir / "app.py"), None)
    import traceback  # only on the error path

    for frame in traceback.extract_tb(err.__traceback__):
        if _is_user_code(frame.filename, project_dir):
            found = (frame.filename, frame.lineno)
    return found


def _user_traceback(err: BaseException, project_dir: Path) -> str:
    """The traceback of ``err`` restricted to the user's frames, indented, or "".

    Frames of chalice, importlib and installed packages are dropped: they
    say nothing about the user's bug. Shown under the one-line message so
    an error two imports deep in chalicelib can be followed like Python's
    own traceback.
    """
    import traceback  # only on the error path

    frames = [
        frame
        for frame in traceback.extract_tb(err.__traceback__)
        if _is_user_code(frame.filename, project_dir)
    ]
    if not frames:
        return ""
    lines = ["  Traceback (most recent call last; your code only):"]
    for entry in traceback.format_list(frames):
        lines.extend("  " + line for line in entry.rstrip("\n").splitlines())
    return "\n" + "\n".join(lines)


def _syntax_error(err: SyntaxError, project_dir: Path) -> AppLoadError:
    filename = err.filename or str(project_dir / "app.py")
    location = f"{filename}:{err.lineno}" if err.lineno else filename
    if err.lineno and err.offset:
        location += f":{err.offset}"
    detail = ""
    if err.text:
        line = err.text.rstrip("\n")
        caret = " " * max((err.offset or 1) - 1 - (len(line) - len(line.lstrip())), 0) + "^"
        detail = f"\n    {line.strip()}\n    {caret}"
    # The import chain that led to the file (empty for app.py itself).
    detail += _user_traceback(err, project_dir)
    return AppLoadError(
        f"Syntax error in {filename}, line {err.lineno}: {err.msg}{detail}",
        where=location,
        fix="Correct the syntax there; `python -m py_compile "
        f"{Path(filename).name}` checks a file quickly.",
    )


def _import_error(err: BaseException, project_dir: Path) -> AppLoadError:
    filename, lineno = _user_frame(err, project_dir)
    where = f"{filename}:{lineno}" if lineno else filename
    name = type(err).__name__
    frames = _user_traceback(err, project_dir)
    if isinstance(err, ModuleNotFoundError) and err.name:
        top = err.name.split(".")[0]
        return AppLoadError(
            f"Importing app.py failed: no module named {err.name!r} ({name}).{frames}",
            where=where,
            fix=f"Install {top!r} in the environment you run chalice from (and list it in "
            "requirements.txt so it is deployed), put it in vendor/, or move your own code "
            "under chalicelib/.",
        )
    return AppLoadError(
        f"Importing app.py failed: {name}: {err}{frames}",
        where=where,
        fix="Fix the error at that line; app.py runs at import time, so module-level code "
        "must not fail without AWS credentials or network access.",
    )


def load_app(project_dir: str | Path, *, env: Mapping[str, str] | None = None) -> Chalice:
    """Import ``<project_dir>/app.py`` and return its ``app`` (a ``Chalice``).

    ``env`` is added to ``os.environ`` before importing and left there, as
    the app may read it at request time (``chalice local``). Raises
    ``AppLoadError`` when app.py is missing, fails to import, or has no
    ``app`` that is a ``Chalice`` instance.
    """
    from chalice.app import Chalice

    project = Path(project_dir).resolve()
    app_file = project / "app.py"
    if not app_file.is_file():
        raise AppLoadError(
            "No app.py in the project directory.",
            where=str(app_file),
            fix="Run the command from your project's directory (or pass --project-dir).",
        )
    _prepare_sys_path(project)
    _forget_project_modules()
    if env:
        os.environ.update(env)
    try:
        module = importlib.import_module(APP_MODULE)
    except SyntaxError as err:
        raise _syntax_error(err, project) from None
    except (Exception, SystemExit) as err:
        raise _import_error(err, project) from None
    module_file = getattr(module, "__file__", None)
    if module_file is None or not _is_inside(module_file, project):
        raise AppLoadError(
            f"`import app` found {module_file or 'a namespace package'}, not the project's app.py.",
            where=str(app_file),
            fix="Rename the module or package called `app` that shadows app.py.",
        )
    app = getattr(module, "app", None)
    if app is None:
        raise AppLoadError(
            "app.py does not define `app`.",
            where=str(app_file),
            fix="Create the application at module level: app = Chalice(app_name='myapp').",
        )
    if not isinstance(app, Chalice):
        raise AppLoadError(
            f"`app` in app.py is of type {type(app).__name__}, not a Chalice application.",
            where=str(app_file),
            fix="Bind the Chalice instance to the name `app`: app = Chalice(app_name='myapp').",
        )
    return app


def load_project(
    project_dir: str | Path,
    *,
    stage: str = "dev",
    user_params: Mapping[str, Any] | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[Config, Chalice]:
    """The config of ``stage`` and the imported app, with feature flags checked.

    The app is imported with the ``api_handler`` scope's environment
    variables. Raises ``ConfigError``, ``AppLoadError`` or
    ``ExperimentalFeatureError``.
    """
    from chalice.deploy.validate import validate_feature_flags

    config = Config.load(project_dir, stage=stage, user_params=user_params, warn=warn)
    app = load_app(project_dir, env=config.scope("api_handler").environment_variables)
    validate_feature_flags(app)
    return config, app
