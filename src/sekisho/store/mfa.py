"""Stored virtual MFA devices: the sealed seed, the assignment to a user, and the
one-time state that makes each code usable once across every server node.

A device is named by its serial number (its ARN, `arn:aws:iam::ACCOUNT:mfa/PATH/NAME`),
unique ignoring case; `device_id` is an internal id that its tags hang on.

One-time use rests on `last_step`, the newest TOTP time step accepted for the
device. `claim_steps` moves it forward with one conditional UPDATE
(`... WHERE last_step IS NULL OR last_step < :first`) and reports whether a
row changed: of two requests carrying the same code, on any nodes, the
database lets exactly one through. Nothing here reads before it writes.

Failed codes are counted per device (`failures`, `last_failure_at`) with one
UPDATE each, so throttling is shared by all nodes too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Row,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    update,
)

from sekisho.store.schema import metadata
from sekisho.store.schema import tags as tags_table
from sekisho.store.sql import Tx, opt_utc, utc

mfa_devices = Table(
    "mfa_devices",
    metadata,
    Column("device_id", String(32), primary_key=True),
    Column("account_id", String(12), nullable=False),
    Column("serial", String(256), nullable=False),
    Column("serial_lower", String(256), nullable=False, unique=True),
    Column("seed_sealed", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("user_id", String(32), nullable=True),  # NULL: unassigned
    Column("enabled_at", DateTime(timezone=True), nullable=True),
    Column("last_step", BigInteger, nullable=True),
    Column("drift_steps", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure_at", DateTime(timezone=True), nullable=True),
    Index("ix_mfa_devices_account_id", "account_id"),
    Index("ix_mfa_devices_user_id", "user_id"),
)


@dataclass(frozen=True)
class MFADeviceRecord:
    device_id: str
    account_id: str
    serial: str
    seed_sealed: bytes = field(repr=False)
    created_at: datetime
    user_id: str | None = None
    enabled_at: datetime | None = None
    drift_steps: int = 0
    failures: int = 0
    last_failure_at: datetime | None = None


def _device(row: Row[Any]) -> MFADeviceRecord:
    return MFADeviceRecord(row.device_id, row.account_id, row.serial, bytes(row.seed_sealed),
                           utc(row.created_at), row.user_id, opt_utc(row.enabled_at),
                           int(row.drift_steps or 0), int(row.failures or 0),
                           opt_utc(row.last_failure_at))


def insert_device(tx: Tx, rec: MFADeviceRecord) -> None:
    """Raises Conflict when a device with the same serial (ignoring case) exists."""
    tx.insert_unique(mfa_devices, device_id=rec.device_id, account_id=rec.account_id,
                     serial=rec.serial, serial_lower=rec.serial.lower(),
                     seed_sealed=rec.seed_sealed, created_at=rec.created_at, user_id=None,
                     enabled_at=None, last_step=None, drift_steps=0, failures=0,
                     last_failure_at=None)


def device_by_serial(tx: Tx, account_id: str, serial: str) -> MFADeviceRecord | None:
    row = tx.conn.execute(select(mfa_devices).where(and_(
        mfa_devices.c.account_id == account_id,
        mfa_devices.c.serial_lower == serial.lower()))).first()
    return None if row is None else _device(row)


def devices_of_user(tx: Tx, user_id: str, after: str | None, limit: int
                    ) -> list[MFADeviceRecord]:
    query = select(mfa_devices).where(mfa_devices.c.user_id == user_id)
    if after is not None:
        query = query.where(mfa_devices.c.serial_lower > after)
    rows = tx.conn.execute(query.order_by(mfa_devices.c.serial_lower).limit(limit))
    return [_device(r) for r in rows]


def list_devices(tx: Tx, account_id: str, assigned: bool | None, after: str | None,
                 limit: int) -> list[MFADeviceRecord]:
    """The account's devices by serial; `assigned` True/False filters, None lists all."""
    query = select(mfa_devices).where(mfa_devices.c.account_id == account_id)
    if assigned is True:
        query = query.where(mfa_devices.c.user_id.is_not(None))
    elif assigned is False:
        query = query.where(mfa_devices.c.user_id.is_(None))
    if after is not None:
        query = query.where(mfa_devices.c.serial_lower > after)
    rows = tx.conn.execute(query.order_by(mfa_devices.c.serial_lower).limit(limit))
    return [_device(r) for r in rows]


def _count(tx: Tx, condition: Any) -> int:
    return int(tx.conn.execute(select(func.count()).select_from(mfa_devices)
                               .where(condition)).scalar() or 0)


def count_user_devices(tx: Tx, user_id: str) -> int:
    return _count(tx, mfa_devices.c.user_id == user_id)


def count_devices(tx: Tx, account_id: str) -> int:
    """All the account's devices (GetAccountSummary `MFADevices`)."""
    return _count(tx, mfa_devices.c.account_id == account_id)


def count_assigned(tx: Tx, account_id: str) -> int:
    """The account's devices assigned to a user (GetAccountSummary `MFADevicesInUse`)."""
    return _count(tx, and_(mfa_devices.c.account_id == account_id,
                           mfa_devices.c.user_id.is_not(None)))


def has_devices(tx: Tx, user_id: str) -> bool:
    """Whether the user has an MFA device (DeleteUser's check, credential report `mfa_active`)."""
    return tx.conn.execute(select(mfa_devices.c.device_id)
                           .where(mfa_devices.c.user_id == user_id).limit(1)).first() is not None


def _unused(first_step: int) -> Any:
    return or_(mfa_devices.c.last_step.is_(None), mfa_devices.c.last_step < first_step)


def assign(tx: Tx, device_id: str, user_id: str, now: datetime, first_step: int,
           last_step: int) -> bool:
    """Assigns an unassigned device whose codes from `first_step` on are unused, marking
    them used; False (nothing written) if it is assigned or a code was used already."""
    result = tx.conn.execute(
        update(mfa_devices)
        .where(and_(mfa_devices.c.device_id == device_id, mfa_devices.c.user_id.is_(None),
                    _unused(first_step)))
        .values(user_id=user_id, enabled_at=now, last_step=last_step, drift_steps=0,
                failures=0, last_failure_at=None))
    return bool(result.rowcount)


def claim_steps(tx: Tx, device_id: str, user_id: str, first_step: int, last_step: int,
                drift_steps: int | None = None) -> bool:
    """Marks the codes of `first_step`..`last_step` used, if none of them (nor any later
    one) was used before and the device is still the user's: one conditional UPDATE,
    so that concurrent requests with the same code see exactly one True."""
    values: dict[str, Any] = {"last_step": last_step, "failures": 0, "last_failure_at": None}
    if drift_steps is not None:
        values["drift_steps"] = drift_steps
    result = tx.conn.execute(
        update(mfa_devices)
        .where(and_(mfa_devices.c.device_id == device_id, mfa_devices.c.user_id == user_id,
                    _unused(first_step)))
        .values(**values))
    return bool(result.rowcount)


def record_failure(tx: Tx, device_id: str, now: datetime, window: timedelta) -> None:
    """Counts one failed code: the count restarts when the previous failure is older
    than `window`."""
    stale = or_(mfa_devices.c.last_failure_at.is_(None),
                mfa_devices.c.last_failure_at < now - window)
    tx.conn.execute(
        update(mfa_devices).where(mfa_devices.c.device_id == device_id)
        .values(failures=case((stale, 1), else_=mfa_devices.c.failures + 1),
                last_failure_at=now))


def unassign(tx: Tx, device_id: str, user_id: str) -> bool:
    """Detaches the device from the user; False if it was not theirs. `last_step` stays, so
    codes used once stay used if the device is enabled again."""
    result = tx.conn.execute(
        update(mfa_devices)
        .where(and_(mfa_devices.c.device_id == device_id, mfa_devices.c.user_id == user_id))
        .values(user_id=None, enabled_at=None, drift_steps=0))
    return bool(result.rowcount)


def delete_unassigned(tx: Tx, device_id: str) -> bool:
    """Deletes the device and its tags unless it is assigned; False if it is (or is gone)."""
    result = tx.conn.execute(delete(mfa_devices).where(and_(
        mfa_devices.c.device_id == device_id, mfa_devices.c.user_id.is_(None))))
    if not result.rowcount:
        return False
    tx.conn.execute(delete(tags_table).where(tags_table.c.entity_id == device_id))
    return True
