"""``Chalice``: the application object, its registries, and the REST entry point.

Decorators (``_decorators``) produce registrations; ``apply_registration``
records them in the registries tooling reads (``routes``, ``event_sources``,
``handler_map`` ...). ``Chalice.__call__`` is the REST Lambda entry point and
hands over to ``_rest`` (imported on the first request, so event-only
functions never load it), or to ``_http_v2`` for payload format 2.0 events
(HTTP APIs, function URLs; imported on the first one, so REST-only
functions never load it). ``app.log`` is created on first use because
``logging`` is one of the costliest stdlib imports at cold start; this
module must never import ``logging`` (or anything slow) at module level.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict

from chalice.app._decorators import DecoratorAPI, Registration

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, MutableMapping
    from typing import Any

    from chalice.app._blueprint import Blueprint
    from chalice.app._cors import CORSConfig
    from chalice.app._http import Request
    from chalice.app._registry import (
        BuiltinAuthConfig,
        PureLambdaConfig,
        RouteEntry,
        WebsocketHandlerConfig,
    )
    from chalice.app._websocket import WebsocketAPI

_DEFAULT_BINARY_TYPES = (
    "application/octet-stream",
    "application/x-tar",
    "application/zip",
    "audio/basic",
    "audio/ogg",
    "audio/mp4",
    "audio/mpeg",
    "audio/wav",
    "audio/webm",
    "image/png",
    "image/jpg",
    "image/jpeg",
    "image/gif",
    "video/ogg",
    "video/mpeg",
    "video/webm",
)


class APIGateway:
    """``app.api``: REST API settings (binary media types, global CORS)."""

    __slots__ = ("binary_types", "cors")

    def __init__(self) -> None:
        self.binary_types: list[str] = list(_DEFAULT_BINARY_TYPES)
        #: Default CORS for routes registered afterwards: False, True or a CORSConfig.
        self.cors: bool | CORSConfig = False

    @property
    def default_binary_types(self) -> list[str]:
        """The binary media types API Gateway gets by default (a copy)."""
        return list(_DEFAULT_BINARY_TYPES)


def _execution_env_tag(env: MutableMapping[str, str]) -> None:
    # Identifies the framework in AWS's user-agent statistics. Added once even
    # when a process builds several apps (upstream appended it every time).
    chalice_pkg = sys.modules.get("chalice")
    version = getattr(chalice_pkg, "__version__", "0")
    tag = f"aws-chalice/{version}"
    current = env.get("AWS_EXECUTION_ENV", "AWS_Lambda")
    if tag not in current.split(" "):
        env["AWS_EXECUTION_ENV"] = f"{current} {tag}"


class Chalice(DecoratorAPI):
    """A Chalice application: ``app = Chalice(app_name='myapp')``.

    Calling the app is the REST API's Lambda handler (``app.app``).
    """

    def __init__(
        self,
        app_name: str,
        debug: bool = False,
        configure_logs: bool = True,
        env: MutableMapping[str, str] | None = None,
    ) -> None:
        if not isinstance(app_name, str):
            raise TypeError(f"Chalice(app_name=...) must be a string, got {app_name!r}")
        self.app_name = app_name
        self.api = APIGateway()
        self.configure_logs = configure_logs
        self._debug = debug
        self._debug_assigned = False
        self._log: logging.Logger | None = None
        self._websocket_api: WebsocketAPI | None = None
        self.current_request: Request | None = None
        self.lambda_context: Any = None
        self.experimental_feature_flags: set[str] = set()
        self._features_used: set[str] = set()
        self.routes: defaultdict[str, dict[str, RouteEntry]] = defaultdict(dict)
        self.websocket_handlers: dict[str, WebsocketHandlerConfig] = {}
        self.builtin_auth_handlers: list[BuiltinAuthConfig] = []
        self.event_sources: list[Any] = []
        self.pure_lambda_functions: list[PureLambdaConfig] = []
        self.handler_map: dict[str, Callable[..., Any]] = {}
        self.middleware_handlers: list[tuple[Callable[..., Any], str]] = []
        self.blueprints: list[Blueprint] = []
        # REST dispatch state, owned by _rest: (middleware count, chain).
        self._http_chain: tuple[int, Any] | None = None
        # The same for payload format 2.0, owned by _http_v2, plus its route
        # matcher: (route count, matcher).
        self._http_v2_chain: tuple[int, Any] | None = None
        self._http_v2_routes: tuple[int, Any] | None = None
        _execution_env_tag(os.environ if env is None else env)

    # -- logging / debug ---------------------------------------------------

    @property
    def debug(self) -> bool:
        """Debug mode: tracebacks in 500 responses and ``app.log`` at DEBUG."""
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self._debug = value
        # Setting debug always sets the level (upstream too), even on a
        # logger that is only created later.
        self._debug_assigned = True
        if self._log is not None:
            self._log.setLevel(10 if value else 40)  # logging.DEBUG / logging.ERROR

    @property
    def log(self) -> logging.Logger:
        """``logging.getLogger(app_name)``; with ``configure_logs`` it prints to stdout."""
        log = self._log
        if log is None:
            from chalice.app._logging import make_logger

            log = self._log = make_logger(
                self.app_name, self.configure_logs, self._debug, set_level=self._debug_assigned
            )
        return log

    @log.setter
    def log(self, value: logging.Logger) -> None:
        self._log = value

    # -- websockets --------------------------------------------------------

    @property
    def websocket_api(self) -> WebsocketAPI:
        """Send to / close / inspect websocket connections."""
        api = self._websocket_api
        if api is None:
            from chalice.app._websocket import WebsocketAPI

            api = self._websocket_api = WebsocketAPI()
        return api

    @websocket_api.setter
    def websocket_api(self, value: WebsocketAPI) -> None:
        self._websocket_api = value

    # -- registration ------------------------------------------------------

    def _register(self, registration: Registration) -> None:
        apply_registration(self, registration, name_prefix="", url_prefix="", module="app")

    def register_blueprint(
        self, blueprint: Blueprint, name_prefix: str | None = None, url_prefix: str | None = None
    ) -> None:
        """Record every handler of ``blueprint`` on this app (and bind the blueprint)."""
        blueprint._bind(self)
        for registration in blueprint._registrations:
            apply_registration(
                self,
                registration,
                name_prefix=name_prefix or "",
                url_prefix=url_prefix or "",
                module=blueprint._import_name,
            )
        self.blueprints.append(blueprint)

    # -- HTTP entry point --------------------------------------------------

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Lambda handler of the API: REST proxy events, HTTP API and function URL events.

        Payload format 2.0 (``"version": "2.0"``: HTTP APIs, function URLs)
        goes to ``_http_v2``, imported on the first such event; everything
        else is a REST proxy event.
        """
        if event.__class__ is dict and event.get("version") == "2.0":
            handle_v2 = _v2_handler[0]
            if handle_v2 is None:
                from chalice.app._http_v2 import handle_http_v2

                handle_v2 = _v2_handler[0] = handle_http_v2
            return handle_v2(self, event, context)
        handle = _rest_handler[0]
        if handle is None:
            from chalice.app._rest import handle_rest

            handle = _rest_handler[0] = handle_rest
        return handle(self, event, context)


# ``_rest`` is imported on the first REST request (event-only functions never
# need it) and kept here so later requests skip the import statement.
_rest_handler: list[Callable[[Chalice, dict[str, Any], Any], dict[str, Any]] | None] = [None]
# Likewise ``_http_v2``, on the first payload format 2.0 event.
_v2_handler: list[Callable[[Chalice, dict[str, Any], Any], dict[str, Any]] | None] = [None]


def join_url(prefix: str, path: str) -> str:
    """Blueprint ``url_prefix`` + route path: ``/p`` + ``/bar`` is ``/p/bar``, ``/foo`` + ``/`` is ``/foo``."""
    if not prefix:
        return path
    joined = prefix.rstrip("/") + "/" + path.strip("/")
    joined = joined.rstrip("/")
    return joined or "/"


def apply_registration(
    app: Chalice, reg: Registration, *, name_prefix: str, url_prefix: str, module: str
) -> None:
    """Record one decorated function in ``app``'s registries."""
    func_name = getattr(reg.func, "__name__", "handler")
    name = name_prefix + (reg.name or func_name)
    handler_string = f"{module}.{func_name}"
    kind = reg.kind
    if kind == "route":
        _add_route(app, reg, name, url_prefix)
    elif kind == "event":
        app.event_sources.append(reg.make_config(name, handler_string))  # type: ignore[misc]
        reg.handler.bind(app)
        app.handler_map[name] = reg.handler
    elif kind == "lambda":
        from chalice.app._registry import PureLambdaConfig

        app.pure_lambda_functions.append(PureLambdaConfig(reg.handler, name, handler_string))
        reg.handler.bind(app)
        app.handler_map[name] = reg.handler
    elif kind == "authorizer":
        from chalice.app._registry import BuiltinAuthConfig

        auth = reg.handler
        old = auth.config
        auth.name = name
        auth.config = BuiltinAuthConfig(
            name,
            handler_string,
            ttl_seconds=old.ttl_seconds,
            execution_role=old.execution_role,
            header=old.header,
            simple_responses=old.simple_responses,
        )
        app.builtin_auth_handlers.append(auth.config)
        app.handler_map[name] = auth
    elif kind == "websocket":
        _add_websocket(app, reg, name, handler_string)
    elif kind == "middleware":
        app.middleware_handlers.append((reg.func, reg.options["event_type"]))
    else:  # pragma: no cover - Registration kinds are fixed in _decorators
        raise AssertionError(kind)


# The decorator that registers each route key, as named in error messages.
_WS_DECORATORS = {
    "$connect": "on_ws_connect",
    "$default": "on_ws_message",
    "$disconnect": "on_ws_disconnect",
}


def _add_websocket(app: Chalice, reg: Registration, name: str, handler_string: str) -> None:
    from chalice.app._registry import WebsocketHandlerConfig

    route_key = reg.options["route_key"]
    existing = app.websocket_handlers.get(route_key)
    if existing is not None:
        # Upstream's exact text: suites assert on it.
        raise ValueError(
            f"Duplicate websocket handler: {_WS_DECORATORS.get(route_key, route_key)!r}. "
            "There can only be one handler for each websocket decorator."
        )
    app.websocket_handlers[route_key] = WebsocketHandlerConfig(
        name, handler_string, route_key, reg.handler
    )
    reg.handler.bind(app, app.websocket_api)
    app.handler_map[name] = reg.handler
    app._features_used.add("WEBSOCKETS")


def _add_route(app: Chalice, reg: Registration, view_name: str, url_prefix: str) -> None:
    from chalice.app._registry import RouteEntry

    options = reg.options
    path = join_url(url_prefix, options["path"])
    cors = options["cors"]
    if cors is None:
        cors = app.api.cors
    if cors is True:
        from chalice.app._cors import CORSConfig

        cors = CORSConfig()
    elif cors is False:
        cors = None
    methods = app.routes[path]
    for method in options["methods"]:
        existing = methods.get(method)
        if existing is not None:
            raise ValueError(
                f"Duplicate method: {method} on route {path!r} is registered by both view "
                f"functions {existing.view_name!r} and {view_name!r}; a path and method "
                "may be registered only once"
            )
        methods[method] = RouteEntry(
            reg.func,
            view_name,
            path,
            method,
            api_key_required=options["api_key_required"],
            content_types=options["content_types"],
            cors=cors,
            authorizer=options["authorizer"],
        )
