"""The lease of an S3 stage lock: how long it lasts, and the thread renewing it.

A lock held in S3 cannot tell whether its holder still runs; a lease can. The
holder renews it every ``renew_every`` seconds while the command runs; a lease
not renewed for ``lease_seconds`` is taken over by the next deployer
(``chalice.deploy.state_s3``). Time passes only through the injected ``wait``,
so tests drive renewals without sleeping. Never talks to AWS itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import attrs

from chalice.deploy.lock import Notice

DEFAULT_LEASE_SECONDS = 120.0


@attrs.frozen
class Timing:
    """The lease: how long it lasts and how often the holder renews it."""

    lease_seconds: float = DEFAULT_LEASE_SECONDS
    renew_every: float = DEFAULT_LEASE_SECONDS / 4


class LeaseKeeper:
    """Renews a held S3 lock every ``renew_every`` seconds until stopped.

    ``wait(seconds)`` pauses and returns True once stopped; the default waits
    on the stop event (tests inject one driven by the test, never the clock).
    """

    def __init__(
        self,
        renew: Callable[[], bool],
        *,
        every: float,
        notice: Notice,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self._renew = renew
        self._every = every
        self._notice = notice
        self._stop = threading.Event()
        self._wait = wait or self._stop.wait
        self._thread: threading.Thread | None = None
        self.renewals = 0
        self.lost = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="chalice-lease", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._wait(self._every) and not self._stop.is_set():
            try:
                if not self._renew():
                    self.lost = True
                    self._notice(
                        "Warning: this command lost the stage's lock (it was broken by hand or "
                        "taken over after a lapse); its state writes stay conditional, so a "
                        "conflicting write stops it rather than overwrite the other's."
                    )
                    return
                self.renewals += 1
            except Exception as err:  # keep trying: the lease outlives a few failures
                self._notice(f"Warning: could not renew the stage's lock ({err}); retrying.")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
