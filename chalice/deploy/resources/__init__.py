"""Resource types: one module per type, and the planner interface they share.

A type module (``sns.py``, ``lambdas.py``...) holds everything about its
type except the template emitters (``chalice/package/``): the frozen model
class(es), the typed state record, the planner, the graph hook that builds
the model from the app (event sources), the report line, and its
``DESCRIPTOR`` (``typekit.ResourceDescriptor``) naming them all. Families
share a module with one descriptor each (``DESCRIPTORS``): ``eventsources``
(SQS, Kinesis, DynamoDB), ``rules`` (schedules and CloudWatch events),
``lambdas`` (functions and the managed layer). ``httpapi_models.py`` holds
the HTTP API's models (the type module would pass ~500 lines with them).
Imports between type modules go one way: ``iam``, ``logs`` <- ``lambdas``
<- event sources and APIs; ``domain`` <- the APIs (the domain planner reads
the API records inside a function). Type modules are imported with the
models, so a cached ``chalice package`` loads them: heavy imports (hashlib,
``chalice.aws.*``, concurrent.futures) go inside the functions using them.

A planner implements ``ResourcePlanner`` (see ``base.py``):

* ``plan(model, recorded, ctx) -> Step`` compares the desired ``model`` with
  what AWS has (read calls only, through ``ctx.clients``) and with
  ``recorded`` (its entry in the state file, or None), and returns a ``Step``
  with the ``Action``, the ``changes`` (old -> new) and an ``apply`` callable
  doing the mutating calls. ``apply`` must call ``ctx.record(values)`` right
  after the call that creates the resource (so a failure later in the step
  never orphans it) and return the values to record (SPEC §4.7 keys). An
  unchanged resource gets no ``apply`` but ``recorded`` values. Look the
  resource up by name or by the identity tags (``ctx.identity_tags``) before
  deciding to create, so a resource created just before a crash is adopted.
* ``plan_delete(recorded, ctx) -> Step`` deletes what the entry names;
  "already gone" counts as deleted (``apply`` returns None).

Planners never write the state file and never print directly: the executor
records what ``apply`` returns and prints what it passes to ``ctx.say``.
They read an entry through its typed record (``chalice/deploy/records.py``:
``from_entry``/``from_values``) and return ``record.values()``, never raw
key strings. They reach AWS only through the protocols of
``chalice/aws/protocols.py`` (``ctx.clients``), which ``tests/fakeaws``
implements in memory: each planner module has its decisions unit-tested in
``tests/deploy/planners/test_<module>.py``.

The engine finds a type's parts through ``chalice/deploy/descriptors.py``,
where each type module is registered in one line (``TYPE_MODULES``);
``planner_for_model``/``planner_for_type`` look the planner up there (a
dict lookup, no name-based magic). ``docs/architecture.rst`` lists the steps
of adding a type and ``tests/deploy/test_descriptors.py`` fails while one
is missing.
"""

from __future__ import annotations

import functools
from typing import Any

from chalice.deploy.resources.base import PlanContext, ResourcePlanner


@functools.cache
def _planner(resource_type: str) -> ResourcePlanner[Any] | None:
    # Imported here: the descriptors import the type modules of this package.
    from chalice.deploy.descriptors import descriptor_of_type

    descriptor = descriptor_of_type(resource_type)
    return None if descriptor is None else descriptor.planner()


def planner_for_model(model: Any) -> ResourcePlanner[Any]:
    """The planner of a model instance (exact class lookup)."""
    from chalice.deploy.descriptors import descriptor_for

    planner = _planner(descriptor_for(model).resource_type.value)
    assert planner is not None  # the descriptor exists, so does its planner
    return planner


def planner_for_type(resource_type: str) -> ResourcePlanner[Any] | None:
    """The planner deleting entries of ``resource_type`` (None if unknown)."""
    return _planner(resource_type)


__all__ = ["PlanContext", "ResourcePlanner", "planner_for_model", "planner_for_type"]
