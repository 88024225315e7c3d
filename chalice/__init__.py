"""Chalice: a Python serverless microframework for AWS.

This module is shipped inside every deployment zip next to the runtime package
``chalice/app``; it must import nothing beyond the runtime (no botocore, no click).
"""

# Defined before the runtime import: chalice.app reads it for AWS_EXECUTION_ENV.
__version__ = "1.35.0.dev0"

from chalice.app import (
    AuthResponse,
    AuthRoute,
    BadRequestError,
    Blueprint,
    Chalice,
    ChaliceUnhandledError,
    ChaliceViewError,
    CognitoUserPoolAuthorizer,
    ConflictError,
    ConvertToMiddleware,
    CORSConfig,
    Cron,
    CustomAuthorizer,
    ForbiddenError,
    IAMAuthorizer,
    NotFoundError,
    Rate,
    Response,
    TooManyRequestsError,
    UnauthorizedError,
    UnprocessableEntityError,
    WebsocketDisconnectedError,
)

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
