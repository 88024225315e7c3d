"""The first-run demo (``make demo``): a whole chalice workflow against a local AWS emulator.

Steps, each announced before it runs:

1. start moto's server (an AWS API emulator) on 127.0.0.1 at a free port;
2. ``chalice new-project`` a REST API project in a temporary directory, and run
   its generated tests;
3. ``chalice deploy`` it to the emulator (``AWS_ENDPOINT_URL``, dummy credentials);
4. ``chalice plan``: a redeploy of the unchanged project has nothing to do;
5. ``chalice local`` serves it on 127.0.0.1, and the demo calls it over HTTP;
6. ``chalice delete``, then stop the emulator.

Non-interactive; never talks to real AWS (the credentials are fake and every
AWS client is pointed at the emulator); exits non-zero on the first failure.
Usage: ``.venv/bin/python scripts/demo.py [--keep]`` (``--keep`` leaves the
project directory in place and prints where it is).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REGION = "us-west-2"
APP_NAME = "hello-demo"
STEP_TIMEOUT = 120
# moto's server with the tests' fidelity layer, which makes it answer like AWS
# where deploy relies on it (e.g. importing the Swagger 2.0 definition).
MOTO_WITH_FIDELITY = (
    f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r}); "
    "from tests.deploy.e2e import moto_fidelity; moto_fidelity.apply(); "
    "from moto.server import main; main(sys.argv[1:])"
)


class DemoFailure(Exception):
    """A step failed; the message says which and why."""


def say(message: str) -> None:
    print(message, flush=True)


def step(number: int, title: str) -> None:
    say(f"\n==> [{number}/6] {title}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, *, timeout: float, proc: subprocess.Popen[str] | None = None) -> None:
    """Poll ``url`` until it answers (any HTTP status) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            raise DemoFailure(
                f"process exited early (rc {proc.returncode}) while waiting for {url}\n{output}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                resp.read()
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise DemoFailure(f"timed out waiting for {url}")


def aws_environment(endpoint: str, home: Path) -> dict[str, str]:
    """The process environment: everything AWS goes to the emulator with fake credentials."""
    # Drop the caller's AWS settings (no real account can be reached) and pytest's
    # (the demo runs the project's tests in a clean pytest).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_"))}
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_CONFIG_FILE": str(home / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@contextmanager
def moto_server(env: dict[str, str], port: int) -> Iterator[str]:
    """Run ``moto.server`` on 127.0.0.1:``port`` for the duration of the block."""
    endpoint = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-c", MOTO_WITH_FIDELITY, "-H", "127.0.0.1", "-p", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for_http(f"{endpoint}/moto-api/", timeout=30, proc=proc)
        say(f"    moto server is up at {endpoint} (pid {proc.pid})")
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def chalice_command() -> list[str]:
    """How to run the chalice CLI of this checkout/environment."""
    return [sys.executable, "-m", "chalice.cli"]


def run(args: Sequence[str], *, env: dict[str, str], cwd: Path, label: str | None = None) -> str:
    """Run a command, echo it and its output indented; fail the demo if it fails."""
    shown = label or " ".join(args)
    say("    $ " + shown)
    result = subprocess.run(
        list(args), env=env, cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT,
    )  # fmt: skip
    output = (result.stdout + result.stderr).rstrip()
    for line in output.splitlines():
        say("      " + line)
    if result.returncode != 0:
        raise DemoFailure(f"'{shown}' exited with {result.returncode}")
    return result.stdout


def chalice(*args: str, env: dict[str, str], cwd: Path) -> str:
    """Run ``chalice ARGS`` with this environment's chalice."""
    return run([*chalice_command(), *args], env=env, cwd=cwd, label="chalice " + " ".join(args))


def serve_and_call(project: Path, env: dict[str, str]) -> None:
    """``chalice local`` in the background; GET / and a path parameter over HTTP."""
    port = free_port()
    args = ["local", "--no-autoreload", "--port", str(port)]
    say("    $ chalice " + " ".join(args) + "   (in the background)")
    proc = subprocess.Popen(
        [*chalice_command(), *args], env=env, cwd=project,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/", timeout=30, proc=proc)
        for path, expected in (
            ("/", {"hello": "world"}),
            ("/greetings/demo", {"message": "Hello, demo!"}),
        ):
            with urllib.request.urlopen(base + path, timeout=10) as resp:
                body = json.loads(resp.read())
            say(f"    GET {base}{path} -> {resp.status} {json.dumps(body)}")
            if body != expected:
                raise DemoFailure(f"GET {path} returned {body!r}, expected {expected!r}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
    say("    chalice local stopped")


def demo(workdir: Path) -> None:
    started = time.monotonic()
    env = aws_environment("http://127.0.0.1:0", workdir)  # endpoint filled in below
    step(1, "Starting a local AWS emulator (moto server on 127.0.0.1)")
    with moto_server(env, free_port()) as endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
        say(f"    AWS_ENDPOINT_URL={endpoint}, dummy credentials, region {REGION}")

        step(2, "Creating a project with 'chalice new-project' and running its tests")
        chalice("new-project", APP_NAME, "-t", "rest-api", env=env, cwd=workdir)
        project = workdir / APP_NAME
        say("    files: " + ", ".join(sorted(
            str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())))  # fmt: skip
        run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
            env=env, cwd=project)  # fmt: skip

        step(3, "Deploying it to the emulator with 'chalice deploy'")
        chalice("deploy", env=env, cwd=project)
        url = chalice("url", env=env, cwd=project).strip()
        if not url:
            raise DemoFailure("'chalice url' printed nothing after the deploy")

        step(4, "Planning a redeploy of the unchanged project with 'chalice plan'")
        plan = chalice("plan", env=env, cwd=project)
        if "0 to create, 0 to update, 0 to delete" not in plan:
            raise DemoFailure("the unchanged redeploy is not a no-op:\n" + plan)
        say("    nothing to do: the deployed resources already match the project")

        step(5, "Serving it locally with 'chalice local' and calling it over HTTP")
        serve_and_call(project, env)

        step(6, "Deleting the deployment with 'chalice delete' and stopping the emulator")
        chalice("delete", env=env, cwd=project)
        state = json.loads((project / ".chalice" / "deployed" / "dev.json").read_text())
        if state.get("resources"):
            raise DemoFailure(f"resources left after delete: {state['resources']}")
    say(f"\nDemo finished in {time.monotonic() - started:.1f}s: new-project -> test -> deploy -> "
        "plan -> local -> delete all worked.")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the chalice first-run demo against moto.")
    parser.add_argument("--keep", action="store_true", help="Keep the demo project directory.")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="chalice-demo-"))
    try:
        demo(workdir)
    except (DemoFailure, subprocess.TimeoutExpired) as err:
        say(f"\nDEMO FAILED: {err}")
        return 1
    finally:
        if args.keep:
            say(f"(project kept in {workdir})")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
