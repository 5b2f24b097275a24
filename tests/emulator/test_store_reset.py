"""`store.reset`: every table emptied but Alembic's, and generations that never repeat."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from sekisho.domain import accounts, users
from sekisho.domain.emulator import DEFAULT_ACCOUNT, Emulator, account_for_key
from sekisho.domain.secretbox import MasterKey, SecretBox
from sekisho.domain.sessions import add_key
from sekisho.store.changes import change_watch_for
from sekisho.store.database import at_newest_revisions, migrate, open_engine
from sekisho.store.errors import Conflict
from sekisho.store.records import Tag
from sekisho.store.reset import insert_fresh_account, wipe
from sekisho.store.sql import Store
from tests.support.server import postgres_database

NOW = datetime(2026, 11, 27, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'db.sqlite'}" if request.param == "sqlite"
               else stack.enter_context(postgres_database()))
        engine = open_engine(url)
        migrate(engine)
        yield Store(engine)
        engine.dispose()


def populate(store: Store) -> None:
    box = SecretBox([MasterKey(b"k" * 32)])
    with store.write() as tx:
        accounts.create_account(tx, box, NOW, "111122223333")
        users.create_user(tx, "111122223333", "alice", "/", [Tag("team", "blue")], None, NOW)
        add_key(tx, box, NOW)


def row_counts(store: Store) -> dict[str, int]:
    with store.read() as tx:
        names = inspect(tx.conn).get_table_names()
        quote = tx.conn.dialect.identifier_preparer.quote_identifier
        return {n: int(tx.conn.exec_driver_sql(f"SELECT count(*) FROM {quote(n)}").scalar() or 0)
                for n in names}


def test_wipe_empties_every_table_but_alembics(store: Store) -> None:
    populate(store)
    assert sum(row_counts(store).values()) > 4
    wipe(store)
    counts = row_counts(store)
    assert counts.pop("alembic_version") > 0
    assert set(counts.values()) == {0}


def test_wipe_keeps_the_schema_current(store: Store) -> None:
    populate(store)
    wipe(store)
    assert at_newest_revisions(store.engine)


def test_a_fresh_accounts_generation_comes_from_the_clock(store: Store) -> None:
    with store.write() as tx:
        insert_fresh_account(tx, DEFAULT_ACCOUNT, NOW)
    with store.read() as tx:
        assert tx.generation(DEFAULT_ACCOUNT) == int(NOW.timestamp() * 1000)


def test_a_fresh_account_that_exists_is_a_conflict(store: Store) -> None:
    with store.write() as tx:
        insert_fresh_account(tx, DEFAULT_ACCOUNT, NOW)
    with pytest.raises(Conflict), store.write() as tx:
        insert_fresh_account(tx, DEFAULT_ACCOUNT, NOW)


def test_the_emulator_recreates_its_account_after_a_reset(store: Store) -> None:
    emulator = Emulator(store, change_watch_for(store.engine), "aws")
    assert emulator.root_caller("FOOBARKEY", NOW).arn == "arn:aws:iam::123456789012:root"
    emulator.reset()
    with store.read() as tx:
        assert tx.get_account(DEFAULT_ACCOUNT) is None
    emulator.root_caller("FOOBARKEY", NOW)
    with store.read() as tx:
        assert tx.get_account(DEFAULT_ACCOUNT) is not None


def test_another_emulator_notices_a_reset(store: Store) -> None:
    # Two workers: the second one's memory of existing accounts must not survive a reset.
    first = Emulator(store, change_watch_for(store.engine), "aws")
    second = Emulator(store, change_watch_for(store.engine), "aws")
    second.root_caller("FOOBARKEY", NOW)
    first.reset()
    second.root_caller("FOOBARKEY", NOW)
    with store.read() as tx:
        assert tx.get_account(DEFAULT_ACCOUNT) is not None


@pytest.mark.parametrize(("key_id", "account"), [
    ("FOOBARKEY", DEFAULT_ACCOUNT),
    ("111122223333", "111122223333"),
    ("11112222333", DEFAULT_ACCOUNT),      # eleven digits
    ("1111222233334", DEFAULT_ACCOUNT),    # thirteen digits
    ("11112222333x", DEFAULT_ACCOUNT),
    ("١١١١٢٢٢٢٣٣٣٣", DEFAULT_ACCOUNT),  # Arabic-Indic digits are not an account id
])
def test_account_for_key(key_id: str, account: str) -> None:
    assert account_for_key(key_id, DEFAULT_ACCOUNT) == account
