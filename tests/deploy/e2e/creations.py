"""Which AWS resources a deploy has created, told by botocore's own answers.

``CreationLog`` hooks a botocore session (event hooks, nothing patched) and
keeps, per thread, the sequence of mutating calls and of resources whose
create call came back successfully, named by the identifier the state file
records (role name, function name, API id, rule name, mapping UUID,
subscription ARN, layer version ARN). A thread's sequence is what makes the
durability check exact with parallel steps: once a thread that created X
starts another mutating call, X's step has either finished (and been
recorded) or moved on inside the same step, so X must be in the state file
by then; a create that is the last thing its thread did may still be between
"created" and "recorded", the window the next deploy closes by tags.

The log can also be written as it happens to a file descriptor (``sink``), so
a process killed with SIGKILL leaves its history behind for the test.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

READ_PREFIXES = ("Get", "List", "Describe", "Head")


def is_mutating(operation: str) -> bool:
    """Whether ``operation`` can change AWS (everything but reads)."""
    return not operation.startswith(READ_PREFIXES)


def created_identifier(
    operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]
) -> str | None:
    """The identifier of the resource ``operation`` created, or ``None``.

    Keys are those of each API's response (IAM CreateRole, Lambda
    CreateFunction / PublishLayerVersion / CreateEventSourceMapping, API
    Gateway CreateRestApi / ImportRestApi, API Gateway v2 CreateApi,
    EventBridge PutRule, SNS Subscribe); PutRule answers only the ARN, so the
    rule's name comes from the request.
    """
    if operation == "CreateRole":
        return str(parsed["Role"]["RoleName"])
    if operation == "CreateFunction":
        return str(parsed["FunctionName"])
    if operation == "PublishLayerVersion":
        return str(parsed["LayerVersionArn"])
    if operation == "CreateEventSourceMapping":
        return str(parsed["UUID"])
    if operation in ("CreateRestApi", "ImportRestApi"):
        return str(parsed["id"])
    if operation == "CreateApi":
        return str(parsed["ApiId"])
    if operation == "PutRule":
        return str(params["Name"])
    if operation == "Subscribe":
        return str(parsed["SubscriptionArn"])
    return None


class CreationLog:
    """Per-thread history of mutating calls and completed creates on one session.

    ``on_mutating(thread, operation)`` runs just before a mutating call is
    sent (after the history is updated), e.g. to check the state file then.
    """

    def __init__(
        self,
        session: Any,
        *,
        on_mutating: Callable[[CreationLog, int, str], None] | None = None,
        sink: int | None = None,
    ) -> None:
        self.events: list[tuple[int, str, str]] = []  # (thread, "call"|"created", name)
        self._on_mutating = on_mutating
        self._sink = sink
        self._lock = threading.Lock()
        session.register("before-parameter-build", self._keep_params)
        session.register("before-call", self._before)
        session.register("after-call", self._after)

    def created_before(self, thread: int) -> list[str]:
        """Resources created on ``thread`` before its latest mutating call began."""
        with self._lock:
            events = list(self.events)
        last_call = max(
            (i for i, (t, kind, _) in enumerate(events) if t == thread and kind == "call"),
            default=-1,
        )
        return [
            name
            for i, (t, kind, name) in enumerate(events)
            if t == thread and kind == "created" and i < last_call
        ]

    def _add(self, kind: str, name: str) -> None:
        entry = (threading.get_ident(), kind, name)
        with self._lock:
            self.events.append(entry)
            if self._sink is not None:
                # One write per line: an O_APPEND write is whole even under SIGKILL.
                os.write(self._sink, (json.dumps(entry) + "\n").encode())

    @staticmethod
    def _keep_params(params: Any, context: Any, **_: Any) -> None:
        context["creations_params"] = dict(params)

    def _before(self, model: Any, **_: Any) -> None:
        if not is_mutating(model.name):
            return
        self._add("call", model.name)
        if self._on_mutating is not None:
            self._on_mutating(self, threading.get_ident(), model.name)

    def _after(self, model: Any, http_response: Any, parsed: Any, context: Any, **_: Any) -> None:
        if http_response.status_code >= 300 or not is_mutating(model.name):
            return
        name = created_identifier(model.name, context.get("creations_params", {}), parsed)
        if name is not None:
            self._add("created", name)


def is_recorded(identifier: str, state_text: str) -> bool:
    """Whether the state file's JSON text records ``identifier``.

    Identifiers end the recorded strings (a function's name ends its ARN), so
    the closing quote is part of the match: ``app-dev`` must not be found in
    ``app-dev-cron``'s ARN.
    """
    return f'{identifier}"' in state_text


def read_sink(lines: Iterable[str]) -> list[tuple[int, str, str]]:
    """The events a ``CreationLog`` wrote to its sink."""
    return [tuple(json.loads(line)) for line in lines if line.strip()]  # type: ignore[misc]


# The kind (as ``models_kit.leftovers`` names it) of what each create call makes.
CREATED_KIND = {
    "CreateRole": "roles",
    "CreateFunction": "functions",
    "PublishLayerVersion": "layers",
    "CreateEventSourceMapping": "mappings",
    "CreateRestApi": "rest_apis",
    "ImportRestApi": "rest_apis",
    "CreateApi": "ws_apis",
    "PutRule": "rules",
    "Subscribe": "subscriptions",
}


def unrecorded_window(events: list[tuple[int, str, str]]) -> tuple[set[str], list[str]]:
    """What may legitimately be missing from the state file after a kill.

    Per thread, only its last event matters: a completed create (its step may
    not have recorded it yet), or a create call that was still in flight (AWS
    may have made the resource without the answer ever arriving: its kind is
    returned, since the identifier is not known). A create followed by any
    other mutating call on its thread must be recorded.
    """
    last: dict[int, tuple[str, str]] = {}
    for thread, kind, name in events:
        last[thread] = (kind, name)
    names = {name for kind, name in last.values() if kind == "created"}
    in_flight = [
        CREATED_KIND[name]
        for kind, name in last.values()
        if kind == "call" and name in CREATED_KIND
    ]
    return names, in_flight
