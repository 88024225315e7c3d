"""Serializers and the --single-file zip are deterministic."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from chalice.package.merge import parse_yaml
from chalice.package.serialize import TemplateFormat, dump_template, to_json, to_yaml, zip_directory

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "B": {"Type": "X", "Properties": {"List": [1, 2], "On": "yes"}},
        "A": {"Type": "Y"},
    },
}


def test_json_keeps_key_order() -> None:
    text = to_json(TEMPLATE)
    assert list(json.loads(text)["Resources"]) == ["B", "A"]
    assert text.endswith("\n")


def test_yaml_round_trips_and_quotes_ambiguous_scalars() -> None:
    shared = {"same": "object"}
    text = to_yaml({**TEMPLATE, "X": shared, "Y": shared})
    assert "&" not in text and "*" not in text  # no anchors/aliases
    assert yaml.safe_load(text) == {**TEMPLATE, "X": shared, "Y": shared}
    assert parse_yaml(text)["AWSTemplateFormatVersion"] == "2010-09-09"
    assert text.index("AWSTemplateFormatVersion") < text.index("Resources")


def test_dump_template_dispatch() -> None:
    assert dump_template(TEMPLATE, TemplateFormat.JSON) == to_json(TEMPLATE)
    assert dump_template(TEMPLATE, TemplateFormat.YAML) == to_yaml(TEMPLATE)
    assert TemplateFormat.YAML.suffix == ".yaml"


def test_zip_directory_is_reproducible(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "b.txt").write_text("b")
    (src / "sub" / "a.txt").write_text("a")
    zip_directory(src, tmp_path / "one.zip")
    os.utime(src / "b.txt", (0, 0))
    (src / "b.txt").chmod(0o600)
    zip_directory(src, tmp_path / "two.zip")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        assert zf.namelist() == ["b.txt", "sub/a.txt"]
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        assert zf.read("sub/a.txt") == b"a"


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(
        ["!Ref x", "2010-09-09", "yes", "no", "on", "0x1F", "1e3", "~", "${A}", "- a"]
    )
)
_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(deadline=None)
@given(st.dictionaries(st.text(max_size=6), _values, max_size=4))
def test_yaml_output_reads_back_identically(template: dict[str, object]) -> None:
    # Including through the merge-template reader: what we write can be merged back.
    text = to_yaml(template)
    assert yaml.safe_load(text) == template
    assert parse_yaml(text) == template
    assert json.loads(to_json(template)) == template
