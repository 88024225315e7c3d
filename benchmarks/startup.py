"""CPU start-up of a cached ``chalice package`` and of ``chalice --help``: this tree vs a git ref.

Run: ``.venv/bin/python benchmarks/startup.py [--baseline-ref REF] [--runs N]``.

A cached ``chalice package`` (nothing changed since the previous build) is
mostly interpreter start-up and imports, so it shows what an import added to
the models, the descriptors or the snapshot costs every command. The ref is
checked out into a temporary git worktree and both trees run with this
checkout's virtualenv (``PYTHONPATH`` picks the tree), interleaved run by
run so machine load hits both alike; bytecode is compiled first and may be
written (as after ``pip install``). Prints min and median CPU (user + sys of
the child) and wall time, in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = (
    "from chalice import Chalice\napp = Chalice(app_name='light')\n\n"
    "@app.route('/')\ndef index():\n    return {}\n\n"
    "@app.on_sns_message(topic='t')\ndef handler(event):\n    pass\n"
)


def _env(tree: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    return env


def _run(tree: Path, args: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "chalice.cli", *args], cwd=cwd, env=_env(tree),
        check=True, capture_output=True,
    )  # fmt: skip
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline-ref", default="HEAD~1")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(base), args.baseline_ref],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        try:
            project = Path(tmp) / "proj"
            (project / ".chalice").mkdir(parents=True)
            (project / ".chalice" / "config.json").write_text(
                json.dumps({"version": "2.0", "app_name": "light"})
            )
            (project / "app.py").write_text(APP)
            trees = {args.baseline_ref: base, "this tree": ROOT}
            for tree in trees.values():
                subprocess.run(
                    [sys.executable, "-m", "compileall", "-q", str(tree / "chalice")],
                    env=_env(tree), capture_output=True,
                )  # fmt: skip
                _run(tree, ["package", str(Path(tmp) / "warm")], project)  # builds the cache
            samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
            for i in range(args.runs):
                for label, tree in trees.items():
                    out = str(Path(tmp) / f"out-{i}-{len(label)}")
                    samples.setdefault((label, "package"), []).append(
                        _run(tree, ["package", out], project)
                    )
                    samples.setdefault((label, "--help"), []).append(_run(tree, ["--help"], project))
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True
            )
    print(f"{'tree':<14}{'command':<10}{'cpu min':>9}{'cpu med':>9}{'wall min':>10}{'wall med':>10}")
    for (label, command), runs in samples.items():
        cpu = [c for c, _ in runs]
        wall = [w for _, w in runs]
        print(
            f"{label:<14}{command:<10}{min(cpu):>9.0f}{statistics.median(cpu):>9.0f}"
            f"{min(wall):>10.0f}{statistics.median(wall):>10.0f}"
        )


if __name__ == "__main__":
    main()
