"""Rules that count or look for dependents hold under concurrent requests.

A quota (two access keys per user, fifty tags) and DeleteConflict are checked by
reading and then writing; two requests racing through the same check must not both
pass it. Every outcome is one AWS documents for the call on its own: a success,
LimitExceeded, NoSuchEntity or DeleteConflict, never an InternalFailure.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.server import RunningServer

RACERS = 8


def race(calls: list[Callable[[], Any]]) -> list[str]:
    """Runs the calls at once, each on its own client; "ok" or the error code of each."""
    barrier = threading.Barrier(len(calls))

    def one(call: Callable[[], Any]) -> str:
        barrier.wait()
        try:
            call()
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


@pytest.fixture
def clients(server: RunningServer) -> list[Any]:
    # boto3 clients are not shared across threads here: one per racer.
    return [server.client("iam") for _ in range(RACERS)]


def test_concurrent_create_access_key_never_exceeds_two_keys(
        iam: Any, clients: list[Any], unique: str) -> None:
    for n in range(3):
        name = f"keys{n}-{unique}"
        iam.create_user(UserName=name)
        outcomes = race([partial(c.create_access_key, UserName=name) for c in clients])
        assert Counter(outcomes) == {"ok": 2, "LimitExceeded": RACERS - 2}
        assert len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]) == 2


def test_concurrent_tag_user_never_exceeds_fifty_tags(
        iam: Any, clients: list[Any], unique: str) -> None:
    name = f"tags-{unique}"
    iam.create_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(45)])

    outcomes = race([partial(c.tag_user, UserName=name,
                             Tags=[{"Key": f"r{racer}-{i}", "Value": "v"} for i in range(5)])
                     for racer, c in enumerate(clients)])
    assert Counter(outcomes) == {"ok": 1, "LimitExceeded": RACERS - 1}
    assert len(iam.list_user_tags(UserName=name, MaxItems=100)["Tags"]) == 50


def test_delete_user_racing_create_access_key_leaves_no_orphan_key(
        server: RunningServer, iam: Any, unique: str) -> None:
    deleter, creator = server.client("iam"), server.client("iam")
    for n in range(10):
        name = f"gone{n}-{unique}"
        iam.create_user(UserName=name)
        deleted, created = race([partial(deleter.delete_user, UserName=name),
                                 partial(creator.create_access_key, UserName=name)])
        assert (deleted, created) in {("ok", "NoSuchEntity"), ("DeleteConflict", "ok")}
        if deleted == "ok":
            with pytest.raises(ClientError) as exc:
                iam.list_access_keys(UserName=name)
            assert exc.value.response["Error"]["Code"] == "NoSuchEntity"
        else:
            assert len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]) == 1
