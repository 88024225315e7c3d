"""Start-up time of ``chalice --help`` / ``--version``: ours against upstream 1.34.0.

Runs each command N times (after warm-up runs, so the OS file cache is hot)
and prints the median and min wall time, like hyperfine. Upstream's CLI runs
from ``.bench/upstream-venv`` (created with pip if missing; skipped if that
fails, e.g. offline). Usage::

    .venv/bin/python benchmarks/cli.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM_VENV = ROOT / ".bench" / "upstream-venv"
UPSTREAM_VERSION = "1.34.0"


def ensure_upstream() -> Path | None:
    """The upstream ``chalice`` script, installing it into its own venv if needed."""
    script = UPSTREAM_VENV / "bin" / "chalice"
    if script.exists():
        return script
    try:
        if not (UPSTREAM_VENV / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(UPSTREAM_VENV)], check=True)
        subprocess.run(
            [str(UPSTREAM_VENV / "bin" / "pip"), "install", "-q", f"chalice=={UPSTREAM_VERSION}"],
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"upstream chalice unavailable ({err}); measuring ours only", file=sys.stderr)
        return None
    return script if script.exists() else None


def measure(argv: list[str], runs: int, warmup: int = 3) -> list[float]:
    """Wall-clock seconds of ``runs`` executions of ``argv`` (output discarded)."""
    # Any non-empty PYTHONDONTWRITEBYTECODE (even "0") turns .pyc writing off.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(warmup):
        subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True
        )
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ours = Path(sys.executable).parent / "chalice"
    if not ours.exists():
        print(f"our console script is missing: {ours} (run 'make venv')", file=sys.stderr)
        return 1
    upstream = ensure_upstream()
    print(
        f"{'command':<28} {'ours median':>12} {'ours min':>9} {'upstream median':>16} {'speed-up':>9}"
    )
    for sub in (["--help"], ["--version"], ["deploy", "--help"]):
        mine = measure([str(ours), *sub], args.runs)
        label = "chalice " + " ".join(sub)
        line = f"{label:<28} {statistics.median(mine) * 1000:>10.1f}ms {min(mine) * 1000:>7.1f}ms"
        if upstream is not None:
            theirs = measure([str(upstream), *sub], args.runs)
            ratio = statistics.median(theirs) / statistics.median(mine)
            line += f" {statistics.median(theirs) * 1000:>14.1f}ms {ratio:>8.2f}x"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
