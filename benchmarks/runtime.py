"""Benchmark our runtime against upstream Chalice 1.34.0 on the same app and events.

Run: ``.venv/bin/python benchmarks/runtime.py [--quick]``.

It creates ``.bench/upstream-venv`` (same Python, ``pip install chalice==1.34.0``
from PyPI) if missing, then lays out each framework exactly as a deployment
zip would (``chalice/__init__.py`` + the runtime module(s), next to ``app.py``)
and measures, for both, with ``python -I -S`` so site-packages play no part:

* cold start: a fresh process that imports the framework and the app and
  handles one REST event; wall time (median of alternating runs) and
  instruction counts (``valgrind --tool=callgrind``), with bytecode cached and
  source-only (``PYTHONDONTWRITEBYTECODE=1``, no ``__pycache__``), plus the
  floor (``import json`` alone);
* warm dispatch: events per second over 100k invocations of a mixed stream
  (REST, SQS, SNS, S3, schedule, pure lambda);
* peak RSS after one event;
* payload format 2.0 (``runtime_v2.py``): warm dispatch of the same HTTP requests as
  REST, HTTP API and function URL events, and the REST cold start against a git
  baseline (``--v2-only`` runs just these; they need no upstream).

Benchmarks may use the network (PyPI); tests may not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
UPSTREAM_VENV = BENCH / "upstream-venv"
EVENTS = ROOT / "tests" / "events"

APP_SOURCE = """
from chalice import Chalice, Response, BadRequestError, NotFoundError, Rate, CORSConfig

app = Chalice(app_name="bench")
app.api.cors = False

ITEMS = {"1": {"name": "one"}, "2": {"name": "two"}}


@app.route("/")
def index():
    return {"hello": "world"}


@app.route("/items", methods=["GET"])
def list_items():
    return {"items": sorted(ITEMS)}


@app.route("/items", methods=["POST"])
def create_item():
    body = app.current_request.json_body
    return Response(body={"created": body}, status_code=201)


@app.route("/items/{item_id}", methods=["GET"], cors=True)
def get_item(item_id):
    item = ITEMS.get(item_id)
    if item is None:
        raise NotFoundError(item_id)
    return item


@app.route("/items/{item_id}", methods=["PUT", "DELETE"])
def change_item(item_id):
    return {"changed": item_id}


@app.route("/users/{user}/orders/{order}")
def user_order(user, order):
    return {"user": user, "order": order}


@app.route("/search")
def search():
    params = app.current_request.query_params or {}
    return {"q": params.get("q")}


@app.route("/headers")
def headers():
    return Response(body="ok", headers={"Content-Type": "text/plain", "X-Multi": ["a", "b"]})


@app.route("/bad")
def bad():
    raise BadRequestError("bad request")

"""

# 22 more plain routes so the app has 30.
APP_SOURCE += "".join(
    f"""
@app.route("/r{i}/{{p}}", methods=["GET", "POST"], cors={i % 3 == 0})
def route_{i}(p):
    return {{"route": {i}, "p": p}}
"""
    for i in range(22)
)

APP_SOURCE += """

@app.schedule(Rate(5, unit=Rate.MINUTES))
def every_five(event):
    return event.detail_type


@app.on_sqs_message(queue="bench-queue")
def on_sqs(event):
    return [record.body for record in event]


@app.on_sns_message(topic="bench-topic")
def on_sns(event):
    return event.message


@app.on_s3_event(bucket="bench-bucket")
def on_s3(event):
    return event.bucket + "/" + event.key


@app.lambda_function()
def pure(event, context):
    return {"echo": event}
"""


def _load(path: str) -> dict:  # type: ignore[type-arg]
    with open(EVENTS / path, encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


def _rest_event(resource: str, method: str, params: dict[str, str] | None, **extra: object) -> dict:  # type: ignore[type-arg]
    event = _load("apigw-rest/sam-AwsProxy.json")
    event["resource"] = resource
    event["requestContext"]["resourcePath"] = resource
    event["httpMethod"] = method
    event["requestContext"]["httpMethod"] = method
    event["pathParameters"] = params
    event["body"] = None
    event["isBase64Encoded"] = False
    event.update(extra)
    return event


def event_stream() -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    """(handler attribute of app.py, event) pairs; REST is half the stream."""
    post = _rest_event("/items", "POST", None, body='{"name": "three"}')
    post["headers"]["Content-Type"] = "application/json"
    rest = [
        ("app", _rest_event("/", "GET", None)),
        ("app", _rest_event("/items/{item_id}", "GET", {"item_id": "1"})),
        ("app", post),
        ("app", _rest_event("/users/{user}/orders/{order}", "GET", {"user": "u", "order": "o"})),
        ("app", _rest_event("/r3/{p}", "GET", {"p": "x"})),
    ]
    schedule = _load("eventbridge/sam-ScheduledEvent.json")
    schedule.setdefault("version", "0")  # upstream's CloudWatchEvent requires it
    return [
        rest[0],
        ("on_sqs", _load("sqs/sam-Sqs.json")),
        rest[1],
        ("on_sns", _load("sns/sam-Sns.json")),
        rest[2],
        ("on_s3", _load("s3/sam-S3Put.json")),
        rest[3],
        ("every_five", schedule),
        rest[4],
        ("pure", {"key": "value"}),
    ]


COLD_SCRIPT = """
import sys
sys.path[:0] = [{app_dir!r}, {fw_dir!r}]
import json
import app
result = app.app(json.loads({event!r}), None)
assert result["statusCode"] == 200, result
if {rss!r}:
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    print(fields["VmRSS"].split()[0], fields["VmHWM"].split()[0])
"""

WARM_SCRIPT = """
import sys, json, time
sys.path[:0] = [{app_dir!r}, {fw_dir!r}]
import app
stream = [(getattr(app, name), event) for name, event in json.loads({stream!r})]
n = {n}
calls = (stream * (n // len(stream) + 1))[:n]
for handler, event in stream:
    handler(event, None)
start = time.perf_counter()
for handler, event in calls:
    handler(event, None)
elapsed = time.perf_counter() - start
print(n / elapsed)
"""


def ensure_upstream_venv() -> Path:
    python = UPSTREAM_VENV / "bin" / "python"
    check = [str(python), "-c", "import chalice.app"]
    if python.exists() and subprocess.run(check, cwd="/", capture_output=True).returncode == 0:
        return python
    BENCH.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(UPSTREAM_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "chalice==1.34.0"], check=True, cwd="/"
    )
    return python


def layout(work: Path, upstream_python: Path) -> dict[str, Path]:
    """Zip-like directories: <name>/fw/chalice/... for ours and upstream."""
    out = subprocess.run(
        [
            str(upstream_python),
            "-c",
            "import chalice, os; print(os.path.dirname(chalice.__file__))",
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    )
    upstream_pkg = Path(out.stdout.strip())
    dirs = {}
    for name in ("ours", "upstream"):
        fw = work / name / "chalice"
        fw.mkdir(parents=True)
        if name == "ours":
            shutil.copy(ROOT / "chalice" / "__init__.py", fw / "__init__.py")
            (fw / "app").mkdir()
            for source in sorted((ROOT / "chalice" / "app").glob("*.py")):
                shutil.copy(source, fw / "app" / source.name)
        else:
            shutil.copy(upstream_pkg / "__init__.py", fw / "__init__.py")
            shutil.copy(upstream_pkg / "app.py", fw / "app.py")
        dirs[name] = fw.parent
    return dirs


def _prepare(fw_dir: Path, app_dir: Path, *, bytecode: bool) -> dict[str, str]:
    # ``-I`` ignores PYTHON* variables, so source-only runs also pass ``-B``.
    for cache in list(fw_dir.rglob("__pycache__")) + list(app_dir.rglob("__pycache__")):
        shutil.rmtree(cache)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    if bytecode:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(fw_dir), str(app_dir)], check=True
        )
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _flags(env: dict[str, str]) -> list[str]:
    return ["-I", "-S", "-B"] if env.get("PYTHONDONTWRITEBYTECODE") else ["-I", "-S"]


def _cold_cmd(
    fw_dir: Path, app_dir: Path, event: dict, env: dict[str, str], *, rss: bool = False
) -> list[str]:  # type: ignore[type-arg]
    script = COLD_SCRIPT.format(
        app_dir=str(app_dir), fw_dir=str(fw_dir), event=json.dumps(event), rss=rss
    )
    return [sys.executable, *_flags(env), "-c", script]


def wall_times(cmds: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for key, (cmd, env) in cmds.items():  # alternate to share machine noise
            start = time.perf_counter()
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
            samples[key].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in samples.items()}


def instructions(cmd: list[str], env: dict[str, str]) -> int | None:
    if shutil.which("valgrind") is None:
        return None
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in proc.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].strip())
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, 20k warm calls")
    parser.add_argument("--warm-only", action="store_true", help="only the warm dispatch figures")
    parser.add_argument(
        "--v2-only", action="store_true", help="only the payload format 2.0 figures (no upstream)"
    )
    parser.add_argument(
        "--baseline-ref", default=None, help="git ref for the 2.0 cold-start baseline"
    )
    args = parser.parse_args()
    import runtime_v2  # benchmarks/runtime_v2.py

    if args.v2_only:
        runtime_v2.report(quick=args.quick, baseline_ref=args.baseline_ref)
        return
    runs = 7 if args.quick else 21
    skip_cold = args.warm_only
    warm_n = 20_000 if args.quick else 100_000

    upstream_python = ensure_upstream_venv()
    stream = event_stream()
    cold_event = stream[2][1]  # GET /items/{item_id}
    with tempfile.TemporaryDirectory(prefix="chalice-bench-") as tmp:
        work = Path(tmp)
        dirs = layout(work, upstream_python)
        app_dirs = {}
        for name in dirs:
            app_dir = work / f"{name}-app"
            app_dir.mkdir()
            (app_dir / "app.py").write_text(APP_SOURCE)
            app_dirs[name] = app_dir

        print(f"python {sys.version.split()[0]}; upstream chalice 1.34.0 vs ours")
        report: dict[str, dict[str, float]] = {}
        modes = () if skip_cold else (("bytecode", True), ("source-only", False))
        for mode, bytecode in modes:
            envs = {n: _prepare(dirs[n], app_dirs[n], bytecode=bytecode) for n in dirs}
            cmds = {
                n: (_cold_cmd(dirs[n], app_dirs[n], cold_event, envs[n]), envs[n]) for n in dirs
            }
            cmds["floor"] = (
                [sys.executable, *_flags(envs["ours"]), "-c", "import json"],
                envs["ours"],
            )
            walls = wall_times(cmds, runs)
            instr = {k: instructions(cmd, env) for k, (cmd, env) in cmds.items()}
            report[mode] = {f"wall_{k}": v for k, v in walls.items()}
            print(f"\ncold start ({mode}), median of {runs} alternating runs:")
            for key in ("floor", "upstream", "ours"):
                line = f"  {key:9s} wall {walls[key] * 1000:7.2f} ms"
                if instr[key] is not None:
                    line += f"   instructions {instr[key] / 1e6:8.1f} M"
                print(line)
            fw = walls["upstream"] - walls["floor"]
            ours = walls["ours"] - walls["floor"]
            if ours > 0.001:
                print(f"  above floor: wall upstream/ours = {fw / ours:.2f}x", end="")
            else:  # the medians are noisy on a shared machine
                print(
                    f"  above floor: wall upstream {fw * 1000:.1f} ms, ours "
                    f"{ours * 1000:.1f} ms (within noise of the floor)",
                    end="",
                )
            if instr["ours"] and instr["upstream"] and instr["floor"]:
                up_i = instr["upstream"] - instr["floor"]
                our_i = instr["ours"] - instr["floor"]
                print(
                    f"; instructions upstream {up_i / 1e6:.1f}M vs ours {our_i / 1e6:.1f}M "
                    f"= ours is {our_i / up_i:.2f} of upstream (target <= 0.33)"
                )
            else:
                print()

        envs = {n: _prepare(dirs[n], app_dirs[n], bytecode=True) for n in dirs}
        # (VmRSS, VmHWM) in KiB after one event; the floor imports json only.
        rss: dict[str, list[int]] = {}
        floor_script = COLD_SCRIPT.split("import app")[0].format(app_dir="", fw_dir="") + (
            "\nwith open('/proc/self/status') as f:\n"
            "    fields = dict(line.split(':', 1) for line in f)\n"
            "print(fields['VmRSS'].split()[0], fields['VmHWM'].split()[0])\n"
        )
        commands = {
            name: _cold_cmd(dirs[name], app_dirs[name], cold_event, envs[name], rss=True)
            for name in dirs
        }
        commands["floor"] = [sys.executable, "-I", "-S", "-c", floor_script]
        for name, cmd in ({} if skip_cold else commands).items():
            out = subprocess.run(
                cmd,
                env=envs["ours"] if name == "floor" else envs[name],
                capture_output=True,
                text=True,
                check=True,
            )
            rss[name] = [int(v) for v in out.stdout.strip().splitlines()[-1].split()]
        if rss:
            print(
                "\nmemory after one event (RSS / peak RSS): "
                + ", ".join(
                    f"{n} {rss[n][0]:,} / {rss[n][1]:,} KiB" for n in ("floor", "upstream", "ours")
                )
            )

        stream_json = json.dumps(stream)
        # The machine may be shared: alternate rounds and keep each side's best.
        rates: dict[str, float] = {name: 0.0 for name in dirs}
        for _ in range(1 if args.quick else 3):
            for name in dirs:
                rates[name] = max(
                    rates[name],
                    _warm_rate(dirs[name], app_dirs[name], envs[name], stream_json, warm_n),
                )
        print(
            f"warm dispatch over {warm_n} mixed events (best of rounds): "
            f"upstream {rates['upstream']:,.0f}/s, ours {rates['ours']:,.0f}/s = "
            f"{rates['ours'] / rates['upstream']:.2f}x (target >= 3x)"
        )
        if shutil.which("valgrind") and not args.quick:
            # Noise-free companion figure: instructions per warm event, from
            # the difference of two callgrind runs of different lengths.
            per_event = {
                name: _warm_instructions(dirs[name], app_dirs[name], envs[name], stream_json)
                for name in dirs
            }
            print(
                f"warm instructions per mixed event: upstream {per_event['upstream']:,.0f}, "
                f"ours {per_event['ours']:,.0f} = {per_event['upstream'] / per_event['ours']:.2f}x"
            )
    runtime_v2.report(quick=args.quick, baseline_ref=args.baseline_ref)


def _warm_script(fw_dir: Path, app_dir: Path, stream_json: str, n: int, timed: bool) -> str:
    script = WARM_SCRIPT.format(app_dir=str(app_dir), fw_dir=str(fw_dir), stream=stream_json, n=n)
    return script if timed else script.replace("print(n / elapsed)", "")


def _warm_rate(fw_dir: Path, app_dir: Path, env: dict[str, str], stream_json: str, n: int) -> float:
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _warm_script(fw_dir, app_dir, stream_json, n, True)],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"warm run failed:\n{out.stderr}")
    return float(out.stdout.strip().splitlines()[-1])


def _warm_instructions(fw_dir: Path, app_dir: Path, env: dict[str, str], stream_json: str) -> float:
    counts = []
    for n in (1_000, 6_000):
        cmd = [
            sys.executable,
            "-I",
            "-S",
            "-c",
            _warm_script(fw_dir, app_dir, stream_json, n, False),
        ]
        count = instructions(cmd, env)
        assert count is not None
        counts.append(count)
    return (counts[1] - counts[0]) / 5_000


if __name__ == "__main__":
    main()
