"""Wiping every row (the emulator's reset), and accounts whose generation never repeats.

`wipe(store)` empties every table but Alembic's own in one transaction: the
schema stays, so the server keeps serving. SQLite deletes table by table with
foreign keys checked at commit (when every table is empty, so the order does
not matter); PostgreSQL truncates all tables in one statement.

Caches in every worker notice a wipe through the change watch
(`store.changes`). On PostgreSQL that watch compares the count and sum of the
accounts' generation counters, which a wipe would bring back to values seen
before; `insert_fresh_account` therefore starts a new account's counter at a
value taken from the clock, so that the watch's token never repeats.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text, update

from sekisho.store import schema as t
from sekisho.store.sql import Store, Tx

# Alembic's bookkeeping: wiping it would make the next start re-run every migration.
_KEPT = frozenset({"alembic_version"})


def _sqlite_tables(conn: Connection) -> list[str]:
    rows = conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in rows if r[0] not in _KEPT]


def _postgres_tables(conn: Connection) -> list[str]:
    rows = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    return [r[0] for r in rows if r[0] not in _KEPT]


def _quoted(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def wipe(store: Store) -> int:
    """Deletes every row of every table except Alembic's; returns how many tables it emptied.

    One transaction: a failure leaves the state as it was. Raises what the database
    driver raises (through SQLAlchemy) when the database cannot be written.
    """
    with store.write() as tx:
        conn = tx.conn
        if conn.dialect.name == "sqlite":
            tables = _sqlite_tables(conn)
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for name in tables:
                conn.exec_driver_sql(f"DELETE FROM {_quoted(conn, name)}")
        else:
            tables = _postgres_tables(conn)
            if tables:
                names = ", ".join(_quoted(conn, name) for name in tables)
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    return len(tables)


def insert_fresh_account(tx: Tx, account_id: str, now: datetime) -> None:
    """Inserts an account whose generation counter starts from the clock (milliseconds),
    so that no change-watch token seen before a wipe comes back after it.

    Raises `store.errors.Conflict` (writing nothing) when the account exists.
    """
    tx.insert_account(account_id, now)
    tx.conn.execute(update(t.accounts).where(t.accounts.c.account_id == account_id)
                    .values(generation=int(now.timestamp() * 1000)))
