"""Benchmark building the deployment package: ours against upstream Chalice 1.34.0.

Run: ``.venv/bin/python benchmarks/package.py [--repeat N]``.

One project (a small app with ``requests``, ``pyyaml`` and ``attrs`` in
``requirements.txt``) is copied twice, one copy per implementation, and each
runs ``chalice package <out>`` (the whole command, as a user would) from its
own virtualenv: ours installed from this checkout into ``.bench/ours-venv``, upstream's from
``.bench/upstream-venv`` (created with ``pip install chalice==1.34.0`` when
missing; another benchmark may be creating it at the same time, which is
tolerated). Three scenarios, each timed as a fresh process, median of N:

* first build: no ``.chalice/deployments`` cache (pip's own HTTP cache is
  warm for both, after an untimed warm-up run, so the network is not what
  we measure);
* cache hit: nothing changed since the previous build;
* app-only change: one line of ``app.py`` changed.

It also reports our packager alone (``Packager.build`` in-process), which is
what ``chalice deploy`` pays, and what the shipped bytecode buys: the time to
import the app (and requests, yaml, attrs, the runtime) from the extracted
zip in a fresh ``python -I -S -B`` process, as on a read-only Lambda code
directory, with our ``.pyc`` files and with them removed. Benchmarks may use the network (PyPI); tests
may not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
UPSTREAM_VENV = BENCH / "upstream-venv"
# Ours is installed like a user gets it (``pip install .``, not editable: the
# editable finder adds an import to every interpreter start in .venv).
OURS_VENV = BENCH / "ours-venv"
OURS_CHALICE = OURS_VENV / "bin" / "chalice"
UPSTREAM_CHALICE = UPSTREAM_VENV / "bin" / "chalice"

APP = """from chalice import Chalice

app = Chalice(app_name="pkgbench")


@app.route("/")
def index():
    import requests  # noqa: F401
    import yaml  # noqa: F401
    return {"hello": "world"}
"""
REQUIREMENTS = "requests\npyyaml\nattrs\n"
CONFIG = {"version": "2.0", "app_name": "pkgbench", "stages": {"dev": {"api_gateway_stage": "api"}}}


def ensure_upstream_venv() -> None:
    """Create ``.bench/upstream-venv`` with chalice 1.34.0 unless it already works."""
    for _ in range(120):
        if UPSTREAM_CHALICE.exists() and _works(UPSTREAM_CHALICE):
            return
        lock = BENCH / "upstream-venv.creating"
        BENCH.mkdir(exist_ok=True)
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            time.sleep(5)  # someone else is creating it
            continue
        try:
            os.close(fd)
            if not (UPSTREAM_VENV / "bin" / "python").exists():
                subprocess.run([sys.executable, "-m", "venv", str(UPSTREAM_VENV)], check=True)
            subprocess.run(
                [
                    str(UPSTREAM_VENV / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "chalice==1.34.0",
                ],
                check=True,
            )
            return
        finally:
            lock.unlink(missing_ok=True)
    raise SystemExit("timed out waiting for .bench/upstream-venv")


def ensure_ours_venv() -> None:
    """(Re)install this checkout into ``.bench/ours-venv`` as a regular install."""
    BENCH.mkdir(exist_ok=True)
    if not (OURS_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(OURS_VENV)], check=True)
    subprocess.run(
        [
            str(OURS_VENV / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--force-reinstall",
            "--no-deps",
            str(ROOT),
        ],
        check=True,
    )
    # Runtime dependencies only (no test extra), as `pip install chalice` would.
    subprocess.run(
        [str(OURS_VENV / "bin" / "python"), "-m", "pip", "install", "-q", str(ROOT)], check=True
    )


def _works(chalice: Path) -> bool:
    proc = subprocess.run([str(chalice), "--version"], capture_output=True, text=True)
    return proc.returncode == 0 and "1.34.0" in proc.stdout


def make_project(root: Path) -> Path:
    (root / ".chalice").mkdir(parents=True)
    (root / ".chalice" / "config.json").write_text(json.dumps(CONFIG, indent=2))
    (root / "app.py").write_text(APP)
    (root / "requirements.txt").write_text(REQUIREMENTS)
    return root


def _env(chalice: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{chalice.parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    # Let both write bytecode caches, as a normal install has (pip compiles
    # upstream's at install time; ours is an editable checkout).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["AWS_DEFAULT_REGION"] = "us-west-2"
    return env


Timing = tuple[float, float]  # (wall seconds, CPU seconds incl. children such as pip)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_package(chalice: Path, project: Path, out: Path) -> Timing:
    shutil.rmtree(out, ignore_errors=True)
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        [str(chalice), "package", str(out)],
        cwd=project,
        env=_env(chalice),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{chalice} package failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed, _children_cpu() - cpu


def clear_cache(project: Path) -> None:
    shutil.rmtree(project / ".chalice" / "deployments", ignore_errors=True)


def touch_app(project: Path, counter: int) -> None:
    (project / "app.py").write_text(APP + f"\nVERSION = {counter}\n")


def scenario_times(run: Callable[[], Timing], project: Path, repeat: int) -> dict[str, Timing]:
    """Median (wall, CPU) seconds for the three scenarios."""
    first: list[Timing] = []
    hit: list[Timing] = []
    change: list[Timing] = []
    counter = 0
    for _ in range(repeat):
        clear_cache(project)
        counter += 1
        touch_app(project, counter)
        first.append(run())
        hit.append(run())
        counter += 1
        touch_app(project, counter)
        change.append(run())
    return {
        "first build": _median(first),
        "cache hit": _median(hit),
        "app-only change": _median(change),
    }


def _median(timings: list[Timing]) -> Timing:
    return (
        statistics.median(t[0] for t in timings),
        statistics.median(t[1] for t in timings),
    )


def in_process_times(project: Path, repeat: int) -> dict[str, Timing]:
    """Our ``Packager.build`` alone, without process start-up and templates."""
    sys.path.insert(0, str(ROOT))
    from chalice.build.packager import Packager

    runtime = f"python{sys.version_info[0]}.{sys.version_info[1]}"

    def build() -> Timing:
        cpu = time.process_time() + _children_cpu()
        start = time.perf_counter()
        Packager().build(project, runtime=runtime, architecture="x86_64", automatic_layer=False)
        return time.perf_counter() - start, time.process_time() + _children_cpu() - cpu

    return scenario_times(build, project, repeat)


def cold_import_times(project: Path, repeat: int) -> dict[str, float]:
    """Median seconds to import the app from the extracted zip, with and without .pyc."""
    import zipfile

    from chalice.build.packager import Packager

    runtime = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    (project / "app.py").write_text("import attr, requests, yaml  # noqa: F401\n" + APP)
    built = Packager().build(project, runtime=runtime, architecture="x86_64", automatic_layer=False)
    assert built.function.filename is not None
    with_pyc, without = project / "task-pyc", project / "task-src"
    with zipfile.ZipFile(built.function.filename) as archive:
        archive.extractall(with_pyc)
        for name in archive.namelist():
            if not name.endswith(".pyc"):
                archive.extract(name, without)
    code = "import sys; sys.path.insert(0, '.'); import app"

    def once(directory: Path) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code], cwd=directory, check=True)
        return time.perf_counter() - start

    samples: dict[str, list[float]] = {"with bytecode": [], "source only": []}
    for _ in range(max(repeat, 5)):  # alternate, so load on the machine hits both alike
        samples["with bytecode"].append(once(with_pyc))
        samples["source only"].append(once(without))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ensure_upstream_venv()
    ensure_ours_venv()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="chalice-pkg-bench-") as tmp:
        base = Path(tmp)
        ours = make_project(base / "ours")
        upstream = make_project(base / "upstream")
        # Warm-up (untimed): fills pip's HTTP cache for both.
        run_package(UPSTREAM_CHALICE, upstream, base / "out-up")
        run_package(OURS_CHALICE, ours, base / "out-ours")
        results = {
            "upstream 1.34.0 (chalice package)": scenario_times(
                lambda: run_package(UPSTREAM_CHALICE, upstream, base / "out-up"),
                upstream,
                args.repeat,
            ),
            "ours (chalice package)": scenario_times(
                lambda: run_package(OURS_CHALICE, ours, base / "out-ours"), ours, args.repeat
            ),
            "ours (Packager.build in-process)": in_process_times(
                make_project(base / "inproc"), args.repeat
            ),
        }
        report(results, args.repeat)
        # Other work on the machine inflates wall times (CPU times much less):
        # print the load so figures from different runs can be compared.
        load_after = os.getloadavg()
        print(
            f"load average (1/5/15 min) before {_load(load_before)}, after {_load(load_after)}"
            f" on {os.cpu_count()} CPUs"
        )
        cold = cold_import_times(make_project(base / "cold"), args.repeat)
    print(
        "cold import of the app from the zip (python -I -S -B): "
        + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in cold.items())
    )


def _load(load: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.1f}" for x in load)


def report(results: dict[str, dict[str, Timing]], repeat: int) -> None:
    """Print the scenario table and the speed-ups over upstream."""
    scenarios = ["first build", "cache hit", "app-only change"]
    print(
        f"requirements: {REQUIREMENTS.split()}  python {sys.version.split()[0]}  "
        f"median of {repeat}; wall / CPU (incl. pip subprocesses) seconds"
    )
    print(f"{'':36}" + "".join(f"{s:>20}" for s in scenarios))
    for name, times in results.items():
        cells = "".join(f"{times[s][0]:>11.3f} /{times[s][1]:>6.3f}" for s in scenarios)
        print(f"{name:36}{cells}")
    up = results["upstream 1.34.0 (chalice package)"]
    for name in ("ours (chalice package)", "ours (Packager.build in-process)"):
        ratios = "  ".join(
            f"{s}: {up[s][0] / results[name][s][0]:.1f}x wall, "
            f"{up[s][1] / max(results[name][s][1], 1e-3):.1f}x CPU"
            for s in scenarios
        )
        print(f"speed-up of {name}: {ratios}")


if __name__ == "__main__":
    main()
