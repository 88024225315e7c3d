"""Blueprints: deferred registration, prefixes, handler strings, proxies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalice import Blueprint, Chalice
from chalice.app._app import join_url
from tests.runtime.conftest import body_of, rest_event


def test_registration_is_deferred_and_prefixed() -> None:
    bp = Blueprint("chalicelib.api")

    @bp.route("/")
    def root() -> dict[str, str]:
        return {"bp": "root"}

    @bp.route("/items/{id}", methods=["GET"], name="get_item")
    def item(id: str) -> dict[str, str]:
        assert bp.current_request is not None
        return {"id": id}

    @bp.on_sqs_message(queue="q")
    def on_queue(event: Any) -> None:
        return None

    @bp.lambda_function()
    def worker(event: Any, context: Any) -> Any:
        return bp.current_app.app_name

    @bp.authorizer()
    def auth(request: Any) -> dict[str, str]:
        return {}

    app = Chalice("bp", configure_logs=False)
    assert not app.routes
    with pytest.raises(RuntimeError, match="register_blueprint"):
        bp.current_app  # noqa: B018
    with pytest.raises(RuntimeError):
        bp.log  # noqa: B018

    app.register_blueprint(bp, name_prefix="v1_", url_prefix="/v1")
    assert set(app.routes) == {"/v1", "/v1/items/{id}"}
    assert app.routes["/v1/items/{id}"]["GET"].view_name == "v1_get_item"
    assert app.routes["/v1"]["GET"].view_name == "v1_root"
    assert app.event_sources[0].name == "v1_on_queue"
    assert app.event_sources[0].handler_string == "chalicelib.api.on_queue"
    assert app.pure_lambda_functions[0].name == "v1_worker"
    assert app.builtin_auth_handlers[0].name == "v1_auth"
    assert app.builtin_auth_handlers[0].handler_string == "chalicelib.api.auth"
    assert set(app.handler_map) == {"v1_on_queue", "v1_worker", "v1_auth"}
    assert worker({}, None) == "bp"
    assert bp.log is app.log and bp.lambda_context is None

    result = app(rest_event("/v1/items/{id}", params={"id": "7"}), None)
    assert body_of(result) == {"id": "7"}


def test_no_prefix() -> None:
    bp = Blueprint("mod")
    bp.route("/x")(lambda: {})
    app = Chalice("bp", configure_logs=False)
    app.register_blueprint(bp)
    assert list(app.routes) == ["/x"]


def test_blueprint_uses_app_cors_default_at_registration() -> None:
    bp = Blueprint("mod")
    bp.route("/x")(lambda: {})
    app = Chalice("bp", configure_logs=False)
    app.api.cors = True
    app.register_blueprint(bp)
    assert app.routes["/x"]["GET"].cors is not None


@pytest.mark.parametrize(
    "prefix,path,expected",
    [
        ("/foo", "/", "/foo"),
        ("/p", "/bar", "/p/bar"),
        ("/p/", "/bar/", "/p/bar"),
        ("/p", "/{id}", "/p/{id}"),
        ("", "/x", "/x"),
        ("/", "/", "/"),
    ],
)
def test_join_url(prefix: str, path: str, expected: str) -> None:
    assert join_url(prefix, path) == expected


_seg = st.text(alphabet="abc{}_0", min_size=1, max_size=5)


@given(st.lists(_seg, min_size=1, max_size=3), st.lists(_seg, max_size=3))
def test_join_url_property(prefix_parts: list[str], path_parts: list[str]) -> None:
    joined = join_url("/" + "/".join(prefix_parts), "/" + "/".join(path_parts))
    assert joined.startswith("/")
    assert joined == "/" or not joined.endswith("/")
    assert "//" not in joined
