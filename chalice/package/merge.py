"""``--merge-template``: read a user's JSON/YAML file and deep-merge it into ours.

The YAML loader understands CloudFormation's short-form intrinsic functions
(``!Ref``, ``!GetAtt a.b``, ``!Sub``, ``!If``, ``!Join``...), turning them
into the long JSON form so the merged template can be written as either JSON
or YAML. Errors name the file and, for syntax errors, the line and column.
This module reads one file; it never writes anything. PyYAML is imported
(via ``yamlio.py``) only when a YAML file is read.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalice.errors import PackageError

YAML_SUFFIXES = (".yaml", ".yml")


def is_yaml_path(path: str | Path) -> bool:
    """True when the file's suffix asks for YAML (which also forces YAML output)."""
    return str(path).lower().endswith(YAML_SUFFIXES)


def parse_yaml(text: str) -> Any:
    """Parse YAML with the CloudFormation short-form tags (raises ``yaml.YAMLError``)."""
    from chalice.package import yamlio

    return yamlio.parse_yaml(text)


def load_merge_template(path: str | Path) -> dict[str, Any]:
    """Read the user's template; ``PackageError`` naming the file (and position) if bad."""
    p = Path(path)
    fix = "pass the path of an existing JSON or YAML CloudFormation template to --merge-template"
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackageError(
            f"The merge template {str(p)!r} does not exist.", where=str(p), fix=fix
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError(
            f"Cannot read the merge template {str(p)!r}: {exc}", where=str(p), fix=fix
        ) from None
    data: Any
    if is_yaml_path(p):
        from chalice.package.yamlio import YAMLError

        try:
            data = parse_yaml(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = str(p)
            if mark is not None:
                where = f"{p}, line {mark.line + 1}, column {mark.column + 1}"
            problem = getattr(exc, "problem", None) or str(exc)
            raise PackageError(
                f"The merge template is not valid YAML: {problem}.",
                where=where,
                fix="fix the YAML syntax",
            ) from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PackageError(
                f"The merge template is not valid JSON: {exc.msg}.",
                where=f"{p}, line {exc.lineno}, column {exc.colno}",
                fix="fix the JSON syntax (or use a .yaml/.yml file for YAML)",
            ) from None
    if not isinstance(data, dict):
        raise PackageError(
            f"The merge template must hold a mapping (a template), not {type(data).__name__}.",
            where=str(p),
            fix="the file's top level must be an object with keys such as Resources",
        )
    _check_template_shape(data, where=str(p))
    return data


# Template sections that are maps of named entries: a non-mapping value would
# not merge but replace the whole generated section (e.g. "Resources": []
# silently dropped every function and API from the output).
_MAPPING_SECTIONS = ("Resources", "Parameters", "Outputs", "Conditions", "Mappings", "Globals")


def _check_template_shape(data: Mapping[str, Any], *, where: str) -> None:
    for section in _MAPPING_SECTIONS:
        value = data.get(section)
        if value is not None and not isinstance(value, Mapping):
            raise PackageError(
                f"The merge template's {section} must be a mapping of named entries, "
                f"not {type(value).__name__}.",
                where=f"{where}, {section}",
                fix=f"write {section} as an object, e.g. {section}: {{MyName: {{...}}}}; "
                "it is merged entry by entry into the generated template",
            )
    for name, resource in (data.get("Resources") or {}).items():
        if not isinstance(resource, Mapping):
            raise PackageError(
                f"The merge template's resource {name!r} must be a mapping, "
                f"not {type(resource).__name__}.",
                where=f"{where}, Resources.{name}",
                fix="give the resource as an object with Type and Properties (or only the "
                "Properties to change, for a resource chalice generates)",
            )
        properties = resource.get("Properties")
        if properties is not None and not isinstance(properties, Mapping):
            raise PackageError(
                f"The Properties of resource {name!r} in the merge template must be a "
                f"mapping, not {type(properties).__name__}.",
                where=f"{where}, Resources.{name}.Properties",
                fix="write Properties as an object of property names and values",
            )


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` merged into a copy of ``base``; neither input is changed.

    Mappings merge key by key, recursively; any other value from ``override``
    (a list, a scalar, or a mapping replacing a non-mapping) wins as a whole:
    ``deep_merge({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}}) == {"a": {"x": 1, "y": 3}}``.
    """
    merged: dict[str, Any] = copy.deepcopy(dict(base))
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
