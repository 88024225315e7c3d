"""Per-thread request state for an app served by more than one thread.

The runtime keeps the request being served on the app object
(``app.current_request``, ``app.lambda_context``): right in Lambda, where a
process serves one request at a time, wrong in ``chalice local``, whose
server may run a blocked view on one thread while another serves the next
request. ``thread_local_app`` moves those two attributes into a
``threading.local``. The runtime itself is untouched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def thread_local_app(app: Any) -> Any:
    """Make ``app.current_request`` and ``app.lambda_context`` per thread.

    The runtime stores the request being served on the app object, which is
    right in Lambda (one request per process at a time) but wrong in a
    threaded server. The instance's class is swapped for a subclass whose two
    attributes live in a ``threading.local``; nothing else changes.
    """
    base = type(app)
    if getattr(base, "_chalice_local_thread_safe", False):
        return app
    state = threading.local()

    def _getter(name: str) -> Callable[[Any], Any]:
        return lambda self: getattr(state, name, None)

    def _setter(name: str) -> Callable[[Any, Any], None]:
        def set_value(self: Any, value: Any) -> None:
            setattr(state, name, value)

        return set_value

    namespace: dict[str, Any] = {
        "__slots__": (),
        "_chalice_local_thread_safe": True,
        "current_request": property(_getter("current_request"), _setter("current_request")),
        "lambda_context": property(_getter("lambda_context"), _setter("lambda_context")),
    }
    app.__class__ = type(f"Local{base.__name__}", (base,), namespace)
    return app
