"""The planner interface and what planners share (context, permissions, zips).

Everything here is read-only with respect to AWS except the helpers whose
names say they add or remove something, which only ``apply`` callables use.
Every type module imports this one, so it must stay cheap to import: hashlib,
the state file code and the AWS wrappers are imported where they are used.
"""

from __future__ import annotations

import base64
import copy
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs

from chalice.deploy.plan import KNOWN_AFTER_APPLY, Step

if TYPE_CHECKING:
    # Type only: every type module imports this one, and the models (so a
    # cached ``chalice package``) import every type module.
    from chalice.aws.protocols import Clients
    from chalice.deploy import models
    from chalice.deploy.function_policies import KnownPolicy
    from chalice.deploy.state import DeployedState
    from chalice.deploy.tagging import Tagging

M_contra = TypeVar("M_contra", contravariant=True)
T = TypeVar("T")

# The keys of ``PlanContext.identity_tags`` (app, stage, resource name).
IDENTITY_TAG_KEYS = ("chalice:app", "chalice:stage", "chalice:resource")


def _new_tagging() -> Tagging:
    from chalice.deploy.tagging import Tagging

    return Tagging()


class Once:
    """A value made by the first thread that asks; the others wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made = False
        self._value: Any = None

    def get(self, make: Callable[[], T]) -> T:
        with self._lock:
            if not self._made:
                self._value = make()  # an error leaves it unmade: the next asker retries
                self._made = True
            return self._value  # type: ignore[no-any-return]

    def made(self) -> Any:
        """The value if it was made, else None (does not wait for a maker)."""
        return self._value if self._made else None


@attrs.define
class PlanContext:
    """What a planner may consult: AWS (reads), the state, earlier steps."""

    clients: Clients
    app_name: str
    stage: str
    state: DeployedState
    steps: dict[str, Step] = attrs.field(factory=dict)
    # Whether this account lets us tag at create time (shared by all steps).
    tagging: Tagging = attrs.field(factory=_new_tagging)
    # Recorded resources this plan deletes (the sweep of a deploy, or all of a
    # delete), known before any of them is planned: a subscription's delete
    # leaves the invoke permission to its function's own deletion.
    deleting: frozenset[str] = frozenset()
    # Policies read at a function revision (``function_policies``), by function ARN.
    known_policies: Mapping[str, KnownPolicy] = attrs.field(factory=dict)
    # Per-plan values planners share with each other and with their steps
    # (``shared``); a copy made with ``attrs.evolve`` shares the same dict.
    _shared: dict[str, Any] = attrs.field(factory=dict)
    # Resources being planned right now (by other threads): ``known`` and
    # ``exists_now`` wait for their step, so a planner starts its own reads
    # at once and waits only where it needs a dependency's answer.
    _planning: dict[str, threading.Event] = attrs.field(factory=dict, init=False)

    def expect(self, names: Iterable[str]) -> None:
        """``names`` are about to be planned: consulting them waits for their step."""
        for name in names:
            self._planning.setdefault(name, threading.Event())

    def will_plan(self, name: str) -> bool:
        """Whether ``name`` is part of this plan (desired or swept), planned yet or not."""
        return name in self._planning or name in self.steps

    def planned(self, name: str, step: Step | None) -> None:
        """The step of ``name`` (None: its planning failed, the plan is abandoned)."""
        if step is not None:
            self.steps[name] = step
        event = self._planning.get(name)
        if event is not None:
            event.set()

    def _step(self, name: str) -> Step | None:
        event = self._planning.get(name)
        if event is not None:
            event.wait()
        return self.steps.get(name)

    def known(self, name: str) -> Mapping[str, Any] | None:
        """Values of resource ``name`` after the plan runs, if known while planning."""
        step = self._step(name)
        if step is None:
            return self.state.get(name)
        return step.expected

    def exists_now(self, name: str) -> bool:
        """Whether resource ``name`` exists in AWS right now (before the plan runs)."""
        from chalice.deploy.plan import Action

        step = self._step(name)
        return step is not None and step.action in (Action.UPDATE, Action.UNCHANGED)

    def when_exists(self, name: str, read: Callable[[], T]) -> T | None:
        """``read()`` if resource ``name`` exists in AWS now, else None.

        A resource the state records most likely exists, so ``read`` goes out
        at once, beside the resource's own reads, and its answer counts only
        if the resource's step says it exists. One not recorded is read only
        after its step says so (a new function has no policy, no
        subscription, no URL: no call).
        """
        if self.state.get(name) is None and not self.exists_now(name):
            return None
        answer = read()
        return answer if self.exists_now(name) else None

    def policy_statements(self, name: str, function_name: str) -> list[dict[str, Any]]:
        """Resource ``name``'s function policy statements as they are now ([]: no function yet).

        Read as ``when_exists`` says, once per plan however many planners ask
        (a function with two schedules, an API and its authorizer), unless a
        policy read at the function's current revision is known
        (``function_policies``): then none is read.
        """
        known = self._known_policy(name)
        if known is not None:
            return known
        once = self.shared(f"policy:{name}", Once)
        found = self.when_exists(name, lambda: once.get(lambda: self._read_policy(function_name)))
        return found.statements if found is not None else []

    def _read_policy(self, function_name: str) -> KnownPolicy | None:
        from chalice.deploy.function_policies import KnownPolicy

        found = self.clients.lambda_.get_policy(function_name)
        return KnownPolicy(*found) if found is not None else None

    def _known_policy(self, name: str) -> list[dict[str, Any]] | None:
        """The statements of the policy known at the function's revision, or None.

        Only for a function this state records and a cache entry names: it
        waits for the function's own read (GetFunction) to compare revisions.
        """
        recorded = self.state.get(name) if self.known_policies else None
        arn = str((recorded or {}).get("lambda_arn"))
        entry = self.known_policies.get(arn)
        if entry is None:
            return None
        if not self.exists_now(name):
            return []  # gone: no policy (the function's step creates it)
        if self.function_seen(name) != (arn, entry.revision_id):
            return None  # changed since (or renamed): read it
        return copy.deepcopy(entry.statements)

    def note_function(self, name: str, arn: str, revision_id: str) -> None:
        """Function ``name`` exists now as ``arn`` at ``revision_id`` (its planner, before
        its step is planned)."""
        seen: dict[str, tuple[str, str]] = self.shared("functions_seen", dict)
        seen[name] = (arn, revision_id)

    def function_seen(self, name: str) -> tuple[str, str] | None:
        """``(arn, revision_id)`` of function ``name`` as this plan read it, if it exists."""
        seen: dict[str, tuple[str, str]] = self.shared("functions_seen", dict)
        return seen.get(name)

    def policy_read(self, name: str) -> KnownPolicy | None:
        """The policy of function ``name`` this plan read (None: not read, or none)."""
        once = self._shared.get(f"policy:{name}")
        return once.made() if isinstance(once, Once) else None

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """The plan's one value under ``key``, made by ``factory`` on first use."""
        found = self._shared.get(key)
        if found is None:
            # dict.setdefault is atomic: of two threads racing here, one value wins.
            found = self._shared.setdefault(key, factory())
        return found  # type: ignore[no-any-return]

    def deletes_function(self, function_arn: str) -> bool:
        """Whether this plan deletes the function ``function_arn`` (and no kept entry has it).

        Deleting a function deletes its resource policy with it, so a
        permission removed from it just before would be one serial call for
        nothing. Only a function recorded under this ARN and swept by this
        plan counts; a function of another app or stage, or one a desired
        resource still names, keeps its permission removals.
        """
        holders = [
            str(r.get("name"))
            for r in self.state.resources
            if r.get("resource_type") == "lambda_function" and r.get("lambda_arn") == function_arn
        ]
        return bool(holders) and all(name in self.deleting for name in holders)

    def identity_tags(self, resource_name: str) -> dict[str, str]:
        """Tags that let a later deploy find (adopt) a resource it did not record."""
        return dict(zip(IDENTITY_TAG_KEYS, (self.app_name, self.stage, resource_name), strict=True))

    def lambda_arn(self, function_name: str) -> str:
        return self.clients.arn("lambda", f"function:{function_name}")

    def role_arn(self, role: models.Role) -> str:
        from chalice.deploy.resources.iam import PreCreatedIAMRole  # iam imports this module

        if isinstance(role, PreCreatedIAMRole):
            return role.role_arn
        return self.clients.arn("iam", f"role/{role.role_name}", region=False)

    def function_arn(self, fn: models.LambdaFunction) -> str:
        """The function's ARN, without waiting for its step.

        A function's ARN follows from its name (Lambda names the ARN after
        the function), so a dependant starts its reads while the function is
        still being planned: the planned or recorded ARN when there is one,
        else the one the name gives.
        """
        step = self.steps.get(fn.resource_name)
        known = step.expected if step is not None else self.state.get(fn.resource_name)
        if known and known.get("lambda_arn") and known["lambda_arn"] != KNOWN_AFTER_APPLY:
            return str(known["lambda_arn"])
        return self.lambda_arn(fn.function_name)


class ResourcePlanner(Protocol[M_contra]):
    """Plans one resource type (see the package docstring for the rules)."""

    def plan(self, model: M_contra, recorded: dict[str, Any] | None, ctx: PlanContext) -> Step:
        """Create/update/unchanged step for ``model``."""
        ...

    def plan_delete(self, recorded: dict[str, Any], ctx: PlanContext) -> Step:
        """Delete step for a recorded entry no longer wanted."""
        ...


def package_bytes(pkg: models.DeploymentPackage) -> bytes:
    if not pkg.filename:
        raise RuntimeError("deployment package was not built (no filename)")
    return Path(pkg.filename).read_bytes()


def package_sha256(pkg: models.DeploymentPackage) -> str:
    """Base64 SHA-256 of the zip, as Lambda reports ``CodeSha256``."""
    if pkg.sha256:
        return pkg.sha256
    import hashlib

    return base64.b64encode(hashlib.sha256(package_bytes(pkg)).digest()).decode("ascii")


def statement_id(*parts: str) -> str:
    """A deterministic Lambda permission statement id (``[A-Za-z0-9-_]``, <= 100)."""
    raw = "-".join(parts)
    clean = re.sub(r"[^A-Za-z0-9_-]", "-", raw)
    if len(clean) <= 100:
        return clean
    import hashlib

    digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
    return clean[:83] + "-" + digest


def _statement_source(stmt: Mapping[str, Any]) -> str | None:
    cond = stmt.get("Condition") or {}
    for op in ("ArnLike", "ArnEquals", "StringEquals"):
        value = (cond.get(op) or {}).get("AWS:SourceArn")
        if value:
            return str(value)
    return None


def _statement_principal(stmt: Mapping[str, Any]) -> str:
    principal = stmt.get("Principal")
    if isinstance(principal, Mapping):
        return str(principal.get("Service", ""))
    return str(principal or "")


def has_permission(statements: list[dict[str, Any]], *, principal: str, source_arn: str) -> bool:
    """Whether the function policy lets ``principal`` invoke it from ``source_arn``."""
    return any(
        _statement_principal(s) == principal and _statement_source(s) == source_arn
        for s in statements
    )


def ensure_permission(
    ctx_clients: Clients,
    function: str,
    *,
    principal: str,
    source_arn: str,
    sid: str,
    source_account: str | None = None,
    known_absent: bool = False,
) -> None:
    """Add the invoke permission unless an equivalent statement is there.

    ``known_absent``: the planner already knows the statement is missing (it
    read the policy, or the function is created by this plan and a new
    function has no policy), so the policy is not read again. If AWS finds
    the statement id after all (added since), ``add_permission`` treats the
    conflict as done, exactly as after a read that raced with the same add.
    """
    lam = ctx_clients.lambda_
    if not known_absent and has_permission(
        lam.get_policy_statements(function), principal=principal, source_arn=source_arn
    ):
        return
    lam.add_permission(
        function,
        statement_id=sid,
        principal=principal,
        source_arn=source_arn,
        source_account=source_account,
    )


def remove_permissions(clients: Clients, function: str, *, principal: str, source_arn: str) -> None:
    """Remove every statement letting ``principal`` invoke from ``source_arn``."""
    lam = clients.lambda_
    for stmt in lam.get_policy_statements(function):
        if _statement_principal(stmt) == principal and _statement_source(stmt) == source_arn:
            lam.remove_permission(function, str(stmt.get("Sid")))


def service_principal(clients: Clients, service: str) -> str:
    """``<service>.amazonaws.com`` (the principal form Lambda policies use)."""
    suffix = "amazonaws.com.cn" if clients.partition == "aws-cn" else "amazonaws.com"
    return f"{service}.{suffix}"
