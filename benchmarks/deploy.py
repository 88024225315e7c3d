"""Deploy benchmark: this chalice vs upstream chalice 1.34.0, against moto.

Both CLIs run as subprocesses (same Python, same moto) pointed through
``AWS_ENDPOINT_URL`` at a small proxy in front of an in-process moto server.
The proxy adds a fixed latency to every call (0 and 50 ms, like a real
region round trip) and counts calls by operation (read vs mutating).

Apps: ``sample`` (routes, a built-in authorizer, two schedules, two pure
lambdas, SNS/SQS/S3 handlers) and ``twenty`` (20 pure lambda functions).
Phases: first deploy, unchanged redeploy, one-line change, delete.

    .venv/bin/python benchmarks/deploy.py [--latency 0 50] [--apps sample twenty]

``--realism`` instead deploys ``twenty`` in-process under the tests'
AWS-realism layer (``tests/deploy/e2e/realism.py``: IAM propagation, Lambda
Pending/InProgress states, AWS's published quotas scaled by
``--quota-speed``) on a virtual clock, and reports the first deploy and the
unchanged redeploy without quotas, with quotas and the deploy's pacing off,
and with both: wall time next to "AWS time"
(the virtual seconds the deploy spent waiting: backoff, pacing, states),
calls, mutating calls and throttles served. Then ``scheduled`` (20 functions
on schedules, so 20 invoke permissions) with quotas and pacing: its first
unchanged redeploy reads every function's policy, the next one knows them
by revision (``chalice/deploy/function_policies.py``).

    .venv/bin/python benchmarks/deploy.py --realism [--quota-speed 1]

``--critical-path`` runs ours only and prints, per phase (first deploy,
unchanged redeploy, delete) and app, the measured critical path (first
request to last answer, every call held to exactly ``--latency`` ms), the
bound (required serial calls x latency + quota waits, ``critical_path.py``
says which calls and why), their ratio, the calls moto answered later than
the latency ("late"), and the same phase at 0 ms (our own time, which no
ordering removes). The unchanged redeploy is measured with moto's answers
to an identical previous one (see ``bench``), and so is bare botocore
making the same calls at once (``botocore_floor.py``): the floor of that
burst. Given two latencies, it also prints each phase's round trips (the
growth of its path per unit of latency: the calls it waits for in turn).

    .venv/bin/python benchmarks/deploy.py --critical-path --latency 50 250 [--repeat 5] [--verbose]

Upstream lives in ``.bench/upstream-venv`` (``pip install chalice==1.34.0``).
Moto only imports OpenAPI 3 definitions, which upstream does not send, so for
upstream's sake the benchmark converts Swagger 2.0 inside moto (a benchmark-
only fidelity patch; real API Gateway accepts both).
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
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from critical_path import BOUNDS, median_row, print_rows, print_trips, row, span
from latency_proxy import Answer, Proxy

ROOT = Path(__file__).resolve().parents[1]
# Ours runs from this checkout (whichever venv runs the benchmark).
OURS = [sys.executable, "-m", "chalice.cli"]
UPSTREAM = ROOT / ".bench" / "upstream-venv" / "bin" / "chalice"
# The botocore plugin that stamps each request's send time (``latency_proxy.SENT_HEADER``).
PLUGINS = Path(__file__).resolve().parent / "plugins"

SAMPLE_APP = """
from chalice import Chalice, Rate, Cron, AuthResponse

app = Chalice(app_name="benchsample")


@app.authorizer()
def auth(auth_request):
    return AuthResponse(routes=["*"], principal_id="user")


@app.route("/")
def index():
    return {"hello": "world"}


@app.route("/items/{item}", methods=["GET", "PUT"])
def item(item):
    return {"item": item}


@app.route("/private", authorizer=auth)
def private():
    return {"private": True}


@app.schedule(Rate(5, unit=Rate.MINUTES))
def every_five(event):
    return {}


@app.schedule(Cron(0, 12, "*", "*", "?", "*"))
def noon(event):
    return {}


@app.lambda_function()
def pure_one(event, context):
    return {}


@app.lambda_function()
def pure_two(event, context):
    return {}


@app.on_sns_message(topic="bench-topic")
def on_sns(event):
    return None


@app.on_sqs_message(queue="bench-queue")
def on_sqs(event):
    return None


@app.on_s3_event(bucket="bench-bucket", events=["s3:ObjectCreated:*"])
def on_s3(event):
    return None
"""


def twenty_app() -> str:
    lines = ["from chalice import Chalice", "", 'app = Chalice(app_name="benchtwenty")', ""]
    for i in range(20):
        lines += [
            "",
            "@app.lambda_function()",
            f"def fn{i:02d}(event, context):",
            '    return {"hello": "world"}',
            "",
        ]
    return "\n".join(lines)


def scheduled_app() -> str:
    """20 functions on schedules: 20 invoke permissions, so 20 policies to know."""
    lines = ["from chalice import Chalice", "", 'app = Chalice(app_name="benchsched")', ""]
    for i in range(20):
        lines += ["", f"@app.schedule('rate({i + 2} hours)')", f"def fn{i:02d}(event):", "    return None"]
    return "\n".join(lines) + "\n"


APPS = {"sample": SAMPLE_APP, "twenty": twenty_app(), "scheduled": scheduled_app()}
NAMES = {"sample": "benchsample", "twenty": "benchtwenty", "scheduled": "benchsched"}


# -- moto + proxy ------------------------------------------------------------------


def start_moto() -> str:
    import logging

    sys.path.insert(0, str(ROOT))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    from moto.server import ThreadedMotoServer

    from tests.deploy.e2e import moto_fidelity

    moto_fidelity.apply()
    moto_fidelity.accept_swagger2()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server._server.server_address  # noqa: SLF001 - moto exposes no getter
    return f"http://127.0.0.1:{port}"


def start_moto_process() -> str:
    """``start_moto`` in a process of its own (ended with this one); its URL.

    The proxy stamps each request when it reads it and answers ``L`` later:
    sharing a process (and so a GIL) with moto, whose CPU is 5-10 ms per
    request, it read requests late whenever moto was busy, and the calls
    looked longer than ``L`` to the deploy.
    """
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-moto"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise RuntimeError(f"moto did not start: {url!r}")
    return url


def serve_moto() -> None:
    """``--serve-moto``: print moto's URL, serve until stdin closes (the parent ended)."""
    print(start_moto(), flush=True)
    sys.stdin.read()


# -- runs --------------------------------------------------------------------------


def reset(moto: str) -> None:
    req = urllib.request.Request(f"{moto}/moto-api/reset", method="POST", data=b"")
    urllib.request.urlopen(req, timeout=30).read()
    import botocore.session

    s = botocore.session.Session()
    kw = {"endpoint_url": moto, "region_name": "us-west-2"}
    s.create_client("sns", **kw).create_topic(Name="bench-topic")
    s.create_client("sqs", **kw).create_queue(QueueName="bench-queue")
    s.create_client("s3", **kw).create_bucket(
        Bucket="bench-bucket", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    # moto builds each service's backend on its first request after a reset
    # (up to ~0.5 s each); AWS has no such cost, so warm them up untimed.
    s.create_client("sts", **kw).get_caller_identity()
    s.create_client("iam", **kw).list_roles()
    s.create_client("lambda", **kw).list_functions()
    s.create_client("lambda", **kw).list_layers()
    s.create_client("apigateway", **kw).get_rest_apis()
    s.create_client("events", **kw).list_rules()
    s.create_client("logs", **kw).describe_log_groups()


def make_project(base: Path, app: str) -> Path:
    project = base / app
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(APPS[app])
    (project / "requirements.txt").write_text("")
    name = NAMES[app]
    (project / ".chalice" / "config.json").write_text(
        json.dumps(
            {"version": "2.0", "app_name": name, "stages": {"dev": {"api_gateway_stage": "api"}}}
        )
    )
    return project


def run_cli(cli: list[str], project: Path, args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [*cli, "--project-dir", str(project), *args],
        cwd=str(project),
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cli} {args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return took


# The first of two unchanged redeploys when ``replay_noop``: its answers are recorded.
NOOP_RECORDED = "unchanged (recorded)"
# A first deploy before the measured one when ``replay_noop``: the answers to
# the reads it made before its first write are recorded (then moto is reset).
FIRST_RECORDED = "first deploy (recorded)"
# One more unchanged redeploy after the measured one, its calls logged for
# ``botocore_floor`` (the logging is not in the measured run).
NOOP_LOGGED = "unchanged (logged)"


def client_env(proxy: Proxy, *, ours: bool) -> dict[str, str]:
    """A measured process's environment: AWS is the proxy, each send is stamped."""
    env = dict(
        os.environ,
        AWS_ENDPOINT_URL=proxy.url,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-west-2",
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=os.pathsep.join(([str(ROOT)] if ours else []) + [str(PLUGINS)]),
        BOTOCORE_EXPERIMENTAL__PLUGINS="bench_sent=bench_sent",
    )
    env.pop("AWS_PROFILE", None)
    return env


def botocore_floor(proxy: Proxy, noop: dict[str, Any], latency_ms: int) -> dict[str, Any]:
    """Bare botocore making an unchanged redeploy's calls at once (``botocore_floor.py``).

    ``noop``: the measured no-op's row (``bench`` with ``replay_noop``): its
    calls as logged, answered with the same recorded answers.
    """
    script = [sys.executable, str(Path(__file__).resolve().parent / "botocore_floor.py")]
    proxy.latency, proxy.recording, proxy.replay = latency_ms / 1000, None, noop["replay"]
    proxy.take()
    proxy.log.take()
    subprocess.run(
        [*script, proxy.url, noop["calls_log"]], env=client_env(proxy, ours=False), check=True
    )
    proxy.replay = None
    total, _mutating, _ops = proxy.take()
    calls = proxy.log.take()
    measured = span(calls)
    return {
        "measured": measured,
        "ratio": measured / (latency_ms / 1000),
        "calls": total,
        "late": sum(c.late for c in calls),
    }


def bench(
    impl: str, app: str, latency_ms: int, moto: str, proxy: Proxy, *, replay_noop: bool = False
) -> list[dict[str, Any]]:
    """Run the phases of ``app`` with ``impl``: one row per phase.

    ``replay_noop``: run the unchanged redeploy twice, and measure the second
    with each read answered from the first one's answers (a no-op changes
    nothing, so they are the answers moto would give). Its 20-30 reads
    arrive within a few ms, and moto serves them one at a time at 5-10 ms of
    CPU each (one process, one GIL): asked, the last ones would answer 100+
    ms after their request, and the phase would measure moto, not the deploy.
    A read the first run did not make still goes to moto (and counts late).

    Likewise the first deploy: one is run and undone (moto reset, state file
    removed) before the measured one, and the reads the measured one makes
    before its first write are answered from the first one's (into an empty
    account, the same reads get the same answers: nothing found). Its first
    burst is 15-20 reads, of which moto answered the last ones 20-50 ms late,
    the role's GetRole among them, at the head of the critical path. From the
    first write on, every call goes to moto.
    """
    cli = OURS if impl == "ours" else [str(UPSTREAM)]
    reset(moto)
    base = Path(tempfile.mkdtemp(prefix=f"bench-{impl}-"))
    project = make_project(base, app)
    calls_log = base.with_name(base.name + "-noop-calls.jsonl")  # kept for botocore_floor
    env = client_env(proxy, ours=impl == "ours")
    proxy.latency = 0.0
    # Build the zip once, untimed (both tools cache it), so phases measure deploying.
    run_cli(cli, project, ["package", "--pkg-format", "terraform", str(base / "warm")], env)
    proxy.take()
    proxy.log.take()
    proxy.latency = latency_ms / 1000
    rows = []
    phases = [
        ("first deploy", ["deploy"]),
        ("unchanged redeploy", ["deploy"]),
        ("one-line change", ["deploy"]),
        ("delete", ["delete"]),
    ]
    if replay_noop:
        phases.insert(1, (NOOP_RECORDED, ["deploy"]))
        phases.insert(3, (NOOP_LOGGED, ["deploy"]))
        phases.insert(0, (FIRST_RECORDED, ["deploy"]))
    recorded: dict[str, dict[tuple[str, str, bytes], Answer]] = {}
    for phase, args in phases:
        recording = {} if phase in (FIRST_RECORDED, NOOP_RECORDED) else None
        proxy.recording = recording
        proxy.replay = {
            "first deploy": recorded.get(FIRST_RECORDED),
            "unchanged redeploy": recorded.get(NOOP_RECORDED),
            NOOP_LOGGED: recorded.get(NOOP_RECORDED),
        }.get(phase)
        # A first deploy's reads are recorded and replayed until its first write.
        proxy.until_write = phase in (FIRST_RECORDED, "first deploy")
        if phase == "one-line change":
            app_py = project / "app.py"
            app_py.write_text(app_py.read_text().replace('"world"', '"there"', 1))
        phase_env = dict(env, BENCH_CALLS_LOG=str(calls_log)) if phase == NOOP_LOGGED else env
        took = run_cli(cli, project, args, phase_env)
        proxy.until_write = False
        if recording is not None:
            recorded[phase] = recording
        if phase == FIRST_RECORDED:  # undone: the measured first deploy starts empty
            reset(moto)
            shutil.rmtree(project / ".chalice" / "deployed")
        total, mutating, ops = proxy.take()
        rows.append(
            {
                "impl": impl,
                "app": app,
                "latency": latency_ms,
                "phase": phase,
                "seconds": took,
                "calls": total,
                "mutating": mutating,
                "ops": ops,
                "log": proxy.log.take(),
            }
        )
        if phase == NOOP_LOGGED:
            rows[-1]["replay"] = recorded.get(NOOP_RECORDED)
            rows[-1]["calls_log"] = str(calls_log)
    shutil.rmtree(base, ignore_errors=True)
    return rows


def cpu_probe() -> float:
    """Milliseconds this machine takes for a fixed pure-Python loop (median of 3).

    A VM's speed drifts with its neighbours: in one session the same code's
    spans grew 1.7x within an hour. Printed with the figures so runs on
    different days can be compared.
    """
    took = []
    for _ in range(3):
        start = time.perf_counter()
        sum(range(10**7))
        took.append((time.perf_counter() - start) * 1000)
    return statistics.median(took)


def critical_main(
    latencies: list[int], apps: list[str], *, verbose: bool, repeat: int = 1
) -> None:
    """Ours only: each phase's measured critical path next to its bound.

    ``repeat``: run every phase that many times and print the median run
    with the range of its ratio (a 2-core machine's noise is about +-0.1).
    """
    print(
        f"host speed: {cpu_probe():.0f} ms for a fixed loop (the 0 ms column and the "
        "ratios grow with it; 290-340 ms on the 2-core VM when these figures were slow)"
    )
    moto = start_moto_process()
    proxy = Proxy(moto)
    # At 0 ms per call the span is our own time alone (CPU, threads, moto):
    # the part of each measured path that no call ordering can remove.
    floors: dict[tuple[str, str], list[float]] = {}
    for _ in range(repeat):
        for app in apps:
            for r in bench("ours", app, 0, moto, proxy, replay_noop=True):
                floors.setdefault((app, r["phase"]), []).append(span(r["log"]))
                if "calls_log" in r:
                    Path(r["calls_log"]).unlink(missing_ok=True)
    medians: dict[int, list[dict[str, Any]]] = {}
    for latency in latencies:
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        bare: dict[str, list[dict[str, Any]]] = {app: [] for app in apps}
        for _ in range(repeat):
            for app in apps:
                for r in bench("ours", app, latency, moto, proxy, replay_noop=True):
                    if r["phase"] in BOUNDS[app]:
                        measured = row(app, r["phase"], r["log"], latency / 1000)
                        runs.setdefault((app, r["phase"]), []).append(measured)
                    if "calls_log" in r:
                        if latency:
                            bare[app].append(botocore_floor(proxy, r, latency))
                        Path(r["calls_log"]).unlink(missing_ok=True)
        rows = []
        for key, measured_runs in runs.items():
            median = median_row(measured_runs)
            median["floor"] = statistics.median(floors.get(key, [0.0]))
            rows.append(median)
        print_rows(rows, latency, verbose=verbose)
        medians[latency] = rows
        for app in apps:
            if not bare[app]:
                continue
            floor = median_row(bare[app])
            noop = next(r for r in rows if r["app"] == app and r["phase"] == "unchanged redeploy")
            print(
                f"  bare botocore, the same {floor['calls']} calls at once (one thread each): "
                f"{floor['measured']:.3f} s ({floor['late']} late), "
                f"{floor['measured'] / (latency / 1000):.2f}x one call; "
                f"{app}'s unchanged redeploy: {noop['measured']:.3f} s"
            )
    print_trips(medians)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--latency", type=int, nargs="+", default=[0, 50])
    parser.add_argument("--apps", nargs="+", default=["sample", "twenty"], choices=["sample", "twenty"])
    parser.add_argument("--impls", nargs="+", default=["ours", "upstream"])
    parser.add_argument(
        "--realism", action="store_true", help="twenty under the realism layer (in-process)"
    )
    parser.add_argument(
        "--critical-path",
        action="store_true",
        help="ours only: measured critical path, bound and ratio per phase",
    )
    parser.add_argument("--verbose", action="store_true", help="print each longest run")
    parser.add_argument(
        "--repeat", type=int, default=1, help="--critical-path: runs per phase (median shown)"
    )
    parser.add_argument(
        "--quota-speed", type=float, default=1.0, help="refill quotas this many times faster"
    )
    args = parser.parse_args()
    if args.realism:
        os.environ.update(
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-west-2",
            AWS_EC2_METADATA_DISABLED="true",
        )
        os.environ.pop("AWS_PROFILE", None)
        from deploy_realism import realism_main

        realism_main(args.quota_speed)
        return
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-west-2",
        AWS_EC2_METADATA_DISABLED="true",
    )
    os.environ.pop("AWS_PROFILE", None)
    if args.critical_path:
        critical_main(args.latency, args.apps, verbose=args.verbose, repeat=max(1, args.repeat))
        return
    moto = start_moto_process()
    proxy = Proxy(moto)
    results = []
    for latency in args.latency:
        for app in args.apps:
            for impl in args.impls:
                if impl == "upstream" and not UPSTREAM.exists():
                    print(f"(skipping upstream: {UPSTREAM} not found)")
                    continue
                results.extend(bench(impl, app, latency, moto, proxy))
    print()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average: {load} on {os.cpu_count()} CPUs (wall times depend on it)")
    print(
        f"{'app':<8}{'latency':>8}  {'phase':<20}{'ours s':>8}{'calls':>7}{'mut':>5}"
        f"{'upstream s':>12}{'calls':>7}{'mut':>5}{'ratio':>7}"
    )
    keyed = {(r["impl"], r["app"], r["latency"], r["phase"]): r for r in results}
    for (impl, app, latency, phase), ours in keyed.items():
        if impl != "ours":
            continue
        up = keyed.get(("upstream", app, latency, phase))
        line = (
            f"{app:<8}{latency:>6}ms  {phase:<20}{ours['seconds']:>8.2f}{ours['calls']:>7}"
            f"{ours['mutating']:>5}"
        )
        if up:
            line += (
                f"{up['seconds']:>12.2f}{up['calls']:>7}{up['mutating']:>5}"
                f"{ours['seconds'] / up['seconds']:>7.2f}"
            )
        print(line)
    unchanged = [r for r in results if r["impl"] == "ours" and r["phase"] == "unchanged redeploy"]
    for r in unchanged:
        if r["mutating"]:
            print(
                f"!! ours made mutating calls on an unchanged redeploy ({r['app']}): {dict(r['ops'])}"
            )


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve-moto"]:
        serve_moto()
    else:
        main()
