"""``s3.BucketConfigs``: a bucket's notification configuration is read once per plan.

Every S3 handler on a bucket is planned at once, and each asks for the
bucket's configuration. The race test knows the second handler has reached
the shared read (``Once.get``) from a trace hook on its own thread, so no
test here sleeps or reads the clock.
"""

from __future__ import annotations

import sys
import threading
from types import FrameType
from typing import Any

import pytest

from chalice.aws.errors import AWSError
from chalice.deploy.resources.base import Once
from chalice.deploy.resources.s3 import BucketConfigs

HANG_GUARD = 30.0  # only reached when the behaviour under test is broken
CONFIG = {"LambdaFunctionConfigurations": [{"Id": "other", "LambdaFunctionArn": "arn:x"}]}


class _S3:
    def __init__(self) -> None:
        self.reads: list[str] = []
        self.writes: list[tuple[str, dict[str, Any]]] = []
        self.entered = threading.Event()
        self.again = threading.Event()  # a second read started while the first was out
        self.release = threading.Event()
        self.hold = False
        self.fail_next = False

    def get_notification(self, bucket: str) -> dict[str, Any]:
        self.reads.append(bucket)
        if len(self.reads) > 1:
            self.again.set()
        if self.fail_next:
            self.fail_next = False
            raise AWSError(
                service="s3",
                operation="GetBucketNotificationConfiguration",
                code="InternalError",
                message="boom",
            )
        if self.hold:
            self.entered.set()
            assert self.release.wait(HANG_GUARD), "the test never released the read"
        return dict(CONFIG)

    def put_notification(self, bucket: str, config: dict[str, Any]) -> None:
        self.writes.append((bucket, config))


class _Clients:
    def __init__(self) -> None:
        self.s3 = _S3()


def test_each_bucket_is_read_once() -> None:
    clients, configs = _Clients(), BucketConfigs()
    assert configs.read(clients, "b1") == CONFIG  # type: ignore[arg-type]
    assert configs.read(clients, "b1") == CONFIG  # type: ignore[arg-type]
    configs.read(clients, "b2")  # type: ignore[arg-type]
    assert clients.s3.reads == ["b1", "b2"]


def test_a_handler_asking_while_the_read_is_out_waits_for_its_answer() -> None:
    clients, configs = _Clients(), BucketConfigs()
    clients.s3.hold = True
    answers: list[dict[str, Any]] = []
    first = threading.Thread(target=lambda: answers.append(configs.read(clients, "b")))  # type: ignore[arg-type]
    first.start()
    assert clients.s3.entered.wait(HANG_GUARD)

    arrived = clients.s3.again  # set if the second handler reads S3 itself

    def second_handler() -> None:
        def trace(frame: FrameType, event: str, _arg: Any) -> None:
            if event == "call" and frame.f_code is Once.get.__code__:
                arrived.set()  # about to wait for the read that is out

        sys.settrace(trace)  # this thread only
        try:
            answers.append(configs.read(clients, "b"))  # type: ignore[arg-type]
        finally:
            sys.settrace(None)

    second = threading.Thread(target=second_handler)
    second.start()
    assert arrived.wait(HANG_GUARD)
    clients.s3.release.set()
    first.join(HANG_GUARD)
    second.join(HANG_GUARD)
    assert clients.s3.reads == ["b"]
    assert answers == [CONFIG, CONFIG]


def test_a_failed_read_is_tried_again_by_the_next_asker() -> None:
    clients, configs = _Clients(), BucketConfigs()
    clients.s3.fail_next = True
    with pytest.raises(AWSError):
        configs.read(clients, "b")  # type: ignore[arg-type]
    assert configs.read(clients, "b") == CONFIG  # type: ignore[arg-type]
    assert clients.s3.reads == ["b", "b"]


def test_reads_after_a_change_see_the_change_without_reading_again() -> None:
    clients, configs = _Clients(), BucketConfigs()
    added = {"Id": "mine", "LambdaFunctionArn": "arn:mine"}

    def edit(config: dict[str, Any]) -> dict[str, Any]:
        entries = config["LambdaFunctionConfigurations"] + [added]
        return {**config, "LambdaFunctionConfigurations": entries}

    configs.change(clients, "b", edit)  # type: ignore[arg-type]
    after = configs.read(clients, "b")  # type: ignore[arg-type]
    assert after["LambdaFunctionConfigurations"][-1] == added
    assert clients.s3.reads == ["b"]
    assert len(clients.s3.writes) == 1
