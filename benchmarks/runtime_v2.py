"""The payload format 2.0 figures of ``benchmarks/runtime.py`` (ours only; upstream has no v2).

Run: ``.venv/bin/python benchmarks/runtime.py --v2-only [--quick]`` (or as part of the
full run). Uses the bench app of ``runtime.py`` and measures:

* warm dispatch of the same five HTTP requests as REST events (payload 1.0), as HTTP
  API events (2.0 with a ``routeKey``) and as function URL events (2.0, ``$default``:
  the runtime matches the path), events per second and, with valgrind, instructions
  per event (noise-free);
* cold start of a REST-only invocation, this checkout against a git ref (default: the
  merge base with ``main``), with the check that ``chalice.app._http_v2`` stays
  unimported; and the cold start of a first 2.0 event, for reference.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import runtime  # benchmarks/runtime.py, on sys.path when run as a script

V2_COLD_SCRIPT = """
import sys
sys.path[:0] = [{app_dir!r}, {fw_dir!r}]
import json
import app
result = app.app(json.loads({event!r}), None)
assert result["statusCode"] == 200, result
print(json.dumps({{"v2_loaded": "chalice.app._http_v2" in sys.modules}}))
"""


def _v2_event(
    method: str, path: str, template: str, params: dict[str, str] | None, *, function_url: bool
) -> dict[str, Any]:
    event = runtime._load("apigw-http/go-apigw-v2-request-no-authorizer.json")
    route_key = "$default" if function_url else f"{method} {template}"
    event["routeKey"] = route_key
    event["requestContext"]["routeKey"] = route_key
    event["rawPath"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    if params and not function_url:
        event["pathParameters"] = params
    return event


# (method, concrete path, route template, path parameters, JSON body) of the
# REST half of runtime.py's mixed stream.
REQUESTS: list[tuple[str, str, str, dict[str, str] | None, str | None]] = [
    ("GET", "/", "/", None, None),
    ("GET", "/items/1", "/items/{item_id}", {"item_id": "1"}, None),
    ("POST", "/items", "/items", None, '{"name": "three"}'),
    ("GET", "/users/u/orders/o", "/users/{user}/orders/{order}", {"user": "u", "order": "o"}, None),
    ("GET", "/r3/x", "/r3/{p}", {"p": "x"}, None),
]


def streams() -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The same five requests as REST (1.0), HTTP API (2.0) and function URL (2.0) events."""
    rest, http_api, function_url = [], [], []
    for method, path, template, params, body in REQUESTS:
        extra: dict[str, Any] = {}
        if body is not None:
            extra["body"] = body
        v1 = runtime._rest_event(template, method, params, **extra)
        if body is not None:
            v1["headers"]["Content-Type"] = "application/json"
        rest.append(("app", v1))
        for target, is_url in ((http_api, False), (function_url, True)):
            v2 = _v2_event(method, path, template, params, function_url=is_url)
            if body is not None:
                v2["body"] = body
                v2["headers"]["content-type"] = "application/json"
            target.append(("app", v2))
    return {"REST 1.0": rest, "HTTP API 2.0": http_api, "function URL 2.0": function_url}


def _baseline_runtime(work: Path, ref: str) -> Path:
    """``chalice/__init__.py`` + ``chalice/app`` of git ``ref``, laid out like a zip."""
    out = work / "baseline"
    out.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(runtime.ROOT), "archive", ref, "chalice/__init__.py", "chalice/app"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def _ours(work: Path) -> Path:
    fw = work / "ours" / "chalice"
    (fw / "app").mkdir(parents=True)
    shutil.copy(runtime.ROOT / "chalice" / "__init__.py", fw / "__init__.py")
    for source in sorted((runtime.ROOT / "chalice" / "app").glob("*.py")):
        shutil.copy(source, fw / "app" / source.name)
    return fw.parent


def merge_base() -> str:
    """The commit this branch forked from ``main`` (the default baseline)."""
    return subprocess.run(
        ["git", "-C", str(runtime.ROOT), "merge-base", "HEAD", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def report(*, quick: bool, baseline_ref: str | None = None) -> None:
    """Print the 2.0 figures."""
    ref = baseline_ref or merge_base()
    runs = 7 if quick else 21
    warm_n = 20_000 if quick else 100_000
    with tempfile.TemporaryDirectory(prefix="chalice-bench-v2-") as tmp:
        work = Path(tmp)
        ours = _ours(work)
        baseline = _baseline_runtime(work, ref)
        app_dir = work / "app"
        app_dir.mkdir()
        (app_dir / "app.py").write_text(runtime.APP_SOURCE)
        env = runtime._prepare(ours, app_dir, bytecode=True)
        runtime._prepare(baseline, app_dir, bytecode=True)

        print(f"\npayload format 2.0 (ours; baseline for cold start: {ref[:12]})")
        stream_jsons = {name: json.dumps(stream) for name, stream in streams().items()}
        rates = dict.fromkeys(stream_jsons, 0.0)
        # The machine may be shared: alternate the kinds, keep each one's best.
        for _ in range(1 if quick else 5):
            for name, stream_json in stream_jsons.items():
                rate = runtime._warm_rate(ours, app_dir, env, stream_json, warm_n)
                rates[name] = max(rates[name], rate)
        per_event: dict[str, float] = {}
        if shutil.which("valgrind") and not quick:
            for name, stream_json in stream_jsons.items():
                per_event[name] = runtime._warm_instructions(ours, app_dir, env, stream_json)
        base = rates["REST 1.0"]
        print(f"warm dispatch over {warm_n} HTTP events (best of rounds):")
        for name, rate in rates.items():
            line = f"  {name:17s} {rate:10,.0f}/s  ({rate / base:.2f}x REST)"
            if name in per_event:
                line += f"  {per_event[name]:8,.0f} instructions/event"
            print(line)

        rest_event = streams()["REST 1.0"][1][1]
        v2_event = streams()["HTTP API 2.0"][1][1]
        cmds = {}
        for label, fw in (("baseline", baseline), ("ours", ours)):
            script = V2_COLD_SCRIPT.format(
                app_dir=str(app_dir), fw_dir=str(fw), event=json.dumps(rest_event)
            )
            cmds[label] = ([sys.executable, "-I", "-S", "-c", script], env)
        script = V2_COLD_SCRIPT.format(
            app_dir=str(app_dir), fw_dir=str(ours), event=json.dumps(v2_event)
        )
        cmds["ours, 2.0"] = ([sys.executable, "-I", "-S", "-c", script], env)
        loaded = {
            label: json.loads(
                subprocess.run(cmd, env=e, capture_output=True, text=True, check=True).stdout
            )["v2_loaded"]
            for label, (cmd, e) in cmds.items()
        }
        walls = runtime.wall_times(cmds, runs)
        instr = {label: runtime.instructions(cmd, e) for label, (cmd, e) in cmds.items()}
        print(f"cold start, first event (bytecode), median of {runs} alternating runs:")
        for label in ("baseline", "ours", "ours, 2.0"):
            kind = "2.0 event " if label == "ours, 2.0" else "REST event"
            line = f"  {label:10s} {kind} wall {walls[label] * 1000:7.2f} ms"
            if instr[label] is not None:
                line += f"   instructions {instr[label] / 1e6:7.2f} M"
            line += f"   _http_v2 imported: {loaded[label]}"
            print(line)
        if instr["ours"] and instr["baseline"]:
            change = (instr["ours"] - instr["baseline"]) / instr["baseline"] * 100
            print(f"  REST cold start instructions vs baseline: {change:+.2f}%")
