"""Decisions of the S3 notification planner (chalice/deploy/resources/s3.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, changed_fields, fn_arn

KEY = "LambdaFunctionConfigurations"
OTHER = {"LambdaFunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:other",
         "Events": ["s3:ObjectRemoved:*"]}  # fmt: skip


@pytest.fixture
def w(tmp_path: Path) -> World:
    world = World(tmp_path)
    world.aws.s3.create_bucket("photos")
    world.aws.s3.create_bucket("videos")
    world.aws.s3.notifications["photos"] = {KEY: [dict(OTHER)]}
    return world


def notify(w: World, bucket: str = "photos", **kw: Any) -> tuple[Any, ...]:
    fn = w.function("s3fn")
    args = {"events": ("s3:ObjectCreated:*",), "prefix": "images/", "suffix": ".jpg", **kw}
    return fn, models.S3BucketNotification("s3fn-s3event", bucket, lambda_function=fn, **args)


def mine(w: World, bucket: str) -> list[dict[str, Any]]:
    return [
        e
        for e in w.aws.s3.notifications[bucket].get(KEY, [])
        if e["LambdaFunctionArn"] == fn_arn("demo-dev-s3fn")
    ]


def test_create_merges_into_the_bucket_and_allows_s3(w: World) -> None:
    steps = w.deploy(*notify(w))
    assert steps[1].action is Action.CREATE
    assert OTHER in w.aws.s3.notifications["photos"][KEY]  # other entries kept
    [entry] = mine(w, "photos")
    assert entry["Filter"]["Key"]["FilterRules"] == [
        {"Name": "prefix", "Value": "images/"},
        {"Name": "suffix", "Value": ".jpg"},
    ]
    [perm] = w.aws.lambda_.policies["demo-dev-s3fn"]
    assert perm["Condition"]["ArnLike"]["AWS:SourceArn"] == "arn:aws:s3:::photos"
    assert perm["Condition"]["StringEquals"]["AWS:SourceAccount"] == "123456789012"
    assert w.state.get("s3fn-s3event") == {
        "name": "s3fn-s3event",
        "resource_type": "s3_event",
        "bucket": "photos",
        "lambda_arn": fn_arn("demo-dev-s3fn"),
    }


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*notify(w))
    w.quiet(*notify(w))


def test_filter_change_replaces_only_our_entry(w: World) -> None:
    w.deploy(*notify(w))
    w.aws.log.clear()
    steps = w.deploy(*notify(w, suffix=".png"))
    assert steps[1].action is Action.UPDATE and changed_fields(steps[1]) == {"notification"}
    assert w.aws.log.ops(mutating=True) == ["s3:PutBucketNotificationConfiguration"]
    [entry] = mine(w, "photos")
    assert {"Name": "suffix", "Value": ".png"} in entry["Filter"]["Key"]["FilterRules"]
    assert OTHER in w.aws.s3.notifications["photos"][KEY]


def test_bucket_change_moves_the_entry(w: World) -> None:
    w.deploy(*notify(w))
    steps = w.deploy(*notify(w, bucket="videos"))
    assert "bucket" in changed_fields(steps[1])
    assert mine(w, "photos") == [] and len(mine(w, "videos")) == 1
    assert w.aws.s3.notifications["photos"][KEY] == [OTHER]
    sources = [
        s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in w.aws.lambda_.policies["demo-dev-s3fn"]
    ]
    assert sources == ["arn:aws:s3:::videos"]


def test_entry_made_before_a_crash_is_adopted(w: World) -> None:
    w.deploy(*notify(w))
    w.forget("s3fn-s3event")
    w.quiet(*notify(w))


def test_delete_removes_our_entry_and_permission_only(w: World) -> None:
    w.deploy(*notify(w))
    w.aws.log.clear()
    w.delete("s3fn-s3event")
    assert w.aws.log.ops(mutating=True) == [
        "s3:PutBucketNotificationConfiguration",
        "lambda:RemovePermission",
    ]
    assert w.aws.s3.notifications["photos"] == {KEY: [OTHER]}
    assert w.aws.lambda_.policies["demo-dev-s3fn"] == []


def test_delete_of_a_gone_bucket_is_done(w: World) -> None:
    w.deploy(*notify(w))
    del w.aws.s3.notifications["photos"]
    w.delete("s3fn-s3event")
    assert w.state.get("s3fn-s3event") is None
