"""What the S3 state backend costs: extra S3 requests and time per deploy.

Deploys the tests' sample app (``tests/deploy/e2e/models_kit.full_app``, 6
functions, a role, a layer, a REST API, rules, mappings, subscriptions)
in-process against moto, once with the local state file and once with the S3
backend, then runs ``--redeploys`` unchanged redeploys of each. The backend's
S3 client has its own botocore session, so its requests are counted apart
from the deploy's own calls.

    .venv/bin/python benchmarks/state_backend.py [--redeploys 5]

Goal (issue 13): an unchanged redeploy adds at most 3 S3 requests (create the
lock, read the state, delete the lock).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _moto() -> str:
    import socket

    from moto.server import ThreadedMotoServer

    from tests.deploy.e2e import moto_fidelity

    moto_fidelity.apply()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    return f"http://127.0.0.1:{port}"


class Counted:
    """Counts the requests of every client made from one botocore session."""

    def __init__(self, session: Any) -> None:
        self.ops: Counter[str] = Counter()
        session.register("before-call", self._before)

    def _before(self, model: Any, **_: Any) -> None:
        self.ops[model.name] += 1

    def take(self) -> Counter[str]:
        taken, self.ops = self.ops, Counter()
        return taken


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--redeploys", type=int, default=5)
    args = parser.parse_args()

    endpoint = _moto()
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-west-2", AWS_EC2_METADATA_DISABLED="true",
    )  # fmt: skip
    import botocore.session

    from chalice.aws.s3state import S3State
    from chalice.aws.session import AWSClients
    from chalice.deploy.backend_config import BackendKind, BackendSpec
    from chalice.deploy.deployer import deploy_application
    from chalice.deploy.state_s3 import S3Backend
    from chalice.deploy.statebackend import LocalFileBackend
    from tests.deploy.e2e import models_kit as kit
    from tests.reporting import RecordingReporter

    plain = botocore.session.Session()

    class Boto:
        def __getattr__(self, name: str) -> Any:
            return plain.create_client("lambda" if name == "awslambda" else name)

    boto = Boto()
    boto.s3.create_bucket(
        Bucket="bench-state", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    boto.s3.put_bucket_versioning(
        Bucket="bench-state", VersioningConfiguration={"Status": "Enabled"}
    )
    rows: list[tuple[str, str, float, float, int, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("local", "s3"):
            name = f"bench{label}"
            sources = kit.create_sources(boto, name)
            app = kit.full_app(
                Path(tmp), app=name, sources=sources, with_domains=False,
                drop=("websocket", "kinfn", "ddbfn", "pattern"),
            )  # fmt: skip
            project = Path(tmp) / label
            (project / ".chalice").mkdir(parents=True)
            state_session = botocore.session.Session()
            counted = Counted(state_session)
            clients = AWSClients(botocore.session.Session())

            def deploy(
                label: str = label,
                project: Path = project,
                name: str = name,
                app: Any = app,
                clients: Any = clients,
                session: Any = state_session,
            ) -> float:
                if label == "local":
                    backend: Any = LocalFileBackend(project, app_name=name)
                else:
                    spec = BackendSpec(BackendKind.S3, bucket="bench-state", key_prefix="bench")
                    backend = S3Backend(S3State(session.create_client("s3")), spec, app_name=name)
                start = time.perf_counter()
                deploy_application(
                    app,
                    project_dir=project,
                    app_name=name,
                    clients=clients,
                    ui=RecordingReporter(),
                    max_parallel=4,
                    backend=backend,
                )
                return time.perf_counter() - start

            first = deploy()
            first_ops = counted.take()
            times, per_run = [], []
            for _ in range(args.redeploys):
                times.append(deploy())
                per_run.append(counted.take())
            extra = max(sum(c.values()) for c in per_run)
            detail = ", ".join(f"{op} {n}" for op, n in sorted(per_run[-1].items())) or "-"
            rows.append(
                (label, f"{sum(first_ops.values())} ({dict(first_ops)})", first,
                 statistics.median(times), extra, detail)
            )  # fmt: skip
    print(f"{'backend':8} {'first deploy':>13} {'no-op redeploy':>15} {'S3 req/no-op':>13}  detail")
    for label, first_ops_text, first, median, extra, detail in rows:
        print(f"{label:8} {first:12.2f}s {median * 1000:13.0f}ms {extra:13d}  {detail}")
        print(f"{'':8} state requests of the first deploy: {first_ops_text}")


if __name__ == "__main__":
    main()
