"""validate_routes / validate_route_content_types (used by deploy and chalice local)."""

from __future__ import annotations

import pytest

from chalice import Chalice, CORSConfig
from chalice.app import validate_route_content_types, validate_routes


def _app() -> Chalice:
    return Chalice("v", configure_logs=False)


def test_valid_app_passes() -> None:
    app = _app()
    app.route("/")(lambda: None)
    app.route("/a", methods=["GET", "POST"], cors=True)(lambda: None)
    validate_routes(app.routes)
    validate_route_content_types(app.routes, app.api.binary_types)


@pytest.mark.parametrize("path,match", [("", "empty"), ("/a/", "trailing slash")])
def test_bad_paths(path: str, match: str) -> None:
    app = _app()
    app.route(path)(lambda: None)
    with pytest.raises(ValueError, match=match):
        validate_routes(app.routes)


def test_cors_with_explicit_options() -> None:
    app = _app()
    app.route("/a", methods=["GET"], cors=True)(lambda: None)
    app.route("/a", methods=["OPTIONS"])(lambda: None)
    with pytest.raises(ValueError, match="OPTIONS"):
        validate_routes(app.routes)


def test_differing_cors_configs() -> None:
    app = _app()
    app.route("/a", methods=["GET"], cors=True)(lambda: None)
    app.route("/a", methods=["POST"], cors=CORSConfig(allow_origin="https://x"))(lambda: None)
    with pytest.raises(ValueError, match="same CORSConfig"):
        validate_routes(app.routes)


def test_mixed_content_types() -> None:
    app = _app()
    app.route("/a", methods=["POST"], content_types=["application/json", "image/png"])(lambda: None)
    with pytest.raises(ValueError, match="mix binary and non-binary"):
        validate_route_content_types(app.routes, app.api.binary_types)
