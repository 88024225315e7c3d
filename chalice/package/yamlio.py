"""YAML reading and writing for ``chalice package`` (PyYAML), imported only when YAML is used.

Reading understands CloudFormation's short-form intrinsic functions
(``!Ref``, ``!GetAtt a.b``, ``!Sub``...); writing is block style without
aliases. Kept apart from ``merge.py`` and ``serialize.py`` because importing
PyYAML and building its loader classes costs more than the rest of a cached
``chalice package`` run that writes JSON. This module does no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

YAMLError = yaml.YAMLError

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


class _BlockDumper(yaml.SafeDumper):
    """A safe dumper that never emits anchors/aliases for repeated values.

    Templates reuse the same dict objects (a shared role, the same layer
    list); aliases would be valid YAML but unreadable and confuse some tools.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


def to_yaml(template: Any) -> str:
    """Block-style YAML via the safe dumper, in the template's key order.

    Non-ASCII characters are written as escapes: PyYAML emits some of them
    raw (NEL, U+0085) where a YAML reader sees a line break, so the file
    would not read back as the template it came from.
    """
    text: str = yaml.dump(
        template,
        Dumper=_BlockDumper,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=False,
        width=1_000_000,
    )
    return text
