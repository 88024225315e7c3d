"""Exceptions of the runtime: view errors with their HTTP status codes."""

from __future__ import annotations


class ChaliceError(Exception):
    """Root of every exception chalice raises (runtime and tooling)."""


class ChaliceUnhandledError(ChaliceError):
    """Not turned into an error response: propagates to middleware, else a generic 500."""


class ChaliceViewError(ChaliceError):
    STATUS_CODE = 500


class BadRequestError(ChaliceViewError):
    STATUS_CODE = 400


class UnauthorizedError(ChaliceViewError):
    STATUS_CODE = 401


class ForbiddenError(ChaliceViewError):
    STATUS_CODE = 403


class NotFoundError(ChaliceViewError):
    STATUS_CODE = 404


class MethodNotAllowedError(ChaliceViewError):
    STATUS_CODE = 405


class RequestTimeoutError(ChaliceViewError):
    STATUS_CODE = 408


class ConflictError(ChaliceViewError):
    STATUS_CODE = 409


class UnprocessableEntityError(ChaliceViewError):
    STATUS_CODE = 422


class TooManyRequestsError(ChaliceViewError):
    STATUS_CODE = 429


ALL_ERRORS = [
    ChaliceViewError,
    BadRequestError,
    NotFoundError,
    UnauthorizedError,
    ForbiddenError,
    MethodNotAllowedError,
    RequestTimeoutError,
    ConflictError,
    UnprocessableEntityError,
    TooManyRequestsError,
]


class WebsocketDisconnectedError(ChaliceError):
    def __init__(self, connection_id: str) -> None:
        super().__init__(f"Websocket connection {connection_id} is disconnected")
        self.connection_id = connection_id


class MalformedEventError(ChaliceError, ValueError):
    """An event handed to a non-HTTP handler lacks what its event class needs.

    Raised when the event object is built, before the user's function runs, so
    Lambda records a failed invocation with a message naming the missing key
    instead of a bare ``KeyError``. (REST requests answer 400 instead.)
    """
