"""--merge-template: deep merge and the YAML loader with CloudFormation short tags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalice.errors import PackageError
from chalice.package.merge import deep_merge, is_yaml_path, load_merge_template, parse_yaml


def test_deep_merge_overrides_recursively_without_mutating() -> None:
    base = {"a": {"x": 1, "y": {"z": 2}}, "b": [1, 2], "c": "keep"}
    override = {"a": {"y": {"w": 3}}, "b": [9], "d": {"new": True}}
    merged = deep_merge(base, override)
    assert merged == {
        "a": {"x": 1, "y": {"z": 2, "w": 3}},
        "b": [9],
        "c": "keep",
        "d": {"new": True},
    }
    assert base == {"a": {"x": 1, "y": {"z": 2}}, "b": [1, 2], "c": "keep"}


def test_non_mapping_values_win_as_a_whole() -> None:
    assert deep_merge({"a": {"x": 1}}, {"a": "flat"}) == {"a": "flat"}
    assert deep_merge({"a": "flat"}, {"a": {"x": 1}}) == {"a": {"x": 1}}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)
_objects = st.dictionaries(st.text(max_size=3), _json, max_size=4)


@given(_objects, _objects)
def test_merge_properties(base: dict[str, Any], override: dict[str, Any]) -> None:
    merged = deep_merge(base, override)
    assert set(merged) == set(base) | set(override)
    for key, value in override.items():
        if not (isinstance(value, dict) and isinstance(base.get(key), dict)):
            assert merged[key] == value
    assert deep_merge(merged, override) == merged  # idempotent
    assert deep_merge(base, {}) == base


def test_short_form_tags() -> None:
    doc = parse_yaml(
        """
a: !Ref Thing
b: !GetAtt Thing.Arn
c: !GetAtt Db.Endpoint.Address
d: !Sub "arn:${AWS::Partition}:s3:::x"
e: !Sub ["${A}", {A: !Ref B}]
f: !If [Cond, yes, no]
g: !Join ["", [a, !Ref B]]
h: !Condition IsProd
i: !Select [0, !GetAZs ""]
j: !Base64 "text"
k: !FutureFunction {x: 1}
"""
    )
    assert doc == {
        "a": {"Ref": "Thing"},
        "b": {"Fn::GetAtt": ["Thing", "Arn"]},
        "c": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
        "d": {"Fn::Sub": "arn:${AWS::Partition}:s3:::x"},
        "e": {"Fn::Sub": ["${A}", {"A": {"Ref": "B"}}]},
        "f": {"Fn::If": ["Cond", True, False]},
        "g": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
        "h": {"Condition": "IsProd"},
        "i": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
        "j": {"Fn::Base64": "text"},
        "k": {"Fn::FutureFunction": {"x": 1}},
    }


def test_getatt_sequence_form() -> None:
    assert parse_yaml("a: !GetAtt [R, Arn]") == {"a": {"Fn::GetAtt": ["R", "Arn"]}}


def test_yaml_suffixes() -> None:
    assert is_yaml_path("x.yaml") and is_yaml_path("X.YML") and not is_yaml_path("x.json")


def test_load_json_and_yaml(tmp_path: Path) -> None:
    j = tmp_path / "m.json"
    j.write_text(json.dumps({"Resources": {"A": {"Type": "T"}}}))
    assert load_merge_template(j) == {"Resources": {"A": {"Type": "T"}}}
    y = tmp_path / "m.yml"
    y.write_text("Resources:\n  A:\n    Value: !Ref B\n")
    assert load_merge_template(y) == {"Resources": {"A": {"Value": {"Ref": "B"}}}}


def test_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(PackageError) as err:
        load_merge_template(missing)
    assert str(missing) in str(err.value) and "does not exist" in str(err.value)


def test_invalid_json_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "Resources": {\n    "A": ,\n  }\n}\n')
    with pytest.raises(PackageError) as err:
        load_merge_template(bad)
    assert f"{bad}, line 3, column 10" in str(err.value)
    assert "not valid JSON" in str(err.value)


def test_invalid_yaml_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("Resources:\n  A: [1, 2\n  B: 3\n")
    with pytest.raises(PackageError) as err:
        load_merge_template(bad)
    message = str(err.value)
    assert str(bad) in message and "line 3" in message and "column" in message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    with pytest.raises(PackageError, match="must hold a mapping"):
        load_merge_template(bad)
