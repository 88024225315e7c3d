"""Count the operations a botocore session sends to one service, against moto.

For the wrapper tests that assert how many calls an operation costs: the
counter is registered on the session before any client exists (a client
copies the session's handlers when it is created).
"""

from __future__ import annotations

from typing import Any

from chalice.aws.session import AWSClients


class Counting:
    """The names of the ``service`` operations ``session`` sends, in order."""

    def __init__(self, session: Any, service: str) -> None:
        self.ops: list[str] = []
        session.register(f"before-call.{service}", self._seen)

    def _seen(self, model: Any, **_: Any) -> None:
        self.ops.append(model.name)


def counted_clients(service: str) -> tuple[Counting, AWSClients]:
    """A fresh session's counter for ``service`` and its clients (no real sleeps)."""
    import botocore.session

    session = botocore.session.Session()
    counting = Counting(session, service)
    return counting, AWSClients(session, sleep=lambda _s: None)
