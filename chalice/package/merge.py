"""``--merge-template``: read a user's JSON/YAML file and deep-merge it into ours.

The YAML loader understands CloudFormation's short-form intrinsic functions
(``!Ref``, ``!GetAtt a.b``, ``!Sub``, ``!If``, ``!Join``...), turning them
into the long JSON form so the merged template can be written as either JSON
or YAML. Errors name the file and, for syntax errors, the line and column.
This module reads one file; it never writes anything.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from chalice.errors import PackageError

YAML_SUFFIXES = (".yaml", ".yml")

# Tags that keep their own name (``!Ref x`` -> ``{"Ref": "x"}``,
# ``!Condition c`` -> ``{"Condition": "c"}``); every other tag becomes
# ``Fn::<Tag>``.
_BARE_TAGS = frozenset({"Ref", "Condition"})
_FN_TAGS = (
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
)


def is_yaml_path(path: str | Path) -> bool:
    """True when the file's suffix asks for YAML (which also forces YAML output)."""
    return str(path).lower().endswith(YAML_SUFFIXES)


class _CfnYamlLoader(yaml.SafeLoader):
    """A safe loader that also accepts the CloudFormation short-form tags."""


def _construct_intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    name = tag_suffix
    key = name if name in _BARE_TAGS else f"Fn::{name}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "GetAtt" and isinstance(value, str):
            # ``!GetAtt Res.Attr`` -> [Res, Attr]; attributes may contain dots
            # (``Endpoint.Address``), the resource name cannot.
            resource, _, attribute = value.partition(".")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


def _single_tag_constructor(name: str) -> Callable[[yaml.SafeLoader, yaml.Node], Any]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        return _construct_intrinsic(loader, name, node)

    return construct


def _add_intrinsic_constructors() -> None:
    for name in (*_BARE_TAGS, *_FN_TAGS):
        _CfnYamlLoader.add_constructor(f"!{name}", _single_tag_constructor(name))
    # Unknown ``!Tags`` are still read (as Fn::<Tag>) rather than rejected:
    # CloudFormation adds functions over time.
    _CfnYamlLoader.add_multi_constructor("!", _construct_intrinsic)


_add_intrinsic_constructors()


def parse_yaml(text: str) -> Any:
    """Parse YAML with the CloudFormation short-form tags (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=_CfnYamlLoader)  # noqa: S506 - a SafeLoader subclass


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
        try:
            data = parse_yaml(text)
        except yaml.YAMLError as exc:
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
    return data


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
