"""Functions' resource policies as last read, by revision: an unchanged redeploy reads none.

Every planner that lets a service invoke a function (rules, SNS, S3, REST,
HTTP and websocket APIs, function URLs) needs the function's resource
policy, so an unchanged redeploy made one GetPolicy per such function.
GetPolicy has a quota of its own (15 per second, see ``chalice/aws/pacing.py``),
and past the first ten an unchanged redeploy waited for it.

Lambda gives a function a new ``RevisionId`` whenever its code, its
configuration or its resource policy changes, and GetPolicy answers the
function's ``RevisionId`` with the policy. A policy read at revision R is
therefore still the policy while GetFunction (which the redeploy makes
anyway) answers R. This cache keeps the last policy read of each function,
by ARN, with that revision, in ``.chalice/deployments/function-policies.json``
beside the cached zips: it is a cache, not deployed state (nothing in
``deployed/<stage>.json`` changes, and a lost file costs only reads).

An entry is written only after a plan that changed nothing, and only when
GetPolicy and GetFunction answered the same revision; a plan that changes
anything drops its functions' entries (its changes give them new
revisions), so the next plan reads those policies beside the functions, as
without a cache, rather than one round trip after finding the revision
moved. A function changed by hand also has a new revision: its policy is
read again.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from chalice.deploy.plan import Plan
    from chalice.deploy.resources.base import PlanContext

CACHE_FILE = "function-policies.json"
FORMAT = 1  # bump when an entry's shape changes


class KnownPolicy(NamedTuple):
    """A function's resource policy as GetPolicy answered it at ``revision_id``."""

    revision_id: str
    statements: list[dict[str, Any]]


def cache_path(project_dir: Path) -> Path:
    return Path(project_dir) / ".chalice" / "deployments" / CACHE_FILE


def load(project_dir: Path) -> dict[str, KnownPolicy]:
    """The cached policies by function ARN (empty if the file is missing or unreadable)."""
    try:
        data = json.loads(cache_path(project_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    functions = data.get("functions")
    found: dict[str, KnownPolicy] = {}
    if not isinstance(functions, dict):
        return found
    for arn, entry in functions.items():
        if not isinstance(entry, dict):
            continue
        revision, statements = entry.get("revision_id"), entry.get("statements")
        if isinstance(revision, str) and revision and isinstance(statements, list):
            found[str(arn)] = KnownPolicy(revision, [s for s in statements if isinstance(s, dict)])
    return found


def store(
    project_dir: Path, known: Mapping[str, KnownPolicy], *, dropped: Iterable[str] = ()
) -> None:
    """Write ``known`` over the file's entries and remove ``dropped`` ARNs.

    Atomic (a concurrent deploy of another stage never reads half a file;
    one of two concurrent writers' entries may be lost, which costs reads).
    Errors are ignored.
    """
    entries = {**load(project_dir), **known}
    for arn in dropped:
        entries.pop(arn, None)
    data = {
        "format": FORMAT,
        "functions": {
            arn: {"revision_id": e.revision_id, "statements": e.statements}
            for arn, e in sorted(entries.items())
        },
    }
    path = cache_path(project_dir)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def remember(project_dir: Path, plan: Plan, ctx: PlanContext) -> None:
    """After a deploy ran ``plan``: keep the policies it read, or drop what it changed."""
    from chalice.deploy.plan import Action

    changed = any(step.action is not Action.UNCHANGED for step in plan.steps)
    keep: dict[str, KnownPolicy] = {}
    dropped: list[str] = []
    for step in plan.steps:
        seen = ctx.function_seen(step.name)
        if seen is None:  # not a function, or not found
            continue
        arn, revision = seen
        if changed:
            if arn in ctx.known_policies:
                dropped.append(arn)
            continue
        read = ctx.policy_read(step.name)
        if read is not None and revision and read.revision_id == revision:
            if ctx.known_policies.get(arn) != read:
                keep[arn] = read
    if keep or dropped:
        store(project_dir, keep, dropped=dropped)
