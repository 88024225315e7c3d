"""Upstream names that public projects' conftest files and tests import, used as they use them.

Each test follows a pattern found in public repositories' test suites
(threaded ``LocalDevServer`` fixtures, ``LocalGateway(app, Config())``
unit tests, ``Config.create(...)``, quiet ``ChaliceRequestHandler``
subclasses), so that these suites keep passing when pointed at this project.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalice import Chalice, CognitoUserPoolAuthorizer, __version__
from chalice.config import Config


@pytest.fixture
def sample_app() -> Chalice:
    demo = Chalice("demo-app")

    @demo.route("/", methods=["GET"])
    def index() -> dict[str, str]:
        return {"hello": "world"}

    @demo.route("/test-cors", methods=["POST"], cors=True)
    def test_cors() -> dict[str, str]:
        return {"hello": "world"}

    @demo.route("/env")
    def env() -> dict[str, Any]:
        import os

        return {"value": os.environ.get("COMPAT_VAR")}

    @demo.authorizer()
    def auth(request: Any) -> Any:
        from chalice import AuthResponse

        return AuthResponse(routes=["/private"], principal_id="user")

    @demo.route("/private", authorizer=auth)
    def private() -> dict[str, bool]:
        return {"private": True}

    return demo


def _get(address: tuple[str, int], method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(*address, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# -- chalice.local.LocalDevServer in a thread (pytest fixtures) --------------


class ThreadedLocalServer(threading.Thread):
    """The fixture shape public suites use: build the server in run(), signal, serve."""

    def __init__(self, app: Chalice, config: Config) -> None:
        super().__init__(daemon=True)
        self._app = app
        self._config = config
        self.server: Any = None
        self.ready = threading.Event()

    def run(self) -> None:
        from chalice.local import LocalDevServer

        self.server = LocalDevServer(self._app, self._config, "127.0.0.1", 0)
        self.ready.set()
        self.server.serve_forever()


@pytest.fixture
def threaded_server(sample_app: Chalice) -> Iterator[ThreadedLocalServer]:
    thread = ThreadedLocalServer(sample_app, Config())
    thread.start()
    assert thread.ready.wait(10)
    yield thread
    thread.server.server.shutdown()
    thread.server.server.server_close()
    thread.join(10)
    assert not thread.is_alive()


def test_local_dev_server_serves_requests(threaded_server: ThreadedLocalServer) -> None:
    address = threaded_server.server.server.server_address
    status, _, body = _get(address, "GET", "/")
    assert status == 200 and json.loads(body) == {"hello": "world"}


def test_local_dev_server_answers_preflight(threaded_server: ThreadedLocalServer) -> None:
    address = threaded_server.server.server.server_address
    for _ in range(2):
        status, headers, body = _get(address, "OPTIONS", "/test-cors")
        assert status == 200 and body == b""
        assert headers["Content-Length"] == "0"
        assert headers["Access-Control-Allow-Methods"] == "POST,OPTIONS"


def test_local_dev_server_prints_url_and_shuts_down(
    sample_app: Chalice, capsys: pytest.CaptureFixture[str]
) -> None:
    from chalice.local import ChaliceRequestHandler, LocalDevServer

    class SilentHandler(ChaliceRequestHandler):
        def log_message(self, *args: Any, **kwargs: Any) -> None:
            pass

    server = LocalDevServer(sample_app, Config(), "127.0.0.1", 0, handler_cls=SilentHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server.server_address
    assert _get((host, port), "GET", "/")[0] == 200
    server.shutdown()
    thread.join(10)
    assert not thread.is_alive()
    assert f"Serving on http://{host}:{port}" in capsys.readouterr().out


def test_create_local_server_helper(sample_app: Chalice) -> None:
    from chalice.local import LocalDevServer, create_local_server

    server = create_local_server(sample_app, Config(), "127.0.0.1", 0)
    assert isinstance(server, LocalDevServer)
    server.shutdown()


# -- chalice.local.LocalGateway (unit tests without a socket) ----------------


def test_local_gateway_returns_the_proxy_result(sample_app: Chalice) -> None:
    from chalice.local import LocalGateway

    gateway = LocalGateway(sample_app, Config())
    response = gateway.handle_request(method="GET", path="/", headers={}, body="")
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"hello": "world"}
    query = gateway.handle_request(method="GET", path="/?a=1", headers={}, body=b"")
    assert query["statusCode"] == 200


def test_local_gateway_raises_gateway_refusals(sample_app: Chalice) -> None:
    from chalice.local import (
        ForbiddenError,
        LocalGateway,
        LocalGatewayException,
        NotAuthorizedError,
    )

    gateway = LocalGateway(sample_app, Config())
    with pytest.raises(ForbiddenError) as missing:
        gateway.handle_request(method="GET", path="/nope", headers={}, body="")
    assert missing.value.CODE == 403
    assert missing.value.body == b'{"message": "Missing Authentication Token"}'
    assert missing.value.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    with pytest.raises(NotAuthorizedError) as unauthorized:
        gateway.handle_request(method="GET", path="/private", headers={}, body="")
    assert unauthorized.value.body == b'{"message":"Unauthorized"}'
    assert isinstance(unauthorized.value, LocalGatewayException)
    token = {"Authorization": "token"}
    allowed = gateway.handle_request(method="GET", path="/private", headers=token, body="")
    assert allowed["statusCode"] == 200


def test_local_gateway_subclass_adds_request_context(sample_app: Chalice) -> None:
    # pytest-chalice's gateway: overrides _generate_lambda_event, calls
    # super() and adds its custom context (e.g. Cognito claims) to each event.
    from chalice.local import LocalGateway

    @sample_app.route("/whoami")
    def whoami() -> dict[str, Any]:
        return {"authorizer": sample_app.current_request.context.get("authorizer")}

    class InternalLocalGateway(LocalGateway):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.custom_context: dict[str, Any] = {}
            super().__init__(*args, **kwargs)

        def _generate_lambda_event(self, *args: Any, **kwargs: Any) -> Any:
            event = super()._generate_lambda_event(*args, **kwargs)
            event["requestContext"].update(self.custom_context)
            return event

    gateway = InternalLocalGateway(sample_app, Config())
    gateway.custom_context = {"authorizer": {"claims": {"sub": "u1"}}}
    response = gateway.handle_request(method="GET", path="/whoami", headers={}, body="")
    assert json.loads(response["body"]) == {"authorizer": {"claims": {"sub": "u1"}}}


# -- chalice.config.Config ---------------------------------------------------


def test_config_with_no_arguments_has_defaults() -> None:
    config = Config()
    assert config.chalice_stage == "dev" and config.function_name == "api_handler"
    assert config.environment_variables == {}
    assert config.api_gateway_stage == "api"


def test_config_from_disk_and_stage(tmp_path: Path) -> None:
    document = {
        "version": "2.0",
        "app_name": "fromdisk",
        "environment_variables": {"TOP": "1"},
        "stages": {"prod": {"environment_variables": {"STAGE": "2"}, "lambda_timeout": 7}},
    }
    config = Config(chalice_stage="prod", config_from_disk=document)
    assert config.app_name == "fromdisk"
    assert config.environment_variables == {"TOP": "1", "STAGE": "2"}
    assert config.lambda_timeout == 7
    assert config.config_from_disk == document
    assert config.scope("prod", "other").function_name == "other"
    assert Config(config_from_disk=document).lambda_timeout == 60


def test_config_create_takes_user_parameters(sample_app: Chalice) -> None:
    config = Config.create(
        chalice_stage="prod",
        app_name="created",
        chalice_app=sample_app,
        project_dir="/somewhere",
        lambda_timeout=5,
        environment_variables={"A": "1"},
    )
    assert config.chalice_stage == "prod" and config.stage == "prod"
    assert config.app_name == "created"
    assert config.chalice_app is sample_app
    assert str(config.project_dir) == "/somewhere"
    assert config.lambda_timeout == 5
    assert config.environment_variables == {"A": "1"}
    assert Config.create(chalice_app=lambda: sample_app).chalice_app is sample_app


def test_config_create_feeds_the_local_server(sample_app: Chalice) -> None:
    # Config.create(lambda_timeout=...) handed to LocalDevServer, as suites do.
    from chalice.local import LocalDevServer

    server = LocalDevServer(sample_app, Config.create(lambda_timeout=86400), "127.0.0.1", 0)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        assert _get(server.server.server_address, "GET", "/")[0] == 200
    finally:
        server.shutdown()
        thread.join(10)


def test_config_create_user_params_beat_the_file_but_not_function_sections() -> None:
    document = {
        "app_name": "x",
        "lambda_timeout": 10,
        "stages": {"dev": {"lambda_functions": {"api_handler": {"lambda_memory_size": 512}}}},
    }
    config = Config(
        config_from_disk=document,
        user_provided_params={"lambda_timeout": 20, "lambda_memory_size": 1024},
    )
    assert config.lambda_timeout == 20
    assert config.lambda_memory_size == 512  # upstream's precedence (quirk 7)


def test_config_default_params_are_the_lowest_layer() -> None:
    config = Config(config_from_disk={"app_name": "x"}, default_params={"lambda_timeout": 33})
    assert config.lambda_timeout == 33
    assert Config(config_from_disk={"app_name": "x", "lambda_timeout": 1}).lambda_timeout == 1


# -- chalice.__version__ -----------------------------------------------------


def test_version_is_exported() -> None:
    import chalice

    assert chalice.__version__ == __version__
    assert __version__.split(".")[0].isdigit()


def test_cognito_import_still_public() -> None:
    # Names conftest files import from the top-level package.
    assert CognitoUserPoolAuthorizer.__name__ == "CognitoUserPoolAuthorizer"


# -- chalice.utils -----------------------------------------------------------


def test_serialize_to_json_matches_upstream_layout() -> None:
    from chalice.utils import serialize_to_json

    # A tool (coworks) writes config files with it: 2-space indent, newline.
    assert serialize_to_json({"b": 1, "a": [1, {"x": None}]}) == (
        '{\n  "b": 1,\n  "a": [\n    1,\n    {\n      "x": null\n    }\n  ]\n}\n'
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("foo-bar_baz", "FooBarBaz"), ("a.b", "Ab"), ("x-y-z", "XYZ"), ("1abc", "1abc")],
)
def test_to_cfn_resource_name(name: str, expected: str) -> None:
    from chalice.utils import to_cfn_resource_name

    assert to_cfn_resource_name(name) == expected


def test_ui_write_error_confirm() -> None:
    import io

    from chalice.utils import UI, AbortedError

    out, err = io.StringIO(), io.StringIO()
    answers = iter([True, False])
    ui = UI(out, err, confirm=lambda message, default: next(answers))
    ui.write("hi")
    ui.error("bad")
    assert (out.getvalue(), err.getvalue()) == ("hi", "bad")
    assert ui.confirm("Continue?") is True
    with pytest.raises(AbortedError):
        ui.confirm("Really?", abort=True)


def test_os_utils_file_helpers(tmp_path: Path) -> None:
    from chalice.utils import OSUtils

    osutils = OSUtils()
    target = osutils.joinpath(str(tmp_path), "sub", "f.txt")
    osutils.makedirs(osutils.dirname(target))
    osutils.set_file_contents(target, b"bytes")
    assert osutils.file_exists(target) and osutils.directory_exists(osutils.dirname(target))
    assert osutils.get_file_contents(target) == b"bytes"
    osutils.set_file_contents(target, "text", binary=False)
    assert osutils.get_file_contents(target, binary=False) == "text"
    assert osutils.get_directory_contents(osutils.dirname(target)) == ["f.txt"]
    with osutils.tempdir() as scratch:
        osutils.copytree(str(tmp_path / "sub"), scratch)
        assert osutils.file_exists(osutils.joinpath(scratch, "f.txt"))
    osutils.remove_file(target)
    osutils.remove_file(target)  # no error the second time
    assert not osutils.file_exists(target)


def test_lazy_compat_names_match_the_compat_module() -> None:
    """``chalice.local`` lists the names it loads lazily; they must be compat's."""
    import chalice.local
    from chalice.local import compat

    assert set(compat.__all__) == chalice.local._COMPAT
    for name in compat.__all__:
        assert getattr(chalice.local, name) is getattr(compat, name)
