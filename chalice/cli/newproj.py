"""``chalice new-project``: render a project template into a new directory.

Templates live in ``chalice/templates/<type>/``. Every file is copied with
``{{app_name}}``, ``{{chalice_version}}`` and ``{{chalice_distribution}}`` (the
name pip installs this project by) filled in; a trailing ``.tmpl`` is
dropped from file names (template Python files carry it so that linters, type
checkers and pytest never treat them as part of chalice). Rendering is pure
(``render_template``); only ``create_project`` writes, and it never overwrites
an existing directory.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import sys
from collections.abc import Callable
from pathlib import Path

from chalice.errors import UserError

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_SUFFIX = ".tmpl"
_SKIPPED_NAMES = frozenset({"__pycache__", "metadata.json", ".DS_Store"})

# Python versions AWS Lambda offers a managed runtime for.
LAMBDA_PYTHON_VERSIONS = ((3, 9), (3, 10), (3, 11), (3, 12), (3, 13))


class ProjectType(enum.Enum):
    """The templates ``new-project -t`` accepts; the value is the option spelling."""

    REST_API = "rest-api"
    S3_EVENT_HANDLER = "s3-event-handler"
    LAMBDA_ONLY = "lambda-only"
    LEGACY = "legacy"
    CDK_DDB = "cdk-ddb"

    @property
    def description(self) -> str:
        """One line for the interactive menu."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    ProjectType.REST_API: "REST API - routes on API Gateway, with tests and chalicelib/",
    ProjectType.S3_EVENT_HANDLER: "S3 event handler - run code when objects are uploaded",
    ProjectType.LAMBDA_ONLY: "Lambda functions only - no API Gateway",
    ProjectType.LEGACY: "Legacy - the minimal hello-world app of older chalice versions",
    ProjectType.CDK_DDB: "CDK with DynamoDB - a CDK app deploying the Chalice app and a table",
}

DEFAULT_PROJECT_TYPE = ProjectType.LEGACY


class ProjectExistsError(UserError):
    """The target directory of ``new-project`` already exists."""

    exit_code = 1


class InvalidProjectNameError(UserError):
    """The project name cannot be used as a directory and app name."""

    exit_code = 2


@dataclasses.dataclass(frozen=True)
class RenderedFile:
    """One file of a new project: path relative to the project root, and its text."""

    path: Path
    content: str


_VALID_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def validate_project_name(name: str) -> str:
    """Return ``name`` stripped, or raise ``InvalidProjectNameError``.

    The name becomes the directory, the ``app_name`` and part of every AWS
    resource name (Lambda allows only ASCII letters, digits, ``-`` and ``_``),
    so anything else is refused now rather than at the first deploy.
    """
    name = name.strip()
    if not name:
        raise InvalidProjectNameError(
            "The project name is empty.", fix="Pass a name, e.g. 'chalice new-project myapp'."
        )
    if not _VALID_NAME.match(name):
        raise InvalidProjectNameError(
            f"Invalid project name: {name!r}",
            fix="Use only ASCII letters, digits, '-' and '_' (the name becomes part of "
            "AWS resource names), e.g. 'my-app'.",
        )
    return name


def render_text(text: str, values: dict[str, str]) -> str:
    """Fill ``{{key}}`` placeholders; unknown placeholders are left alone."""
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def render_template(
    project_type: ProjectType,
    *,
    app_name: str,
    chalice_version: str,
    templates_dir: Path = TEMPLATES_DIR,
) -> list[RenderedFile]:
    """All files of ``project_type`` for ``app_name``, sorted by path."""
    root = templates_dir / project_type.value
    if not root.is_dir():  # a broken install (templates not shipped in the wheel)
        raise UserError(
            f"The '{project_type.value}' project template is missing.",
            where=str(root),
            fix="Reinstall chalice: its templates directory is incomplete.",
        )
    from chalice import __distribution__

    values = {
        "app_name": app_name,
        "chalice_version": chalice_version,
        "chalice_distribution": __distribution__,
    }
    files = []
    for source in sorted(root.rglob("*")):
        relative = source.relative_to(root)
        if not source.is_file() or _skipped(relative):
            continue
        target = relative
        if target.name.endswith(TEMPLATE_SUFFIX):
            target = target.with_name(target.name[: -len(TEMPLATE_SUFFIX)])
        files.append(RenderedFile(target, render_text(source.read_text(encoding="utf-8"), values)))
    return files


def _skipped(relative: Path) -> bool:
    return any(part in _SKIPPED_NAMES for part in relative.parts) or relative.suffix == ".pyc"


def create_project(
    parent: Path, name: str, project_type: ProjectType, *, chalice_version: str
) -> Path:
    """Write a new project ``parent/name``; refuse if that directory exists."""
    name = validate_project_name(name)
    target = parent / name
    if target.exists():
        raise ProjectExistsError(
            f"Directory already exists: {name}",
            where=str(target),
            fix="choose another project name, or move the existing directory away",
        )
    files = render_template(project_type, app_name=name, chalice_version=chalice_version)
    for rendered in files:
        path = target / rendered.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered.content, encoding="utf-8")
    return target


def python_version_warning(version: tuple[int, int] | None = None) -> str | None:
    """A warning when the local Python has no matching Lambda runtime, else None."""
    current = version or (sys.version_info.major, sys.version_info.minor)
    if current in LAMBDA_PYTHON_VERSIONS:
        return None
    closest = min(
        LAMBDA_PYTHON_VERSIONS, key=lambda v: abs(v[1] - current[1]) if v[0] == current[0] else 99
    )
    return (
        f"WARNING: You are running python{current[0]}.{current[1]}, which AWS Lambda has no "
        f"runtime for; the closest is python{closest[0]}.{closest[1]}. Use that version to "
        "avoid packaging and deployment problems."
    )


def prompt_for_project(
    ask: Callable[[str], str], say: Callable[[str], None]
) -> tuple[str, ProjectType]:
    """Interactively ask for a project name, then a type from a numbered list.

    ``ask`` shows a prompt and returns the line typed (``input``); ``say`` prints a
    line. Both are injected so that tests can drive the dialogue.
    """
    name = ""
    while not name:
        name = ask("Enter the project name: ").strip()
        if name:
            try:
                validate_project_name(name)
            except InvalidProjectNameError as err:
                say(str(err))
                name = ""
    choices = list(ProjectType)
    say("Select your project type:")
    for number, choice in enumerate(choices, start=1):
        say(f"  {number}) {choice.description}")
    default = choices.index(ProjectType.REST_API) + 1
    while True:
        answer = ask(f"Project type [1-{len(choices)}, default {default}]: ").strip()
        if not answer:
            return name, choices[default - 1]
        by_name = {c.value: c for c in choices}
        if answer in by_name:
            return name, by_name[answer]
        if answer.isdigit() and 1 <= int(answer) <= len(choices):
            return name, choices[int(answer) - 1]
        say(f"Please enter a number from 1 to {len(choices)}.")
