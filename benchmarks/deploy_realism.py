"""``deploy.py --realism``: apps deployed in-process under the tests' AWS-realism layer.

AWS time is the layer's virtual clock (IAM propagation, Lambda states,
published quotas), so it does not depend on the machine; wall time does.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from deploy import NAMES, make_project, reset, start_moto


def realism_run(
    moto: str,
    quota_speed: float | None,
    *,
    pacing: bool = True,
    app: str = "twenty",
    phases: tuple[str, ...] = ("first deploy", "unchanged redeploy"),
) -> list[dict[str, Any]]:
    """``app`` (``twenty``): its ``phases`` (a first deploy, then unchanged
    redeploys) under the realism layer.

    ``quota_speed`` None: the layer without quotas (unlimited AWS); otherwise
    AWS's published quotas refilled ``quota_speed`` times faster. ``pacing``
    False: the deploy does not pace its own calls (AWS throttles it instead).
    """
    import botocore.session

    from chalice.aws.session import AWSClients
    from chalice.deploy import deployer
    from tests.deploy.e2e.realism import AWSRealism, clients_take_a_clock, realistic_clients
    from tests.deploy.e2e.realism_quotas import Quotas
    from tests.reporting import RecordingReporter

    reset(moto)
    base = Path(tempfile.mkdtemp(prefix="bench-realism-"))
    project = make_project(base, app)
    quotas = None if quota_speed is None else Quotas(speed=quota_speed)
    layer = AWSRealism(quotas=quotas)
    _config, application = deployer.build(
        project, stage="dev", user_params=None, ui=RecordingReporter()
    )
    rows = []
    paced = "paced" if clients_take_a_clock() else "unpaced"
    for phase in phases:
        layer.reset_counters()
        session = layer.attach(botocore.session.Session())
        if pacing:
            clients = realistic_clients(session, layer.clock)
        else:
            clients = AWSClients(
                session, sleep=layer.clock.sleep, clock=layer.clock.now, pacing=False
            )
        aws_start = layer.clock.now()
        start = time.perf_counter()
        deployer.deploy_application(
            application,
            project_dir=project,
            app_name=NAMES[app],
            clients=clients,
            ui=RecordingReporter(),
        )
        rows.append(
            {
                "app": app,
                "mode": ("no quotas" if quota_speed is None else f"quotas x{quota_speed:g}")
                + ("" if pacing else " unpaced"),
                "phase": phase,
                "seconds": time.perf_counter() - start,
                "aws": layer.clock.now() - aws_start,
                "calls": len(layer.calls),
                "mutating": len(layer.mutating),
                "throttles": layer.served["throttle"],
                "waits": {k: v for k, v in layer.served.items() if k != "throttle"},
                "paced": paced,
            }
        )
    shutil.rmtree(base, ignore_errors=True)
    return rows


def realism_main(quota_speed: float) -> None:
    moto = start_moto()
    os.environ["AWS_ENDPOINT_URL"] = moto
    results = (
        realism_run(moto, None)
        + realism_run(moto, quota_speed, pacing=False)
        + realism_run(moto, quota_speed)
        # 20 invoke permissions: the first unchanged redeploy reads every
        # function's policy (GetPolicy: 15 per second), the next knows them.
        + realism_run(
            moto,
            quota_speed,
            app="scheduled",
            phases=("first deploy", "unchanged redeploy", "unchanged again"),
        )
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"load average: {load} on {os.cpu_count()} CPUs (wall times depend on it; AWS time does not)"
    )
    print(
        f"{'app':<10}{'mode':<22}{'phase':<20}{'wall s':>8}{'AWS s':>8}{'calls':>7}{'mut':>5}"
        f"{'throttled':>10}  other waits served"
    )
    for r in results:
        print(
            f"{r['app']:<10}{r['mode']:<22}{r['phase']:<20}{r['seconds']:>8.2f}{r['aws']:>8.2f}"
            f"{r['calls']:>7}{r['mutating']:>5}{r['throttles']:>10}  {r['waits'] or '-'}"
        )
    print(
        f"(deploy {results[-1]['paced']}: AWSClients {'takes' if results[-1]['paced'] == 'paced' else 'has no'} clock=)"
    )
