"""``make demo`` end to end: the demo script must pass non-interactively.

No timing is asserted (a loaded machine is slow, not broken); the subprocess
timeouts only keep a hung demo from hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parent.parent / "scripts" / "demo.py"


@pytest.mark.slow
def test_demo_runs_end_to_end() -> None:
    result = subprocess.run(
        [sys.executable, str(DEMO)],
        capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for marker in (
        "[1/6] Starting a local AWS emulator",
        "Your project has been generated in ./hello-demo",
        "Resources deployed:",
        "0 to create, 0 to update, 0 to delete",
        "GET http://127.0.0.1:",
        '{"hello": "world"}',
        "[6/6] Deleting the deployment",
        "Demo finished",
    ):
        assert marker in output, (marker, output)


def test_demo_reports_failure_with_nonzero_exit(tmp_path: Path) -> None:
    # A failing step must stop the demo with exit status 1 and say what failed.
    code = (
        "import sys; sys.path.insert(0, " + repr(str(DEMO.parent)) + ")\n"
        "import demo\n"
        "def broken(*a, **k):\n"
        "    raise demo.DemoFailure('step exploded')\n"
        "demo.demo = broken\n"
        "raise SystemExit(demo.main([]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "DEMO FAILED: step exploded" in result.stdout
