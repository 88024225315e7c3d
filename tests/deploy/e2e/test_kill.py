"""kill -9 in the middle of a deploy, then the next deploy converges.

A subprocess deploys the sample models and SIGKILLs itself right after AWS
answered its k-th mutating call (the resource exists, nothing after it ran:
not even recording it). Before anything else runs, the state file on disk
must list every resource that exists, except those still in the window
between "created" and "recorded" (see ``creations``: the child logs its calls
to a file as they happen, so the test knows the window). The next deploy must
take over the dead holder's lock (with a notice), adopt what the killed one created (no
duplicates), record everything and leave nothing behind on delete.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalice.deploy.deployer import delete_stage, deploy_application
from chalice.deploy.state import load_state, state_path
from tests.deploy.e2e import models_kit as kit
from tests.deploy.e2e.creations import is_recorded, read_sink, unrecorded_window
from tests.reporting import RecordingReporter

ROOT = Path(__file__).resolve().parents[3]

CHILD = r"""
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {root!r})
import botocore.session
from chalice.aws.session import AWSClients
from chalice.deploy.deployer import deploy_application
from tests.reporting import RecordingReporter
from tests.deploy.e2e import models_kit as kit
from tests.deploy.e2e.creations import CreationLog

session = botocore.session.Session()
sink = os.open({log!r}, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
CreationLog(session, sink=sink)  # registered first: it logs the k-th call before the kill

count = 0
def after(model, **kw):
    global count
    if not model.name.startswith(("Get", "List", "Describe", "Head")):
        count += 1
        if count == {k}:
            os.kill(os.getpid(), signal.SIGKILL)

session.register("after-call", after)
sources = {sources!r}
app = kit.full_app(Path({tmp!r}), app={name!r}, sources=sources, with_domains=False,
                   drop=("kinfn", "ddbfn", "pattern"))
deploy_application(app, project_dir=Path({project!r}), app_name={name!r},
                   clients=AWSClients(session), ui=RecordingReporter(), max_parallel=4)
"""


def assert_state_lists_what_exists(
    boto: Any, project: Path, name: str, events: list[tuple[int, str, str]]
) -> None:
    """The state file on disk names every existing resource outside the crash window."""
    created = [n for _, kind, n in events if kind == "created"]
    assert created, "the child created nothing before it was killed"
    window, in_flight = unrecorded_window(events)
    assert len(window) + len(in_flight) <= 4  # at most one per worker thread
    path = state_path(project, "dev")
    text = path.read_text() if path.exists() else ""
    missing = [
        (kind, item)
        for kind, items in kit.leftovers(boto, name).items()
        for item in items
        if item not in window and not is_recorded(item, text)
    ]
    # A create still in flight at the kill may have made one resource of its kind.
    for kind in in_flight:
        found = next((m for m in missing if m[0] == kind), None)
        if found is not None:
            missing.remove(found)
    assert missing == [], f"exist in AWS but not in {path} after kill -9 ({window}, {in_flight})"


@pytest.mark.parametrize("k", [3, 9, 15, 21])
def test_kill_9_mid_deploy_then_converge(
    k: int, shared_env: str, project: Path, aws: Any, boto: Any, calls: Any, tmp_path: Path
) -> None:
    name = f"kill{k}x{os.getpid() % 1000}"
    sources = kit.create_sources(boto, name)
    log = tmp_path / "calls.jsonl"
    script = CHILD.format(
        root=str(ROOT),
        k=k,
        sources=sources,
        tmp=str(tmp_path),
        name=name,
        project=str(project),
        log=str(log),
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(os.environ),
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert_state_lists_what_exists(boto, project, name, read_sink(log.read_text().splitlines()))
    app = kit.full_app(
        tmp_path, app=name, sources=sources, with_domains=False, drop=("kinfn", "ddbfn", "pattern")
    )

    def run(**kw: Any) -> RecordingReporter:
        ui = RecordingReporter()
        deploy_application(app, project_dir=project, app_name=name, clients=aws, ui=ui, **kw)
        return ui

    # The killed deploy's lock names a pid that is gone on this host: taken over.
    ui = run()
    assert any("Took over the lock of stage 'dev'" in w for w in ui.warnings), ui.warnings
    left = kit.leftovers(boto, name)
    assert {kind: len(v) for kind, v in left.items()} == {
        "functions": 9,
        "roles": 1,
        "rest_apis": 1,
        "ws_apis": 1,
        "rules": 1,
        "mappings": 1,
        "subscriptions": 1,
        "layers": 1,
    }
    text = json.dumps([dict(r) for r in load_state(project, "dev").resources])
    for items in left.values():
        for item in items:
            assert item in text
    calls.reset()
    run()
    assert calls.mutating == []
    delete_stage(
        project_dir=project, stage="dev", app_name=name, clients=aws, ui=RecordingReporter()
    )
    assert kit.leftovers(boto, name) == {}
