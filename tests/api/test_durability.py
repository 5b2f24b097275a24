"""Nothing acknowledged is lost, nothing is duplicated: concurrent creates and restarts."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.support.server import postgres_database, run_server


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
    else:
        with postgres_database() as url:
            yield url


def test_concurrent_creates_give_one_success_per_name_and_survive_restart(
        tmp_path: Path, database_url: str | None) -> None:
    data_dir = tmp_path / "data"
    names = [f"racer-{i % 12}" for i in range(48)]  # every name raced by four threads
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()
    with run_server(data_dir, database_url, workers=2) as server:
        barrier = threading.Barrier(16)

        def worker(chunk: list[str]) -> None:
            iam = server.client("iam")
            barrier.wait()
            for name in chunk:
                try:
                    iam.create_user(UserName=name)
                    result = "created"
                except ClientError as exc:
                    result = exc.response["Error"]["Code"]
                with lock:
                    outcomes.append((name, result))

        threads = [threading.Thread(target=worker, args=(names[i::16],)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    created = Counter(name for name, result in outcomes if result == "created")
    assert set(created.values()) == {1} and len(created) == 12
    assert {result for _, result in outcomes} <= {"created", "EntityAlreadyExists"}

    with run_server(data_dir, database_url) as restarted:
        listed = {u["UserName"] for u in restarted.client("iam").list_users()["Users"]}
    assert listed == set(created)


def test_restart_keeps_account_keys_and_entities(tmp_path: Path,
                                                 database_url: str | None) -> None:
    data_dir = tmp_path / "data"
    with run_server(data_dir, database_url) as server:
        iam = server.client("iam")
        iam.create_group(GroupName="keepers")
        iam.create_user(UserName="kept")
        iam.add_user_to_group(GroupName="keepers", UserName="kept")
        key = iam.create_access_key(UserName="kept")["AccessKey"]
        account = server.client("sts").get_caller_identity()["Account"]
    with run_server(data_dir, database_url) as again:
        assert again.client("sts").get_caller_identity()["Account"] == account
        members = again.client("iam").get_group(GroupName="keepers")["Users"]
        assert [u["UserName"] for u in members] == ["kept"]
        user_sts = again.client("sts", (key["AccessKeyId"], key["SecretAccessKey"]))
        assert user_sts.get_caller_identity()["Arn"].endswith(":user/kept")
