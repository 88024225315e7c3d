"""Lambda function states for the realism layer (moto's functions are Active at once).

AWS: "Lambda function states",
https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html:

* After CreateFunction the function is ``Pending`` ("The function is being
  created.", StateReasonCode ``Creating``) while Lambda provisions it (VPC
  functions take longer: their ENIs are created then); "any invocations or
  other API actions that operate on the function will fail" meanwhile.
* It then becomes ``Active``, or ``Failed`` (with ``StateReason`` and
  ``StateReasonCode``) when provisioning failed; a failed function must be
  deleted and created again.
* After UpdateFunctionCode / UpdateFunctionConfiguration it stays ``Active``
  with ``LastUpdateStatus: InProgress`` until the update is applied; another
  UpdateFunctionCode / UpdateFunctionConfiguration / PublishVersion /
  TagResource then fails with ResourceConflictException, "The operation
  cannot be performed at this time. An update is in progress for resource:
  <arn>" (the Pending variant: "... The function is currently in the
  following state: Pending", Lambda troubleshooting guide,
  https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html).

``LambdaStates`` is not thread-safe on its own: the layer holds its lock.
"""

from __future__ import annotations

from typing import Any

import attrs

# Operations refused while Pending / Failed, and while an update is InProgress.
_REFUSED_WHEN_PENDING = frozenset(
    {"UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion", "Invoke"}
)
_REFUSED_WHEN_UPDATING = frozenset(
    {"UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion", "TagResource"}
)
_CONFIG_ANSWERS = frozenset(
    {"CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration",
     "GetFunctionConfiguration"}
)  # fmt: skip
_STATE_KEYS = ("StateReason", "StateReasonCode")
_UPDATE_KEYS = ("LastUpdateStatusReason", "LastUpdateStatusReasonCode")


def function_name(ref: str) -> str:
    """``f`` from ``f``, ``f:alias``, ``123456789012:function:f`` or a full ARN."""
    if ":function:" in ref:
        ref = ref.split(":function:", 1)[1]
    return ref.split(":", 1)[0]


@attrs.define
class _Function:
    arn: str
    role: str
    ready_at: float
    update_done_at: float = 0.0
    failure: tuple[str, str] | None = None
    update_failure: tuple[str, str] | None = None


class LambdaStates:
    """The state timeline of each function created under the layer."""

    def __init__(self, *, pending: float, vpc_pending: float, in_progress: float) -> None:
        self.pending = pending
        self.vpc_pending = vpc_pending
        self.in_progress = in_progress
        self._functions: dict[str, _Function] = {}
        self._failures: dict[str, tuple[str, str]] = {}
        self._update_failures: dict[str, tuple[str, str]] = {}

    def fail(self, name: str, *, reason: str, code: str) -> None:
        """Creations of ``name`` from now on end ``Failed`` with this reason."""
        self._failures[name] = (reason, code)

    def fail_updates(self, name: str, *, reason: str, code: str) -> None:
        """Updates of ``name`` from now on end ``LastUpdateStatus: Failed`` (Lambda
        gave up the update; the previous code and configuration stay live)."""
        self._update_failures[name] = (reason, code)

    def role_of(self, name: str) -> str | None:
        fn = self._functions.get(name)
        return fn.role if fn else None

    def conflict(self, op: str, params: dict[str, Any], now: float) -> str | None:
        """ResourceConflictException's message if ``op`` may not run now, else None."""
        ref = params.get("FunctionName") or params.get("Resource") or ""
        fn = self._functions.get(function_name(str(ref)))
        if fn is None:
            return None
        busy = "The operation cannot be performed at this time."
        if op in _REFUSED_WHEN_PENDING and now < fn.ready_at:
            return f"{busy} The function is currently in the following state: Pending"
        if op in _REFUSED_WHEN_PENDING and fn.failure is not None:
            return f"{busy} The function is currently in the following state: Failed"
        if op in _REFUSED_WHEN_UPDATING and now < fn.update_done_at:
            return f"{busy} An update is in progress for resource: {fn.arn}"
        return None

    def observe(self, op: str, params: dict[str, Any], parsed: Any, now: float) -> None:
        """Track a successful call and make its answer show the function's state."""
        name = function_name(str(params.get("FunctionName", "")))
        if op == "CreateFunction":
            vpc = bool((params.get("VpcConfig") or {}).get("SubnetIds"))
            self._functions[name] = _Function(
                arn=str(parsed.get("FunctionArn", name)),
                role=str(params.get("Role", "")),
                ready_at=now + (self.vpc_pending if vpc else self.pending),
                failure=self._failures.get(name),
            )
        elif (
            op in ("UpdateFunctionCode", "UpdateFunctionConfiguration") and name in self._functions
        ):
            fn = self._functions[name]
            fn.update_done_at = now + self.in_progress
            fn.update_failure = self._update_failures.get(name)
            if params.get("Role"):
                fn.role = str(params["Role"])
        elif op == "DeleteFunction" and not params.get("Qualifier"):
            self._functions.pop(name, None)
        fn = self._functions.get(name)
        if fn is None:
            return
        if op in _CONFIG_ANSWERS:
            self._show(fn, parsed, now)
        elif op == "GetFunction" and isinstance(parsed.get("Configuration"), dict):
            self._show(fn, parsed["Configuration"], now)

    @staticmethod
    def _show(fn: _Function, config: dict[str, Any], now: float) -> None:
        for key in _STATE_KEYS + _UPDATE_KEYS:
            config.pop(key, None)
        if now < fn.ready_at:
            config.update(
                State="Pending", StateReason="The function is being created.",
                StateReasonCode="Creating",
            )  # fmt: skip
        elif fn.failure is not None:
            config.update(State="Failed", StateReason=fn.failure[0], StateReasonCode=fn.failure[1])
        else:
            config["State"] = "Active"
        if now < fn.update_done_at:
            # The docs' example answer of an update in progress says "being created" too.
            config.update(
                LastUpdateStatus="InProgress",
                LastUpdateStatusReason="The function is being created.",
                LastUpdateStatusReasonCode="Creating",
            )
        elif fn.update_failure is not None:
            config.update(
                LastUpdateStatus="Failed",
                LastUpdateStatusReason=fn.update_failure[0],
                LastUpdateStatusReasonCode=fn.update_failure[1],
            )
        else:
            config["LastUpdateStatus"] = "Successful"
