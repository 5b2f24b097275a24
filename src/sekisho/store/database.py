"""Opening the database: engines for SQLite (WAL) and PostgreSQL, and migrations.

Alembic is imported only when a migration has to run: importing it (with Mako
and SQLAlchemy's ORM) costs more than the rest of a server start, and a
database already at the newest revisions needs none of it.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text

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
    # Straight to the driver: a SQLAlchemy execution costs more than the BEGIN itself.
    begin = "BEGIN" if conn.get_execution_options().get("sekisho_readonly") else "BEGIN IMMEDIATE"
    conn.connection.driver_connection.execute(begin)


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


def _revision_graph() -> tuple[set[str], set[str]] | None:
    """(every revision, every revision some other one revises), read from the migration
    files without Alembic; None when a file does not state them as plain literals."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted((_MIGRATIONS / "versions").glob("*.py")):
        if path.name == "__init__.py":
            continue
        found: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in ("revision", "down_revision")):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    return None
        revision, down = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            revised.add(down)
        elif isinstance(down, tuple | list):
            revised.update(str(d) for d in down)
    return revisions, revised


def at_newest_revisions(engine: Engine) -> bool:
    """True when the database's Alembic versions are exactly the migration files' heads."""
    graph = _revision_graph()
    if graph is None:
        return False
    heads = graph[0] - graph[1]
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        current = {row[0] for row in connection.execute(
            text("SELECT version_num FROM alembic_version"))}
    return bool(heads) and current == heads


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revisions (nothing to do: returns at once)."""
    if at_newest_revisions(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        # Parallel families add migrations on their own branches; "heads" applies them all.
        command.upgrade(config, "heads")
