"""The console script exits through the interpreter's normal shutdown.

``chalice.cli.main()`` (no argv) raises ``SystemExit`` like any click program;
these tests pin what shutdown must still do for a command: keep click's exit
code, join non-daemon threads, run ``atexit`` handlers, flush buffered output.
No clock is involved: the helper thread waits for the main thread to finish
(``Thread.join`` on it returns only once the interpreter starts shutting
down), so its line can only appear if shutdown waits for it.
"""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import atexit, sys, threading
sys.argv = ["chalice", *{args!r}]
atexit.register(lambda: print("atexit ran"))
def after_main_thread():
    threading.main_thread().join()
    print("thread finished")
threading.Thread(target=after_main_thread).start()
from chalice.cli import main
main()
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(args=list(args))],
        capture_output=True,
        text=True,
        timeout=120,  # a failure guard only: a hang here means a thread was never joined
    )


def test_success_flushes_output_and_runs_exit_work() -> None:
    result = _run("--version")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("chalice ")
    assert lines[1:] == ["thread finished", "atexit ran"]


def test_usage_error_keeps_click_exit_code() -> None:
    result = _run("no-such-command")
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert result.stdout.splitlines() == ["thread finished", "atexit ran"]


def test_programmatic_call_still_raises_system_exit_and_keeps_gc() -> None:
    import gc

    from chalice.cli import main

    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    else:  # pragma: no cover
        raise AssertionError("main(argv) must raise SystemExit")
    assert gc.isenabled(), "main(argv) must leave its caller's garbage collector on"
