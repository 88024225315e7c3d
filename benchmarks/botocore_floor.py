"""botocore's own floor for a burst of reads: the same calls, one thread each, nothing else.

Run by ``deploy.py --critical-path`` in a fresh process (as the CLI is),
through the same proxy and with the same answers (replayed) and the same
send-stamping plugin, it makes the calls an unchanged redeploy made (as
logged by ``plugins/bench_sent.py``), each in a thread of its own, all
released at once. Its clients are made before the burst, as the deploy's
are; everything else (first-use regex compiles, operation models, endpoint
rules, connections, signing, parsing) is paid inside the burst, as in the
deploy. The deploy cannot send the same reads faster than this.

    python botocore_floor.py URL CALLS.jsonl
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import botocore.config
import botocore.session
from botocore import xform_name


def main() -> None:
    url, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        calls = [json.loads(line) for line in f if line.strip()]
    session = botocore.session.Session()
    config = botocore.config.Config(max_pool_connections=max(10, len(calls)))
    clients = {
        service: session.create_client(service, endpoint_url=url, config=config)
        for service in dict.fromkeys(c["service"] for c in calls)
    }
    start = threading.Barrier(len(calls))

    def call(c: dict[str, Any]) -> None:
        start.wait()
        try:
            getattr(clients[c["service"]], xform_name(c["op"]))(**c["params"])
        except Exception:  # a read that answers "not found" is a call all the same
            pass

    threads = [threading.Thread(target=call, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
