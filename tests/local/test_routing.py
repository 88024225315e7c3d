"""Route matching: API Gateway's precedence, trailing slashes, greedy parameters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalice.local.routing import RouteMatch, RouteTable, normalize_path


def test_literal_beats_parameter_regardless_of_registration_order() -> None:
    table = RouteTable(["/users/{id}", "/users/me", "/{a}/me"])
    assert table.match("/users/me") == RouteMatch("/users/me", {})
    assert table.match("/users/7") == RouteMatch("/users/{id}", {"id": "7"})
    assert table.match("/groups/me") == RouteMatch("/{a}/me", {"a": "groups"})


def test_precedence_is_per_segment() -> None:
    table = RouteTable(["/{a}/b", "/a/{b}"])
    assert table.match("/a/b") == RouteMatch("/a/{b}", {"b": "b"})


def test_trailing_slash_and_root() -> None:
    table = RouteTable(["/", "/items"])
    assert table.match("/") == RouteMatch("/", {})
    assert table.match("/items/") == RouteMatch("/items", {})
    assert table.match("/items//") is None
    assert normalize_path("/") == "/"


def test_unknown_and_wrong_length_paths() -> None:
    table = RouteTable(["/a/{b}"])
    assert table.match("/a") is None
    assert table.match("/a/b/c") is None
    assert table.match("/a//") is None  # an empty parameter never matches


def test_greedy_parameter_takes_the_rest() -> None:
    table = RouteTable(["/files/{path+}", "/files/{name}", "/{proxy+}"])
    assert table.match("/files/a") == RouteMatch("/files/{name}", {"name": "a"})
    assert table.match("/files/a/b.txt") == RouteMatch("/files/{path+}", {"path": "a/b.txt"})
    assert table.match("/other/x") == RouteMatch("/{proxy+}", {"proxy": "other/x"})
    assert RouteTable(["/files/{path+}"]).match("/files") is None


def test_returned_params_are_fresh_dicts() -> None:
    table = RouteTable(["/a/{b}"])
    first = table.match("/a/1")
    assert first is not None
    first.path_params["b"] = "changed"
    assert table.match("/a/1") == RouteMatch("/a/{b}", {"b": "1"})


_segment = st.text(alphabet="abcxyz019-_.", min_size=1, max_size=8)


@given(st.lists(st.tuples(st.booleans(), _segment), min_size=1, max_size=5))
def test_a_path_built_from_a_template_matches_it(parts: list[tuple[bool, str]]) -> None:
    template = "/" + "/".join(
        "{p" + str(i) + "}" if param else text for i, (param, text) in enumerate(parts)
    )
    path = "/" + "/".join(text for _, text in parts)
    match = RouteTable([template]).match(path)
    assert match is not None
    assert match.resource_path == template
    assert match.path_params == {f"p{i}": text for i, (param, text) in enumerate(parts) if param}
