"""Take moto's per-request bookkeeping off the emulator's hot path.

AWS answers concurrent requests independently. moto's server (5.2.x) does not:

* every request, under one process-wide lock, lists moto's package directory
  and stats each of its ~150 entries to find the backend for the Host header
  (``moto.backends.list_of_moto_modules``), so concurrent calls queue behind
  filesystem work that never changes while the process runs;
* the first requests of a service each load the service's botocore model
  (~30 ms of CPU: a fresh loader scans every service directory) because the
  cache in front of it is filled without a lock, so a burst of N concurrent
  first calls does that work N times over.

Neither is AWS behaviour, and both make the end-to-end suite and the deploy
benchmarks measure the emulator instead of our client: the fault tests spent
about a quarter of their CPU there. ``apply()`` (called by
``moto_fidelity.apply()``) memoizes the listing and fills the model cache
once per service. Nothing here changes a response.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

_applied = False

T = TypeVar("T")

# moto modules that import ``get_service_model`` by name (``moto.core.errors``
# imports it from ``moto.core.utils`` at call time, so patching utils covers it).
_MODEL_USERS = ("moto.core.utils", "moto.core.routing", "moto.core.responses")


def once_per_key(load: Callable[[str], T]) -> Callable[[str], T]:
    """``load`` cached per key, computed once even when threads ask at the same time."""
    cache: dict[str, T] = {}
    lock = threading.Lock()

    @functools.wraps(load)
    def cached(key: str) -> T:
        try:
            return cache[key]
        except KeyError:
            pass
        with lock:
            if key not in cache:
                cache[key] = load(key)
            return cache[key]

    return cached


def apply() -> None:
    """Patch moto once per process (idempotent)."""
    global _applied
    if _applied:
        return
    _applied = True
    import importlib

    import moto.backends

    listing = tuple(moto.backends.list_of_moto_modules())

    def list_of_moto_modules() -> Iterable[str]:
        return listing

    moto.backends.list_of_moto_modules = list_of_moto_modules

    from moto.core import utils

    shared = once_per_key(utils.get_service_model)
    for name in _MODEL_USERS:
        module: Any = importlib.import_module(name)
        module.get_service_model = shared
