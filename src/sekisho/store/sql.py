"""The store: SQLAlchemy Core statements behind a small transaction object.

`Store.write()` and `Store.read()` each open one transaction and yield a `Tx`
whose methods are the only SQL in Sekisho. A write either commits whole or
not at all; a constraint violation surfaces as `store.errors.Conflict` with
nothing written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from sekisho.store import schema as t
from sekisho.store.changes import announced_write
from sekisho.store.errors import Conflict, Contention
from sekisho.store.records import AccessKeyRecord, AccountRecord, GroupRecord, Tag, UserRecord

_LOG = logging.getLogger(__name__)

# The reads on every request's path are built once: building a statement costs more
# than running it against SQLite.
_ACCOUNT = select(t.accounts).where(t.accounts.c.account_id == bindparam("account_id"))
_GENERATION = select(t.accounts.c.generation).where(
    t.accounts.c.account_id == bindparam("account_id"))
_USER_BY_NAME = select(t.users).where(and_(t.users.c.account_id == bindparam("account_id"),
                                           t.users.c.name_lower == bindparam("name_lower")))
_USER_BY_ID = select(t.users).where(t.users.c.user_id == bindparam("user_id"))
_ACCESS_KEY = select(t.access_keys).where(
    t.access_keys.c.access_key_id == bindparam("access_key_id"))
_TAGS = (select(t.tags.c.key, t.tags.c.value).where(t.tags.c.entity_id == bindparam("entity_id"))
         .order_by(t.tags.c.key_lower))
_GROUPS_OF_USER = (select(t.groups).join(t.group_members,
                                         t.group_members.c.group_id == t.groups.c.group_id)
                   .where(t.group_members.c.user_id == bindparam("user_id"))
                   .order_by(t.groups.c.name_lower))


def utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def _account(row: Row[Any]) -> AccountRecord:
    return AccountRecord(row.account_id, row.alias, utc(row.created_at))


def _user(row: Row[Any]) -> UserRecord:
    return UserRecord(row.user_id, row.account_id, row.name, row.path, utc(row.created_at),
                      row.permissions_boundary_arn)


def _group(row: Row[Any]) -> GroupRecord:
    return GroupRecord(row.group_id, row.account_id, row.name, row.path, utc(row.created_at))


def _key(row: Row[Any]) -> AccessKeyRecord:
    return AccessKeyRecord(
        row.access_key_id, row.account_id, row.user_id, row.status, bytes(row.secret_sealed),
        utc(row.created_at), opt_utc(row.last_used_at), row.last_used_service,
        row.last_used_region,
    )


class Tx:
    """One open transaction; every method is one or two statements.

    Accounts, users, groups, access keys and tags live here; every other
    resource family has its own module in `sekisho.store` (tables on the shared
    `schema.metadata` and functions taking a `Tx`), so that this class stays small.
    """

    def __init__(self, conn: Connection) -> None:
        self._c = conn

    @property
    def conn(self) -> Connection:
        """The open connection, for the store modules of other resource families."""
        return self._c

    def insert_unique(self, table: Any, **values: Any) -> None:
        """Inserts one row; a constraint violation raises Conflict and writes nothing."""
        try:
            with self._c.begin_nested():
                self._c.execute(insert(table).values(**values))
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from None

    def update_unique(self, statement: Any) -> None:
        """Runs an UPDATE; a constraint violation raises Conflict and writes nothing."""
        try:
            with self._c.begin_nested():
                self._c.execute(statement)
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from None

    # --- accounts

    def insert_account(self, account_id: str, created_at: datetime) -> None:
        self.insert_unique(t.accounts, account_id=account_id, alias=None, created_at=created_at,
                     generation=0)

    def get_account(self, account_id: str) -> AccountRecord | None:
        row = self._c.execute(_ACCOUNT, {"account_id": account_id}).first()
        return None if row is None else _account(row)

    def list_accounts(self) -> list[AccountRecord]:
        rows = self._c.execute(select(t.accounts).order_by(t.accounts.c.created_at))
        return [_account(r) for r in rows]

    def account_by_alias(self, alias: str) -> AccountRecord | None:
        row = self._c.execute(select(t.accounts).where(t.accounts.c.alias == alias)).first()
        return None if row is None else _account(row)

    def set_alias(self, account_id: str, alias: str | None) -> None:
        self.update_unique(update(t.accounts).where(t.accounts.c.account_id == account_id)
                                .values(alias=alias))

    def bump_generation(self, account_id: str) -> None:
        self._c.execute(update(t.accounts).where(t.accounts.c.account_id == account_id)
                        .values(generation=t.accounts.c.generation + 1))

    def generation(self, account_id: str) -> int:
        value = self._c.execute(_GENERATION, {"account_id": account_id}).scalar()
        return int(value or 0)

    # --- users

    def insert_user(self, user: UserRecord) -> None:
        self.insert_unique(t.users, user_id=user.user_id, account_id=user.account_id,
                           name=user.name, name_lower=user.name.lower(), path=user.path,
                           created_at=user.created_at,
                           permissions_boundary_arn=user.permissions_boundary_arn)

    def user_by_name(self, account_id: str, name: str) -> UserRecord | None:
        row = self._c.execute(_USER_BY_NAME, {"account_id": account_id,
                                              "name_lower": name.lower()}).first()
        return None if row is None else _user(row)

    def user_by_id(self, user_id: str) -> UserRecord | None:
        row = self._c.execute(_USER_BY_ID, {"user_id": user_id}).first()
        return None if row is None else _user(row)

    def list_users(self, account_id: str, path_prefix: str, after: str | None,
                   limit: int) -> list[UserRecord]:
        query = select(t.users).where(and_(
            t.users.c.account_id == account_id, t.users.c.path.startswith(path_prefix,
                                                                          autoescape=True)))
        if after is not None:
            query = query.where(t.users.c.name_lower > after)
        rows = self._c.execute(query.order_by(t.users.c.name_lower).limit(limit))
        return [_user(r) for r in rows]

    def count_users(self, account_id: str) -> int:
        return int(self._c.execute(select(func.count()).select_from(t.users)
                                   .where(t.users.c.account_id == account_id)).scalar() or 0)

    def update_user(self, user_id: str, name: str, path: str) -> None:
        self.update_unique(update(t.users).where(t.users.c.user_id == user_id)
                                .values(name=name, name_lower=name.lower(), path=path))

    def delete_user(self, user_id: str) -> None:
        self._c.execute(delete(t.tags).where(t.tags.c.entity_id == user_id))
        self._c.execute(delete(t.users).where(t.users.c.user_id == user_id))

    # --- groups and membership

    def insert_group(self, group: GroupRecord) -> None:
        self.insert_unique(t.groups, group_id=group.group_id, account_id=group.account_id,
                     name=group.name, name_lower=group.name.lower(), path=group.path,
                     created_at=group.created_at)

    def group_by_name(self, account_id: str, name: str) -> GroupRecord | None:
        row = self._c.execute(select(t.groups).where(and_(
            t.groups.c.account_id == account_id, t.groups.c.name_lower == name.lower()))).first()
        return None if row is None else _group(row)

    def list_groups(self, account_id: str, path_prefix: str, after: str | None,
                    limit: int) -> list[GroupRecord]:
        query = select(t.groups).where(and_(
            t.groups.c.account_id == account_id,
            t.groups.c.path.startswith(path_prefix, autoescape=True)))
        if after is not None:
            query = query.where(t.groups.c.name_lower > after)
        rows = self._c.execute(query.order_by(t.groups.c.name_lower).limit(limit))
        return [_group(r) for r in rows]

    def count_groups(self, account_id: str) -> int:
        return int(self._c.execute(select(func.count()).select_from(t.groups)
                                   .where(t.groups.c.account_id == account_id)).scalar() or 0)

    def update_group(self, group_id: str, name: str, path: str) -> None:
        self.update_unique(update(t.groups).where(t.groups.c.group_id == group_id)
                                .values(name=name, name_lower=name.lower(), path=path))

    def delete_group(self, group_id: str) -> None:
        self._c.execute(delete(t.groups).where(t.groups.c.group_id == group_id))

    def add_member(self, group_id: str, user_id: str, at: datetime) -> bool:
        """Adds the user; False if already a member (AWS treats that as success)."""
        try:
            self.insert_unique(t.group_members, group_id=group_id, user_id=user_id, added_at=at)
        except Conflict:
            return False
        return True

    def remove_member(self, group_id: str, user_id: str) -> bool:
        result = self._c.execute(delete(t.group_members).where(and_(
            t.group_members.c.group_id == group_id, t.group_members.c.user_id == user_id)))
        return bool(result.rowcount)

    def group_members(self, group_id: str, after: str | None, limit: int) -> list[UserRecord]:
        query = (select(t.users).join(t.group_members,
                                      t.group_members.c.user_id == t.users.c.user_id)
                 .where(t.group_members.c.group_id == group_id))
        if after is not None:
            query = query.where(t.users.c.name_lower > after)
        rows = self._c.execute(query.order_by(t.users.c.name_lower).limit(limit))
        return [_user(r) for r in rows]

    def count_members(self, group_id: str) -> int:
        return int(self._c.execute(select(func.count()).select_from(t.group_members)
                                   .where(t.group_members.c.group_id == group_id)).scalar() or 0)

    def all_groups_of_user(self, user_id: str) -> list[GroupRecord]:
        """Every group of the user, by name (at most ten: the GroupsPerUser quota)."""
        return [_group(r) for r in self._c.execute(_GROUPS_OF_USER, {"user_id": user_id})]

    def groups_of_user(self, user_id: str, after: str | None, limit: int) -> list[GroupRecord]:
        query = (select(t.groups).join(t.group_members,
                                       t.group_members.c.group_id == t.groups.c.group_id)
                 .where(t.group_members.c.user_id == user_id))
        if after is not None:
            query = query.where(t.groups.c.name_lower > after)
        rows = self._c.execute(query.order_by(t.groups.c.name_lower).limit(limit))
        return [_group(r) for r in rows]

    # --- access keys

    def insert_access_key(self, key: AccessKeyRecord) -> None:
        self.insert_unique(t.access_keys, access_key_id=key.access_key_id,
                           account_id=key.account_id, user_id=key.user_id, status=key.status,
                           secret_sealed=key.secret_sealed, created_at=key.created_at)

    def access_key(self, access_key_id: str) -> AccessKeyRecord | None:
        row = self._c.execute(_ACCESS_KEY, {"access_key_id": access_key_id}).first()
        return None if row is None else _key(row)

    def access_keys_of(self, account_id: str, user_id: str | None) -> list[AccessKeyRecord]:
        owner = (t.access_keys.c.user_id.is_(None) if user_id is None
                 else t.access_keys.c.user_id == user_id)
        rows = self._c.execute(select(t.access_keys)
                               .where(and_(t.access_keys.c.account_id == account_id, owner))
                               .order_by(t.access_keys.c.created_at))
        return [_key(r) for r in rows]

    def set_access_key_status(self, access_key_id: str, status: str) -> None:
        self._c.execute(update(t.access_keys)
                        .where(t.access_keys.c.access_key_id == access_key_id)
                        .values(status=status))

    def delete_access_key(self, access_key_id: str) -> None:
        self._c.execute(delete(t.access_keys)
                        .where(t.access_keys.c.access_key_id == access_key_id))

    def record_key_use(self, access_key_id: str, at: datetime, service: str, region: str) -> None:
        self._c.execute(update(t.access_keys)
                        .where(t.access_keys.c.access_key_id == access_key_id)
                        .values(last_used_at=at, last_used_service=service,
                                last_used_region=region))

    # --- tags

    def tags_of(self, entity_id: str) -> list[Tag]:
        rows = self._c.execute(_TAGS, {"entity_id": entity_id})
        return [Tag(r.key, r.value) for r in rows]

    def put_tags(self, entity_id: str, tags: Iterable[Tag]) -> None:
        for tag in tags:
            self._c.execute(delete(t.tags).where(and_(
                t.tags.c.entity_id == entity_id, t.tags.c.key_lower == tag.key.lower())))
            self._c.execute(insert(t.tags).values(entity_id=entity_id, key_lower=tag.key.lower(),
                                                  key=tag.key, value=tag.value))

    def remove_tags(self, entity_id: str, keys: Sequence[str]) -> None:
        lowered = [k.lower() for k in keys]
        self._c.execute(delete(t.tags).where(and_(
            t.tags.c.entity_id == entity_id, t.tags.c.key_lower.in_(lowered))))


class Store:
    """The database behind Sekisho: one engine, one transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def write(self) -> Iterator[Tx]:
        # Change watches learn of the commit (PostgreSQL: NOTIFY; see store.changes).
        with announced_write(self.engine) as conn:
            yield Tx(conn)

    def write_best_effort(self, work: Callable[[Tx], object], what: str) -> bool:
        """Runs `work` in a write transaction, for data that may be lost (when a key or a
        role was last used): a failure is logged (a lost race silently), never raised,
        so that it cannot turn a finished request into an error. True if committed."""
        try:
            with self.write() as tx:
                work(tx)
        except Contention:
            return False
        except Exception:
            _LOG.warning("could not record %s", what, exc_info=True)
            return False
        return True

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(sekisho_readonly=True)
            with conn.begin():
                yield Tx(conn)

    def dispose(self) -> None:
        self.engine.dispose()
