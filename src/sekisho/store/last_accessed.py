"""Stored last accessed data: who last attempted which action, and the reports built from it.

`service_last_accessed` holds one row per (entity, service namespace, action):
when the entity (an IAM user, or a role through its sessions) last attempted
the action, from which Region, and the ARN it had then. Service-level data is
the latest row of a namespace. `last_accessed_jobs` holds the reports of
GenerateServiceLastAccessedDetails, computed once and kept as JSON so that
every worker and node pages through the same snapshot.

Recording never writes on the request path. `UseRecorder` keeps the latest use
of each key in memory and a background thread writes it: at once for a key not
written during the last interval (a minute by default), otherwise when its
interval has passed, so each key costs the database at most one write per
interval per process, however busy the caller is. A failed write is logged and
retried with the next flush; it never reaches a request. A process that stops
loses at most one interval of uses, as AWS's own data arrives with a delay
("Recent activity usually appears within four hours", IAM API reference).
"""

from __future__ import annotations

import atexit
import logging
import math
import threading
import time
import weakref
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Row,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from sekisho.store.schema import metadata
from sekisho.store.sql import Store, Tx, utc

log = logging.getLogger("sekisho.last_accessed")

service_last_accessed = Table(
    "service_last_accessed",
    metadata,
    Column("entity_id", String(32), primary_key=True),
    Column("namespace", String(64), primary_key=True),
    Column("action", String(128), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("entity_arn", String(2048), nullable=False),
    Column("region", String(64), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    Index("ix_service_last_accessed_account_id", "account_id"),
)

last_accessed_jobs = Table(
    "last_accessed_jobs",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("arn", String(2048), nullable=False),
    Column("granularity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
    Column("report", Text, nullable=False),
    Index("ix_last_accessed_jobs_account_id", "account_id"),
)

UseKey = tuple[str, str, str]
"""(entity id, service namespace in lower case, action name as authorized)."""


class Use(NamedTuple):
    """One attempt: by whom (account, entity ARN), from which Region, when. (A named tuple:
    one is made per authorized request, and it is the cheapest immutable record.)"""

    account_id: str
    entity_arn: str
    region: str
    at: datetime


@dataclass(frozen=True)
class UseRecord:
    entity_id: str
    namespace: str
    action: str
    entity_arn: str
    region: str
    last_at: datetime


@dataclass(frozen=True)
class JobRecord:
    job_id: str
    account_id: str
    arn: str
    granularity: str
    status: str
    created_at: datetime
    completed_at: datetime
    report: str


# --- uses


def record_uses(tx: Tx, uses: Sequence[tuple[UseKey, Use]]) -> None:
    """Upserts each use; a stored use that is newer than the one given is kept."""
    if not uses:
        return
    rows = [{"entity_id": key[0], "namespace": key[1], "action": key[2],
             "account_id": use.account_id, "entity_arn": use.entity_arn,
             "region": use.region, "last_at": use.at} for key, use in uses]
    table = service_last_accessed
    dialect = postgresql if tx.conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    excluded = statement.excluded
    # Several nodes may flush the same key: the latest attempt wins, whoever writes last.
    upsert = statement.on_conflict_do_update(
        index_elements=[table.c.entity_id, table.c.namespace, table.c.action],
        set_={"entity_arn": excluded.entity_arn, "region": excluded.region,
              "last_at": excluded.last_at, "account_id": excluded.account_id},
        where=table.c.last_at < excluded.last_at)
    tx.conn.execute(upsert, rows)


def _use(row: Row[Any]) -> UseRecord:
    return UseRecord(row.entity_id, row.namespace, row.action, row.entity_arn, row.region,
                     utc(row.last_at))


def uses_of(tx: Tx, entity_ids: Collection[str]) -> list[UseRecord]:
    """Every recorded use of the given entities."""
    if not entity_ids:
        return []
    table = service_last_accessed
    rows = tx.conn.execute(select(table).where(table.c.entity_id.in_(list(entity_ids))))
    return [_use(r) for r in rows]


# --- report jobs


def insert_job(tx: Tx, job: JobRecord) -> None:
    tx.insert_unique(last_accessed_jobs, job_id=job.job_id, account_id=job.account_id,
                     arn=job.arn, granularity=job.granularity, status=job.status,
                     created_at=job.created_at, completed_at=job.completed_at,
                     report=job.report)


def job(tx: Tx, job_id: str) -> JobRecord | None:
    row = tx.conn.execute(select(last_accessed_jobs)
                          .where(last_accessed_jobs.c.job_id == job_id)).first()
    if row is None:
        return None
    return JobRecord(row.job_id, row.account_id, row.arn, row.granularity, row.status,
                     utc(row.created_at), utc(row.completed_at), row.report)


# --- the in-memory recorder


class UseRecorder:
    """Buffers uses in memory and writes each key at most once per `interval` seconds.

    `note` takes a lock for a dictionary update and never touches the database;
    a daemon thread (started on the first `note`) writes what is due. `flush`
    writes what is due now (or everything, for a report that must see the
    latest uses) and never raises.
    """

    _FORGET_AFTER = 100_000  # written-at entries kept before the stale ones are dropped

    def __init__(self, store: Store, interval: float = 60.0, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 background: bool = True) -> None:
        # Weak: a registry may key recorders by their store, which must stay collectable.
        self._store = weakref.ref(store)
        self._interval = interval
        self._monotonic = monotonic
        self._background = background
        self._pending: dict[UseKey, Use] = {}
        self._written: dict[UseKey, float] = {}
        self._lock = threading.Lock()
        # One flush at a time: a report's flush must wait for a background write already
        # under way, or it would read the table before those uses are committed.
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def note(self, key: UseKey, use: Use) -> None:
        """Remembers `use` as the latest of `key`; wakes the writer when the key is due."""
        now = self._monotonic()
        with self._lock:
            pending = self._pending.get(key)
            if pending is None or use.at >= pending.at:
                self._pending[key] = use
            due = now - self._written.get(key, -math.inf) >= self._interval
            if self._thread is None and self._background:
                self._start()
        if due:
            self._wake.set()

    def pending(self) -> int:
        """How many keys hold a use not written yet."""
        with self._lock:
            return len(self._pending)

    def flush(self, everything: bool = False) -> int:
        """Writes the due uses (all of them with `everything`); returns how many it wrote.

        Never raises: a failed write is logged and its uses are kept for the next flush.
        """
        with self._flushing:
            return self._flush(everything)

    def _flush(self, everything: bool) -> int:
        now = self._monotonic()
        with self._lock:
            batch = [(k, u) for k, u in self._pending.items()
                     if everything or now - self._written.get(k, -math.inf) >= self._interval]
            for key, _use in batch:
                del self._pending[key]
                self._written[key] = now
            self._forget_stale(now)
        if not batch:
            return 0
        store = self._store()
        if store is None:  # the store is gone, and its database with it
            return 0
        try:
            with store.write() as tx:
                record_uses(tx, batch)
        except Exception:  # the data is best effort; no failure may reach a request
            log.warning("could not write %d last accessed records; retrying later", len(batch),
                        exc_info=True)
            with self._lock:
                for key, use in batch:
                    self._pending.setdefault(key, use)
            return 0
        return len(batch)

    def _forget_stale(self, now: float) -> None:
        # A key written longer than an interval ago is due anyway: forgetting it changes nothing.
        if len(self._written) > self._FORGET_AFTER:
            self._written = {k: t for k, t in self._written.items()
                             if now - t < self._interval}

    def _next_wait(self) -> float:
        now = self._monotonic()
        with self._lock:
            waits = [self._written.get(k, -math.inf) + self._interval - now
                     for k in self._pending]
        if not waits:
            return self._interval
        return min(max(min(waits), 0.05), self._interval)

    def _start(self) -> None:
        thread = threading.Thread(target=_run, args=(weakref.ref(self),), daemon=True,
                                  name="sekisho-last-accessed")
        self._thread = thread
        thread.start()
        atexit.register(_flush_at_exit, weakref.ref(self))


def _run(ref: weakref.ReferenceType[UseRecorder]) -> None:
    """The writer thread: flushes when woken or when the next key falls due; ends with
    its recorder."""
    while True:
        recorder = ref()
        if recorder is None:
            return
        wake, wait = recorder._wake, recorder._next_wait()
        del recorder  # the thread must not keep its recorder alive while it sleeps
        wake.wait(timeout=wait)
        wake.clear()
        recorder = ref()
        if recorder is None:
            return
        recorder.flush()
        del recorder


def _flush_at_exit(ref: weakref.ReferenceType[UseRecorder]) -> None:
    recorder = ref()
    if recorder is not None:
        recorder.flush(everything=True)
