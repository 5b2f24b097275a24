"""Noticing that the database changed, cheaply, so caches know when to drop.

`ChangeWatch.token()` returns a value that differs after any committed write by
any process. Callers read the token before they read the database and keep what
they read under that token; a later, different token drops it.

SQLite: `PRAGMA data_version` read on a dedicated connection, which changes
whenever another connection commits (microseconds, no table read).

PostgreSQL (`ListeningChangeWatch`): every write transaction of `Store.write()`
sends `NOTIFY sekisho_changes` inside the transaction (`announced_write`), so
PostgreSQL delivers it only if, and after, the transaction commits. A daemon
thread per process LISTENs on its own connection and bumps a local counter per
notification; `token()` returns that counter and sends nothing to the database.
A process's own writes bump it at once after they commit, without waiting for the
notification. Staleness bound:

- a write committed by another process is seen once its notification has reached
  the listener thread: one server round trip after the commit, milliseconds. A
  request that read the token before the notification arrived is decided
  entirely on the state before the write, even if it finishes afterwards;
- while the listener is not connected (before its first connection, after losing
  it) `token()` falls back to the query over the accounts' generation counters
  (`GenerationChangeWatch`, one round trip per call, never stale) and the thread
  reconnects every `retry_seconds`; after every (re)connection the counter moves
  once, since notifications sent while nobody listened are lost;
- a connection that dies without the server closing it (a network partition) is
  noticed by a probe sent every `probe_seconds` of silence, itself bounded by TCP
  keepalives and `tcp_user_timeout` (5 s): about 10 s in which writes by other
  processes can go unseen. A connection the server closes is noticed at once.

The listener connects with the engine's own connection arguments; it is started on
the first `token()` call of each process (after a fork too).

The worker processes of one server share a `ChangeBeacon`: eight bytes of a file in
the data directory, mapped into each process's memory, which every write overwrites
with new random bytes once it has committed. A listening watch's token includes them,
so a write served by one worker is seen by the server's other workers on their very
next request, with no round trip and without waiting for the notification; the bound
above is left for servers on other machines.
"""

from __future__ import annotations

import logging
import mmap
import os
import random
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError

from sekisho.store import schema as t
from sekisho.store.errors import Contention

CHANNEL = "sekisho_changes"
_NOTIFY = select(func.pg_notify(CHANNEL, ""))
_LOG = logging.getLogger(__name__)


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
    """The count and sum of the accounts' generation counters, which every IAM write
    bumps (one small query per call)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._query = select(func.count(), func.coalesce(func.sum(t.accounts.c.generation), 0))

    def token(self) -> object:
        with self._engine.connect() as conn:
            row = conn.execute(self._query).one()
        return (int(row[0]), int(row[1]))


class ChangeBeacon:
    """Eight shared bytes that every committed write through this host's processes
    replaces (see the module docstring). Random rather than counted: two processes
    writing at once each leave a value that differs from what readers saw before."""

    SIZE = 8

    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < self.SIZE:
                os.ftruncate(fd, self.SIZE)
            self._map = mmap.mmap(fd, self.SIZE)
        finally:
            os.close(fd)

    def read(self) -> bytes:
        return self._map[:self.SIZE]

    def ring(self) -> None:
        self._map[:self.SIZE] = random.getrandbits(64).to_bytes(self.SIZE, "little")


# The beacon of each engine, rung after each local commit.
_BEACONS: weakref.WeakKeyDictionary[Engine, ChangeBeacon] = weakref.WeakKeyDictionary()

# The listening watches of each engine, bumped after each local commit.
_LOCAL: weakref.WeakKeyDictionary[Engine, weakref.WeakSet[ListeningChangeWatch]] = (
    weakref.WeakKeyDictionary())
_LOCAL_LOCK = threading.Lock()


# serialization_failure and deadlock_detected: the transaction lost a race, not a rule.
_CONTENTION_STATES = frozenset({"40001", "40P01"})


@contextmanager
def announced_write(engine: Engine) -> Iterator[Connection]:
    """One write transaction on `engine` (committed when the block ends without raising,
    rolled back otherwise) that tells every change watch once committed: on PostgreSQL a
    NOTIFY inside the transaction for other processes, and a local bump after the commit
    for this one's. Raises what the block or the commit raises, and Contention when
    PostgreSQL refused the transaction for a concurrent one.

    PostgreSQL writes run SERIALIZABLE: rules check a count or the absence of dependents
    and then write (two access keys per user, DeleteConflict), which READ COMMITTED lets
    two concurrent transactions both pass. SQLite needs nothing more: its writers take
    the database's one write lock up front (`database._begin`)."""
    try:
        with engine.connect() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                conn.execution_options(isolation_level="SERIALIZABLE")
            with conn.begin():
                yield conn
                if postgres:
                    conn.execute(_NOTIFY)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) in _CONTENTION_STATES:
            raise Contention(str(exc.orig)) from exc
        raise
    with _LOCAL_LOCK:
        watches = list(_LOCAL.get(engine, ()))
        beacon = _BEACONS.get(engine)
    for watch in watches:
        watch.bump()
    if beacon is not None:
        beacon.ring()


class ListeningChangeWatch:
    """A counter moved by `NOTIFY sekisho_changes`, read without a round trip; see the
    module docstring for the fallback and the staleness bound."""

    def __init__(self, engine: Engine, *, probe_seconds: float = 5.0,
                 retry_seconds: float = 1.0, beacon: ChangeBeacon | None = None) -> None:
        self._engine = engine
        self._beacon = beacon
        self._fallback = GenerationChangeWatch(engine)
        self._probe_seconds = probe_seconds
        self._retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._counter = 0
        self._current: int | None = None  # the counter while listening, else None
        self._pid: int | None = None
        self._closed = threading.Event()
        with _LOCAL_LOCK:
            _LOCAL.setdefault(engine, weakref.WeakSet()).add(self)
            if beacon is not None:
                _BEACONS[engine] = beacon

    @property
    def listening(self) -> bool:
        return self._current is not None

    def token(self) -> object:
        """The local counter while listening; the query-based token otherwise. Raises what
        the database driver raises (through SQLAlchemy) only in the fallback."""
        if self._pid != os.getpid():
            self._start()
        current = self._current
        if current is None:
            return ("query", self._fallback.token())
        if self._beacon is not None:
            return ("listen", current, self._beacon.read())
        return ("listen", current)

    def bump(self) -> None:
        with self._lock:
            self._counter += 1
            if self._current is not None:
                self._current = self._counter

    def close(self) -> None:
        """Stops listening (the thread ends within `probe_seconds`); `token()` then
        always queries."""
        self._closed.set()
        with self._lock:
            self._current = None

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            # A forked child inherits the parent's counter but not its thread.
            self._pid = os.getpid()
            self._current = None
        threading.Thread(target=self._listen_forever, name="sekisho-change-watch",
                         daemon=True).start()

    def _set_listening(self, listening: bool) -> None:
        with self._lock:
            self._counter += 1
            self._current = self._counter if listening and not self._closed.is_set() else None

    def _connect(self) -> Any:
        import psycopg

        cargs, cparams = self._engine.dialect.create_connect_args(self._engine.url)
        params = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5,
                  "keepalives_interval": 2, "keepalives_count": 2, "tcp_user_timeout": 5000,
                  "application_name": "sekisho-change-watch", **cparams}
        return psycopg.connect(*cargs, autocommit=True, **params)

    def _listen_forever(self) -> None:
        import psycopg

        pid = os.getpid()
        while not self._closed.is_set() and self._pid == pid:
            try:
                with self._connect() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._set_listening(True)
                    while not self._closed.is_set() and self._pid == pid:
                        for _ in conn.notifies(timeout=self._probe_seconds):
                            self.bump()
                        conn.execute("SELECT 1")
            except psycopg.Error as exc:
                if self.listening:
                    _LOG.warning("change watch lost its connection (%s); querying until "
                                 "it reconnects", exc)
            finally:
                self._set_listening(False)
            self._closed.wait(self._retry_seconds)


def change_watch_for(engine: Engine, beacon_path: Path | None = None) -> ChangeWatch:
    """The cheapest watch `engine` allows; on PostgreSQL, the processes given the same
    `beacon_path` (the workers of one server) see each other's writes at once."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return SqliteChangeWatch(url.database)
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg":
        beacon = ChangeBeacon(beacon_path) if beacon_path is not None else None
        return ListeningChangeWatch(engine, beacon=beacon)
    return GenerationChangeWatch(engine)
