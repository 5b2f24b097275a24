"""Opening the database: engines for SQLite (WAL) and PostgreSQL, and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

_MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlalchemy_url(url: str) -> str:
    # psycopg 3 is the driver; accept the plain URL users write.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; busy_timeout makes writers
    # queue instead of failing while another process holds the write lock.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin(conn: Any) -> None:
    # SQLite's deferred transactions upgrade to a write lock mid-way and can
    # then fail with SQLITE_BUSY regardless of busy_timeout; a writing
    # transaction takes the write lock up front so that concurrent writers
    # wait their turn instead. Readers stay deferred and never block.
    if conn.get_execution_options().get("sekisho_readonly"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def open_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL mode and serialized writers."""
    sa_url = _sqlalchemy_url(url)
    if sa_url.startswith("sqlite"):
        engine = create_engine(sa_url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _on_sqlite_connect)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE itself.
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _begin)
        return engine
    return create_engine(sa_url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revisions."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        # Parallel families add migrations on their own branches; "heads" applies them all.
        command.upgrade(config, "heads")
