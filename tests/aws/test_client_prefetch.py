"""``AWSClients.prefetch``: clients made ahead, once each, in one thread that ends.

A fake botocore session records each ``create_client`` and can hold one
until the test lets it go, so the races are driven by events, not by time.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

from chalice.aws.errors import AWSSetupError
from chalice.aws.session import WRAPPER_MODULES, AWSClients, ClientPrefetch, Service


class FakeSession:
    """``create_client`` records its name; names in ``hold`` wait for ``release``."""

    def __init__(self, *, hold: frozenset[str] = frozenset(), error: Exception | None = None):
        self.created: list[str] = []
        self.hold = hold
        self.error = error
        self.entered = {name: threading.Event() for name in hold}
        self.release = threading.Event()
        self._lock = threading.Lock()

    def create_client(self, name: str, config: Any = None) -> object:
        with self._lock:
            self.created.append(name)
        if name in self.hold:
            self.entered[name].set()
            assert self.release.wait(10), "the test never released the held client"
        if self.error is not None:
            raise self.error
        return object()


def prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "chalice-clients"]


def test_each_client_is_created_once_in_the_order_asked() -> None:
    session = FakeSession()
    clients = AWSClients(session, sleep=lambda _s: None)
    lam = clients.client("lambda")
    with clients.prefetch(["sts", "iam", "lambda", "iam"]) as ahead:
        ahead.add(["events", "sts"])
    assert session.created == ["lambda", "sts", "iam", "events"]
    assert clients.client("lambda") is lam
    clients.client("iam")
    assert session.created.count("iam") == 1
    assert prefetch_threads() == []


def test_a_client_asked_for_while_the_prefetch_makes_it_is_made_once() -> None:
    session = FakeSession(hold=frozenset({"iam"}))
    clients = AWSClients(session, sleep=lambda _s: None)
    ahead = clients.prefetch(["iam", "lambda"])
    assert session.entered["iam"].wait(10)
    got: dict[str, object] = {}
    asking = [
        threading.Thread(target=lambda n=n: got.__setitem__(n, clients.client(n)))
        for n in ("iam", "lambda")
    ]
    for t in asking:
        t.start()
    session.release.set()
    for t in asking:
        t.join(10)
    ahead.close()
    assert sorted(session.created) == ["iam", "lambda"]
    assert got["iam"] is clients.client("iam") and got["lambda"] is clients.client("lambda")
    assert prefetch_threads() == []


def test_stop_drops_what_was_not_started() -> None:
    session = FakeSession(hold=frozenset({"sts"}))
    clients = AWSClients(session, sleep=lambda _s: None)
    ahead = clients.prefetch(["sts", "iam", "lambda"])
    assert session.entered["sts"].wait(10)
    ahead.stop()
    session.release.set()
    ahead.close()
    assert session.created == ["sts"]
    assert prefetch_threads() == []
    ahead.add(["s3"])  # stopped: asks for nothing more
    assert session.created == ["sts"] and prefetch_threads() == []


def test_an_error_in_the_with_block_waits_only_for_the_client_being_made() -> None:
    session = FakeSession(hold=frozenset({"sts"}))
    clients = AWSClients(session, sleep=lambda _s: None)
    with pytest.raises(RuntimeError, match="build failed"):
        with clients.prefetch(["sts", "iam"]) as ahead:
            assert session.entered["sts"].wait(10)
            # What the exit does first (stop), then the held creation ends.
            ahead.stop()
            session.release.set()
            raise RuntimeError("build failed")
    assert session.created == ["sts"]
    assert prefetch_threads() == []


def test_a_failed_prefetch_leaves_the_error_to_the_first_use(bare_region: None) -> None:
    import botocore.session

    session = botocore.session.Session()
    created: list[str] = []
    real = session.create_client

    def counting(name: str, **kwargs: Any) -> Any:
        created.append(name)
        return real(name, **kwargs)

    session.create_client = counting  # type: ignore[method-assign]
    clients = AWSClients(session, sleep=lambda _s: None)
    clients.prefetch(["lambda", "events", "sns"]).close()  # no error here, no traceback
    assert created == ["lambda"]  # the others would fail alike: not tried
    assert prefetch_threads() == []
    with pytest.raises(AWSSetupError) as info:
        clients.client("lambda")
    assert info.value.code == "NoRegionError" and "AWS_DEFAULT_REGION" in str(info.value)


def test_unknown_profile_is_reported_by_the_first_use(bare_region: None) -> None:
    import botocore.session

    clients = AWSClients(botocore.session.Session(profile="no-such-profile"), sleep=lambda _s: None)
    clients.prefetch(["sts", "lambda"]).close()
    with pytest.raises(AWSSetupError) as info:
        clients.client("sts")
    assert info.value.code == "ProfileNotFound" and "no-such-profile" in str(info.value)


def test_nothing_to_create_starts_no_thread() -> None:
    made: list[str] = []
    ahead = ClientPrefetch(made.append, ["sts"], exists=lambda name: name == "sts")
    assert prefetch_threads() == []
    ahead.close()
    assert made == []


def test_the_prefetch_imports_each_client_s_wrapper_modules(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # A module nothing else imports stands for a wrapper: imported by the
    # prefetch thread, not by the first planner that uses the client.
    (tmp_path / "prefetch_probe_wrapper.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(WRAPPER_MODULES, "sts", ("prefetch_probe_wrapper",))
    monkeypatch.delitem(sys.modules, "prefetch_probe_wrapper", raising=False)
    clients = AWSClients(FakeSession(), sleep=lambda _s: None)
    clients.prefetch(["sts"]).close()
    assert sys.modules["prefetch_probe_wrapper"].LOADED


def test_every_wrapper_module_is_listed_under_its_client() -> None:
    wrappers = [name for name, attr in vars(AWSClients).items() if isinstance(attr, property)]
    checked = 0
    for name in wrappers:
        session = FakeSession()
        try:
            wrapper = getattr(AWSClients(session, sleep=lambda _s: None), name)
        except Exception:  # region, account...: not a wrapper
            continue
        if not isinstance(wrapper, Service):
            continue
        (service,) = session.created
        assert type(wrapper).__module__ in WRAPPER_MODULES.get(service, ()), (name, service)
        checked += 1
    assert checked >= 10


@pytest.fixture
def bare_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No region, no profile, no config files (and no metadata service lookups)."""
    for key in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
