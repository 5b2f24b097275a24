"""The change watches against a real PostgreSQL: NOTIFY-driven tokens and their fallback."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event

from sekisho.store.changes import ChangeBeacon, ListeningChangeWatch, change_watch_for
from sekisho.store.database import open_engine
from sekisho.store.sql import Store
from tests.support.server import postgres_database

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module", params=["postgres"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    from sekisho.store.database import migrate

    with postgres_database() as url:
        engine = open_engine(url)
        migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture
def engines(database_url: str) -> Iterator[Callable[[], Engine]]:
    opened: list[Engine] = []

    def make() -> Engine:
        opened.append(open_engine(database_url))
        return opened[-1]

    yield make
    for engine in opened:
        engine.dispose()


@pytest.fixture
def watch(engines: Callable[[], Engine]) -> Iterator[ListeningChangeWatch]:
    made = ListeningChangeWatch(engines(), probe_seconds=0.5, retry_seconds=0.1)
    made.token()  # starts the listener
    wait_for(lambda: made.listening)
    yield made
    made.close()


def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


_accounts = iter(range(100_000_000_000, 999_999_999_999))


def write_account(engine: Engine) -> None:
    with Store(engine).write() as tx:
        tx.insert_account(str(next(_accounts)), NOW)


def listener_pids(database_url: str) -> set[int]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                            " AND application_name = 'sekisho-change-watch'").fetchall()
    return {int(row[0]) for row in rows}


def test_postgres_engine_gets_a_listening_watch(engines: Callable[[], Engine]) -> None:
    assert isinstance(change_watch_for(engines()), ListeningChangeWatch)


def test_postgres_write_by_another_engine_moves_the_token(
        watch: ListeningChangeWatch, engines: Callable[[], Engine]) -> None:
    before = watch.token()
    write_account(engines())
    wait_for(lambda: watch.token() != before)


def test_postgres_own_write_moves_the_token_once_committed(watch: ListeningChangeWatch) -> None:
    before = watch.token()
    write_account(watch._engine)
    assert watch.token() != before


def test_postgres_listening_token_sends_no_sql(watch: ListeningChangeWatch) -> None:
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        for _ in range(100):
            watch.token()
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert sent == []


def test_postgres_rolled_back_write_leaves_the_token_alone(
        watch: ListeningChangeWatch, engines: Callable[[], Engine]) -> None:
    before = watch.token()
    assert isinstance(before, tuple)
    with pytest.raises(RuntimeError), Store(engines()).write() as tx:
        tx.insert_account(str(next(_accounts)), NOW)
        raise RuntimeError("abandon")
    # A committed write afterwards is the marker: its notification follows any other.
    write_account(engines())
    wait_for(lambda: watch.token() != before)
    assert before[0] == "listen" and watch.token() == ("listen", before[1] + 1)


def test_postgres_closed_watch_queries_and_sees_writes_at_once(
        watch: ListeningChangeWatch, engines: Callable[[], Engine]) -> None:
    watch.close()
    assert not watch.listening
    before = watch.token()
    write_account(engines())
    assert watch.token() != before


def test_postgres_watch_reconnects_after_losing_its_connection(
        watch: ListeningChangeWatch, engines: Callable[[], Engine], database_url: str) -> None:
    # Watches closed by earlier tests leave within their probe interval.
    wait_for(lambda: len(listener_pids(database_url)) == 1)
    (old_pid,) = listener_pids(database_url)
    before = watch.token()
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (old_pid,))
    wait_for(lambda: watch.listening and listener_pids(database_url) - {old_pid} != set())
    # Notifications sent while nobody listened are lost: reconnecting moves the token.
    reconnected = watch.token()
    assert reconnected != before
    write_account(engines())
    wait_for(lambda: watch.token() != reconnected)


def test_postgres_write_in_one_process_shows_in_the_beacon_of_another_at_once(
        engines: Callable[[], Engine], tmp_path: Path) -> None:
    # Two engines stand for two workers of one server: each has its own watch and its own
    # mapping of the data directory's beacon file.
    writer, reader = engines(), engines()
    ListeningChangeWatch(writer, beacon=ChangeBeacon(tmp_path / "beacon"))
    watch = ListeningChangeWatch(reader, probe_seconds=0.5, retry_seconds=0.1,
                                 beacon=ChangeBeacon(tmp_path / "beacon"))
    watch.token()
    wait_for(lambda: watch.listening)
    before = watch.token()
    write_account(writer)
    # No waiting: the notification may still be on its way; the beacon is not.
    after = watch.token()
    assert isinstance(before, tuple) and isinstance(after, tuple)
    assert after[2] != before[2]
    watch.close()


def test_beacon_file_is_private_and_shared(tmp_path: Path) -> None:
    first, second = ChangeBeacon(tmp_path / "beacon"), ChangeBeacon(tmp_path / "beacon")
    first.ring()
    assert second.read() == first.read()
    assert (tmp_path / "beacon").stat().st_mode & 0o777 == 0o600
