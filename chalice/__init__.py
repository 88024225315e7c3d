"""Chalice: a Python serverless microframework for AWS.

This module is shipped inside every deployment zip next to the runtime package
``chalice/app``; it must import nothing beyond the runtime (no botocore, no click).
"""

from __future__ import annotations

# Defined before the runtime import: chalice.app reads it for AWS_EXECUTION_ENV.
__version__ = "1.35.0.dev0"
# The name pip knows this project by. The import package stays ``chalice``, but
# ``chalice`` on PyPI is upstream's: generated requirements and buildspecs must
# name this distribution or they install another tool.
__distribution__ = "chalice-ng"

from chalice.app import (
    BadRequestError,
    Chalice,
    ChaliceUnhandledError,
    ChaliceViewError,
    ConflictError,
    ConvertToMiddleware,
    ForbiddenError,
    NotFoundError,
    Response,
    TooManyRequestsError,
    UnauthorizedError,
    UnprocessableEntityError,
    WebsocketDisconnectedError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from chalice.app import (
        AuthResponse,
        AuthRoute,
        Blueprint,
        CognitoUserPoolAuthorizer,
        CORSConfig,
        Cron,
        CustomAuthorizer,
        IAMAuthorizer,
        Rate,
    )

# Loaded on first use (``from chalice import Rate`` works as usual): apps
# that do not use them skip importing their modules at cold start.
_LAZY = frozenset(
    [
        "AuthResponse",
        "AuthRoute",
        "Blueprint",
        "CognitoUserPoolAuthorizer",
        "CORSConfig",
        "Cron",
        "CustomAuthorizer",
        "IAMAuthorizer",
        "Rate",
    ]
)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import chalice.app

        value = getattr(chalice.app, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'chalice' has no attribute {name!r}")


__all__ = [
    "AuthResponse",
    "AuthRoute",
    "BadRequestError",
    "Blueprint",
    "CORSConfig",
    "Chalice",
    "ChaliceUnhandledError",
    "ChaliceViewError",
    "CognitoUserPoolAuthorizer",
    "ConflictError",
    "ConvertToMiddleware",
    "Cron",
    "CustomAuthorizer",
    "ForbiddenError",
    "IAMAuthorizer",
    "NotFoundError",
    "Rate",
    "Response",
    "TooManyRequestsError",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "WebsocketDisconnectedError",
    "__version__",
]
