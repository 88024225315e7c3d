"""A stand-in for the Lambda context object, for code run outside Lambda.

``chalice local`` and ``chalice.test.Client`` hand one of these to the app
for every invocation, with the attributes a real Lambda context has. It
holds data only: it must never talk to AWS or read configuration itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

# Lambda's own ceiling (15 minutes), used when the config gives no timeout.
DEFAULT_MAX_RUNTIME_MS = 900_000


def new_request_id() -> str:
    """A random (version 4) UUID string, built without ``uuid.UUID``'s overhead.

    >>> len(new_request_id()), new_request_id()[14]
    (36, '4')
    """
    h = os.urandom(16).hex()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


class LambdaContext:
    """What a handler sees as its ``context`` argument.

    ``max_runtime_ms`` is the function timeout; ``get_remaining_time_in_millis``
    counts down from the moment the context is created. ``clock`` returns
    seconds and is injectable so tests need not sleep.
    """

    __slots__ = (
        "function_name",
        "function_version",
        "invoked_function_arn",
        "memory_limit_in_mb",
        "aws_request_id",
        "log_group_name",
        "log_stream_name",
        "identity",
        "client_context",
        "_deadline",
        "_clock",
    )

    def __init__(
        self,
        function_name: str,
        memory_size: int,
        max_runtime_ms: int = DEFAULT_MAX_RUNTIME_MS,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = ""
        self.memory_limit_in_mb = memory_size
        self.aws_request_id = new_request_id()
        self.log_group_name = ""
        self.log_stream_name = ""
        self.identity: Any = None
        self.client_context: Any = None
        self._clock = clock
        self._deadline = clock() + max_runtime_ms / 1000.0

    # Read by the REST runtime: False answers a response it cannot JSON-encode
    # with a 500 (like the deployed function); see TestLambdaContext.
    raise_encoding_errors = False

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the (emulated) function timeout; never negative."""
        return max(0, int((self._deadline - self._clock()) * 1000))

    def __repr__(self) -> str:
        return f"LambdaContext({self.function_name!r}, request_id={self.aws_request_id!r})"


class TestLambdaContext(LambdaContext):
    """The context ``chalice.test.Client`` passes: encoding errors reach the test.

    A view returning something JSON cannot encode raises its ``TypeError``
    out of ``client.http`` (as upstream's test client does) instead of
    producing a 500 the test would have to decode.
    """

    __slots__ = ()
    __test__ = False  # not a pytest test class
    raise_encoding_errors = True
