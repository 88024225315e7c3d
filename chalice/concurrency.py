"""``concurrently``: independent calls at once, on threads (they wait on the network).

One helper for the AWS wrappers, the planners and their steps alike: a
planner's reads that need nothing from each other (a recorded subscription
and its function's policy) cost one round trip, not one per read, and so do
a step's calls that AWS lets run in any order (an invoke permission and a
subscription). Standard library only and nothing else imported, so the
models (and so a cached ``chalice package``) can import it at no cost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` at once; their results, in order.

    Each call but the last runs in a thread of its own (no pool: starting a
    thread is the cost here), started in order, and the last one in this
    thread. A thread just started usually runs until its call is sent, so
    the calls go out in the order given: list the one a deploy waits for
    first (GetRole before GetRolePolicy). Every call runs to its end before
    this returns; then the first exception (in ``calls`` order) is raised,
    so nothing is still running in the background when a step reports.
    """
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as err:  # re-raised below, in the caller's thread
            errors[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls) - 1)]
    for thread in threads:
        thread.start()
    if calls:
        run(len(calls) - 1)
    for thread in threads:
        thread.join()
    first = next((e for e in errors if e is not None), None)
    if first is not None:
        raise first
    return results
