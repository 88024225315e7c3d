"""``Blueprint``: a group of handlers recorded on an app by ``register_blueprint``.

A blueprint offers every decorator of the app; registrations wait until the
blueprint is registered, then get the ``name_prefix``/``url_prefix`` and use
``import_name`` as the module of their Lambda handler strings. Unlike
upstream, websocket handlers of a blueprint are wrapped like the app's.
A blueprint never touches an app's registries itself: ``Chalice`` applies
its registrations.
"""

from __future__ import annotations

from chalice.app._decorators import DecoratorAPI, Registration

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from typing import Any

    from chalice.app._app import Chalice
    from chalice.app._http import Request


class Blueprint(DecoratorAPI):
    """Handlers defined in another module: ``bp = Blueprint(__name__)``."""

    def __init__(self, import_name: str) -> None:
        if not isinstance(import_name, str):
            raise TypeError(f"Blueprint(import_name) must be a module name, got {import_name!r}")
        self._import_name = import_name
        self._registrations: list[Registration] = []
        self._current_app: Chalice | None = None

    def _register(self, registration: Registration) -> None:
        self._registrations.append(registration)

    def _bind(self, app: Chalice) -> None:
        self._current_app = app

    def _app(self, attribute: str) -> Chalice:
        app = self._current_app
        if app is None:
            raise RuntimeError(
                f"Blueprint {self._import_name!r}: {attribute} is only available after "
                "app.register_blueprint(...) has been called"
            )
        return app

    @property
    def current_app(self) -> Chalice:
        """The app this blueprint was registered on."""
        return self._app("current_app")

    @property
    def current_request(self) -> Request | None:
        """The app's current REST request."""
        return self._app("current_request").current_request

    @property
    def lambda_context(self) -> Any:
        """The app's current Lambda context."""
        return self._app("lambda_context").lambda_context

    @property
    def log(self) -> logging.Logger:
        """The app's logger."""
        return self._app("log").log

    def __repr__(self) -> str:
        return f"Blueprint({self._import_name!r})"
