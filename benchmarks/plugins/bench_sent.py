"""botocore client plugin for the deploy benchmark: stamps each request's send time.

Loaded into the measured CLI through botocore's ``BOTOCORE_EXPERIMENTAL__PLUGINS``
(``deploy.py`` sets it, with this directory on ``PYTHONPATH``); chalice
itself knows nothing of it. Each request gets ``X-Bench-Sent``: the
``time.perf_counter()`` at which botocore hands it to the network (one clock
for every process on the machine). The proxy counts ``L`` from there
instead of from when its own Python handler got around to reading the
request, which in a burst of new connections was 15-30 ms later: proxy lag
that the deploy's critical path paid for and AWS would not charge.

With ``BENCH_CALLS_LOG`` set to a file, each call's service, operation and
parameters are also appended to it, one JSON object per line
(``botocore_floor.py`` makes the same calls with bare botocore).
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

HEADER = "X-Bench-Sent"
_LOG_LOCK = threading.Lock()


def _stamp(request: Any, **_kwargs: Any) -> None:
    # After signing (the header is not signed) and just before the send.
    request.headers[HEADER] = repr(time.perf_counter())


def initialize_client_plugin(client: Any) -> None:
    client.meta.events.register("before-send", _stamp)
    path = os.environ.get("BENCH_CALLS_LOG")
    if not path:
        return
    service = client.meta.service_model.service_name

    def log(params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        line = json.dumps({"service": service, "op": model.name, "params": params}, default=repr)
        with _LOG_LOCK, open(path, "a") as out:
            out.write(line + "\n")

    client.meta.events.register("provide-client-params", log)
