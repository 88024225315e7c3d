"""Route matching: API Gateway's precedence, trailing slashes, greedy parameters, the route index."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalice.app._snapshot import RouteSpec
from chalice.local.routing import RouteIndex, RouteMatch, RouteTable, normalize_path


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


def _spec(path: str, method: str, cors: bool = False) -> RouteSpec:
    from chalice.app import CORSConfig
    from chalice.app._snapshot import cors_spec

    return RouteSpec(
        path=path, method=method, view_name=f"{method}{path}", view_function="app.f",
        docstring=None, api_key_required=False, content_types=("application/json",),
        cors=cors_spec(CORSConfig(allow_origin="https://o")) if cors else None,
        authorizer=None, path_params=(),
    )  # fmt: skip


def test_route_index_groups_snapshot_routes_by_template() -> None:
    index = RouteIndex([_spec("/a/{id}", "GET"), _spec("/a/me", "GET"), _spec("/a/{id}", "PUT")])
    match = index.match("/a/7")
    assert match == RouteMatch("/a/{id}", {"id": "7"})
    assert list(index.methods("/a/{id}")) == ["GET", "PUT"]
    assert index.methods("/unknown") == {}


def test_route_index_preflight_headers() -> None:
    index = RouteIndex(
        [_spec("/c", "GET", cors=True), _spec("/c", "PUT"), _spec("/c", "POST", True)]
    )
    headers = index.preflight_headers("/c")
    assert headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert headers["Access-Control-Allow-Origin"] == "https://o"
    assert RouteIndex([_spec("/n", "GET")]).preflight_headers("/n") == {
        "Access-Control-Allow-Methods": "OPTIONS"
    }


def test_the_test_client_sees_methods_added_to_a_known_path() -> None:
    from chalice.app import Chalice
    from chalice.test import Client

    app = Chalice(app_name="late")

    @app.route("/x")
    def get_x() -> dict[str, str]:
        return {"m": "get"}

    with Client(app) as client:
        assert client.http.get("/x").json_body == {"m": "get"}

        @app.route("/x", methods=["POST"])
        def post_x() -> dict[str, str]:
            return {"m": "post"}

        assert client.http.post("/x").json_body == {"m": "post"}
