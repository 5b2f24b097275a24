"""Noticing that the database changed, cheaply, so caches know when to drop.

`ChangeWatch.token()` returns a value that differs after any committed IAM
write by any process. On SQLite it is `PRAGMA data_version` read on a
dedicated connection (which changes whenever another connection commits;
microseconds, no table read). On PostgreSQL it is the count and sum of the
accounts' generation counters, bumped by every IAM write (one small query).
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Protocol

from sqlalchemy import Engine, func, select

from sekisho.store import schema as t


class ChangeWatch(Protocol):
    def token(self) -> object: ...


class SqliteChangeWatch:
    """One connection per thread (a connection's data_version only notices commits made
    by other connections, and per-thread connections need no lock)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()

    def token(self) -> object:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            self._local.conn = conn
        # Values of different connections are not comparable: the token names its connection.
        return (id(conn), conn.execute("PRAGMA data_version").fetchone()[0])


class GenerationChangeWatch:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._query = select(func.count(), func.coalesce(func.sum(t.accounts.c.generation), 0))

    def token(self) -> object:
        with self._engine.connect() as conn:
            row = conn.execute(self._query).one()
        return (int(row[0]), int(row[1]))


def change_watch_for(engine: Engine) -> ChangeWatch:
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return SqliteChangeWatch(url.database)
    return GenerationChangeWatch(engine)
