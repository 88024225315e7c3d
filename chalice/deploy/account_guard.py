"""A stage recorded in one AWS account is never deployed or deleted with another's credentials.

``.chalice/deployed/<stage>.json`` names resources by ARN and by name. Run
with credentials for another account (a different ``AWS_PROFILE``, an
expired SSO session that fell back to the default profile), a deploy finds
none of them by name and creates a second copy, recording it over the first
(whose resources nobody tracks any more), and a delete finds nothing by
name, counts what is missing as already deleted, and forgets resources that
still exist. Upstream Chalice has the same hazard (its issue 489).

The account is read from the ARNs of what a deploy itself created: each
function (``lambda_arn``) and each role it manages (``role_arn``). ARNs the
user supplied (a pre-created role, a queue or topic of another account) say
nothing about where the stage lives and are not consulted.
"""

from __future__ import annotations

from chalice.aws.protocols import Clients
from chalice.deploy.state import DeployedState
from chalice.errors import StateError

# resource_type -> the key of the ARN that the deploy made in its own account.
_OWN_ARNS = {"lambda_function": "lambda_arn", "iam_role": "role_arn"}


def recorded_accounts(state: DeployedState) -> frozenset[str]:
    """The account ids in the state's own ARNs (empty: nothing recorded yet).

    >>> s = DeployedState(resources=({"name": "f", "resource_type": "lambda_function",
    ...     "lambda_arn": "arn:aws:lambda:us-west-2:111122223333:function:f"},))
    >>> sorted(recorded_accounts(s))
    ['111122223333']
    """
    accounts = set()
    for entry in state.resources:
        key = _OWN_ARNS.get(str(entry.get("resource_type")))
        arn = entry.get(key) if key else None
        parts = arn.split(":") if isinstance(arn, str) else []
        if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit():
            accounts.add(parts[4])
    return frozenset(accounts)


def verify(clients: Clients, recorded: frozenset[str], stage: str) -> None:
    """Raise ``StateError`` when ``clients`` act for an account outside ``recorded``
    (``recorded_accounts`` of the stage's state; empty: nothing to check, nothing asked)."""
    if not recorded:
        return
    account = clients.account_id
    if account in recorded:
        return
    theirs = ", ".join(sorted(recorded))
    raise StateError(
        f"Stage '{stage}' was deployed to AWS account {theirs}, but the credentials in use "
        f"are for account {account}. Nothing was changed.",
        where=f".chalice/deployed/{stage}.json",
        fix=f"use credentials for account {theirs} (--profile or AWS_PROFILE). To deploy "
        f"this stage to account {account} instead, first run 'chalice delete --stage "
        f"{stage}' with the old account's credentials, or deploy it under another --stage.",
    )


def explain(
    err: BaseException, clients: Clients, recorded: frozenset[str], stage: str
) -> BaseException:
    """The account mismatch if there is one, else ``err``.

    With another account's credentials, a planner's read of a recorded ARN
    may fail (AccessDenied, not found) before GetCallerIdentity answers:
    the mismatch, not that read, is what the user must hear about.
    """
    if not isinstance(err, Exception) or isinstance(err, StateError):
        return err
    try:
        verify(clients, recorded, stage)
    except StateError as mismatch:
        return mismatch
    except Exception:  # the account cannot be read either: keep the first error
        return err
    return err
