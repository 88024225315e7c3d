"""A deploy plan: typed steps, one per resource, forming a DAG, plus its diff.

A ``Step`` says what will happen to one resource (``Action``), which fields
change (old -> new), which other steps must finish first (``depends_on``,
by resource name) and how to do it (``apply``, a callable the executor runs;
``None`` when there is nothing to do). Steps never share a variable pool:
a step reads the outputs of the steps it depends on through its context.

``Plan.render()`` is what ``chalice plan`` / ``chalice deploy --plan`` print.
Building a plan only reads AWS; nothing in this module mutates anything.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from chalice.aws.protocols import Clients


class Action(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    UNCHANGED = "unchanged"


SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.UNCHANGED: "="}

# Marker for values only known once the plan runs (e.g. a new API's id).
KNOWN_AFTER_APPLY = "(known after apply)"


@attrs.frozen
class Change:
    """One field of a resource that differs: ``old`` is what AWS has now."""

    field: str
    old: Any
    new: Any


class StepContext(Protocol):
    """What a running step can use (provided by the executor)."""

    @property
    def clients(self) -> Clients:
        """AWS, for the step's calls (read-only: a property, so any implementation fits)."""
        ...

    def outputs(self, name: str) -> Mapping[str, Any]:
        """Recorded values of resource ``name`` (a dependency that already ran)."""
        ...

    def record(self, values: Mapping[str, Any]) -> None:
        """Record this step's resource now (it exists), before the step finishes."""
        ...

    def say(self, line: str) -> None:
        """A progress line for this resource (printed in plan order)."""
        ...


ApplyFn = Callable[[StepContext], "Mapping[str, Any] | None"]


@attrs.frozen
class Step:
    """What happens to one resource.

    ``apply`` returns the values to record for the resource (keys of SPEC
    §4.7, without ``name``/``resource_type``), or ``None`` when it deleted it.
    ``recorded`` are the values to record for an unchanged resource (they may
    be missing from the state file, e.g. after a crash, or a legacy
    migration). ``expected`` are the values after apply when they are known
    while planning (used by dependants to compare without calling AWS).
    ``serial_calls``: how many AWS calls ``apply`` makes one after another
    (CreateRole then PutRolePolicy: 2); the executor starts first the ready
    steps with the longest such chain ahead of them (``executor.start_order``).
    """

    name: str
    resource_type: str
    action: Action
    apply: ApplyFn | None = attrs.field(default=None, eq=False, repr=False)
    changes: tuple[Change, ...] = ()
    depends_on: frozenset[str] = frozenset()
    recorded: Mapping[str, Any] | None = None
    expected: Mapping[str, Any] | None = None
    note: str = ""
    serial_calls: int = attrs.field(default=1, eq=False)


@attrs.frozen
class Plan:
    """The steps of a deploy or delete, in dependency (and output) order."""

    stage: str
    steps: tuple[Step, ...]

    def counts(self) -> dict[Action, int]:
        out = dict.fromkeys(Action, 0)
        for s in self.steps:
            out[s.action] += 1
        return out

    @property
    def mutates(self) -> bool:
        """True when executing the plan would change anything in AWS."""
        return any(s.action is not Action.UNCHANGED for s in self.steps)

    def render(self) -> str:
        """The human-readable diff, one block per resource."""
        lines = [f"Plan for stage '{self.stage}':"]
        if not self.steps:
            lines.append("  (no resources)")
        for step in self.steps:
            label = f"{SYMBOLS[step.action]} {step.action.value:<9} {step.resource_type} {step.name}"
            if step.note:
                label += f" ({step.note})"
            lines.append("  " + label)
            for change in step.changes:
                lines.append(
                    f"      {change.field}: {_show(change.old)} -> {_show(change.new)}"
                )
        c = self.counts()
        lines.append(
            f"Plan: {c[Action.CREATE]} to create, {c[Action.UPDATE]} to update, "
            f"{c[Action.DELETE]} to delete, {c[Action.UNCHANGED]} unchanged."
        )
        return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value if value == KNOWN_AFTER_APPLY else json.dumps(value)
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def diff(fields: Mapping[str, tuple[Any, Any]]) -> tuple[Change, ...]:
    """Changes for each ``field: (old, new)`` whose values differ."""
    return tuple(Change(k, old, new) for k, (old, new) in fields.items() if old != new)
