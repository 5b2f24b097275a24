"""The composition root: `create_app(settings)` builds everything and wires it together.

Nothing else in Sekisho builds a store, a clock or a key ring; they are made
here once and handed down, so tests can swap any of them.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta

from sekisho.api.context import Services
from sekisho.api.dispatch import SekishoApp
from sekisho.auth.credentials import CredentialResolver, LastUsedRecorder
from sekisho.domain.authorization import Authorizer
from sekisho.domain.clock import Clock, system_clock
from sekisho.domain.emulator import Emulator
from sekisho.domain.secretbox import SecretBox, load_or_create_master_keys
from sekisho.domain.sessions import KeyRing
from sekisho.settings import Settings, settings_from_env
from sekisho.store.changes import change_watch_for
from sekisho.store.database import migrate, open_engine
from sekisho.store.sql import Store

# In the data directory: the file through which one server's workers tell each other of
# their writes (store.changes.ChangeBeacon; used on PostgreSQL).
CHANGE_BEACON = "change-beacon"


@dataclass(frozen=True)
class Opened:
    store: Store
    box: SecretBox


def open_state(settings: Settings, *, run_migrations: bool = True) -> Opened:
    """The store (migrated) and the secret box for `settings`' data directory."""
    if settings.uses_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(settings.data_dir, 0o700)
    engine = open_engine(settings.effective_database_url)
    if run_migrations:
        migrate(engine)
    box = SecretBox(load_or_create_master_keys(settings.effective_master_key_file))
    return Opened(Store(engine), box)


def create_app(settings: Settings, clock: Clock = system_clock) -> SekishoApp:
    opened = open_state(settings, run_migrations=False)
    beacon = None
    if not settings.uses_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        beacon = settings.data_dir / CHANGE_BEACON
    changes = change_watch_for(opened.store.engine, beacon)
    ring = KeyRing(opened.store, opened.box, changes)
    services = Services(
        settings=settings,
        store=opened.store,
        box=opened.box,
        clock=clock,
        credentials=CredentialResolver(opened.store, opened.box, changes, settings.partition,
                                       ring),
        last_used=LastUsedRecorder(timedelta(seconds=settings.last_used_write_interval_seconds)),
        authorizer=Authorizer(opened.store, changes, settings.partition, settings.enforcement),
        ring=ring,
    )
    emulator = (Emulator(opened.store, changes, settings.partition, settings.emulator_account)
                if settings.emulator else None)
    return SekishoApp(services, emulator)


def create_app_from_env() -> SekishoApp:
    """The factory uvicorn's worker processes call (settings arrive as SEKISHO_* variables)."""
    settings = settings_from_env()
    logging.basicConfig(level=settings.log_level.upper())
    return create_app(settings)
