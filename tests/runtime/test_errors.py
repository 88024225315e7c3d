"""Runtime exception hierarchy."""

from __future__ import annotations

from chalice.app import (
    ALL_ERRORS,
    ChaliceError,
    ChaliceUnhandledError,
    ChaliceViewError,
    MalformedEventError,
    WebsocketDisconnectedError,
)


def test_hierarchy() -> None:
    assert all(issubclass(cls, ChaliceViewError) for cls in ALL_ERRORS)
    assert issubclass(ChaliceViewError, ChaliceError)
    assert issubclass(ChaliceUnhandledError, ChaliceError)
    assert not issubclass(ChaliceUnhandledError, ChaliceViewError)
    assert issubclass(MalformedEventError, ValueError)


def test_websocket_disconnected() -> None:
    error = WebsocketDisconnectedError("abc")
    assert error.connection_id == "abc"
    assert "abc" in str(error)
