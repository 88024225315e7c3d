"""The console script exits without interpreter teardown, but loses nothing.

``chalice.cli.main()`` (no argv) ends with ``os._exit`` to save the ~20 ms of
module teardown on short commands; these tests pin what teardown would still
have done: exit codes, atexit handlers, non-daemon threads, buffered output.
"""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import atexit, sys, threading, time
sys.argv = ["chalice", *{args!r}]
atexit.register(lambda: print("atexit ran"))
def late():
    time.sleep(0.2)
    print("thread finished")
threading.Thread(target=late).start()
from chalice.cli import main
main()
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT.format(args=list(args))],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_success_flushes_output_and_runs_exit_work() -> None:
    result = _run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("chalice ")
    assert "thread finished" in result.stdout
    assert result.stdout.rstrip().endswith("atexit ran")


def test_usage_error_keeps_click_exit_code() -> None:
    result = _run("no-such-command")
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "atexit ran" in result.stdout


def test_programmatic_call_still_raises_system_exit() -> None:
    from chalice.cli import main

    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    else:  # pragma: no cover
        raise AssertionError("main(argv) must raise SystemExit")
