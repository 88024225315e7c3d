"""Critical path of a deploy phase: what was measured, what the bound is, their ratio.

Every AWS call is held to exactly ``L`` ms by the benchmark proxy
(``latency_proxy.py``: it answers ``L`` ms after the client sent the
request, however fast moto was), so time spent between calls is ours: a
call that waited for another one, a step that waited for unrelated reads,
a pool that was full, or our own CPU time, including the time between
botocore stamping a request and its bytes leaving (``plugins/bench_sent.py``).

Unless moto is slower than ``L``: it serves requests one at a time in
effect (one process, one GIL, 5-10 ms of CPU per request), so a burst of
reads queues in it and its last answers come later than ``L`` after the
proxy got them. Such calls are counted in the *late* column; a phase with
late calls measures moto as well as the deploy.

Before the proxy counted from the client's stamp, it counted from when its
own handler thread read the request: in a burst of new connections that
was 15-70 ms after the client sent it, and the first request of a phase
(where the span starts) lagged as much as the last, so the figures hid
most of the client's time spent launching a burst (an unchanged redeploy
measured 1.2x its bound; 2.0-2.2x with the send stamped). The unchanged redeploy (a burst of 20-30 reads and
nothing else) is therefore run twice and the second run, the one measured,
gets each read's answer from the first run's (``deploy.py``: a no-op
changes nothing, so they are the answers moto would give). The first
deploy's first burst (15-20 reads into an empty account, GetRole at the
head of the critical path among them) is answered the same way, from a
first deploy run and undone before the measured one, until the measured
one's first write.

*Measured critical path*: from the phase's first request sent to its last answer.

*Bound*: the longest chain of calls that must run one after the other,
times ``L``, plus the waits AWS's quotas impose (``chalice/aws/pacing.py``).
A call must follow another when it needs its answer (the API id an import
returned) or the resource it made (a function needs its role), or when AWS
refuses it before the other finished (DeleteRole before DeleteRolePolicy is
a DeleteConflict), or when our plan orders them on purpose (a REST API is
deleted before the functions it invokes, see ``DELETE_TIERS``). Each chain
below lists those calls; a read that decides whether the writes happen at
all is part of the chain. The quota wait of ``n`` calls against a bucket of
``burst`` tokens refilled at ``rate`` per second is ``(n - burst) / rate``.

*Schedule depth*: the longest run of calls in which each one started after
the previous one answered; the bound's chain length is what it should be.

*Round trips*: with two or more latencies, how much the measured path grows
per millisecond of latency, i.e. how many calls the path waits for one after
the other: ``(measured(L2) - measured(L1)) / (L2 - L1)``, from the medians.
Our own CPU time (launching and parsing a burst of calls) is nearly the same
at every latency, so it cancels out; what is left is the ordering, which is
what the bound's chain counts. An unchanged redeploy whose 20-30 reads all
go out at once is one round trip whatever the machine, while its ratio at
50 ms on a 2-core host is 1.6-2.2x: botocore's 1.5-3 ms of CPU per call
spreads the burst's sends over 30-70 ms. ``botocore_floor.py`` makes the
same calls with bare botocore, one thread each, all released at once: on
the same host it measured 1.6-1.7x (the deploy: 1.65-1.8x).

*0 ms*: the same phase's span with no latency at all, i.e. our own time
(serializing and signing each call, threads, moto; the botocore clients are
made before the first call, so outside the span) that no ordering removes:
botocore spends 0.6-1.5 ms of CPU launching each call on this 2-core
machine, so the last read of a 27-read no-op leaves 15-30 ms after the
first, whatever the order.
"""

from __future__ import annotations

import threading
from typing import Any

import attrs

# Lambda's control-plane quota per API and its burst (chalice/aws/pacing.py).
LAMBDA_RATE, LAMBDA_BURST = 15.0, 10.0


@attrs.frozen
class Bound:
    """One phase's lower bound: the chain of calls that must be serial + quota waits."""

    chain: tuple[str, ...]
    quota_wait: float = 0.0
    why: str = ""

    def seconds(self, latency: float) -> float:
        return len(self.chain) * latency + self.quota_wait


def _lambda_wait(calls: int) -> float:
    return max(0.0, (calls - LAMBDA_BURST) / LAMBDA_RATE)


# The role's inline policy is part of the role: a function is created once
# its role can do what the function needs (AWS checks an SQS/Kinesis/DynamoDB
# mapping's permissions when it is created), so PutRolePolicy is in the chain.
ROLE_CHAIN = ("iam.GetRole", "iam.CreateRole", "iam.PutRolePolicy", "lambda.CreateFunction")

# The sample app (benchmarks/deploy.py): one role, 9 functions, a REST API
# with an authorizer, 2 schedules, SNS/SQS/S3 subscriptions.
SAMPLE = {
    "first deploy": Bound(
        (*ROLE_CHAIN, "apigateway.ImportRestApi", "apigateway.CreateDeployment"),
        why="the API's definition names the functions; the deployment needs the API id "
        "(tags and permissions run beside it); as long: AddPermission then "
        "PutBucketNotificationConfiguration (S3 checks it may invoke the function)",
    ),
    "unchanged redeploy": Bound(
        ("lambda.GetFunction",),
        why="ids and ARNs come from the state file, so every read is independent: a "
        "recorded function's policy is read beside the function itself",
    ),
    "delete": Bound(
        (
            "sts.GetCallerIdentity",
            "s3.GetBucketNotificationConfiguration",
            "s3.PutBucketNotificationConfiguration",
            "apigateway.DeleteRestApi",
            "lambda.DeleteFunction",
            "iam.DeleteRolePolicy",
            "iam.DeleteRole",
        ),
        why="the account is checked against the state's before anything is deleted; "
        "tiers: subscriptions (S3 keeps other notifications: read, then write; "
        "a rule loses its targets before it goes), then APIs, then functions, then "
        "roles; DeleteRole is refused while an inline policy remains",
    ),
}

# The twenty app: one role, 20 functions, nothing else.
TWENTY = {
    "first deploy": Bound(
        ROLE_CHAIN,
        quota_wait=_lambda_wait(20),
        why="20 CreateFunction at 15/s after a burst of 10",
    ),
    "unchanged redeploy": Bound(("lambda.GetFunction",), why="every read is independent"),
    "delete": Bound(
        (
            "sts.GetCallerIdentity",
            "lambda.DeleteFunction",
            "iam.DeleteRolePolicy",
            "iam.DeleteRole",
        ),
        quota_wait=_lambda_wait(20),
        why="the account check first; functions before their role; 20 DeleteFunction at "
        "15/s after a burst of 10",
    ),
}

BOUNDS: dict[str, dict[str, Bound]] = {"sample": SAMPLE, "twenty": TWENTY}


@attrs.frozen
class Call:
    """One request: sent (by the client's stamp) and answered, ``perf_counter`` seconds."""

    start: float
    end: float
    op: str
    mutating: bool
    late: bool = False  # moto took longer than ``L``: the call did too


class CallLog:
    """The calls of one phase (thread-safe; ``take`` empties it)."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def add(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def take(self) -> list[Call]:
        with self._lock:
            calls, self._calls = self._calls, []
        return sorted(calls, key=lambda c: c.start)


def span(calls: list[Call]) -> float:
    """First request to last answer (0 without calls)."""
    if not calls:
        return 0.0
    return max(c.end for c in calls) - min(c.start for c in calls)


def depth(calls: list[Call]) -> tuple[int, list[Call]]:
    """The longest run of calls each started after the previous one answered.

    >>> a = Call(0.0, 1.0, "A", False); b = Call(0.5, 1.5, "B", False)
    >>> c = Call(1.2, 2.2, "C", True)
    >>> n, chain = depth([a, b, c]); n, [x.op for x in chain]
    (2, ['A', 'C'])
    """
    best: list[tuple[int, int]] = []  # per call: (depth, index of predecessor or -1)
    ordered = sorted(calls, key=lambda c: c.start)
    for i, call in enumerate(ordered):
        candidates = [(best[j][0], j) for j in range(i) if ordered[j].end <= call.start]
        d, j = max(candidates, default=(0, -1))
        best.append((d + 1, j))
    if not best:
        return 0, []
    i = max(range(len(best)), key=lambda k: best[k][0])
    chain: list[Call] = []
    while i >= 0:
        chain.append(ordered[i])
        i = best[i][1]
    return len(chain), chain[::-1]


def row(app: str, phase: str, calls: list[Call], latency: float) -> dict[str, Any]:
    """Measured span, schedule depth, bound and ratio of one phase."""
    bound = BOUNDS[app][phase]
    measured = span(calls)
    n, chain = depth(calls)
    limit = bound.seconds(latency)
    return {
        "app": app,
        "phase": phase,
        "measured": measured,
        "depth": n,
        "chain": [c.op for c in chain],
        "bound": limit,
        "bound_calls": len(bound.chain),
        "quota": bound.quota_wait,
        "ratio": measured / limit if limit else float("nan"),
        "latency": latency,
        "calls": len(calls),
        "mutating": sum(c.mutating for c in calls),
        "late": sum(c.late for c in calls),
    }


def median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median measured path, and the range of all runs' ratios.

    >>> m = median_row([{"measured": 3, "ratio": 1.5}, {"measured": 1, "ratio": 1.1},
    ...                 {"measured": 2, "ratio": 1.2}])
    >>> m["measured"], m["ratios"]
    (2, (1.1, 1.5))
    """
    ordered = sorted(rows, key=lambda r: r["measured"])
    median = dict(ordered[(len(ordered) - 1) // 2])
    median["ratios"] = (ordered[0]["ratio"], ordered[-1]["ratio"])
    return median


def round_trips(low: dict[str, Any], high: dict[str, Any]) -> dict[str, Any]:
    """Calls the path waits for in turn: growth of the measured path per unit of latency.

    ``low`` and ``high`` are one phase's median rows at two latencies (``L``
    in seconds as ``latency``).

    >>> r = round_trips({"measured": 0.09, "latency": 0.05, "bound_calls": 1},
    ...                 {"measured": 0.295, "latency": 0.25, "bound_calls": 1})
    >>> round(r["trips"], 3), round(r["ratio"], 3)
    (1.025, 1.025)
    """
    trips = (high["measured"] - low["measured"]) / (high["latency"] - low["latency"])
    return {"trips": trips, "ratio": trips / low["bound_calls"]}


def print_trips(medians: dict[int, list[dict[str, Any]]]) -> None:
    """The round-trips table, from the lowest and the highest non-zero latency."""
    latencies = sorted(ms for ms in medians if ms > 0)
    if len(latencies) < 2:
        return
    lo, hi = latencies[0], latencies[-1]
    high = {(r["app"], r["phase"]): r for r in medians[hi]}
    print(f"round trips on the critical path (growth of the path from {lo} to {hi} ms per call)")
    print(f"{'app':<8}{'phase':<20}{'round trips':>12}{'bound calls':>12}{'ratio':>7}")
    for r in medians[lo]:
        other = high.get((r["app"], r["phase"]))
        if other is None:
            continue
        t = round_trips(r, other)
        print(
            f"{r['app']:<8}{r['phase']:<20}{t['trips']:>12.2f}{r['bound_calls']:>12}"
            f"{t['ratio']:>7.2f}"
        )


def print_rows(rows: list[dict[str, Any]], latency_ms: int, *, verbose: bool) -> None:
    print(
        f"critical path at {latency_ms} ms per call (bound = serial calls x L + quota waits)"
    )
    print(
        f"{'app':<8}{'phase':<20}{'measured s':>11}{'depth':>6}{'bound s':>9}"
        f"{'(calls+quota)':>15}{'ratio':>7}{'calls':>7}{'mut':>5}{'late':>5}{'0 ms s':>8}"
        f"{'  ratio range':>14}"
    )
    for r in rows:
        shape = f"{r['bound_calls']}+{r['quota']:.2f}s"
        print(
            f"{r['app']:<8}{r['phase']:<20}{r['measured']:>11.3f}{r['depth']:>6}"
            f"{r['bound']:>9.3f}{shape:>15}{r['ratio']:>7.2f}{r['calls']:>7}{r['mutating']:>5}"
            f"{r['late']:>5}{r.get('floor', 0.0):>8.3f}"
            + ("  {:.2f}-{:.2f}".format(*r["ratios"]) if "ratios" in r else "")
        )
        if verbose:
            bound = BOUNDS[r["app"]][r["phase"]]
            print("    bound: " + " > ".join(bound.chain) + f" ({bound.why})")
            print("    longest run: " + " > ".join(r["chain"]))
