"""Credentials with given values: access keys with a chosen id and secret, and virtual MFA
devices with a chosen seed, enabled for a user.

The API never takes these values from a caller (CreateAccessKey and
CreateVirtualMFADevice make them up), so `domain.access_keys` and `domain.mfa`
have no such functions; seeding needs them so that test suites can hold fixed
credentials. Secrets are sealed under the master key exactly as the domain
modules seal theirs (the key id, or the device serial, as associated data), so
the rest of Sekisho cannot tell these from generated ones.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from sekisho.domain import ids, totp
from sekisho.domain.access_keys import MAX_KEYS_PER_USER
from sekisho.domain.mfa import DEVICE_PREFIX
from sekisho.domain.quotas import DEFAULT_QUOTAS, Quotas, check_count
from sekisho.domain.secretbox import SecretBox
from sekisho.errors import EntityAlreadyExists, LimitExceeded
from sekisho.store import mfa as stored_mfa
from sekisho.store.errors import Conflict
from sekisho.store.mfa import MFADeviceRecord
from sekisho.store.records import AccessKeyRecord, UserRecord
from sekisho.store.sql import Tx


def import_access_key(tx: Tx, box: SecretBox, account_id: str, user_id: str | None,
                      access_key_id: str, secret: str, status: str,
                      now: datetime) -> AccessKeyRecord:
    """Stores an access key with the given id, secret and status for a user (None: root).

    The caller has checked that the id is an `AKIA` id encoding `account_id`.
    Raises LimitExceeded at the AccessKeysPerUser quota, EntityAlreadyExists when
    the id is taken.
    """
    if len(tx.access_keys_of(account_id, user_id)) >= MAX_KEYS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}")
    sealed = box.seal(secret.encode("ascii"), access_key_id.encode("ascii"))
    record = AccessKeyRecord(access_key_id, account_id, user_id, status, sealed, now)
    try:
        tx.insert_access_key(record)
    except Conflict:
        raise EntityAlreadyExists(f"Access key {access_key_id} already exists.") from None
    tx.bump_generation(account_id)
    return record


def open_mfa_seed(box: SecretBox, device: MFADeviceRecord) -> str:
    return box.open(device.seed_sealed, device.serial.encode("utf-8")).decode("ascii")


def same_secret(a: str, b: str) -> bool:
    """Constant-time equality of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def import_mfa_device(tx: Tx, box: SecretBox, user: UserRecord, serial: str, seed: str,
                      now: datetime, quotas: Quotas = DEFAULT_QUOTAS) -> MFADeviceRecord:
    """Creates a virtual MFA device with the given base32 seed and enables it for `user`.

    EnableMFADevice marks the two codes it was given as used; here no code was
    given, so only steps older than the drift window are marked used and the
    codes a client computes from the seed right away are accepted (once each).
    Raises LimitExceeded (MFADevicesPerUser), EntityAlreadyExists (the serial is
    taken).
    """
    check_count(stored_mfa.count_user_devices(tx, user.user_id), quotas.mfa_devices_per_user,
                "MFADevicesPerUser")
    record = MFADeviceRecord(ids.unique_id(DEVICE_PREFIX), user.account_id, serial,
                             box.seal(seed.encode("ascii"), serial.encode("utf-8")), now)
    try:
        stored_mfa.insert_device(tx, record)
    except Conflict:
        raise EntityAlreadyExists(
            "MFADevice entity at the same path and name already exists.") from None
    used = totp.step_of(now) - totp.DRIFT_STEPS - 1
    stored_mfa.assign(tx, record.device_id, user.user_id, now, used, used)
    tx.bump_generation(user.account_id)
    return record
